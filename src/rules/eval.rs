//! Evaluating a decision against an account's facts, with a trace of every row tried.

use std::fmt::{self, Write as _};

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::calendar::Calendar;
use super::format::{UNKNOWN, format_value};
use super::model::key_of;
use super::model::{
    Adjust, Calc, Condition, Decision, FactRef, Facts, Op, Output, Piece, Template, Value,
};

/// The result of one decision for one account: one [`Evaluation`] for an account-level
/// decision, one per record for a per-record decision (one for the empty case when there
/// are no records).
#[derive(Clone, Debug, Serialize)]
pub struct DecisionResult {
    pub decision: String,
    pub title: String,
    pub per_record: bool,
    pub results: Vec<Evaluation>,
}

/// The outcome of a decision table for an account (or one of its records).
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub decision: String,
    /// For per-record decisions, which record: `결제 P-1 (카드, 50,000원)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    pub outcome: String,
    /// The personal answer, in Korean.
    pub answer: String,
    /// Related FAQ entry ids.
    pub related: Vec<String>,
    /// The matching row number (1-based); `None` for the empty case of a per-record decision.
    pub row: Option<usize>,
    /// The line in the decision file of the matching row (or of the empty case).
    pub line: usize,
    /// Every row tried, in order, up to and including the matching one.
    pub trace: Vec<TraceStep>,
}

/// One row tried during evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct TraceStep {
    pub row: usize,
    pub line: usize,
    pub outcome: String,
    pub matched: bool,
    /// The first condition that failed, when the row did not match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<FailedCondition>,
}

/// The first failing condition of a row, with the actual value.
#[derive(Clone, Debug, Serialize)]
pub struct FailedCondition {
    pub fact: String,
    /// The condition as written: `= withdrawn`, `< 0`, `one of [card, kakaopay]`.
    pub condition: String,
    /// The actual value, raw (`active`, `2026-12-01`), or `(없음)` when absent.
    pub actual: String,
    pub line: usize,
}

impl fmt::Display for TraceStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failed {
            None => write!(
                f,
                "행 {} (줄 {}): 일치 → {}",
                self.row, self.line, self.outcome
            ),
            Some(c) => write!(
                f,
                "행 {} (줄 {}): 불일치: {} {} 조건, 실제 값 {}",
                self.row, self.line, c.fact, c.condition, c.actual
            ),
        }
    }
}

impl Evaluation {
    /// The trace as text, one row per line (for `doum ask --explain`).
    pub fn explain(&self) -> String {
        let mut s = format!("[{}]", self.decision);
        if let Some(r) = &self.record {
            let _ = write!(s, " {r}");
        }
        match self.row {
            Some(row) => {
                let _ = write!(s, " → {} (행 {row})", self.outcome);
            }
            None => {
                let _ = write!(s, " → {} (해당 기록 없음)", self.outcome);
            }
        }
        for step in &self.trace {
            let _ = write!(s, "\n  {step}");
        }
        s
    }
}

/// What is absent shows as this in traces.
const ABSENT: &str = "(없음)";

struct Ctx<'a> {
    facts: &'a Facts,
    record: Option<&'a Facts>,
    derived: Vec<Option<Value>>,
    today: Value,
}

impl Ctx<'_> {
    fn get(&self, r: &FactRef) -> Option<&Value> {
        match r {
            FactRef::Top(n) => self.facts.get(n),
            FactRef::Field(n) => self.record.and_then(|rec| rec.get(n)),
            FactRef::Derived(i) => self.derived.get(*i).and_then(Option::as_ref),
            FactRef::Today => Some(&self.today),
        }
    }
}

/// Evaluates a decision; see [`super::RuleBook::evaluate`].
pub fn evaluate(
    d: &Decision,
    facts: &Facts,
    today: NaiveDate,
    calendar: &Calendar,
) -> DecisionResult {
    let mut results = Vec::new();
    match &d.for_each {
        None => {
            let mut ctx = Ctx {
                facts,
                record: None,
                derived: Vec::new(),
                today: Value::Date(today),
            };
            results.push(run(d, &mut ctx, calendar, None));
        }
        Some(fe) => {
            let records: &[Facts] = match facts.get(&fe.list) {
                Some(Value::List(l)) => l,
                _ => &[],
            };
            if records.is_empty() {
                let ctx = Ctx {
                    facts,
                    record: None,
                    derived: Vec::new(),
                    today: Value::Date(today),
                };
                results.push(finish(d, &fe.empty, &ctx, None, None, Vec::new()));
            }
            for rec in records {
                let mut ctx = Ctx {
                    facts,
                    record: Some(rec),
                    derived: Vec::new(),
                    today: Value::Date(today),
                };
                compute_derived(d, &mut ctx, calendar);
                let label = render(&fe.label, &ctx);
                results.push(run(d, &mut ctx, calendar, Some(label)));
            }
        }
    }
    DecisionResult {
        decision: d.id.clone(),
        title: d.title.clone(),
        per_record: d.per_record(),
        results,
    }
}

