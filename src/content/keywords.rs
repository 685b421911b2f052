//! [`Keywords`]: an entry's extra search terms.

use std::fmt;

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

/// An entry's keywords, in the author's order: each one non-empty, trimmed
/// and on one line, none repeated.
///
/// Held as one string (every keyword followed by a line break): one
/// allocation per entry instead of one per keyword and one for the list,
/// which at 100,000 entries took 8 MB of a server's memory for 2 MB of text.
/// Serializes as an array of strings.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Keywords(Box<str>);

/// Why a keyword was refused by [`Keywords::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidKeyword {
    /// Blank after trimming.
    #[error("keyword {0} is empty")]
    Empty(usize),
    /// Contains a line break.
    #[error("keyword {0} has a line break: a keyword is one line")]
    LineBreak(usize),
}

impl Keywords {
    /// The keywords `items`, trimmed, repeats dropped (the first kept).
    /// Positions in errors count from 1.
    pub fn new<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Result<Self, InvalidKeyword> {
        let mut all = String::new();
        for (i, k) in items.into_iter().enumerate() {
            let k = k.as_ref().trim();
            if k.is_empty() {
                return Err(InvalidKeyword::Empty(i + 1));
            }
            if k.contains(['\n', '\r']) {
                return Err(InvalidKeyword::LineBreak(i + 1));
            }
            if !all.split_terminator('\n').any(|x| x == k) {
                all.push_str(k);
                all.push('\n');
            }
        }
        Ok(Keywords(all.into_boxed_str()))
    }

    /// The keywords in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone {
        self.0.split_terminator('\n')
    }

    /// How many keywords there are.
    pub fn len(&self) -> usize {
        self.0.bytes().filter(|&b| b == b'\n').count()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keywords joined by `sep` (no keyword holds a line break, so this
    /// is the stored string with its breaks replaced).
    pub fn join(&self, sep: &str) -> String {
        self.0.strip_suffix('\n').unwrap_or("").replace('\n', sep)
    }
}

impl fmt::Debug for Keywords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<const N: usize> PartialEq<[&str; N]> for Keywords {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl Serialize for Keywords {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for k in self.iter() {
            seq.serialize_element(k)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_trims_and_drops_repeats() {
        let k = Keywords::new([" 카드취소", "현금환불 ", "카드취소"]).unwrap();
        assert_eq!(k, ["카드취소", "현금환불"]);
        assert_eq!(k.len(), 2);
        assert_eq!(k.join("/"), "카드취소/현금환불");
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            r#"["카드취소","현금환불"]"#
        );
        let none = Keywords::new(Vec::<String>::new()).unwrap();
        assert!(none.is_empty() && none.iter().next().is_none());
        assert_eq!(none.len(), 0);
        assert_eq!(serde_json::to_string(&none).unwrap(), "[]");
    }

    #[test]
    fn refuses_blank_and_multi_line_keywords() {
        assert_eq!(Keywords::new(["환불", "  "]), Err(InvalidKeyword::Empty(2)));
        assert_eq!(
            Keywords::new(["환불\n계좌"]),
            Err(InvalidKeyword::LineBreak(1))
        );
    }
}
