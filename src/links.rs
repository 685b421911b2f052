//! Percent-encoding of what doum puts into the links it writes: entry ids in
//! article URLs (chat cards) and values in query strings (pages).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters (`A–Z a–z 0–9 - _ . ~`).
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `s` percent-encoded as one path segment or query-string value (UTF-8
/// bytes; only unreserved ASCII is left as is).
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, RESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_all_but_unreserved_ascii() {
        assert_eq!(
            encode_component("환불 a&b=c/d?e#f%g+h"),
            "%ED%99%98%EB%B6%88%20a%26b%3Dc%2Fd%3Fe%23f%25g%2Bh"
        );
        assert_eq!(encode_component("refund-A_1.x~"), "refund-A_1.x~");
    }
}
