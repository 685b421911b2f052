//! One entry file: its front matter, each key checked on its own so that
//! every problem is reported, and its body.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_yaml::{Mapping, Value};

use super::super::body::Body;
use super::super::entry::{CategoryPath, Entry, EntryId, InvalidCategory};
use super::super::error::ContentError;
use super::super::facts::{self, SharedFacts};
use super::super::keywords::Keywords;
use super::super::lines;
use super::super::markdown;
use super::KNOWN_KEYS;

/// The outcome of parsing one file.
pub(super) struct FileParse {
    pub(super) source: PathBuf,
    pub(super) stem: String,
    /// The id if it was readable and valid, with its line (for cross-file checks).
    pub(super) id: Option<(EntryId, usize)>,
    /// Valid related ids with the line of the `related` key.
    pub(super) related: Option<(Vec<EntryId>, usize)>,
    /// The entry, if this file had no problem of its own.
    pub(super) entry: Option<Entry>,
    pub(super) errors: Vec<ContentError>,
}

/// Splits `text` into (front matter YAML, body, line of the closing `---`).
/// The front matter starts on file line 2.
fn split_front_matter(text: &str) -> Result<(&str, &str, usize), &'static str> {
    let mut offset = 0;
    let mut yaml_start = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let is_fence = line.trim_end() == "---";
        match yaml_start {
            None if i == 0 && is_fence => yaml_start = Some(line.len()),
            None => {
                return Err(
                    "no front matter: the file must start with a `---` line, then `key: value` lines, then `---`",
                );
            }
            Some(start) if is_fence => {
                return Ok((&text[start..offset], &text[offset + line.len()..], i + 1));
            }
            Some(_) => {}
        }
        offset += line.len();
    }
    match yaml_start {
        None => Err(
            "no front matter: the file must start with a `---` line, then `key: value` lines, then `---`",
        ),
        Some(_) => Err("unterminated front matter: no closing `---` line"),
    }
}

/// Parses and validates one entry file. `source` is the path shown in errors;
/// `stem` is the file name without `.md`; `{fact}`s in the body are replaced
/// by the values of `shared`. Problems are reported in file order where the
/// steps allow: the body's, then the front matter's, key by key.
pub(super) fn parse_file(text: &str, source: &Path, stem: &str, shared: &SharedFacts) -> FileParse {
    let mut out = FileParse {
        source: source.to_path_buf(),
        stem: stem.to_owned(),
        id: None,
        related: None,
        entry: None,
        errors: Vec::new(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (yaml, body, close_line) = match split_front_matter(text) {
        Ok(parts) => parts,
        Err(msg) => {
            out.errors.push(ContentError::new(source, 1, msg));
            return out;
        }
    };
    // Body checks run even if the front matter is broken.
    let body = checked_body(body, close_line, source, shared, &mut out.errors);
    let mapping = match front_matter_mapping(yaml, source) {
        Ok(m) => m,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let mut fm = FrontMatter::new(yaml, source, mapping);
    out.id = fm.id(stem);
    let id = out.id.as_ref().map(|(id, _)| id.clone());
    let title = fm.non_empty_string("title");
    let service = fm.non_empty_string("service");
    let category = fm.category();
    let keywords = fm.keywords();
    let updated = fm.updated();
    let decision = fm.decision();
    out.related = fm.related(id.as_ref());
    out.errors.extend(fm.errors);
    if !out.errors.is_empty() {
        return out;
    }
    // All required fields are Some when no error was recorded.
    if let (Some(id), Some(title), Some(service), Some(category), Some(updated)) =
        (id, title, service, category, updated)
    {
        out.entry = Some(Entry {
            id,
            title: title.into(),
            service: service.into(),
            category,
            keywords: keywords.unwrap_or_default(),
            updated,
            decision: decision.map(String::into_boxed_str),
            related: out
                .related
                .clone()
                .map(|(r, _)| r)
                .unwrap_or_default()
                .into(),
            body: Body::new(markdown::to_text(&body), markdown::to_html(&body), body),
            source: source.into(),
        });
    }
    out
}

/// The body below the front matter closing on `close_line`, trimmed, with
/// the shared facts substituted; an unknown fact (at its line) and an empty
/// body are recorded in `errors`.
fn checked_body(
    body: &str,
    close_line: usize,
    source: &Path,
    shared: &SharedFacts,
    errors: &mut Vec<ContentError>,
) -> String {
    let skipped = body.len() - body.trim_start_matches(['\n', '\r']).len();
    let first_body_line = close_line + 1 + body[..skipped].matches('\n').count();
    let body = body.trim_end().trim_start_matches(['\n', '\r']);
    let (body, unknown) = shared.substitute(body, facts::Mode::Body);
    for u in unknown {
        errors.push(ContentError::new(
            source,
            first_body_line + u.line,
            format!(
                "unknown fact `{{{}}}` (declared in {}: {}; write `{{{{` for a literal brace)",
                u.name,
                facts::FACTS_FILE,
                shared.names()
            ),
        ));
    }
    if body.trim().is_empty() {
        errors.push(ContentError::new(
            source,
            close_line,
            "empty body: write the answer below the closing `---`",
        ));
    }
    body
}

/// The front matter as a YAML mapping (empty front matter is an empty one),
/// or the error that stops its checks.
fn front_matter_mapping(yaml: &str, source: &Path) -> Result<Mapping, ContentError> {
    match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(m)) => Ok(m),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(other) => Err(ContentError::new(
            source,
            2,
            format!(
                "front matter must be `key: value` lines, found {}",
                lines::type_name(&other)
            ),
        )),
        Err(e) => {
            let (line, msg) = lines::yaml_error(yaml, &e, 1);
            Err(ContentError::new(
                source,
                line,
                format!("invalid YAML in front matter: {msg}"),
            ))
        }
    }
}

/// `YYYY-MM-DD` with exactly 4-2-2 digits, and a real calendar date.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The front matter's known keys with their values, and the problems found
/// while converting them.
struct FrontMatter<'a> {
    yaml: &'a str,
    source: &'a Path,
    values: HashMap<&'static str, Value>,
    errors: Vec<ContentError>,
}

