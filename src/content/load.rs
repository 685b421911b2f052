//! Loading and validating a content directory.
//!
//! Layout: `<content>/faq/**/*.md` (any depth; one entry per file; other
//! files, and files or folders whose name starts with `.`, are ignored) and
//! the optional `<content>/synonyms.yaml`.
//!
//! Every problem is collected, none stops the scan: per file all front-matter
//! problems are reported (each key is checked on its own, rather than
//! stopping at serde's first error), then the cross-file checks (duplicate
//! ids, `related` ids that do not exist) run over every id that was readable.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_yaml::{Mapping, Value};

use super::entry::{CategoryPath, Entry, EntryId, InvalidCategory};
use super::error::{ContentError, ContentErrors};
use super::facts::{self, SharedFacts};
use super::lines;
use super::markdown;
use super::synonyms::{self, Synonyms};

/// The front-matter keys, in documentation order. Any other key is an error.
pub const KNOWN_KEYS: [&str; 8] = [
    "id", "title", "service", "category", "keywords", "updated", "decision", "related",
];

/// Name of the entries folder inside the content directory.
pub const FAQ_DIR: &str = "faq";
/// Name of the optional synonyms file inside the content directory.
pub const SYNONYMS_FILE: &str = "synonyms.yaml";

/// Folder nesting deeper than this below `faq/` is reported (guards against
/// symlink loops).
const MAX_DEPTH: usize = 32;

/// What a content directory holds once validated.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Sorted by id, ids unique.
    pub entries: Vec<Entry>,
    pub synonyms: Synonyms,
    pub facts: SharedFacts,
}

/// The path prefix shown in errors for files of `dir`: its last component
/// (`/srv/site/content` → `content`), so errors read `content/faq/x.md`.
pub fn display_root(dir: &Path) -> PathBuf {
    if let Some(name) = dir.file_name() {
        return PathBuf::from(name);
    }
    match fs::canonicalize(dir) {
        Ok(abs) => abs
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.to_path_buf()),
        Err(_) => dir.to_path_buf(),
    }
}

/// Loads and validates `dir`. On error returns every problem found, sorted by
/// file then line.
pub(crate) fn load(dir: &Path) -> Result<Loaded, ContentErrors> {
    let shown = display_root(dir);
    let mut errors = Vec::new();

    if !dir.is_dir() {
        return Err(ContentError::new(
            &shown,
            0,
            format!(
                "content directory `{}` does not exist (or is not a directory)",
                dir.display()
            ),
        )
        .into());
    }

    let synonyms = load_synonyms(dir, &shown, &mut errors);
    let shared = SharedFacts::load(dir).unwrap_or_else(|e| {
        errors.extend(e);
        SharedFacts::empty()
    });

    let faq = dir.join(FAQ_DIR);
    let mut files = Vec::new();
    if faq.is_dir() {
        collect_markdown(&faq, Path::new(FAQ_DIR), 0, &shown, &mut files, &mut errors);
    } else {
        errors.push(ContentError::new(
            shown.join(FAQ_DIR),
            0,
            format!(
                "no `{FAQ_DIR}/` directory: create `{}` and put one Markdown file per FAQ entry in it (any folder depth)",
                dir.join(FAQ_DIR).display()
            ),
        ));
    }
    files.sort();

    let mut parsed = Vec::with_capacity(files.len());
    for file in parse_files(dir, &shown, &files, &shared) {
        match file {
            Ok(file) => {
                errors.extend(file.errors.iter().cloned());
                parsed.push(file);
            }
            Err(e) => errors.push(e),
        }
    }

    // Cross-file checks over every id that could be read.
    let mut first: HashMap<&EntryId, (&Path, usize)> = HashMap::new();
    for file in &parsed {
        if let Some((id, line)) = &file.id {
            match first.get(id) {
                Some((other, other_line)) => errors.push(ContentError::new(
                    &file.source,
                    *line,
                    format!(
                        "duplicate id `{id}`: also used in {}:{other_line}",
                        other.display()
                    ),
                )),
                None => {
                    first.insert(id, (&file.source, *line));
                }
            }
        }
    }
    // A file whose id could not be read probably has its stem as id: do not
    // also report entries relating to it as missing.
    let unreadable: HashSet<&str> = parsed
        .iter()
        .filter(|f| f.id.is_none())
        .map(|f| f.stem.as_str())
        .collect();
    for file in &parsed {
        if let Some((related, line)) = &file.related {
            for id in related {
                if !first.contains_key(id) && !unreadable.contains(id.as_str()) {
                    errors.push(ContentError::new(
                        &file.source,
                        *line,
                        format!("related entry `{id}` does not exist"),
                    ));
                }
            }
        }
    }

    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(ContentErrors(errors));
    }
    let mut entries: Vec<Entry> = parsed.into_iter().filter_map(|f| f.entry).collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Loaded {
        entries,
        synonyms,
        facts: shared,
    })
}

