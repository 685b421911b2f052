//! A row's `when`: each entry's operators, with values checked against the
//! fact's type.

use chrono::NaiveDate;
use serde_yaml::{Mapping, Value as Yaml};

use super::super::model::{Condition, FactType, Op, Value, key_of};
use super::compile::{Compiler, Scope, scalar_text};

impl Compiler<'_> {
    /// One row's `when` (lines `range`): a condition per operator of each
    /// named fact.
    pub(super) fn conditions(
        &mut self,
        when: &Mapping,
        range: (usize, usize),
        scope: &Scope,
    ) -> Vec<Condition> {
        let mut conditions = Vec::new();
        for (k, v) in when {
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
        conditions
    }

    /// The operators of one condition entry: `fact: value`, `fact: [a, b]` or `fact: {op: value, ...}`.
    pub(super) fn ops(&mut self, name: &str, ty: &FactType, v: &Yaml, line: usize) -> Vec<Op> {
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
}
