//! Shared policy values: `content/facts.yaml`.
//!
//! A value that several entries and decisions repeat (the D-10 registration
//! deadline, the 1,000원 minimum top-up, a refund timing) is declared once and
//! written as `{name}` wherever it appears, so the entries and the decisions
//! cannot say two different things:
//!
//! ```yaml
//! creative_due:
//!   type: d_day          # d_day (D-10) | days (10일) | won (1,000원) | text
//!   value: 10
//!   doc: 소재 등록 기한 (캠페인 시작일 기준)
//! ```
//!
//! - `{name}` is the value as customers read it: `D-10`, `10일`, `1,000원`,
//!   or the text itself; `{name.value}` is the bare number (`10`, `1000`), for
//!   sentences such as "시작 {approval_due.value}일 전" and for numbers in
//!   decision files (`days: {creative_due.value}`).
//! - In entry bodies every `{name}` must be declared (`{{` and `}}` write
//!   literal braces); braces around anything that is not a name are literal.
//! - In decision files the same substitution runs over the file text before it
//!   is read, so it also works in `derived:` numbers; `{…}` names that are not
//!   shared facts are left for the decision's own placeholders.
//!
//! Names are lowercase ascii letters, digits and `_` (no dots, so they never
//! look like an account fact such as `cash.paid`).

use std::fmt;
use std::path::Path;

use serde_yaml::Value;

use super::error::ContentError;
use super::lines;

/// Name of the optional shared-facts file inside the content directory.
pub const FACTS_FILE: &str = "facts.yaml";

/// A shared value, typed by how it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactValue {
    /// A deadline counted back from a campaign's start date: `D-10`.
    DDay(i64),
    /// A number of days: `7일`.
    Days(i64),
    /// An amount in Korean won: `1,000원`.
    Won(i64),
    /// Free text, one line.
    Text(String),
}

impl FactValue {
    /// The type name as written in `facts.yaml`.
    pub fn type_name(&self) -> &'static str {
        match self {
            FactValue::DDay(_) => "d_day",
            FactValue::Days(_) => "days",
            FactValue::Won(_) => "won",
            FactValue::Text(_) => "text",
        }
    }

    /// The bare value (`{name.value}`).
    pub fn bare(&self) -> String {
        match self {
            FactValue::DDay(n) | FactValue::Days(n) | FactValue::Won(n) => n.to_string(),
            FactValue::Text(s) => s.clone(),
        }
    }
}

impl fmt::Display for FactValue {
    /// The value as customers read it (`{name}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactValue::DDay(n) => write!(f, "D-{n}"),
            FactValue::Days(n) => write!(f, "{n}일"),
            FactValue::Won(n) => f.write_str(&crate::rules::format::won(*n)),
            FactValue::Text(s) => f.write_str(s),
        }
    }
}

/// One declared value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedFact {
    pub name: String,
    pub value: FactValue,
    pub doc: String,
    /// 1-based line of the name in `facts.yaml`.
    pub line: usize,
}

/// The shared values of a content directory (empty without `facts.yaml`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedFacts {
    facts: Vec<SharedFact>,
}

/// A `{name}` in a text that names no shared fact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFact {
    /// The name as written (with `.value` if it had it).
    pub name: String,
    /// 0-based line within the substituted text.
    pub line: usize,
}

/// What [`SharedFacts::substitute`] does with braces that are not shared facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Entry bodies: `{{`/`}}` become literal braces; an undeclared `{name}` is reported.
    Body,
    /// Decision files: `{{`, `}}` and undeclared `{name}` are left as they are
    /// (they belong to the decision's own answer templates).
    Decision,
}