/// Reads and parses `files` (relative to `dir`), in order; on as many
/// threads as there are cores (up to 4) when there are many: parsing is
/// most of loading a large content, and files are independent.
fn parse_files(
    dir: &Path,
    shown: &Path,
    files: &[PathBuf],
    shared: &SharedFacts,
) -> Vec<Result<FileParse, ContentError>> {
    let one = |rel: &PathBuf| read_and_parse(dir, shown, rel, shared);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || files.len() < PARALLEL_FROM {
        return files.iter().map(one).collect();
    }
    let per_thread = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = files
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Below this many files, parsing stays on the calling thread.
const PARALLEL_FROM: usize = 512;

/// One Markdown file, read and parsed; an error when it cannot be read as
/// UTF-8 text.
fn read_and_parse(
    dir: &Path,
    shown: &Path,
    rel: &Path,
    shared: &SharedFacts,
) -> Result<FileParse, ContentError> {
    let source = shown.join(rel);
    let text = match fs::read(dir.join(rel)) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| ContentError::new(&source, 0, "file is not valid UTF-8"))?,
        Err(e) => {
            return Err(ContentError::new(
                &source,
                0,
                format!("cannot read file: {e}"),
            ));
        }
    };
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(parse_file(&text, &source, &stem, shared))
}

