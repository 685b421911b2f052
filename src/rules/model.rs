//! The decision model: what `content/rules/*.yaml` compile into, and the runtime facts.
//!
//! A decision file looks like this (the shipped files in `content/rules/` are commented examples):
//!
//! ```yaml
//! id: refund-method
//! title: 결제 건별 환불 방법
//! description: 결제 수단과 결제한 멤버의 상태에 따라 환불 방법을 안내합니다.
//! facts:                       # the account facts this decision reads, typed
//!   refund_account_registered: { type: bool }
//!   payments:
//!     type: list
//!     fields:
//!       method: { type: enum, values: { card: 카드, kakaopay: 카카오페이 } }
//!       amount: { type: number, unit: won }
//! for_each:                    # optional: evaluate the table once per record
//!   list: payments
//!   as: payment               # record fields are then `payment.method`, ...
//!   label: "결제 {payment.payment_id}"
//!   empty: { outcome: no-payments, answer: "결제 내역이 없습니다." }
//! derived: {}                  # optional computed values, see [`Calc`]
//! rows:                        # read top to bottom, first match wins
//!   - when:
//!       payment.method: { one_of: [card, kakaopay] }
//!       refund_account_registered: false
//!     outcome: register-refund-account
//!     answer: "..."
//!     related: [refund-account]
//!   - outcome: contact-support   # the required default row: no `when`
//!     answer: "..."
//! ```
//!
//! Fact types: `bool`, `number` (whole; `unit: won` writes `1,000원`), `enum` (`values:` a
//! list, or a map of value → Korean label used in answers), `date` (`2026-12-03`, written
//! `2026년 12월 3일 (목)`), `text`, and `list` of records (`fields:`). `today` is built in.
//!
//! Conditions (`when:`, all must hold): `fact: value` (=), `fact: [a, b]` (one of), or a
//! map of operators: `=`/`eq`, `≠`/`!=`/`ne`, `one_of`/`in`, `<`/`lt`, `≤`/`<=`/`le`,
//! `>`/`gt`, `≥`/`>=`/`ge`, `between: [low, high]` (inclusive), `present: true|false`.
//! An absent fact fails every condition except `present: false`.
//!
//! Answers use `{fact}` placeholders (any declared fact, record field or derived value),
//! formatted by type; `{{` and `}}` are literal braces.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A runtime value of a fact.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    /// Whole numbers: amounts in KRW, counts, days.
    Number(i64),
    /// Enum values and free text (ids, names).
    Text(String),
    Date(NaiveDate),
    /// A list of records (payments, campaigns, members).
    List(Vec<Facts>),
}

impl Value {
    /// The kind name used in error messages and traces.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::Text(_) => "text",
            Value::Date(_) => "date",
            Value::List(_) => "list",
        }
    }
}

impl fmt::Display for Value {
    /// The raw form, as written in a decision file (used in traces).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::Text(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::List(l) => write!(f, "[{} records]", l.len()),
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Number(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<NaiveDate> for Value {
    fn from(v: NaiveDate) -> Self {
        Value::Date(v)
    }
}
impl From<Vec<Facts>> for Value {
    fn from(v: Vec<Facts>) -> Self {
        Value::List(v)
    }
}

/// Named facts about one account (or, nested in a list, about one record).
///
/// Names are flat strings; dots are just part of the name (`cash.free`). A fact that is
/// absent (unknown, or `null` in the account API) is simply not inserted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Facts(BTreeMap<String, Value>);

impl Facts {
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets a fact (builder style).
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.insert(name, value);
        self
    }
    pub fn insert(&mut self, name: &str, value: impl Into<Value>) {
        self.0.insert(name.to_owned(), value.into());
    }
    /// Sets a fact only when the value is known.
    pub fn insert_opt(&mut self, name: &str, value: Option<impl Into<Value>>) {
        if let Some(v) = value {
            self.insert(name, v);
        }
    }
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name)
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }
}

/// The unit of a number fact, which decides how it is written in answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A plain number: `1,234`.
    None,
    /// Korean won: `1,234원`.
    Won,
    /// A number of days: written as a plain number (`3`), the answer adds `일`.
    Days,
}

/// The declared type of a fact.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FactType {
    Bool,
    Number {
        unit: Unit,
    },
    /// A closed set of values, each with the Korean label used in answers.
    Enum {
        values: Vec<(String, String)>,
    },
    Date,
    /// Free text (ids, names): only `=`, `≠`, `one of` and `present` apply.
    Text,
    /// A list of records with typed fields.
    List {
        fields: BTreeMap<String, FactDecl>,
    },
}

impl FactType {
    pub fn name(&self) -> &'static str {
        match self {
            FactType::Bool => "bool",
            FactType::Number { .. } => "number",
            FactType::Enum { .. } => "enum",
            FactType::Date => "date",
            FactType::Text => "text",
            FactType::List { .. } => "list",
        }
    }

    /// Whether a runtime value has this type.
    pub fn accepts(&self, v: &Value) -> bool {
        matches!(
            (self, v),
            (FactType::Bool, Value::Bool(_))
                | (FactType::Number { .. }, Value::Number(_))
                | (FactType::Enum { .. }, Value::Text(_))
                | (FactType::Text, Value::Text(_))
                | (FactType::Date, Value::Date(_))
                | (FactType::List { .. }, Value::List(_))
        )
    }

    /// The Korean label of an enum value, if declared.
    pub fn label<'a>(&'a self, value: &str) -> Option<&'a str> {
        match self {
            FactType::Enum { values } => values
                .iter()
                .find(|(v, _)| v == value)
                .map(|(_, l)| l.as_str()),
            _ => None,
        }
    }
}