fn is_fact_name(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl SharedFacts {
    /// No shared values.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Loads `{dir}/facts.yaml`; a missing file means no shared values.
    /// Errors name `{display root}/facts.yaml` and the line.
    pub fn load(dir: &Path) -> Result<SharedFacts, Vec<ContentError>> {
        let source = super::load::display_root(dir).join(FACTS_FILE);
        match std::fs::read_to_string(dir.join(FACTS_FILE)) {
            Ok(text) => Self::parse(&text, &source),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::empty()),
            Err(e) => Err(vec![ContentError::new(
                source,
                0,
                format!("cannot read file: {e}"),
            )]),
        }
    }

    /// Parses the text of a `facts.yaml`; `source` is the path shown in errors.
    pub fn parse(text: &str, source: &Path) -> Result<SharedFacts, Vec<ContentError>> {
        let err = |line: usize, msg: String| ContentError::new(source, line, msg);
        let mapping = match serde_yaml::from_str::<Value>(text) {
            Ok(Value::Mapping(m)) => m,
            Ok(Value::Null) => return Ok(Self::empty()),
            Ok(other) => {
                return Err(vec![err(
                    1,
                    format!(
                        "expected `name: {{ type: …, value: … }}` entries, found {}",
                        lines::type_name(&other)
                    ),
                )]);
            }
            Err(e) => {
                let (line, msg) = lines::yaml_error(text, &e, 0);
                return Err(vec![err(line, format!("invalid YAML: {msg}"))]);
            }
        };
        let mut errors = Vec::new();
        let mut facts = Vec::new();
        for (k, v) in mapping {
            let name = k.as_str().unwrap_or_default().to_owned();
            let line = lines::key_line(text, &name).unwrap_or(1);
            if !is_fact_name(&name) {
                errors.push(err(
                    line,
                    format!("invalid fact name `{name}`: lowercase ascii letters, digits and `_`, starting with a letter"),
                ));
                continue;
            }
            let Some(m) = v.as_mapping() else {
                errors.push(err(
                    line,
                    format!("fact `{name}`: expected `{{ type: …, value: … }}`"),
                ));
                continue;
            };
            if let Some(extra) = m
                .keys()
                .filter_map(|k| k.as_str())
                .find(|k| !matches!(*k, "type" | "value" | "doc"))
            {
                errors.push(err(
                    line,
                    format!("fact `{name}`: unknown key `{extra}` (type, value, doc)"),
                ));
                continue;
            }
            let doc = m
                .get("doc")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let ty = m.get("type").and_then(Value::as_str).unwrap_or_default();
            let value = m.get("value");
            let number = value.and_then(Value::as_i64).filter(|n| *n >= 0);
            let parsed = match ty {
                "d_day" => number.map(FactValue::DDay),
                "days" => number.map(FactValue::Days),
                "won" => number.map(FactValue::Won),
                "text" => value
                    .and_then(Value::as_str)
                    .filter(|s| !s.trim().is_empty() && !s.contains(['\n', '{', '}']))
                    .map(|s| FactValue::Text(s.to_owned())),
                _ => {
                    errors.push(err(
                        line,
                        format!("fact `{name}`: unknown type `{ty}` (d_day, days, won or text)"),
                    ));
                    continue;
                }
            };
            match parsed {
                Some(value) => facts.push(SharedFact {
                    name,
                    value,
                    doc,
                    line,
                }),
                None => {
                    let want = if ty == "text" {
                        "one line of text without braces"
                    } else {
                        "a whole number ≥ 0"
                    };
                    errors.push(err(line, format!("fact `{name}`: `value:` must be {want}")));
                }
            }
        }
        if errors.is_empty() {
            facts.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(SharedFacts { facts })
        } else {
            Err(errors)
        }
    }

    /// The declared value named `name`.
    pub fn get(&self, name: &str) -> Option<&SharedFact> {
        self.facts.iter().find(|f| f.name == name)
    }

    /// Every declared value, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &SharedFact> {
        self.facts.iter()
    }

    /// The declared names, comma separated (for error messages).
    pub fn names(&self) -> String {
        if self.facts.is_empty() {
            return "none declared".to_owned();
        }
        self.facts
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Replaces every `{name}` / `{name.value}` of a declared fact in `text`.
    /// Returns the new text and (in [`Mode::Body`]) the undeclared names.
    pub fn substitute(&self, text: &str, mode: Mode) -> (String, Vec<UnknownFact>) {
        let mut out = String::with_capacity(text.len());
        let mut unknown = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            out.push_str(&rest[..i]);
            let c = rest.as_bytes()[i];
            let after = &rest[i + 1..];
            if after.as_bytes().first() == Some(&c) {
                // `{{` / `}}`
                if mode == Mode::Decision {
                    out.push(c as char);
                }
                out.push(c as char);
                rest = &after[1..];
                continue;
            }
            if c == b'}' {
                out.push('}');
                rest = after;
                continue;
            }
            let name_end = after.find('}');
            let inner = name_end.map(|e| &after[..e]);
            let (base, bare) = match inner {
                Some(s) => match s.strip_suffix(".value") {
                    Some(b) => (b, true),
                    None => (s, false),
                },
                None => ("", false),
            };
            if let (Some(end), true) = (name_end, is_fact_name(base)) {
                match self.get(base) {
                    Some(f) if bare => out.push_str(&f.value.bare()),
                    Some(f) => out.push_str(&f.value.to_string()),
                    None => {
                        if mode == Mode::Body {
                            let line = text[..text.len() - rest.len() + i].matches('\n').count();
                            unknown.push(UnknownFact {
                                name: inner.unwrap_or_default().to_owned(),
                                line,
                            });
                        }
                        out.push('{');
                        out.push_str(&after[..end]);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            } else {
                out.push('{');
                rest = after;
            }
        }
        out.push_str(rest);
        (out, unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> SharedFacts {
        SharedFacts::parse(
            "creative_due: { type: d_day, value: 10 }\nmin: { type: won, value: 1000 }\nlabel: { type: text, value: 영업일 }\nwait: { type: days, value: 7 }\n",
            Path::new("content/facts.yaml"),
        )
        .unwrap()
    }

    #[test]
    fn renders_by_type() {
        let f = facts();
        let (s, u) = f.substitute(
            "{creative_due}까지, 시작 {creative_due.value}일 전, {min}, {label}, {wait}",
            Mode::Body,
        );
        assert_eq!(s, "D-10까지, 시작 10일 전, 1,000원, 영업일, 7일");
        assert!(u.is_empty());
    }

    #[test]
    fn unknown_names_and_braces() {
        let f = facts();
        let (s, u) = f.substitute("a\n{nope} {{x}} {not a name} }", Mode::Body);
        assert_eq!(s, "a\n{nope} {x} {not a name} }");
        assert_eq!(
            u,
            vec![UnknownFact {
                name: "nope".into(),
                line: 1
            }]
        );
        let (s, u) = f.substitute("{cash.paid} {{x}} {min} {other}", Mode::Decision);
        assert_eq!(s, "{cash.paid} {{x}} 1,000원 {other}");
        assert!(u.is_empty());
    }

    #[test]
    fn bad_files_name_the_line() {
        let e = SharedFacts::parse(
            "a: { type: d_day, value: 2 }\nb: { type: money, value: 1 }\nc: { type: won, value: -1 }\n",
            Path::new("content/facts.yaml"),
        )
        .unwrap_err();
        let shown: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert!(
            shown[0].starts_with("content/facts.yaml:2: fact `b`: unknown type"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("content/facts.yaml:3: fact `c`: `value:`"),
            "{shown:?}"
        );
    }
}
