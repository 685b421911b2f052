//! [`Text`]: an entry's body, held in memory or read on demand from a file.
//!
//! At 100,000 entries the bodies (Markdown, HTML and plain text) are most of
//! the content's size (200 MB in the generated corpus), and a page or a
//! snippet needs only a few of them. So content read back from an index's
//! snapshot leaves its bodies in the snapshot file and reads one, with a
//! single positioned read (`pread`), when it is asked for: a server starts
//! without reading them and holds none of them between requests. (They were
//! memory-mapped before; every page a search had read then stayed counted in
//! the server's memory, which grew toward the file's whole size as it
//! served.) Content loaded from Markdown keeps its bodies in memory.
//!
//! [`Text::read`] gives the text as a `Cow<str>`: borrowed from memory, or
//! owned after the read.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Serialize, Serializer};

/// A read-only string in memory or in a span of a file.
pub struct Text(Repr);

enum Repr {
    Owned(Box<str>),
    Stored {
        file: Arc<File>,
        start: u64,
        len: u32,
        /// Set once the bytes were checked to be UTF-8 (the file is doum's
        /// own and never rewritten, but a damaged file must not become an
        /// invalid `str`).
        checked: AtomicBool,
    },
}

impl Text {
    /// `len` bytes at `start` of `file`, which must never be modified while
    /// the text exists (doum's snapshots are written once into a fresh
    /// directory). A span the file does not hold, or bytes that are not
    /// UTF-8, read as empty (and are logged).
    pub fn stored(file: Arc<File>, start: u64, len: u32) -> Self {
        Text(Repr::Stored {
            file,
            start,
            len,
            checked: AtomicBool::new(false),
        })
    }

    /// The text: borrowed when in memory, else read from its file.
    pub fn read(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Owned(s) => Cow::Borrowed(s),
            Repr::Stored {
                file,
                start,
                len,
                checked,
            } => {
                let mut bytes = vec![0u8; *len as usize];
                if let Err(e) = file.read_exact_at(&mut bytes, *start) {
                    tracing::error!("reading a body from the content snapshot: {e}");
                    return Cow::Borrowed("");
                }
                if checked.load(Ordering::Relaxed) {
                    // SAFETY: these very bytes of a file that is never
                    // modified passed `from_utf8` before `checked` was set.
                    return Cow::Owned(unsafe { String::from_utf8_unchecked(bytes) });
                }
                match String::from_utf8(bytes) {
                    Ok(s) => {
                        checked.store(true, Ordering::Relaxed);
                        Cow::Owned(s)
                    }
                    Err(_) => {
                        tracing::error!("a damaged content snapshot: rebuild the index");
                        Cow::Borrowed("")
                    }
                }
            }
        }
    }

    /// The length in bytes, without reading a stored text.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Owned(s) => s.len(),
            Repr::Stored { len, .. } => *len as usize,
        }
    }

    /// Whether the text is empty (by its length).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Clone for Text {
    fn clone(&self) -> Self {
        match &self.0 {
            Repr::Owned(s) => Text(Repr::Owned(s.clone())),
            Repr::Stored {
                file,
                start,
                len,
                checked,
            } => Text(Repr::Stored {
                file: Arc::clone(file),
                start: *start,
                len: *len,
                checked: AtomicBool::new(checked.load(Ordering::Relaxed)),
            }),
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Repr::Owned(s.into_boxed_str()))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(Repr::Owned(s.into()))
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.read())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.read(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.read() == other.read()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.len() == other.len() && self.read() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.read())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn stored_text_reads_its_span_and_damage_reads_as_empty() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let mut bytes = "앞 환불 안내 뒤".as_bytes().to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        f.write_all(&bytes).unwrap();
        f.flush().unwrap();
        let file = Arc::new(f.reopen().unwrap());
        let start = "앞 ".len() as u64;
        let t = Text::stored(Arc::clone(&file), start, "환불 안내".len() as u32);
        assert_eq!(t, "환불 안내");
        assert_eq!(t.len(), "환불 안내".len());
        // Read twice: the second read skips the UTF-8 check, same text.
        assert_eq!(t.read(), "환불 안내");
        assert_eq!(t.clone().to_string(), "환불 안내");
        assert_eq!(t, Text::from("환불 안내"));
        // Not UTF-8, or past the end: empty, never a panic or an invalid str.
        let end = bytes.len() as u64;
        assert_eq!(Text::stored(Arc::clone(&file), end - 2, 2).read(), "");
        assert_eq!(Text::stored(file, end, 10).read(), "");
    }

    #[test]
    fn a_stored_text_keeps_nothing_in_memory_between_reads() {
        // The reason it is not memory-mapped: nothing of the file stays
        // counted in the process after a read. Each read is a fresh buffer.
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let body = "세금계산서 발행 안내\n".repeat(2_000);
        f.write_all(body.as_bytes()).unwrap();
        f.flush().unwrap();
        let t = Text::stored(Arc::new(f.reopen().unwrap()), 0, body.len() as u32);
        let (a, b) = (t.read(), t.read());
        assert_eq!(a, body);
        assert!(matches!(a, Cow::Owned(_)) && matches!(b, Cow::Owned(_)));
        assert_ne!(a.as_ptr(), b.as_ptr());
        // A text in memory is borrowed.
        let owned = Text::from("환불");
        assert!(matches!(owned.read(), Cow::Borrowed("환불")));
    }
}