fn compute_derived(d: &Decision, ctx: &mut Ctx, calendar: &Calendar) {
    if ctx.derived.len() == d.derived.len() {
        return;
    }
    ctx.derived.clear();
    for der in &d.derived {
        let v = match &der.calc {
            Calc::DaysBefore { date, days, adjust } => match ctx.get(date) {
                Some(Value::Date(dt)) => dt.checked_sub_days(Days::new(*days as u64)).map(|x| {
                    Value::Date(match adjust {
                        Adjust::None => x,
                        Adjust::PreviousBusinessDay => calendar.business_day_on_or_before(x),
                    })
                }),
                _ => None,
            },
            Calc::DaysUntil(date) => match (ctx.get(date), &ctx.today) {
                (Some(Value::Date(dt)), Value::Date(t)) => {
                    Some(Value::Number(dt.signed_duration_since(*t).num_days()))
                }
                _ => None,
            },
            Calc::Difference(a, b) => match (ctx.get(a), ctx.get(b)) {
                (Some(Value::Number(x)), Some(Value::Number(y))) => {
                    x.checked_sub(*y).map(Value::Number)
                }
                _ => None,
            },
        };
        ctx.derived.push(v);
    }
}

fn run(d: &Decision, ctx: &mut Ctx, calendar: &Calendar, record: Option<String>) -> Evaluation {
    compute_derived(d, ctx, calendar);
    let mut trace = Vec::with_capacity(d.rows.len());
    for row in &d.rows {
        match first_failure(&row.conditions, ctx) {
            None => {
                trace.push(TraceStep {
                    row: row.number,
                    line: row.line,
                    outcome: row.output.outcome.clone(),
                    matched: true,
                    failed: None,
                });
                return finish(d, &row.output, ctx, record, Some(row.number), trace);
            }
            Some(failed) => trace.push(TraceStep {
                row: row.number,
                line: row.line,
                outcome: row.output.outcome.clone(),
                matched: false,
                failed: Some(failed),
            }),
        }
    }
    // Unreachable for validated decisions (the last row has no conditions).
    let last = d.rows.last().expect("validated decisions have rows");
    finish(d, &last.output, ctx, record, Some(last.number), trace)
}

fn finish(
    d: &Decision,
    out: &Output,
    ctx: &Ctx,
    record: Option<String>,
    row: Option<usize>,
    trace: Vec<TraceStep>,
) -> Evaluation {
    Evaluation {
        decision: d.id.clone(),
        record,
        outcome: out.outcome.clone(),
        answer: render(&out.answer, ctx),
        related: out.related.clone(),
        row,
        line: out.line,
        trace,
    }
}

fn first_failure(conds: &[Condition], ctx: &Ctx) -> Option<FailedCondition> {
    for c in conds {
        let actual = ctx.get(&c.source);
        if !holds(&c.op, actual) {
            let actual = match actual {
                None => ABSENT.to_owned(),
                Some(v) if !same_kind(&c.op, v) => format!("{v} (형식이 다름: {})", v.kind()),
                Some(v) => v.to_string(),
            };
            return Some(FailedCondition {
                fact: c.fact.clone(),
                condition: c.op.to_string(),
                actual,
                line: c.line,
            });
        }
    }
    None
}

fn same_kind(op: &Op, v: &Value) -> bool {
    let lit = match op {
        Op::Eq(x) | Op::Ne(x) | Op::Lt(x) | Op::Le(x) | Op::Gt(x) | Op::Ge(x) => x,
        Op::Between(x, _) => x,
        Op::OneOf(xs) => match xs.first() {
            Some(x) => x,
            None => return true,
        },
        Op::Present(_) => return true,
    };
    std::mem::discriminant(lit) == std::mem::discriminant(v)
}

fn holds(op: &Op, actual: Option<&Value>) -> bool {
    let Some(v) = actual else {
        return matches!(op, Op::Present(false));
    };
    let ord = |lit: &Value| -> Option<std::cmp::Ordering> {
        if std::mem::discriminant(lit) != std::mem::discriminant(v) {
            return None;
        }
        Some(key_of(v)?.cmp(&key_of(lit)?))
    };
    use std::cmp::Ordering::*;
    match op {
        Op::Present(b) => *b,
        Op::Eq(x) => v == x,
        // A value of the wrong type is not "different": the condition cannot be judged.
        Op::Ne(x) => same_kind(op, v) && v != x,
        Op::OneOf(xs) => xs.iter().any(|x| x == v),
        Op::Lt(x) => ord(x) == Some(Less),
        Op::Le(x) => matches!(ord(x), Some(Less | Equal)),
        Op::Gt(x) => ord(x) == Some(Greater),
        Op::Ge(x) => matches!(ord(x), Some(Greater | Equal)),
        Op::Between(a, b) => {
            matches!(ord(a), Some(Greater | Equal)) && matches!(ord(b), Some(Less | Equal))
        }
    }
}

fn render(t: &Template, ctx: &Ctx) -> String {
    let mut s = String::with_capacity(t.source.len() + 32);
    for p in &t.pieces {
        match p {
            Piece::Text(x) => s.push_str(x),
            Piece::Fact { source, ty, .. } => match ctx.get(source) {
                Some(v) => s.push_str(&format_value(v, ty)),
                None => s.push_str(UNKNOWN),
            },
        }
    }
    s
}
