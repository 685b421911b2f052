//! From a file's raw shape to a [`Decision`]: every name resolved (facts,
//! the `for_each` record's fields, derived values, `today`), every value
//! checked against its fact's type, templates parsed, entry ids checked;
//! each mistake reported at its line, and compiling goes on after it so that
//! one run reports them all.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value as Yaml};

use super::super::model::{
    Adjust, Calc, Decision, Derived, FactDecl, FactRef, FactType, ForEach, Output, Piece, Row,
    Template, Unit,
};
use super::RuleError;
use super::locate::Locator;
use super::raw::{RawDecision, RawFact, RawForEach, RawRow};
use super::shadow;

/// Compiles one decision file, collecting its errors.
pub(super) struct Compiler<'a> {
    file: &'a str,
    pub(super) loc: Locator<'a>,
    known: &'a dyn Fn(&str) -> bool,
    /// Every mistake found so far, in the order found.
    pub(super) errors: Vec<RuleError>,
}

/// What names mean inside one decision.
pub(super) struct Scope<'a> {
    facts: &'a [FactDecl],
    record: Option<(&'a str, &'a BTreeMap<String, FactDecl>)>,
    derived: Vec<(String, FactType)>,
}

impl Scope<'_> {
    pub(super) fn resolve(&self, name: &str) -> Option<(FactRef, FactType)> {
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

    pub(super) fn known_names(&self) -> String {
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
    /// A compiler for the decision in `text` (read from `file`), to which
    /// `known` says which entry ids exist.
    pub(super) fn new(file: &'a str, text: &'a str, known: &'a dyn Fn(&str) -> bool) -> Self {
        Self {
            file,
            loc: Locator::new(text),
            known,
            errors: Vec::new(),
        }
    }

    /// Records a mistake at `line`.
    pub(super) fn err(&mut self, line: usize, msg: impl Into<String>) {
        self.errors.push(RuleError::new(self.file, line, msg));
    }

    /// The decision of `raw`, with every mistake recorded in `errors` (the
    /// decision is then incomplete and must not be used).
    pub(super) fn decision(&mut self, raw: RawDecision) -> Decision {
        self.header(&raw);
        let facts = self.facts(&raw.facts);
        let record = raw.for_each.as_ref().and_then(|fe| self.record(fe, &facts));
        let mut scope = Scope {
            facts: &facts,
            record: record.as_ref().map(|(a, f)| (a.as_str(), f)),
            derived: Vec::new(),
        };
        let derived = self.derived_values(&raw.derived, &mut scope);
        let for_each = raw.for_each.as_ref().and_then(|fe| {
            let (alias, _) = record.as_ref()?;
            Some(self.for_each(fe, alias, &scope, &facts))
        });
        let rows = self.rows(&raw.rows, &scope);
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

    /// The id's form and a non-empty description.
    fn header(&mut self, raw: &RawDecision) {
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
    }

    /// The declared facts (`facts:`), in file order.
    fn facts(&mut self, raw: &Mapping) -> Vec<FactDecl> {
        let block = self.loc.top_block("facts");
        let mut facts = Vec::new();
        for (k, v) in raw {
            let Some(name) = k.as_str() else {
                self.err(block.0, "fact names must be text");
                continue;
            };
            let line = self.loc.key_line(block, name).unwrap_or(block.0);
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
        facts
    }

    /// The record that `for_each` walks: its name and its fields, when the
    /// list is a declared list fact and the name is free.
    fn record(
        &mut self,
        fe: &RawForEach,
        facts: &[FactDecl],
    ) -> Option<(String, BTreeMap<String, FactDecl>)> {
        let block = self.loc.top_block("for_each");
        let at = |c: &Self, key| c.loc.key_line(block, key).unwrap_or(block.0);
        match facts.iter().find(|f| f.name == fe.list).map(|f| &f.ty) {
            Some(FactType::List { fields }) => {
                if !is_name(&fe.alias) || fe.alias.contains('.') {
                    let l = at(self, "as");
                    self.err(l, format!("invalid record name `{}`", fe.alias));
                } else if facts
                    .iter()
                    .any(|f| f.name == fe.alias || f.name.starts_with(&format!("{}.", fe.alias)))
                {
                    let l = at(self, "as");
                    self.err(
                        l,
                        format!("record name `{}` clashes with a declared fact", fe.alias),
                    );
                } else {
                    return Some((fe.alias.clone(), fields.clone()));
                }
            }
            Some(other) => {
                let l = at(self, "list");
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
                let l = at(self, "list");
                self.err(
                    l,
                    format!(
                        "for_each.list: unknown fact `{}` (declare it under facts:)",
                        fe.list
                    ),
                );
            }
        }
        None
    }

    /// The derived values (`derived:`), each added to `scope` as it is
    /// compiled, so that later ones may use earlier ones.
    fn derived_values(&mut self, raw: &Mapping, scope: &mut Scope) -> Vec<Derived> {
        let block = self.loc.top_block("derived");
        let mut derived = Vec::new();
        for (k, v) in raw {
            let Some(name) = k.as_str() else {
                self.err(block.0, "derived names must be text");
                continue;
            };
            let line = self.loc.key_line(block, name).unwrap_or(block.0);
            if !is_name(name) || scope.resolve(name).is_some() {
                self.err(
                    line,
                    format!("derived name `{name}` is invalid or already names a fact"),
                );
                continue;
            }
            if let Some(d) = self.derived(name, v, line, scope) {
                scope.derived.push((d.name.clone(), d.ty.clone()));
                derived.push(d);
            }
        }
        derived
    }

    /// `for_each`'s label and its answer for an empty list.
    fn for_each(
        &mut self,
        fe: &RawForEach,
        alias: &str,
        scope: &Scope,
        facts: &[FactDecl],
    ) -> ForEach {
        let block = self.loc.top_block("for_each");
        let label_line = self.loc.key_line(block, "label").unwrap_or(block.0);
        let label = self.template(&fe.label, label_line, scope);
        let empty_line = self.loc.key_line(block, "empty").unwrap_or(block.0);
        let empty_block = self.loc.block_at(empty_line);
        // The empty case has no record: only account-level names make sense there.
        let account_scope = Scope {
            facts,
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
        ForEach {
            list: fe.list.clone(),
            alias: alias.to_owned(),
            label,
            empty,
        }
    }

    /// The decision table: each row's conditions and output, then the
    /// default row and the rows an earlier row always pre-empts.
    fn rows(&mut self, raw: &[RawRow], scope: &Scope) -> Vec<Row> {
        let ranges = self.loc.rows();
        let rows_line = self.loc.top_block("rows").0;
        let mut rows = Vec::new();
        // Rows with an invalid condition are left out of the reachability checks, which
        // would otherwise report the same mistake again.
        let mut broken = Vec::new();
        if raw.is_empty() {
            self.err(rows_line, "the decision table has no rows");
        }
        for (i, r) in raw.iter().enumerate() {
            let range = ranges.get(i).copied().unwrap_or((rows_line, rows_line + 1));
            let errors_before = self.errors.len();
            let conditions = self.conditions(&r.when, range, scope);
            broken.push(self.errors.len() > errors_before);
            let output = self.output(&r.outcome, &r.answer, &r.related, range, scope);
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
        for (line, msg) in shadow::unreachable(&rows, &broken) {
            self.err(line, msg);
        }
        rows
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
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
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
}

/// A YAML scalar as text (numbers and booleans as written).
pub(super) fn scalar_text(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