/// A declared fact: its name, type and documentation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactDecl {
    pub name: String,
    #[serde(flatten)]
    pub ty: FactType,
    pub doc: String,
    pub line: usize,
}

/// Where a condition or placeholder reads its value from, resolved at load time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactRef {
    /// An account-level fact.
    Top(String),
    /// A field of the current record (per-record decisions).
    Field(String),
    /// A derived value, by index into [`Decision::derived`].
    Derived(usize),
    /// The evaluation date.
    Today,
}

/// A condition operator with its typed operand(s).
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Eq(Value),
    Ne(Value),
    OneOf(Vec<Value>),
    Lt(Value),
    Le(Value),
    Gt(Value),
    Ge(Value),
    /// Inclusive on both ends.
    Between(Value, Value),
    /// `present: true` holds when the fact is known; `present: false` when it is absent.
    Present(bool),
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Eq(v) => write!(f, "= {v}"),
            Op::Ne(v) => write!(f, "≠ {v}"),
            Op::OneOf(vs) => {
                let items: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
                write!(f, "one of [{}]", items.join(", "))
            }
            Op::Lt(v) => write!(f, "< {v}"),
            Op::Le(v) => write!(f, "≤ {v}"),
            Op::Gt(v) => write!(f, "> {v}"),
            Op::Ge(v) => write!(f, "≥ {v}"),
            Op::Between(a, b) => write!(f, "between {a} and {b}"),
            Op::Present(true) => f.write_str("present"),
            Op::Present(false) => f.write_str("absent"),
        }
    }
}

/// One condition of a row: `fact op value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The fact name as written (`payment.method`).
    pub fact: String,
    pub source: FactRef,
    pub op: Op,
    pub line: usize,
}

/// A piece of an answer template.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Text(String),
    /// `{name}`: the value formatted by its declared type.
    Fact {
        name: String,
        source: FactRef,
        ty: FactType,
    },
}

/// An answer template with `{placeholder}`s resolved at load time.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Template {
    pub source: String,
    pub pieces: Vec<Piece>,
}

/// What a row (or the empty case of a per-record decision) answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub outcome: String,
    pub answer: Template,
    pub related: Vec<String>,
    pub line: usize,
}

/// One row of a decision table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based position in the table.
    pub number: usize,
    pub line: usize,
    /// All must hold; empty for the default row.
    pub conditions: Vec<Condition>,
    pub output: Output,
}

/// What to do when a business-day adjustment is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjust {
    None,
    /// If the date is not a business day, move to the business day before it.
    PreviousBusinessDay,
}

/// The fixed set of computations a decision may declare under `derived:`.
///
/// - `days_before: { date: F, days: N, adjust: previous_business_day }` → date: `N`
///   calendar days before date `F`; with `adjust`, moved back to the closest business
///   day on or before it (weekends and `content/holidays.yaml`).
/// - `days_until: F` → number (days): days from today to date `F`, negative once past.
/// - `difference: [A, B]` → number: `A - B`, in the unit of `A`.
#[derive(Clone, Debug, PartialEq)]
pub enum Calc {
    DaysBefore {
        date: FactRef,
        days: i64,
        adjust: Adjust,
    },
    DaysUntil(FactRef),
    Difference(FactRef, FactRef),
}

/// A computed value declared under `derived:`.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    pub name: String,
    pub ty: FactType,
    pub calc: Calc,
    pub doc: String,
    pub line: usize,
}

/// Per-record evaluation: the table runs once for each record of a list fact.
#[derive(Clone, Debug, PartialEq)]
pub struct ForEach {
    /// The list fact (`payments`).
    pub list: String,
    /// The record's name in conditions and placeholders (`payment`).
    pub alias: String,
    /// How a record is named in results: `결제 {payment.payment_id} (...)`.
    pub label: Template,
    /// The answer when the list is empty (or absent).
    pub empty: Output,
}

/// A compiled, validated decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The file it was loaded from, as given to the loader.
    pub file: String,
    /// Declared account-level facts.
    pub facts: Vec<FactDecl>,
    pub for_each: Option<ForEach>,
    pub derived: Vec<Derived>,
    pub rows: Vec<Row>,
}

impl Decision {
    /// Whether the decision runs once per record (per payment, per campaign).
    pub fn per_record(&self) -> bool {
        self.for_each.is_some()
    }

    /// Every outcome code the decision can produce, in table order (with the empty case).
    pub fn outcomes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for o in self
            .rows
            .iter()
            .map(|r| &r.output)
            .chain(self.for_each.as_ref().map(|f| &f.empty))
        {
            if !out.contains(&o.outcome.as_str()) {
                out.push(&o.outcome);
            }
        }
        out
    }

    /// Every entry id referenced by the decision's rows.
    pub fn related_ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for o in self
            .rows
            .iter()
            .map(|r| &r.output)
            .chain(self.for_each.as_ref().map(|f| &f.empty))
        {
            for id in &o.related {
                if !out.contains(&id.as_str()) {
                    out.push(id);
                }
            }
        }
        out
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
