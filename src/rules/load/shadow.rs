//! Rows that can never match because an earlier row always matches first.

use super::super::model::{Op, Row, Value, key_of};

/// The rows that can never match because an earlier row always matches
/// first, each with its line and the message to report. Rows marked
/// `broken` (an invalid condition, already reported) are left out.
pub(super) fn unreachable(rows: &[Row], broken: &[bool]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
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
            found.push((
                later.line,
                format!(
                    "row {} can never match: row {} (line {}) always matches first ({why})",
                    later.number, earlier.number, earlier.line
                ),
            ));
        }
    }
    found
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::model::{Condition, FactRef, Output, Template};

    fn n(x: i64) -> Value {
        Value::Number(x)
    }

    fn t(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    fn row(number: usize, conditions: &[(&str, Op)]) -> Row {
        Row {
            number,
            line: number * 10,
            conditions: conditions
                .iter()
                .map(|(fact, op)| Condition {
                    fact: (*fact).to_owned(),
                    source: FactRef::Top((*fact).to_owned()),
                    op: op.clone(),
                    line: number * 10,
                })
                .collect(),
            output: Output {
                outcome: format!("o{number}"),
                answer: Template {
                    source: String::new(),
                    pieces: Vec::new(),
                },
                related: Vec::new(),
                line: number * 10,
            },
        }
    }

    #[test]
    fn ordered_conditions_imply_by_interval() {
        assert!(implies(&Op::Ge(n(10)), &Op::Ge(n(5))));
        assert!(!implies(&Op::Ge(n(5)), &Op::Ge(n(10))));
        assert!(implies(&Op::Between(n(1), n(5)), &Op::Le(n(5))));
        assert!(!implies(&Op::Between(n(1), n(6)), &Op::Le(n(5))));
        // Whole numbers: `> 4` is `>= 5`.
        assert!(implies(&Op::Gt(n(4)), &Op::Ge(n(5))));
        assert!(implies(&Op::Eq(n(3)), &Op::Ne(n(4))));
        assert!(!implies(&Op::Ne(n(4)), &Op::Eq(n(3))));
        // Adjacent values merge into one interval.
        assert!(implies(
            &Op::OneOf(vec![n(1), n(2), n(3)]),
            &Op::Between(n(1), n(3))
        ));
        assert_eq!(
            intervals(&Op::OneOf(vec![n(3), n(1), n(2)])),
            Some(vec![(1, 3)])
        );
    }

    #[test]
    fn text_conditions_imply_by_set() {
        assert!(implies(
            &Op::Eq(t("card")),
            &Op::OneOf(vec![t("card"), t("pay")])
        ));
        assert!(!implies(
            &Op::OneOf(vec![t("card"), t("pay")]),
            &Op::Eq(t("card"))
        ));
        assert!(implies(&Op::Eq(t("card")), &Op::Ne(t("bank"))));
        assert!(!implies(&Op::Eq(t("bank")), &Op::Ne(t("bank"))));
        assert!(implies(&Op::Ne(t("bank")), &Op::Ne(t("bank"))));
        // `!= true` admits only false.
        assert!(implies(
            &Op::Ne(Value::Bool(true)),
            &Op::Eq(Value::Bool(false))
        ));
    }

    #[test]
    fn presence_is_implied_by_any_value_condition_only() {
        assert!(implies(&Op::Eq(t("card")), &Op::Present(true)));
        assert!(!implies(&Op::Present(true), &Op::Eq(t("card"))));
        assert!(implies(&Op::Present(false), &Op::Present(false)));
        assert!(!implies(&Op::Present(false), &Op::Ne(t("card"))));
        assert!(!implies(&Op::Eq(t("card")), &Op::Present(false)));
    }

    #[test]
    fn a_row_is_shadowed_only_by_a_row_that_always_matches_first() {
        let default = row(1, &[]);
        let narrow = row(2, &[("amount", Op::Ge(n(10)))]);
        let wide = row(1, &[("amount", Op::Ge(n(5)))]);
        let other_fact = row(1, &[("count", Op::Ge(n(5)))]);
        assert!(shadows(&default, &narrow));
        assert!(shadows(&wide, &narrow));
        assert!(!shadows(&narrow, &wide));
        assert!(!shadows(&other_fact, &narrow));
    }

    #[test]
    fn unreachable_rows_are_reported_at_their_line_unless_broken() {
        let rows = [
            row(1, &[("amount", Op::Ge(n(5)))]),
            row(2, &[("amount", Op::Ge(n(10)))]),
            row(3, &[]),
        ];
        let found = unreachable(&rows, &[false, false, false]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 20);
        assert!(
            found[0]
                .1
                .contains("row 2 can never match: row 1 (line 10)"),
            "{}",
            found[0].1
        );
        // A broken earlier row (its mistake already reported) shadows nothing,
        // and a broken row is not reported again.
        assert!(unreachable(&rows, &[true, false, false]).is_empty());
        assert!(unreachable(&rows, &[false, true, false]).is_empty());
    }
}
