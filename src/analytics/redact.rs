//! What customers type, with what identifies a person masked before it is
//! stored: a query, a feedback comment or a chatbot question sometimes holds
//! a phone number, an e-mail address, a resident registration, card or bank
//! account number ("환불 계좌 110-123-456789로 해 주세요"). The analysis
//! needs none of them, and a store (and its backups, and the agents who read
//! its report) should not hold them.
//!
//! - **Long numbers**: nine digits or more, written together or in groups
//!   joined by a hyphen, a dot or a space (`010-1234-5678`, `01012345678`,
//!   `900101-1234567`, `1234 5678 9012 3456`, `123-45-67890`) become
//!   [`NUMBER`]. Shorter ones stay: amounts (`500000원`, `1,000,000원`),
//!   dates (`2026-12-01`), counts.
//! - **E-mail addresses** become [`EMAIL`].
//!
//! A Korean keyboard's full-width mode types `０１０－１２３４－５６７８` and
//! `ｋｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ`, and a phone may paste digits of another
//! script: a digit is any Unicode decimal digit (`\d`, general category Nd),
//! a separator also the full-width hyphen, dot and space and the dashes and
//! minus signs, and an address may be written in full-width letters. What is
//! not masked is stored as typed, full-width or not.
//!
//! Names cannot be told from other words and stay; [`super::RETENTION`]
//! bounds how long they are kept.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What a long number becomes.
pub const NUMBER: &str = "[번호]";
/// What an e-mail address becomes.
pub const EMAIL: &str = "[이메일]";

/// What may join the groups of a long number: a hyphen, a dot or a space, in
/// ASCII or full width (U+FF0D, U+FF0E, U+3000), the no-break space, the
/// Unicode hyphens and dashes (U+2010–U+2015), the minus sign (U+2212) and
/// the small hyphen-minus (U+FE63).
const SEPARATOR: &str = r"[-. \u{A0}\u{2010}-\u{2015}\u{2212}\u{FE63}\u{FF0D}\u{FF0E}\u{3000}]";

/// Nine digits or more (any Unicode decimal digit), single separators between
/// them allowed.
static LONG_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\d(?:{SEPARATOR}?\d){{8,}}")).expect("a valid pattern"));
/// An e-mail address (the usual characters of its local part and domain), in
/// ASCII or full-width forms (U+FF01–U+FF5E).
static E_MAIL: LazyLock<Regex> = LazyLock::new(|| {
    let alnum = r"A-Za-z0-9\u{FF21}-\u{FF3A}\u{FF41}-\u{FF5A}\u{FF10}-\u{FF19}";
    let hyphen = r"\-\u{FF0D}";
    let dot = r"[.\u{FF0E}]";
    let letter = r"[A-Za-z\u{FF21}-\u{FF3A}\u{FF41}-\u{FF5A}]";
    Regex::new(&format!(
        r"[{alnum}._%+{hyphen}\u{{FF0E}}\u{{FF3F}}\u{{FF05}}\u{{FF0B}}]+[@\u{{FF20}}][{alnum}{hyphen}]+(?:{dot}[{alnum}{hyphen}]+)*{dot}{letter}{{2,}}"
    ))
    .expect("a valid pattern")
});

/// `text` with long numbers and e-mail addresses masked (see the module docs);
/// borrowed when there is nothing to mask.
pub fn redact(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_numeric() || c == '@' || c == '\u{FF20}')
    {
        return Cow::Borrowed(text);
    }
    match E_MAIL.replace_all(text, EMAIL) {
        Cow::Borrowed(t) => LONG_NUMBER.replace_all(t, NUMBER),
        Cow::Owned(t) => Cow::Owned(LONG_NUMBER.replace_all(&t, NUMBER).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_registration_card_and_account_numbers_are_masked() {
        for (typed, stored) in [
            (
                "제 번호 010-1234-5678로 연락 주세요",
                "제 번호 [번호]로 연락 주세요",
            ),
            ("01012345678", "[번호]"),
            ("010 1234 5678 환불", "[번호] 환불"),
            ("02-123-4567", "[번호]"),
            ("주민번호 900101-1234567", "주민번호 [번호]"),
            (
                "카드 1234-5678-9012-3456 결제 취소",
                "카드 [번호] 결제 취소",
            ),
            ("환불 계좌 110-123-456789로", "환불 계좌 [번호]로"),
            ("사업자번호 123-45-67890 변경", "사업자번호 [번호] 변경"),
        ] {
            assert_eq!(redact(typed), stored, "{typed}");
        }
    }

    #[test]
    fn full_width_and_other_unicode_digits_are_masked() {
        for (typed, stored) in [
            ("번호０１０１２３４５６７８", "번호[번호]"),
            ("０１０－１２３４－５６７８로 연락", "[번호]로 연락"),
            ("010－1234－5678", "[번호]"),
            ("010\u{2212}1234\u{2212}5678", "[번호]"),
            ("010\u{2010}1234\u{2013}5678", "[번호]"),
            ("０１０\u{3000}１２３４\u{3000}５６７８", "[번호]"),
            ("주민번호 ９００１０１－１２３４５６７", "주민번호 [번호]"),
            ("카드 ١٢٣٤٥٦٧٨٩٠١٢ 취소", "카드 [번호] 취소"),
            ("계좌 ११०१२३४५६७८९", "계좌 [번호]"),
        ] {
            assert_eq!(redact(typed), stored, "{typed}");
        }
        assert_eq!(
            redact("메일 ｋｉｍ．ｄｏｕｍ＠ｅｘａｍｐｌｅ．ｃｏ．ｋｒ 로"),
            "메일 [이메일] 로"
        );
        // Short full-width numbers stay, as typed.
        for typed in ["２０２６－１２－０１ 세금계산서", "５０００００원 충전"]
        {
            assert!(matches!(redact(typed), Cow::Borrowed(_)), "{typed}");
        }
    }

    #[test]
    fn e_mail_addresses_are_masked() {
        assert_eq!(
            redact("세금계산서 메일 kim.doum+tax@example.co.kr 로 변경"),
            "세금계산서 메일 [이메일] 로 변경"
        );
        assert_eq!(redact("a@b.com, 010-1234-5678"), "[이메일], [번호]");
    }

    #[test]
    fn amounts_dates_and_short_numbers_stay() {
        for typed in [
            "500000원 충전",
            "1,000,000원 환불",
            "30만 원 환불 수수료",
            "2026-12-01 세금계산서",
            "캠페인 12345678 소재",
            "친구 2000명 3시 발송",
            "환불",
            "@멘션",
        ] {
            assert!(matches!(redact(typed), Cow::Borrowed(_)), "{typed}");
        }
    }
}
