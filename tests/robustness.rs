//! The engine never panics on input: odd strings and deterministic random
//! mixes of Hangul, jamo, Latin, digits, symbols and emoji all return Ok.

mod common;

use common::{CONTENT, engine};
use doum::search::SearchRequest;

const ODD: [&str; 16] = [
    "😀😀",
    "İstanbul ǅ",
    "ㅏㅏㅏ",
    "!!!",
    "a",
    "가",
    "ㄱ",
    "환불ㅋㅋㅋㅋㅋㅋ",
    "\t\n\r",
    "환불 AND (",
    "title:x",
    "*",
    "%%%",
    "한글English혼용123abc",
    "１２３ＡＢＣ",
    "\u{200b}\u{feff}환불\u{0}",
];

/// A tiny deterministic generator (no dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn random_text(rng: &mut Lcg) -> String {
    let len = 1 + rng.next() % 60;
    (0..len)
        .map(|_| match rng.next() % 8 {
            0 => char::from_u32(0xAC00 + (rng.next() % 11172) as u32).unwrap(),
            1 => char::from_u32(0x3131 + (rng.next() % 51) as u32).unwrap(),
            2 => (b'a' + (rng.next() % 26) as u8) as char,
            3 => (b'0' + (rng.next() % 10) as u8) as char,
            4 => ' ',
            5 => ['?', '(', ')', '"', ':', '*', '~', '/', '>', '.'][(rng.next() % 10) as usize],
            6 => char::from_u32(0x1F600 + (rng.next() % 50) as u32).unwrap(),
            _ => char::from_u32(0xAC00 + (rng.next() % 400) as u32).unwrap(),
        })
        .collect()
}

#[test]
fn odd_and_random_queries_never_fail() {
    let engine = engine(CONTENT);
    let mut rng = Lcg(42);
    let queries = ODD
        .iter()
        .map(|s| s.to_string())
        .chain((0..300).map(|_| random_text(&mut rng)));
    for q in queries {
        match SearchRequest::new(&q) {
            Ok(req) => {
                let res = engine.search(&req).unwrap_or_else(|e| panic!("{q:?}: {e}"));
                assert!(res.hits.len() <= res.size, "{q:?}");
                for h in &res.hits {
                    let n = h.snippet.text.chars().count();
                    assert!(
                        h.snippet.highlights.iter().all(|[s, e]| s < e && *e <= n),
                        "{q:?}: {h:?}"
                    );
                }
            }
            Err(e) => assert_eq!(e.field, "q", "{q:?}"),
        }
    }
}
