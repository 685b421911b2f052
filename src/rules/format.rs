//! How values are written in Korean answers: `1,000원`, `2026년 12월 3일 (목)`.

use chrono::{Datelike, NaiveDate, Weekday};

use super::model::{FactType, Unit, Value};

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1000` → `1,000원`.
pub fn won(n: i64) -> String {
    let mut s = thousands(n);
    s.push('원');
    s
}

/// The one-letter Korean weekday: 월 화 수 목 금 토 일.
pub fn weekday_ko(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "월",
        Weekday::Tue => "화",
        Weekday::Wed => "수",
        Weekday::Thu => "목",
        Weekday::Fri => "금",
        Weekday::Sat => "토",
        Weekday::Sun => "일",
    }
}

/// `2026-12-03` → `2026년 12월 3일 (목)`.
pub fn korean_date(d: NaiveDate) -> String {
    format!(
        "{}년 {}월 {}일 ({})",
        d.year(),
        d.month(),
        d.day(),
        weekday_ko(d.weekday())
    )
}

/// A value as it appears in an answer, according to its declared type.
pub fn format_value(v: &Value, ty: &FactType) -> String {
    match (v, ty) {
        (Value::Number(n), FactType::Number { unit: Unit::Won }) => won(*n),
        (Value::Number(n), _) => thousands(*n),
        (Value::Date(d), _) => korean_date(*d),
        (Value::Bool(true), _) => "예".to_owned(),
        (Value::Bool(false), _) => "아니요".to_owned(),
        (Value::Text(s), ty) => ty.label(s).unwrap_or(s).to_owned(),
        (Value::List(l), _) => format!("{}건", l.len()),
    }
}

/// What an answer shows for a fact that is unknown.
pub const UNKNOWN: &str = "(확인 불가)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(won(0), "0원");
        assert_eq!(won(1000), "1,000원");
        assert_eq!(won(999), "999원");
        assert_eq!(won(1_000_000_000), "1,000,000,000원");
        assert_eq!(won(-50_000), "-50,000원");
        assert_eq!(thousands(123_456), "123,456");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(korean_date(d), "2026년 12월 3일 (목)");
        let d = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
        assert_eq!(korean_date(d), "2027년 1월 10일 (일)");
    }
}