impl<'a> FrontMatter<'a> {
    /// The front matter of `source` from its `yaml` text and `mapping`; an
    /// unknown key is recorded at its line.
    fn new(yaml: &'a str, source: &'a Path, mapping: Mapping) -> Self {
        let mut fm = FrontMatter {
            yaml,
            source,
            values: HashMap::new(),
            errors: Vec::new(),
        };
        for (key, value) in mapping {
            let name = match &key {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default(),
            };
            match KNOWN_KEYS.iter().find(|k| **k == name) {
                Some(k) => {
                    fm.values.insert(k, value);
                }
                None => {
                    let line = fm.line(&name);
                    fm.err(
                        line,
                        format!(
                            "unknown key `{name}` (expected one of {})",
                            KNOWN_KEYS.join(", ")
                        ),
                    );
                }
            }
        }
        fm
    }

    /// `id`, with its line, when it is a valid id; one that differs from the
    /// file name `stem` is recorded as an error but still returned, for the
    /// cross-file checks.
    fn id(&mut self, stem: &str) -> Option<(EntryId, usize)> {
        let s = self.string("id", true)?;
        let line = self.line("id");
        match EntryId::try_from(s) {
            Ok(id) => {
                if id.as_str() != stem {
                    self.err(
                        line,
                        format!(
                            "id `{id}` does not match the file name `{stem}.md` (rename the file or change the id)"
                        ),
                    );
                }
                Some((id, line))
            }
            Err(e) => {
                self.err(line, e.to_string());
                None
            }
        }
    }

    /// `category`: 1–3 levels below the service.
    fn category(&mut self) -> Option<CategoryPath> {
        let levels = self.string_list("category", true)?;
        match CategoryPath::new(&levels) {
            Ok(c) => Some(c),
            Err(e) => {
                let msg = match e {
                    InvalidCategory::Empty | InvalidCategory::TooDeep(_) => format!(
                        "bad category: it must have 1-3 levels below the service, found {}",
                        levels.len()
                    ),
                    other => format!("bad category: {other}"),
                };
                self.err(self.line("category"), msg);
                None
            }
        }
    }

    /// `keywords`, trimmed, without repeats; an empty one, or one of two
    /// lines, is an error.
    fn keywords(&mut self) -> Option<Keywords> {
        let list = self.string_list("keywords", false)?;
        match Keywords::new(&list) {
            Ok(keywords) => Some(keywords),
            Err(e) => {
                self.err(self.line("keywords"), e.to_string());
                None
            }
        }
    }

    /// `updated`: a real date written `YYYY-MM-DD`.
    fn updated(&mut self) -> Option<NaiveDate> {
        let s = self.string("updated", true)?;
        let date = parse_date(&s);
        if date.is_none() {
            self.err(
                self.line("updated"),
                format!("bad date `{s}` for `updated`: expected a real date as YYYY-MM-DD"),
            );
        }
        date
    }

