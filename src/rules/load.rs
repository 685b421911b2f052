//! Loading and validating decision files (`content/rules/*.yaml`).
//!
//! Everything a policy author can get wrong is reported as a [`RuleError`] with the file
//! and line: YAML syntax, unknown keys, an unknown fact, a condition whose value has the
//! wrong type, an unknown placeholder, an unknown entry id, a missing default row, and a
//! row that can never match because an earlier row always matches first.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::content::SharedFacts;
use serde_yaml::{Mapping, Value as Yaml};

use super::model::{
    Adjust, Calc, Condition, Decision, Derived, FactDecl, FactRef, FactType, ForEach, Op, Output,
    Piece, Row, Template, Unit, Value,
};

/// A validation error in a rules or holidays file: `content/rules/refund.yaml:12: ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    /// 1-based; 0 when the problem is about the file as a whole.
    pub line: usize,
    pub message: String,
}

impl RuleError {
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> Self {
        RuleError {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for RuleError {}

/// All the errors found while loading, one per line when displayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// Loads and validates every `*.yaml` / `*.yml` file of a directory, in name order.
///
/// `file` in errors is the path as `dir.join(name)` displays. Decision ids must be unique
/// across files.
pub fn load_dir(
    dir: &Path,
    known_entry_ids: &dyn Fn(&str) -> bool,
) -> Result<Vec<Decision>, RuleErrors> {
    load_dir_with(dir, known_entry_ids, &SharedFacts::empty())
}

/// [`load_dir`], with the shared values of `facts.yaml` substituted into each file first
/// (see [`crate::content::facts`]).
pub fn load_dir_with(
    dir: &Path,
    known_entry_ids: &dyn Fn(&str) -> bool,
    shared: &SharedFacts,
) -> Result<Vec<Decision>, RuleErrors> {
    let shown = dir.display().to_string();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| RuleErrors(vec![RuleError::new(&shown, 0, format!("cannot read: {e}"))]))?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml") | Some("yml")
                )
        })
        .collect();
    paths.sort();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let file = p.display().to_string();
        match std::fs::read_to_string(&p) {
            Ok(text) => sources.push((file, text)),
            Err(e) => errors.push(RuleError::new(&file, 0, format!("cannot read: {e}"))),
        }
    }
    match parse_all_with(&sources, known_entry_ids, shared) {
        Ok(d) if errors.is_empty() => Ok(d),
        Ok(_) => Err(RuleErrors(errors)),
        Err(RuleErrors(more)) => {
            errors.extend(more);
            Err(RuleErrors(errors))
        }
    }
}

/// Validates decisions given as `(file name, text)` pairs (e.g. embedded with `include_str!`).
pub fn parse_all(
    sources: &[(String, String)],
    known_entry_ids: &dyn Fn(&str) -> bool,
) -> Result<Vec<Decision>, RuleErrors> {
    parse_all_with(sources, known_entry_ids, &SharedFacts::empty())
}

/// [`parse_all`] with shared values substituted into each file first.
pub fn parse_all_with(
    sources: &[(String, String)],
    known_entry_ids: &dyn Fn(&str) -> bool,
    shared: &SharedFacts,
) -> Result<Vec<Decision>, RuleErrors> {
    let mut decisions: Vec<Decision> = Vec::new();
    let mut errors = Vec::new();
    for (file, text) in sources {
        match parse_decision_with(text, file, known_entry_ids, shared) {
            Ok(d) => {
                if let Some(prev) = decisions.iter().find(|p| p.id == d.id) {
                    let line = Locator::new(text).key_line(Locator::ALL, "id").unwrap_or(1);
                    errors.push(RuleError::new(
                        file,
                        line,
                        format!("decision id `{}` is already used in {}", d.id, prev.file),
                    ));
                } else {
                    decisions.push(d);
                }
            }
            Err(RuleErrors(e)) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(decisions)
    } else {
        Err(RuleErrors(errors))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDecision {
    id: String,
    #[serde(default)]
    title: Option<String>,
    description: String,
    #[serde(default)]
    facts: Mapping,
    #[serde(default)]
    derived: Mapping,
    #[serde(default)]
    for_each: Option<RawForEach>,
    rows: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForEach {
    list: String,
    #[serde(rename = "as")]
    alias: String,
    label: String,
    empty: RawOutput,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    outcome: String,
    answer: String,
    #[serde(default)]
    related: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    #[serde(default)]
    when: Mapping,
    outcome: String,
    answer: String,
    #[serde(default)]
    related: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    doc: String,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    values: Option<Yaml>,
    #[serde(default)]
    fields: Option<Mapping>,
}

/// Validates one decision file.
pub fn parse_decision(
    text: &str,
    file: &str,
    known_entry_ids: &dyn Fn(&str) -> bool,
) -> Result<Decision, RuleErrors> {
    parse_decision_with(text, file, known_entry_ids, &SharedFacts::empty())
}

/// Validates one decision file after replacing the shared values' `{name}` and
/// `{name.value}` in its text (values are one line, so lines stay the same).
/// A fact or derived value named like a shared value is an error.
pub fn parse_decision_with(
    text: &str,
    file: &str,
    known_entry_ids: &dyn Fn(&str) -> bool,
    shared: &SharedFacts,
) -> Result<Decision, RuleErrors> {
    let (substituted, _) = shared.substitute(text, crate::content::facts::Mode::Decision);
    let text = substituted.as_str();
    let raw: RawDecision = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line()).unwrap_or(0);
        RuleErrors(vec![RuleError::new(file, line, e.to_string())])
    })?;
    let mut c = Compiler {
        file,
        loc: Locator::new(text),
        known: known_entry_ids,
        errors: Vec::new(),
    };
    let decision = c.decision(raw);
    let declared = decision
        .facts
        .iter()
        .map(|f| (&f.name, f.line))
        .chain(decision.derived.iter().map(|d| (&d.name, d.line)));
    for (name, line) in declared {
        if shared.get(name).is_some() {
            c.err(
                line,
                format!("`{name}` is also a shared fact in facts.yaml; rename one of them"),
            );
        }
    }
    if c.errors.is_empty() {
        Ok(decision)
    } else {
        Err(RuleErrors(c.errors))
    }
}

struct Compiler<'a> {
    file: &'a str,
    loc: Locator<'a>,
    known: &'a dyn Fn(&str) -> bool,
    errors: Vec<RuleError>,
}

