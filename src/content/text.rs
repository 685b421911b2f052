//! [`Text`]: an entry's body, held in memory or read on demand from a
//! memory-mapped file.
//!
//! At 100,000 entries the bodies (Markdown, HTML and plain text) are most of
//! the content's size, and a page or a snippet needs only a few of them. So
//! content read back from an index's snapshot keeps its bodies in the mapped
//! snapshot file: the kernel pages in what is read and may drop it again,
//! and a server starts without reading them. [`Text`] derefs to `str`, so
//! callers read `&entry.body_text` the same way wherever it lives.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Serialize, Serializer};

/// A read-only string in memory or in a memory-mapped file.
pub struct Text(Repr);

enum Repr {
    Owned(Box<str>),
    Mapped {
        map: Arc<memmap2::Mmap>,
        start: usize,
        len: usize,
        /// Set once the bytes were checked to be UTF-8 (the file is
        /// doum's own, but a damaged file must not become invalid `str`).
        checked: AtomicBool,
    },
}

impl Text {
    /// `len` bytes at `start` of `map`. Out-of-range spans read as empty; the
    /// bytes are checked to be UTF-8 when first read (empty if they are not).
    pub fn mapped(map: Arc<memmap2::Mmap>, start: usize, len: usize) -> Self {
        Text(Repr::Mapped {
            map,
            start,
            len,
            checked: AtomicBool::new(false),
        })
    }

    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Owned(s) => s,
            Repr::Mapped {
                map,
                start,
                len,
                checked,
            } => {
                let Some(bytes) = start.checked_add(*len).and_then(|end| map.get(*start..end))
                else {
                    return "";
                };
                if checked.load(Ordering::Relaxed) {
                    // SAFETY: these very bytes (the map is read-only and
                    // immutable while mapped: builds are never rewritten in
                    // place) passed `from_utf8` before `checked` was set.
                    return unsafe { std::str::from_utf8_unchecked(bytes) };
                }
                match std::str::from_utf8(bytes) {
                    Ok(s) => {
                        checked.store(true, Ordering::Relaxed);
                        s
                    }
                    Err(_) => {
                        tracing::error!("a damaged content snapshot: rebuild the index");
                        ""
                    }
                }
            }
        }
    }

    /// Tells the kernel this process no longer needs the pages it has read
    /// from the file this text is mapped from (the whole file, not only this
    /// text's span); nothing for a text held in memory. Later reads page
    /// them in again from the file. For a pass that reads each body once (an
    /// index build): otherwise every page read stays counted in its memory.
    pub fn release_read_pages(&self) {
        if let Repr::Mapped { map, .. } = &self.0 {
            // SAFETY: the map is a read-only shared mapping of a file that is
            // never modified in place (see `as_str`): dropped pages hold
            // nothing but the file's bytes, which the next read maps again.
            let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
        }
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Clone for Text {
    fn clone(&self) -> Self {
        match &self.0 {
            Repr::Owned(s) => Text(Repr::Owned(s.clone())),
            Repr::Mapped {
                map,
                start,
                len,
                checked,
            } => Text(Repr::Mapped {
                map: Arc::clone(map),
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

impl From<&Text> for String {
    fn from(t: &Text) -> String {
        t.as_str().to_owned()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn mapped_text_reads_its_span_and_damage_reads_as_empty() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let mut bytes = "앞 환불 안내 뒤".as_bytes().to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        f.write_all(&bytes).unwrap();
        f.flush().unwrap();
        let map = Arc::new(unsafe { memmap2::Mmap::map(f.as_file()) }.unwrap());
        let start = "앞 ".len();
        let t = Text::mapped(Arc::clone(&map), start, "환불 안내".len());
        assert_eq!(t, "환불 안내");
        assert_eq!(t.clone().to_string(), "환불 안내");
        assert_eq!(t, Text::from("환불 안내"));
        // Not UTF-8, or past the end: empty, never a panic or an invalid str.
        assert_eq!(&*Text::mapped(Arc::clone(&map), bytes.len() - 2, 2), "");
        assert_eq!(&*Text::mapped(map, bytes.len(), 10), "");
    }

    #[test]
    fn released_pages_read_back_the_same_text() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let body = "세금계산서 발행 안내\n".repeat(2_000);
        f.write_all(body.as_bytes()).unwrap();
        f.flush().unwrap();
        let map = Arc::new(unsafe { memmap2::Mmap::map(f.as_file()) }.unwrap());
        let t = Text::mapped(map, 0, body.len());
        assert_eq!(&*t, body);
        t.release_read_pages();
        assert_eq!(&*t, body);
        // A text in memory has nothing to release and keeps its bytes.
        let owned = Text::from("환불");
        owned.release_read_pages();
        assert_eq!(&*owned, "환불");
    }
}
