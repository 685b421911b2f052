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
//! Names cannot be told from other words and stay; [`super::RETENTION`]
//! bounds how long they are kept.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What a long number becomes.
pub const NUMBER: &str = "[번호]";
/// What an e-mail address becomes.
pub const EMAIL: &str = "[이메일]";

/// Nine digits or more, single separators between them allowed.
static LONG_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9](?:[-. ]?[0-9]){8,}").expect("a valid pattern"));
/// An e-mail address (the usual characters of its local part and domain).
static E_MAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
        .expect("a valid pattern")
});

/// `text` with long numbers and e-mail addresses masked (see the module docs);
/// borrowed when there is nothing to mask.
pub fn redact(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| b.is_ascii_digit() || b == b'@') {
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