/// What names mean inside one decision.
struct Scope<'a> {
    facts: &'a [FactDecl],
    record: Option<(&'a str, &'a BTreeMap<String, FactDecl>)>,
    derived: Vec<(String, FactType)>,
}

impl Scope<'_> {
    fn resolve(&self, name: &str) -> Option<(FactRef, FactType)> {
        if name == "today" {
            return Some((FactRef::Today, FactType::Date));
        }
        if let Some((alias, fields)) = self.record
            && let Some(field) = name.strip_prefix(alias).and_then(|r| r.strip_prefix('.'))
        {
            return fields
                .get(field)
                .map(|d| (FactRef::Field(field.to_owned()), d.ty.clone()));
        }
        if let Some(i) = self.derived.iter().position(|(n, _)| n == name) {
            return Some((FactRef::Derived(i), self.derived[i].1.clone()));
        }
        self.facts
            .iter()
            .find(|f| f.name == name)
            .map(|f| (FactRef::Top(f.name.clone()), f.ty.clone()))
    }

    fn known_names(&self) -> String {
        let mut names: Vec<String> = self.facts.iter().map(|f| f.name.clone()).collect();
        if let Some((alias, fields)) = self.record {
            names.extend(fields.keys().map(|k| format!("{alias}.{k}")));
        }
        names.extend(self.derived.iter().map(|(n, _)| n.clone()));
        names.push("today".into());
        names.join(", ")
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

impl<'a> Compiler<'a> {
    fn err(&mut self, line: usize, msg: impl Into<String>) {
        self.errors.push(RuleError::new(self.file, line, msg));
    }

    fn decision(&mut self, raw: RawDecision) -> Decision {
        let all = Locator::ALL;
        let id_line = self.loc.key_line(all, "id").unwrap_or(1);
        if !is_code(&raw.id) {
            self.err(
                id_line,
                format!(
                    "decision id `{}` must be lowercase letters, digits and dashes",
                    raw.id
                ),
            );
        }
        if raw.description.trim().is_empty() {
            let l = self.loc.key_line(all, "description").unwrap_or(id_line);
            self.err(l, "description is empty");
        }

        // Facts.
        let facts_block = self.loc.top_block("facts");
        let mut facts = Vec::new();
        for (k, v) in &raw.facts {
            let Some(name) = k.as_str() else {
                self.err(facts_block.0, "fact names must be text");
                continue;
            };
            let line = self
                .loc
                .key_line(facts_block, name)
                .unwrap_or(facts_block.0);
            if !is_name(name) || name == "today" {
                self.err(
                    line,
                    format!("invalid fact name `{name}` (letters, digits, `_` and `.`; `today` is built in)"),
                );
                continue;
            }
            if let Some(decl) = self.fact_decl(name, v, line, true) {
                facts.push(decl);
            }
        }

        // Per-record evaluation.
        let fe_block = self.loc.top_block("for_each");
        let mut record: Option<(String, BTreeMap<String, FactDecl>)> = None;
        if let Some(fe) = &raw.for_each {
            match facts.iter().find(|f| f.name == fe.list).map(|f| &f.ty) {
                Some(FactType::List { fields }) => {
                    if !is_name(&fe.alias) || fe.alias.contains('.') {
                        let l = self.loc.key_line(fe_block, "as").unwrap_or(fe_block.0);
                        self.err(l, format!("invalid record name `{}`", fe.alias));
                    } else if facts.iter().any(|f| {
                        f.name == fe.alias || f.name.starts_with(&format!("{}.", fe.alias))
                    }) {
                        let l = self.loc.key_line(fe_block, "as").unwrap_or(fe_block.0);
                        self.err(
                            l,
                            format!("record name `{}` clashes with a declared fact", fe.alias),
                        );
                    } else {
                        record = Some((fe.alias.clone(), fields.clone()));
                    }
                }
                Some(other) => {
                    let l = self.loc.key_line(fe_block, "list").unwrap_or(fe_block.0);
                    self.err(
                        l,
                        format!(
                            "for_each.list `{}` is a {} fact, not a list",
                            fe.list,
                            other.name()
                        ),
                    );
                }
                None => {
                    let l = self.loc.key_line(fe_block, "list").unwrap_or(fe_block.0);
                    self.err(
                        l,
                        format!(
                            "for_each.list: unknown fact `{}` (declare it under facts:)",
                            fe.list
                        ),
                    );
                }
            }
        }
        let mut scope = Scope {
            facts: &facts,
            record: record.as_ref().map(|(a, f)| (a.as_str(), f)),
            derived: Vec::new(),
        };

        // Derived values.
        let derived_block = self.loc.top_block("derived");
        let mut derived = Vec::new();
        for (k, v) in &raw.derived {
            let Some(name) = k.as_str() else {
                self.err(derived_block.0, "derived names must be text");
                continue;
            };
            let line = self
                .loc
                .key_line(derived_block, name)
                .unwrap_or(derived_block.0);
            if !is_name(name) || scope.resolve(name).is_some() {
                self.err(
                    line,
                    format!("derived name `{name}` is invalid or already names a fact"),
                );
                continue;
            }
            if let Some(d) = self.derived(name, v, line, &scope) {
                scope.derived.push((d.name.clone(), d.ty.clone()));
                derived.push(d);
            }
        }

        let for_each = raw.for_each.as_ref().and_then(|fe| {
            let (alias, _) = record.as_ref()?;
            let label_line = self.loc.key_line(fe_block, "label").unwrap_or(fe_block.0);
            let label = self.template(&fe.label, label_line, &scope);
            let empty_line = self.loc.key_line(fe_block, "empty").unwrap_or(fe_block.0);
            let empty_block = self.loc.block_at(empty_line);
            // The empty case has no record: only account-level names make sense there.
            let account_scope = Scope {
                facts: &facts,
                record: None,
                derived: Vec::new(),
            };
            let empty = self.output(
                &fe.empty.outcome,
                &fe.empty.answer,
                &fe.empty.related,
                empty_block,
                &account_scope,
            );
            Some(ForEach {
                list: fe.list.clone(),
                alias: alias.clone(),
                label,
                empty,
            })
        });

        // Rows.
        let row_ranges = self.loc.rows();
        let rows_line = self.loc.top_block("rows").0;
        let mut rows = Vec::new();
        // Rows with an invalid condition are left out of the reachability checks, which
        // would otherwise report the same mistake again.
        let mut broken = Vec::new();
        if raw.rows.is_empty() {
            self.err(rows_line, "the decision table has no rows");
        }
        for (i, r) in raw.rows.iter().enumerate() {
            let range = row_ranges
                .get(i)
                .copied()
                .unwrap_or((rows_line, rows_line + 1));
            let mut conditions = Vec::new();
            let errors_before = self.errors.len();
            for (k, v) in &r.when {
                let Some(name) = k.as_str() else {
                    self.err(range.0, "condition keys must be fact names");
                    continue;
                };
                let line = self.loc.key_line(range, name).unwrap_or(range.0);
                let Some((source, ty)) = scope.resolve(name) else {
                    self.err(
                        line,
                        format!("unknown fact `{name}` (known: {})", scope.known_names()),
                    );
                    continue;
                };
                for op in self.ops(name, &ty, v, line) {
                    conditions.push(Condition {
                        fact: name.to_owned(),
                        source: source.clone(),
                        op,
                        line,
                    });
                }
            }
            broken.push(self.errors.len() > errors_before);
            let output = self.output(&r.outcome, &r.answer, &r.related, range, &scope);
            rows.push(Row {
                number: i + 1,
                line: range.0,
                conditions,
                output,
            });
        }
        if let Some(last) = rows.last()
            && !last.conditions.is_empty()
            && broken.last() == Some(&false)
        {
            let line = last.line;
            self.err(
                line,
                "missing default row: the last row must have no `when` (it answers every other case)",
            );
        }
        self.unreachable(&rows, &broken);

        Decision {
            title: raw.title.clone().unwrap_or_else(|| raw.id.clone()),
            id: raw.id,
            description: raw.description,
            file: self.file.to_owned(),
            facts,
            for_each,
            derived,
            rows,
        }
    }

    fn fact_decl(
        &mut self,
        name: &str,
        v: &Yaml,
        line: usize,
        allow_list: bool,
    ) -> Option<FactDecl> {
        let raw: RawFact = match serde_yaml::from_value(v.clone()) {
            Ok(r) => r,
            Err(e) => {
                self.err(line, format!("fact `{name}`: {e}"));
                return None;
            }
        };
        if raw.unit.is_some() && raw.ty != "number" {
            self.err(
                line,
                format!("fact `{name}`: only number facts have a unit"),
            );
        }
        if raw.values.is_some() && raw.ty != "enum" {
            self.err(line, format!("fact `{name}`: only enum facts have values"));
        }
        if raw.fields.is_some() && raw.ty != "list" {
            self.err(line, format!("fact `{name}`: only list facts have fields"));
        }
        let ty = match raw.ty.as_str() {
            "bool" => FactType::Bool,
            "date" => FactType::Date,
            "text" => FactType::Text,
            "number" => FactType::Number {
                unit: match raw.unit.as_deref() {
                    None => Unit::None,
                    Some("won") => Unit::Won,
                    Some("days") => Unit::Days,
                    Some(u) => {
                        self.err(
                            line,
                            format!("fact `{name}`: unknown unit `{u}` (won, days)"),
                        );
                        Unit::None
                    }
                },
            },
            "enum" => {
                let values = match &raw.values {
                    Some(Yaml::Sequence(s)) => s
                        .iter()
                        .map(|v| scalar_text(v).map(|t| (t.clone(), t)))
                        .collect::<Option<Vec<_>>>(),
                    Some(Yaml::Mapping(m)) => m
                        .iter()
                        .map(|(k, l)| {
                            let k = scalar_text(k)?;
                            let l = if l.is_null() {
                                k.clone()
                            } else {
                                scalar_text(l)?
                            };
                            Some((k, l))
                        })
                        .collect::<Option<Vec<_>>>(),
                    _ => None,
                };
                match values {
                    Some(v) if !v.is_empty() => FactType::Enum { values: v },
                    _ => {
                        self.err(
                            line,
                            format!("enum fact `{name}` needs `values:` (a list, or a map of value: 한국어 이름)"),
                        );
                        return None;
                    }
                }
            }
            "list" if allow_list => {
                let Some(fields) = &raw.fields else {
                    self.err(line, format!("list fact `{name}` needs `fields:`"));
                    return None;
                };
                let block = self.loc.block_at(line);
                let mut out = BTreeMap::new();
                for (k, v) in fields {
                    let Some(fname) = k.as_str() else { continue };
                    let fline = self.loc.key_line(block, fname).unwrap_or(line);
                    if !is_name(fname) || fname.contains('.') {
                        self.err(fline, format!("invalid field name `{fname}`"));
                        continue;
                    }
                    if let Some(d) = self.fact_decl(fname, v, fline, false) {
                        out.insert(fname.to_owned(), d);
                    }
                }
                FactType::List { fields: out }
            }
            "list" => {
                self.err(line, format!("field `{name}`: lists cannot be nested"));
                return None;
            }
            other => {
                self.err(
                    line,
                    format!("fact `{name}`: unknown type `{other}` (bool, number, enum, date, text, list)"),
                );
                return None;
            }
        };
        Some(FactDecl {
            name: name.to_owned(),
            ty,
            doc: raw.doc,
            line,
        })
    }

    fn derived(&mut self, name: &str, v: &Yaml, line: usize, scope: &Scope) -> Option<Derived> {
        let Some(m) = v.as_mapping() else {
            self.err(
                line,
                format!("derived `{name}`: expected a map like `days_until: approval_due`"),
            );
            return None;
        };
        let mut doc = String::new();
        let mut calc: Option<(FactType, Calc)> = None;
        let fact = |c: &mut Self, fname: Option<&str>, want: &str| -> Option<(FactRef, FactType)> {
            let Some(fname) = fname else {
                c.err(line, format!("derived `{name}`: expected a fact name"));
                return None;
            };
            match scope.resolve(fname) {
                Some((r, t)) if t.name() == want => Some((r, t)),
                Some((_, t)) => {
                    c.err(
                        line,
                        format!(
                            "derived `{name}`: `{fname}` is a {} fact, expected {want}",
                            t.name()
                        ),
                    );
                    None
                }
                None => {
                    c.err(
                        line,
                        format!(
                            "derived `{name}`: unknown fact `{fname}` (known: {})",
                            scope.known_names()
                        ),
                    );
                    None
                }
            }
        };
        for (k, arg) in m {
            match k.as_str() {
                Some("doc") => doc = scalar_text(arg).unwrap_or_default(),
                Some("days_before") => {
                    let am = arg.as_mapping();
                    let get = |key: &str| am.and_then(|m| m.get(key));
                    let date = fact(self, get("date").and_then(|v| v.as_str()), "date");
                    let days = get("days").and_then(|v| v.as_i64()).filter(|d| *d >= 0);
                    if days.is_none() {
                        self.err(
                            line,
                            format!(
                                "derived `{name}`: days_before needs `days:` (a whole number ≥ 0)"
                            ),
                        );
                    }
                    let adjust = match get("adjust").map(|v| v.as_str()) {
                        None => Some(Adjust::None),
                        Some(Some("previous_business_day")) => Some(Adjust::PreviousBusinessDay),
                        Some(_) => {
                            self.err(
                                line,
                                format!("derived `{name}`: adjust must be `previous_business_day`"),
                            );
                            None
                        }
                    };
                    if let Some(extra) = am.and_then(|m| {
                        m.keys()
                            .filter_map(|k| k.as_str())
                            .find(|k| !matches!(*k, "date" | "days" | "adjust"))
                    }) {
                        self.err(
                            line,
                            format!("derived `{name}`: unknown key `{extra}` in days_before"),
                        );
                    }
                    if let (Some((date, _)), Some(days), Some(adjust)) = (date, days, adjust) {
                        calc = Some((FactType::Date, Calc::DaysBefore { date, days, adjust }));
                    }
                }
                Some("days_until") => {
                    if let Some((r, _)) = fact(self, arg.as_str(), "date") {
                        calc = Some((FactType::Number { unit: Unit::Days }, Calc::DaysUntil(r)));
                    }
                }
                Some("difference") => {
                    let names: Vec<Option<&str>> = arg
                        .as_sequence()
                        .map(|s| s.iter().map(|v| v.as_str()).collect())
                        .unwrap_or_default();
                    if names.len() != 2 {
                        self.err(
                            line,
                            format!("derived `{name}`: difference takes two number facts: [a, b]"),
                        );
                        continue;
                    }
                    let a = fact(self, names[0], "number");
                    let b = fact(self, names[1], "number");
                    if let (Some((a, ty)), Some((b, _))) = (a, b) {
                        calc = Some((ty, Calc::Difference(a, b)));
                    }
                }
                other => {
                    self.err(
                        line,
                        format!(
                            "derived `{name}`: unknown computation `{}` (days_before, days_until, difference)",
                            other.unwrap_or("?")
                        ),
                    );
                }
            }
        }
        let (ty, calc) = calc?;
        Some(Derived {
            name: name.to_owned(),
            ty,
            calc,
            doc,
            line,
        })
    }

    fn output(
        &mut self,
        outcome: &str,
        answer: &str,
        related: &[String],
        range: (usize, usize),
        scope: &Scope,
    ) -> Output {
        let oline = self.loc.key_line(range, "outcome").unwrap_or(range.0);
        if !is_code(outcome) {
            self.err(
                oline,
                format!(
                    "outcome `{outcome}` must be a code of lowercase letters, digits and dashes"
                ),
            );
        }
        let aline = self.loc.key_line(range, "answer").unwrap_or(range.0);
        if answer.trim().is_empty() {
            self.err(aline, "answer is empty");
        }
        let answer = self.template(answer, aline, scope);
        let rline = self.loc.key_line(range, "related").unwrap_or(range.0);
        for id in related {
            if !(self.known)(id) {
                let l = self.loc.text_line(range, id).unwrap_or(rline);
                self.err(l, format!("unknown entry id `{id}` in related"));
            }
        }
        Output {
            outcome: outcome.to_owned(),
            answer,
            related: related.to_vec(),
            line: range.0,
        }
    }

    fn template(&mut self, src: &str, line: usize, scope: &Scope) -> Template {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = src;
        while let Some(i) = rest.find(['{', '}']) {
            let c = rest.as_bytes()[i];
            text.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if after.as_bytes().first() == Some(&c) {
                text.push(c as char);
                rest = &after[1..];
                continue;
            }
            if c == b'}' {
                self.err(
                    line,
                    "unmatched `}` in answer (write `}}` for a literal brace)",
                );
                rest = after;
                continue;
            }
            let Some(end) = after.find('}') else {
                self.err(
                    line,
                    "unclosed `{` in answer (write `{{` for a literal brace)",
                );
                rest = "";
                break;
            };
            let name = after[..end].trim();
            match scope.resolve(name) {
                Some((_, FactType::List { .. })) => {
                    self.err(
                        line,
                        format!(
                            "placeholder `{{{name}}}` is a list; use one of its records' fields"
                        ),
                    );
                }
                Some((source, ty)) => {
                    if !text.is_empty() {
                        pieces.push(super::model::Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Fact {
                        name: name.to_owned(),
                        source,
                        ty,
                    });
                }
                None => self.err(
                    line,
                    format!(
                        "unknown placeholder `{{{name}}}` (known: {}; or a shared fact declared in facts.yaml)",
                        scope.known_names()
                    ),
                ),
            }
            rest = &after[end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Template {
            source: src.to_owned(),
            pieces,
        }
    }

    /// The operators of one condition entry: `fact: value`, `fact: [a, b]` or `fact: {op: value, ...}`.
    fn ops(&mut self, name: &str, ty: &FactType, v: &Yaml, line: usize) -> Vec<Op> {
        let mut out = Vec::new();
        match v {
            Yaml::Mapping(m) => {
                if m.is_empty() {
                    self.err(line, format!("condition on `{name}` has no operator"));
                }
                for (k, arg) in m {
                    let key = k.as_str().unwrap_or("");
                    if let Some(op) = self.op(name, ty, key, arg, line) {
                        out.push(op);
                    }
                }
            }
            Yaml::Sequence(_) => {
                if let Some(op) = self.op(name, ty, "one_of", v, line) {
                    out.push(op);
                }
            }
            _ => {
                if let Some(op) = self.op(name, ty, "=", v, line) {
                    out.push(op);
                }
            }
        }
        out
    }

    fn op(&mut self, name: &str, ty: &FactType, key: &str, arg: &Yaml, line: usize) -> Option<Op> {
        let ordered = matches!(ty, FactType::Number { .. } | FactType::Date);
        let is_list = matches!(ty, FactType::List { .. });
        let need = |c: &mut Self, ok: bool, what: &str| {
            if !ok {
                c.err(
                    line,
                    format!(
                        "`{key}` does not apply to `{name}`, a {} fact ({what})",
                        ty.name()
                    ),
                );
            }
            ok
        };
        match key {
            "=" | "==" | "eq" | "is" | "≠" | "!=" | "ne" | "not" => {
                if !need(self, !is_list, "lists only take `present`") {
                    return None;
                }
                let v = self.literal(name, ty, arg, line)?;
                Some(if matches!(key, "≠" | "!=" | "ne" | "not") {
                    Op::Ne(v)
                } else {
                    Op::Eq(v)
                })
            }
            "one_of" | "in" => {
                if !need(self, !is_list, "lists only take `present`") {
                    return None;
                }
                let Some(items) = arg.as_sequence().filter(|s| !s.is_empty()) else {
                    self.err(
                        line,
                        format!("`one_of` on `{name}` needs a non-empty list of values"),
                    );
                    return None;
                };
                let vals: Vec<Value> = items
                    .iter()
                    .filter_map(|i| self.literal(name, ty, i, line))
                    .collect();
                (vals.len() == items.len()).then_some(Op::OneOf(vals))
            }
            "<" | "lt" | "below" | "<=" | "≤" | "le" | "at_most" | ">" | "gt" | "above" | ">="
            | "≥" | "ge" | "at_least" => {
                if !need(self, ordered, "only numbers and dates are ordered") {
                    return None;
                }
                let v = self.literal(name, ty, arg, line)?;
                Some(match key {
                    "<" | "lt" | "below" => Op::Lt(v),
                    "<=" | "≤" | "le" | "at_most" => Op::Le(v),
                    ">" | "gt" | "above" => Op::Gt(v),
                    _ => Op::Ge(v),
                })
            }
            "between" => {
                if !need(self, ordered, "only numbers and dates are ordered") {
                    return None;
                }
                let items = arg.as_sequence().filter(|s| s.len() == 2);
                let Some(items) = items else {
                    self.err(
                        line,
                        format!("`between` on `{name}` needs two values: [low, high]"),
                    );
                    return None;
                };
                let lo = self.literal(name, ty, &items[0], line)?;
                let hi = self.literal(name, ty, &items[1], line)?;
                if key_of(&lo) > key_of(&hi) {
                    self.err(
                        line,
                        format!("`between` on `{name}`: {lo} is greater than {hi}"),
                    );
                    return None;
                }
                Some(Op::Between(lo, hi))
            }
            "present" => match arg.as_bool() {
                Some(b) => Some(Op::Present(b)),
                None => {
                    self.err(line, format!("`present` on `{name}` takes true or false"));
                    None
                }
            },
            other => {
                self.err(
                    line,
                    format!(
                        "unknown operator `{other}` on `{name}` (=, ≠, one_of, <, ≤, >, ≥, between, present)"
                    ),
                );
                None
            }
        }
    }

    /// A condition value, checked against the fact's type.
    fn literal(&mut self, name: &str, ty: &FactType, v: &Yaml, line: usize) -> Option<Value> {
        let got = match v {
            Yaml::Null => "null",
            Yaml::Bool(_) => "true/false",
            Yaml::Number(_) => "a number",
            Yaml::String(_) => "text",
            Yaml::Sequence(_) => "a list",
            Yaml::Mapping(_) => "a map",
            Yaml::Tagged(_) => "a tagged value",
        };
        let show = scalar_text(v).unwrap_or_else(|| got.to_owned());
        let value = match ty {
            FactType::Bool => v.as_bool().map(Value::Bool),
            FactType::Number { .. } => v.as_i64().map(Value::Number),
            FactType::Date => v
                .as_str()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .map(Value::Date),
            FactType::Text => match v {
                Yaml::String(s) => Some(Value::Text(s.clone())),
                Yaml::Number(n) => Some(Value::Text(n.to_string())),
                _ => None,
            },
            FactType::Enum { values } => {
                let Some(s) = scalar_text(v) else {
                    self.err(
                        line,
                        format!("`{name}` is an enum; expected one of its values, got {got}"),
                    );
                    return None;
                };
                if values.iter().any(|(val, _)| *val == s) {
                    Some(Value::Text(s))
                } else {
                    let all: Vec<&str> = values.iter().map(|(v, _)| v.as_str()).collect();
                    self.err(
                        line,
                        format!(
                            "`{s}` is not a value of `{name}` (values: {})",
                            all.join(", ")
                        ),
                    );
                    return None;
                }
            }
            FactType::List { .. } => None,
        };
        if value.is_none() {
            let want = match ty {
                FactType::Bool => "true or false",
                FactType::Number { .. } => "a whole number",
                FactType::Date => "a date like 2026-12-03",
                FactType::Text => "text",
                _ => "a value",
            };
            self.err(
                line,
                format!(
                    "`{name}` is a {} fact: expected {want}, got `{show}`",
                    ty.name()
                ),
            );
        }
        value
    }

    /// Reports rows that can never match because an earlier row always matches first.
    fn unreachable(&mut self, rows: &[Row], broken: &[bool]) {
        for (j, later) in rows.iter().enumerate() {
            if broken[j] {
                continue;
            }
            let earlier = rows[..j]
                .iter()
                .zip(broken)
                .find(|(e, b)| !**b && shadows(e, later));
            if let Some((earlier, _)) = earlier {
                let why = if earlier.conditions.is_empty() {
                    "it has no conditions".to_owned()
                } else {
                    "its conditions hold whenever this row's do".to_owned()
                };
                self.err(
                    later.line,
                    format!(
                        "row {} can never match: row {} (line {}) always matches first ({why})",
                        later.number, earlier.number, earlier.line
                    ),
                );
            }
        }
    }
}

fn scalar_text(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Numbers and dates as comparable integers.
pub(crate) fn key_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::Date(d) => Some(d.num_days_from_ce() as i64),
        _ => None,
    }
}

/// Whether `earlier` matches every time `later` does (so `later` can never be chosen).
///
/// Sound but not complete: each condition of `earlier` must be implied by a single
/// condition of `later` on the same fact.
fn shadows(earlier: &Row, later: &Row) -> bool {
    earlier.conditions.iter().all(|e| {
        later
            .conditions
            .iter()
            .any(|l| l.source == e.source && implies(&l.op, &e.op))
    })
}

/// A set of admitted values: finite (`=`, one of) or all but a finite set (`≠`).
enum TextSet {
    Only(Vec<Value>),
    AllBut(Vec<Value>),
}

fn text_set(op: &Op) -> Option<TextSet> {
    match op {
        Op::Eq(v) => Some(TextSet::Only(vec![v.clone()])),
        Op::OneOf(vs) => Some(TextSet::Only(vs.clone())),
        Op::Ne(Value::Bool(b)) => Some(TextSet::Only(vec![Value::Bool(!b)])),
        Op::Ne(v) => Some(TextSet::AllBut(vec![v.clone()])),
        _ => None,
    }
}

/// Closed integer intervals admitted by an ordered condition.
fn intervals(op: &Op) -> Option<Vec<(i64, i64)>> {
    let k = |v: &Value| key_of(v);
    let mut out = match op {
        Op::Eq(v) => vec![(k(v)?, k(v)?)],
        Op::Ne(v) => {
            let x = k(v)?;
            vec![(i64::MIN, x - 1), (x + 1, i64::MAX)]
        }
        Op::OneOf(vs) => vs
            .iter()
            .map(|v| k(v).map(|x| (x, x)))
            .collect::<Option<Vec<_>>>()?,
        Op::Lt(v) => vec![(i64::MIN, k(v)? - 1)],
        Op::Le(v) => vec![(i64::MIN, k(v)?)],
        Op::Gt(v) => vec![(k(v)? + 1, i64::MAX)],
        Op::Ge(v) => vec![(k(v)?, i64::MAX)],
        Op::Between(a, b) => vec![(k(a)?, k(b)?)],
        Op::Present(_) => return None,
    };
    out.sort();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (lo, hi) in out {
        match merged.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    Some(merged)
}

/// Whether every value admitted by `l` is admitted by `e`.
fn implies(l: &Op, e: &Op) -> bool {
    match (l, e) {
        (Op::Present(false), Op::Present(false)) => true,
        (Op::Present(false), _) | (_, Op::Present(false)) => false,
        // Every other operator requires the fact to be present.
        (_, Op::Present(true)) => true,
        (Op::Present(true), _) => false,
        _ => {
            let ordered = |op: &Op| match op {
                Op::Eq(v) | Op::Ne(v) | Op::Lt(v) | Op::Le(v) | Op::Gt(v) | Op::Ge(v) => {
                    key_of(v).is_some()
                }
                Op::Between(..) => true,
                Op::OneOf(vs) => vs.first().and_then(key_of).is_some(),
                Op::Present(_) => false,
            };
            if ordered(l) && ordered(e) {
                let (Some(li), Some(ei)) = (intervals(l), intervals(e)) else {
                    return false;
                };
                li.iter()
                    .all(|(lo, hi)| ei.iter().any(|(elo, ehi)| elo <= lo && hi <= ehi))
            } else {
                match (text_set(l), text_set(e)) {
                    (Some(TextSet::Only(a)), Some(TextSet::Only(b))) => {
                        a.iter().all(|x| b.contains(x))
                    }
                    (Some(TextSet::Only(a)), Some(TextSet::AllBut(b))) => {
                        a.iter().all(|x| !b.contains(x))
                    }
                    (Some(TextSet::AllBut(a)), Some(TextSet::AllBut(b))) => {
                        b.iter().all(|x| a.contains(x))
                    }
                    _ => false,
                }
            }
        }
    }
}

/// Finds lines in a YAML text by structure, for error messages.
///
/// serde_yaml gives positions only for syntax errors, so semantic errors are placed by
/// looking for the key in the block of the item they concern. Ranges are 1-based,
/// `(first line, one past the last line)`.
struct Locator<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Locator<'a> {
    const ALL: (usize, usize) = (1, usize::MAX);

    fn new(text: &'a str) -> Self {
        Locator {
            lines: text.lines().collect(),
        }
    }

    fn is_content(l: &str) -> bool {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    }

    fn indent(l: &str) -> usize {
        l.len() - l.trim_start_matches(' ').len()
    }

    /// The indentation of a key on this line (after any `- ` sequence markers).
    fn key_indent(l: &str) -> usize {
        let mut i = Self::indent(l);
        let mut rest = &l[i..];
        while let Some(r) = rest.strip_prefix("- ") {
            let extra = 2 + (r.len() - r.trim_start_matches(' ').len());
            i += extra;
            rest = &rest[extra..];
        }
        i
    }

    /// The block that starts at `line`: up to the next line indented no deeper than its key.
    fn block_at(&self, line: usize) -> (usize, usize) {
        let Some(first) = self.lines.get(line.wrapping_sub(1)) else {
            return (line, line + 1);
        };
        let ind = Self::key_indent(first);
        let mut end = line + 1;
        while end <= self.lines.len() {
            let l = self.lines[end - 1];
            if Self::is_content(l) && Self::indent(l) <= ind {
                break;
            }
            end += 1;
        }
        (line, end)
    }

    /// The block of a top-level key, or `(1, 2)` when absent.
    fn top_block(&self, key: &str) -> (usize, usize) {
        let found = self
            .lines
            .iter()
            .position(|l| Self::indent(l) == 0 && line_has_key(l, key));
        match found {
            Some(i) => self.block_at(i + 1),
            None => (1, 2),
        }
    }

    /// The first line in `range` holding `key:`.
    fn key_line(&self, range: (usize, usize), key: &str) -> Option<usize> {
        let end = range.1.min(self.lines.len() + 1);
        (range.0..end).find(|&n| {
            let l = self.lines[n - 1];
            Self::is_content(l) && line_has_key(l, key)
        })
    }

    /// The first line in `range` containing `needle` as text.
    fn text_line(&self, range: (usize, usize), needle: &str) -> Option<usize> {
        let end = range.1.min(self.lines.len() + 1);
        (range.0..end).find(|&n| self.lines[n - 1].contains(needle))
    }

    /// The line ranges of the items of the top-level `rows:` sequence.
    fn rows(&self) -> Vec<(usize, usize)> {
        let (start, end) = self.top_block("rows");
        let end = end.min(self.lines.len() + 1);
        // Items may sit at the key's own indentation: `rows:\n- when: ...`.
        let mut end_all = start + 1;
        while end_all <= self.lines.len() {
            let l = self.lines[end_all - 1];
            if Self::is_content(l) && Self::indent(l) == 0 && !l.starts_with('-') {
                break;
            }
            end_all += 1;
        }
        let end = end.max(end_all);
        let items: Vec<usize> = {
            let mut item_indent = None;
            let mut out = Vec::new();
            for n in start + 1..end {
                let l = self.lines[n - 1];
                if !Self::is_content(l) {
                    continue;
                }
                let t = l.trim_start();
                let ind = Self::indent(l);
                if t.starts_with("- ") || t == "-" {
                    match item_indent {
                        None => {
                            item_indent = Some(ind);
                            out.push(n);
                        }
                        Some(i) if i == ind => out.push(n),
                        _ => {}
                    }
                }
            }
            out
        };
        items
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, items.get(i + 1).copied().unwrap_or(end)))
            .collect()
    }
}

fn line_has_key(line: &str, key: &str) -> bool {
    for pat in [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ] {
        let mut from = 0;
        while let Some(pos) = line[from..].find(&pat) {
            let at = from + pos;
            let before = line[..at].chars().next_back();
            let after = line[at + pat.len()..].chars().next();
            if before.is_none_or(|c| matches!(c, ' ' | '{' | ',' | '-'))
                && after.is_none_or(|c| c == ' ' || c == '\t')
            {
                return true;
            }
            from = at + pat.len();
        }
    }
    false
}