    /// `decision`: the id of the rules decision that personalizes the entry.
    fn decision(&mut self) -> Option<String> {
        if !self.values.contains_key("decision") {
            return None;
        }
        let s = self.string("decision", false)?;
        if EntryId::is_valid(&s) {
            Some(s)
        } else {
            self.err(
                self.line("decision"),
                format!("bad decision id `{s}`: lowercase ascii letters and digits in words joined by single '-'"),
            );
            None
        }
    }

    /// `related`, with the key's line: valid ids, neither the entry's own
    /// (`id`) nor repeated.
    fn related(&mut self, id: Option<&EntryId>) -> Option<(Vec<EntryId>, usize)> {
        let list = self.string_list("related", false)?;
        let line = self.line("related");
        let mut related: Vec<EntryId> = Vec::with_capacity(list.len());
        for s in list {
            match EntryId::try_from(s) {
                Ok(r) => {
                    if id == Some(&r) {
                        self.err(line, format!("entry relates to itself (`{r}` in related)"));
                    } else if related.contains(&r) {
                        self.err(line, format!("related lists `{r}` more than once"));
                    } else {
                        related.push(r);
                    }
                }
                Err(e) => self.err(line, format!("in related: {e}")),
            }
        }
        Some((related, line))
    }

    /// File line of top-level `key:`; the opening `---` (line 1) if not found.
    fn line(&self, key: &str) -> usize {
        lines::key_line(self.yaml, key).map_or(1, |l| l + 1)
    }

    fn err(&mut self, line: usize, message: String) {
        self.errors
            .push(ContentError::new(self.source, line, message));
    }

    /// The value of `key`, treating `key:` with nothing after it as absent.
    /// Records "missing field" (at line 1) if required and absent.
    fn value(&mut self, key: &'static str, required: bool) -> Option<Value> {
        match self.values.get(key) {
            Some(Value::Null) | None => {
                if required {
                    let msg = match self.values.get(key) {
                        Some(_) => format!("missing value for required field `{key}`"),
                        None => format!("missing field `{key}`"),
                    };
                    let line = if self.values.contains_key(key) {
                        self.line(key)
                    } else {
                        1
                    };
                    self.err(line, msg);
                }
                None
            }
            Some(v) => Some(v.clone()),
        }
    }

    fn string(&mut self, key: &'static str, required: bool) -> Option<String> {
        match self.value(key, required)? {
            Value::String(s) => Some(s),
            other => {
                let msg = format!(
                    "wrong type for `{key}`: expected a string, found {} (quote the value)",
                    lines::type_name(&other)
                );
                self.err(self.line(key), msg);
                None
            }
        }
    }

    fn non_empty_string(&mut self, key: &'static str) -> Option<String> {
        let s = self.string(key, true)?;
        let trimmed = s.trim();
        if trimmed.is_empty() {
            self.err(self.line(key), format!("empty {key}"));
            None
        } else {
            Some(trimmed.to_owned())
        }
    }

    fn string_list(&mut self, key: &'static str, required: bool) -> Option<Vec<String>> {
        let wrong = |found: String| {
            format!(
                "wrong type for `{key}`: expected a list of strings like `[a, b]`, found {found}"
            )
        };
        match self.value(key, required)? {
            Value::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s),
                        other => {
                            let msg =
                                wrong(format!("{} as item {}", lines::type_name(&other), i + 1));
                            self.err(self.line(key), msg);
                            return None;
                        }
                    }
                }
                Some(out)
            }
            other => {
                let msg = wrong(lines::type_name(&other).to_owned());
                self.err(self.line(key), msg);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let (yaml, body, close) = split_front_matter("---\na: 1\n---\nbody\n").unwrap();
        assert_eq!((yaml, body, close), ("a: 1\n", "body\n", 3));
        let (yaml, body, close) = split_front_matter("---\r\na: 1\r\n---\r\nbody").unwrap();
        assert_eq!((yaml, body, close), ("a: 1\r\n", "body", 3));
        assert!(
            split_front_matter("a: 1\n")
                .unwrap_err()
                .starts_with("no front matter")
        );
        assert!(
            split_front_matter("")
                .unwrap_err()
                .starts_with("no front matter")
        );
        assert!(
            split_front_matter("---\na: 1\n")
                .unwrap_err()
                .starts_with("unterminated")
        );
    }

    #[test]
    fn dates() {
        assert!(parse_date("2026-10-01").is_some());
        for bad in [
            "2026-1-01",
            "2026-02-30",
            "2026/10/01",
            "26-10-01",
            "2026-10-01x",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }
}
