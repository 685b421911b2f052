//! Synonym groups from `<content>/synonyms.yaml`.
//!
//! Format (the whole file is optional; an empty file means no synonyms):
//! ```yaml
//! groups:
//!   - [환불, 환급, 돈 돌려받기]
//!   - [카드취소, 결제취소]
//! ```
//! Each group is a list of at least 2 different non-empty strings (quote
//! numbers). Terms within a group are equivalent for search; a term may appear
//! in several groups.

use std::path::Path;

use serde::Serialize;
use serde_yaml::Value;

use super::error::ContentError;
use super::lines;

/// Validated synonym groups.
///
/// Invariant: every group has at least 2 terms; terms are trimmed, non-empty
/// and unique within their group; groups keep the file's order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
}

impl Synonyms {
    /// No synonyms (used when `synonyms.yaml` does not exist).
    pub fn empty() -> Self {
        Synonyms::default()
    }

    /// Builds synonyms from groups, applying the same rules as the file
    /// (terms trimmed, deduplicated within a group, ≥2 non-empty terms).
    /// Returns a message for the first invalid group.
    pub fn from_groups(groups: Vec<Vec<String>>) -> Result<Self, String> {
        let groups = groups
            .into_iter()
            .enumerate()
            .map(|(i, g)| normalize(g).map_err(|m| format!("group {}: {m}", i + 1)))
            .collect::<Result<_, _>>()?;
        Ok(Synonyms { groups })
    }

    /// The groups, in file order.
    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Whether there is no group.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Trims and dedupes a group's terms; errors if a term is empty or fewer than
/// 2 distinct terms remain.
fn normalize(group: Vec<String>) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::with_capacity(group.len());
    for (i, term) in group.iter().enumerate() {
        let term = term.trim();
        if term.is_empty() {
            return Err(format!("term {} is empty", i + 1));
        }
        if !out.iter().any(|t| t == term) {
            out.push(term.to_owned());
        }
    }
    if out.len() < 2 {
        return Err(format!(
            "a synonym group needs at least 2 different terms, found {}",
            out.len()
        ));
    }
    Ok(out)
}

/// Parses and validates the text of `synonyms.yaml`; `file` is the path shown
/// in errors. Reports every problem found.
pub(crate) fn parse(text: &str, file: &Path) -> Result<Synonyms, Vec<ContentError>> {
    let err = |line: usize, msg: String| ContentError::new(file, line, msg);
    let value: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let (line, msg) = lines::yaml_error(text, &e, 0);
            return Err(vec![err(line, format!("invalid YAML: {msg}"))]);
        }
    };
    let mapping = match value {
        Value::Null => return Ok(Synonyms::empty()),
        Value::Mapping(m) => m,
        other => {
            return Err(vec![err(
                1,
                format!(
                    "expected a mapping with a `groups:` key, found {}",
                    lines::type_name(&other)
                ),
            )]);
        }
    };

    let mut errors = Vec::new();
    let mut groups_value = None;
    for (key, value) in mapping {
        match key.as_str() {
            Some("groups") => groups_value = Some(value),
            Some(k) => errors.push(err(
                lines::key_line(text, k).unwrap_or(1),
                format!("unknown key `{k}` (expected only `groups`)"),
            )),
            None => errors.push(err(
                1,
                "unknown non-string key (expected only `groups`)".into(),
            )),
        }
    }
    let groups_line = lines::key_line(text, "groups").unwrap_or(1);
    let items = match groups_value {
        None => {
            errors.push(err(
                1,
                "missing key `groups` (expected `groups:` with a list of synonym lists)".into(),
            ));
            Vec::new()
        }
        Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(items)) => items,
        Some(other) => {
            errors.push(err(
                groups_line,
                format!(
                    "wrong type for `groups`: expected a list of lists, found {}",
                    lines::type_name(&other)
                ),
            ));
            Vec::new()
        }
    };
    let item_lines = lines::block_item_lines(text, "groups").filter(|l| l.len() == items.len());
    let mut groups = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let line = item_lines.as_ref().map_or(groups_line, |l| l[i]);
        let group_err = |msg: String| err(line, format!("synonym group {}: {msg}", i + 1));
        let Value::Sequence(terms) = item else {
            errors.push(group_err(format!(
                "expected a list of terms like `[환불, 환급]`, found {}",
                lines::type_name(&item)
            )));
            continue;
        };
        let mut strings = Vec::with_capacity(terms.len());
        let mut ok = true;
        for (j, term) in terms.into_iter().enumerate() {
            match term {
                Value::String(s) => strings.push(s),
                other => {
                    ok = false;
                    errors.push(group_err(format!(
                        "term {} must be a string (quote it), found {}",
                        j + 1,
                        lines::type_name(&other)
                    )));
                }
            }
        }
        if !ok {
            continue;
        }
        match normalize(strings) {
            Ok(g) => groups.push(g),
            Err(msg) => errors.push(group_err(msg)),
        }
    }
    if errors.is_empty() {
        Ok(Synonyms { groups })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Synonyms, Vec<ContentError>> {
        parse(text, Path::new("content/synonyms.yaml"))
    }

    #[test]
    fn parses_groups() {
        let s = p("groups:\n  - [환불, ' 환급 ', 환불]\n  - - 카드취소\n    - 결제취소\n").unwrap();
        assert_eq!(
            s.groups(),
            [vec!["환불", "환급"], vec!["카드취소", "결제취소"]]
        );
        assert!(p("").unwrap().is_empty());
        assert!(p("groups:\n").unwrap().is_empty());
    }

    #[test]
    fn reports_every_bad_group_with_its_line() {
        let errs = p(
            "groups:\n  - [환불, 환급]\n  - [혼자]\n  - [a, '']\n  - 문자열\n  - [1, b]\nfoo: 1\n",
        )
        .unwrap_err();
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0].0, 7);
        assert!(got[0].1.contains("unknown key `foo`"));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.contains("at least 2"));
        assert_eq!(got[2].0, 4);
        assert!(got[2].1.contains("empty"));
        assert_eq!(got[3].0, 5);
        assert!(got[3].1.contains("list of terms"));
        assert_eq!(got[4].0, 6);
        assert!(got[4].1.contains("must be a string"));
    }

    #[test]
    fn from_groups_validates() {
        assert!(Synonyms::from_groups(vec![vec!["a".into()]]).is_err());
        assert_eq!(
            Synonyms::from_groups(vec![vec!["a".into(), "b".into()]])
                .unwrap()
                .groups()
                .len(),
            1
        );
    }
}