fn load_synonyms(dir: &Path, shown: &Path, errors: &mut Vec<ContentError>) -> Synonyms {
    let yml = dir.join("synonyms.yml");
    if yml.exists() {
        errors.push(ContentError::new(
            shown.join("synonyms.yml"),
            0,
            format!("rename this file to `{SYNONYMS_FILE}` (it is otherwise ignored)"),
        ));
    }
    let path = dir.join(SYNONYMS_FILE);
    let source = shown.join(SYNONYMS_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => match synonyms::parse(&text, &source) {
            Ok(s) => s,
            Err(errs) => {
                errors.extend(errs);
                Synonyms::empty()
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Synonyms::empty(),
        Err(e) => {
            errors.push(ContentError::new(
                source,
                0,
                format!("cannot read file: {e}"),
            ));
            Synonyms::empty()
        }
    }
}

/// Collects `.md` files below `abs` (whose path relative to the content dir
/// is `rel`) into `out`, as paths relative to the content dir.
fn collect_markdown(
    abs: &Path,
    rel: &Path,
    depth: usize,
    shown: &Path,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<ContentError>,
) {
    if depth > MAX_DEPTH {
        errors.push(ContentError::new(
            shown.join(rel),
            0,
            format!("folders nested deeper than {MAX_DEPTH} levels (a symlink loop?)"),
        ));
        return;
    }
    let read = match fs::read_dir(abs) {
        Ok(read) => read,
        Err(e) => {
            errors.push(ContentError::new(
                shown.join(rel),
                0,
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    for item in read {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                errors.push(ContentError::new(
                    shown.join(rel),
                    0,
                    format!("cannot read directory: {e}"),
                ));
                continue;
            }
        };
        let name = item.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue; // hidden files, editor lock files
        }
        let path = item.path();
        let child_rel = rel.join(&name);
        // fs::metadata follows symlinks.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                collect_markdown(&path, &child_rel, depth + 1, shown, out, errors)
            }
            Ok(meta) if meta.is_file() => {
                let is_md = path
                    .extension()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
                if is_md {
                    out.push(child_rel);
                }
            }
            Ok(_) => {}
            Err(e) => errors.push(ContentError::new(
                shown.join(&child_rel),
                0,
                format!("cannot read: {e}"),
            )),
        }
    }
}

/// The outcome of parsing one file.
struct FileParse {
    source: PathBuf,
    stem: String,
    /// The id if it was readable and valid, with its line (for cross-file checks).
    id: Option<(EntryId, usize)>,
    /// Valid related ids with the line of the `related` key.
    related: Option<(Vec<EntryId>, usize)>,
    /// The entry, if this file had no problem of its own.
    entry: Option<Entry>,
    errors: Vec<ContentError>,
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
/// by the values of `shared`.
fn parse_file(text: &str, source: &Path, stem: &str, shared: &SharedFacts) -> FileParse {
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
    let skipped = body.len() - body.trim_start_matches(['\n', '\r']).len();
    let first_body_line = close_line + 1 + body[..skipped].matches('\n').count();
    let body = body.trim_end().trim_start_matches(['\n', '\r']);
    let (body, unknown) = shared.substitute(body, facts::Mode::Body);
    for u in unknown {
        out.errors.push(ContentError::new(
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
    let body = body.as_str();
    if body.trim().is_empty() {
        out.errors.push(ContentError::new(
            source,
            close_line,
            "empty body: write the answer below the closing `---`",
        ));
    }

    let mapping = match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(m)) => m,
        Ok(Value::Null) => Mapping::new(),
        Ok(other) => {
            out.errors.push(ContentError::new(
                source,
                2,
                format!(
                    "front matter must be `key: value` lines, found {}",
                    lines::type_name(&other)
                ),
            ));
            return out;
        }
        Err(e) => {
            let (line, msg) = lines::yaml_error(yaml, &e, 1);
            out.errors.push(ContentError::new(
                source,
                line,
                format!("invalid YAML in front matter: {msg}"),
            ));
            return out;
        }
    };

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

    let id = fm.string("id", true).and_then(|s| {
        let line = fm.line("id");
        match EntryId::try_from(s) {
            Ok(id) => {
                if id.as_str() != stem {
                    fm.err(
                        line,
                        format!(
                            "id `{id}` does not match the file name `{stem}.md` (rename the file or change the id)"
                        ),
                    );
                }
                out.id = Some((id.clone(), line));
                Some(id)
            }
            Err(e) => {
                fm.err(line, e.to_string());
                None
            }
        }
    });

    let title = fm.non_empty_string("title");
    let service = fm.non_empty_string("service");

    let category =
        fm.string_list("category", true)
            .and_then(|levels| match CategoryPath::new(&levels) {
                Ok(c) => Some(c),
                Err(e) => {
                    let msg = match e {
                        InvalidCategory::Empty | InvalidCategory::TooDeep(_) => format!(
                            "bad category: it must have 1-3 levels below the service, found {}",
                            levels.len()
                        ),
                        other => format!("bad category: {other}"),
                    };
                    fm.err(fm.line("category"), msg);
                    None
                }
            });

    let keywords = fm.string_list("keywords", false).map(|list| {
        let mut keywords = Vec::with_capacity(list.len());
        for (i, k) in list.iter().enumerate() {
            let k = k.trim();
            if k.is_empty() {
                fm.err(fm.line("keywords"), format!("keyword {} is empty", i + 1));
            } else if !keywords.iter().any(|x| x == k) {
                keywords.push(k.to_owned());
            }
        }
        keywords
    });

    let updated = fm
        .string("updated", true)
        .and_then(|s| match parse_date(&s) {
            Some(d) => Some(d),
            None => {
                fm.err(
                    fm.line("updated"),
                    format!("bad date `{s}` for `updated`: expected a real date as YYYY-MM-DD"),
                );
                None
            }
        });

    let decision = if fm.values.contains_key("decision") {
        fm.string("decision", false).and_then(|s| {
            if EntryId::is_valid(&s) {
                Some(s)
            } else {
                fm.err(
                    fm.line("decision"),
                    format!("bad decision id `{s}`: lowercase ascii letters and digits in words joined by single '-'"),
                );
                None
            }
        })
    } else {
        None
    };

    let related = fm.string_list("related", false).map(|list| {
        let line = fm.line("related");
        let mut related: Vec<EntryId> = Vec::with_capacity(list.len());
        for s in list {
            match EntryId::try_from(s) {
                Ok(r) => {
                    if id.as_ref() == Some(&r) {
                        fm.err(line, format!("entry relates to itself (`{r}` in related)"));
                    } else if related.contains(&r) {
                        fm.err(line, format!("related lists `{r}` more than once"));
                    } else {
                        related.push(r);
                    }
                }
                Err(e) => fm.err(line, format!("in related: {e}")),
            }
        }
        out.related = Some((related.clone(), line));
        related
    });

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
            title,
            service,
            category,
            keywords: keywords.unwrap_or_default(),
            updated,
            decision,
            related: related.unwrap_or_default(),
            body_markdown: body.into(),
            body_html: markdown::to_html(body).into(),
            body_text: markdown::to_text(body).into(),
            source: source.to_path_buf(),
        });
    }
    out
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

impl FrontMatter<'_> {
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

    #[test]
    fn display_root_is_last_component() {
        assert_eq!(
            display_root(Path::new("/srv/site/content")),
            Path::new("content")
        );
        assert_eq!(display_root(Path::new("content/")), Path::new("content"));
    }
}
