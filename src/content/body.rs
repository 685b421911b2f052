//! [`Body`]: an entry's answer in its three forms, held in memory or read on
//! demand from a file.
//!
//! At 100,000 entries the bodies (Markdown, HTML and plain text) are most of
//! the content's size (200 MB in the generated corpus), and a page or a
//! snippet needs only a few of them. So content read back from an index's
//! snapshot leaves its bodies in the snapshot file and reads one form, with a
//! single positioned read (`pread`), when it is asked for: a server starts
//! without reading them and holds none of them between requests. (They were
//! memory-mapped before; every page a search had read then stayed counted in
//! the server's memory, which grew toward the file's whole size as it
//! served.) Content loaded from Markdown keeps its bodies in memory.
//!
//! A stored body is one span of the file, its three forms one after the
//! other, so that an entry holds one file handle and one offset for all
//! three (32 bytes where three separate spans took 72: 4 MB at 100,000
//! entries).
//!
//! [`Body::read`] gives a form as a `Cow<str>`: borrowed from memory, or
//! owned after the read.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// One of the three forms of an answer, in the order a stored body holds
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Plain text (blocks separated by `\n`, no markup), see
    /// [`markdown::to_text`](super::markdown::to_text): what snippets,
    /// the chatbot and the model read.
    Text = 0,
    /// Safe HTML (raw HTML in the Markdown is escaped), see
    /// [`markdown::to_html`](super::markdown::to_html): what pages show.
    Html = 1,
    /// The Markdown as written, without the front matter.
    Markdown = 2,
}

impl Form {
    /// Every form, in the order a stored body holds them.
    pub const ALL: [Form; 3] = [Form::Text, Form::Html, Form::Markdown];
}

/// An entry's answer as plain text, safe HTML and Markdown (see [`Form`]).
pub struct Body(Repr);

enum Repr {
    /// The three forms, in [`Form`] order.
    Owned(Box<[Box<str>; 3]>),
    Stored {
        file: Arc<File>,
        /// Where the plain text starts; the HTML and the Markdown follow it.
        start: u64,
        /// The forms' lengths in bytes, in [`Form`] order.
        lens: [u32; 3],
        /// Bit `form` set once that form's bytes were checked to be UTF-8
        /// (the file is doum's own and never rewritten, but a damaged file
        /// must not become an invalid `str`).
        checked: AtomicU8,
    },
}

impl Body {
    /// A body held in memory.
    pub fn new(text: String, html: String, markdown: String) -> Self {
        Body(Repr::Owned(Box::new([
            text.into_boxed_str(),
            html.into_boxed_str(),
            markdown.into_boxed_str(),
        ])))
    }

    /// A body stored in `file` from `start`: its plain text, HTML and
    /// Markdown one after the other, of `lens` bytes (in [`Form`] order).
    /// The file must never be modified while the body exists (doum's
    /// snapshots are written once into a fresh directory). A span the file
    /// does not hold, or bytes that are not UTF-8, read as empty (and are
    /// logged).
    pub fn stored(file: Arc<File>, start: u64, lens: [u32; 3]) -> Self {
        Body(Repr::Stored {
            file,
            start,
            lens,
            checked: AtomicU8::new(0),
        })
    }

    /// One form of the answer: borrowed when in memory, else read from its
    /// file.
    pub fn read(&self, form: Form) -> Cow<'_, str> {
        let i = form as usize;
        match &self.0 {
            Repr::Owned(forms) => Cow::Borrowed(&forms[i]),
            Repr::Stored {
                file,
                start,
                lens,
                checked,
            } => {
                let offset: u64 = lens[..i].iter().map(|&l| l as u64).sum();
                let mut bytes = vec![0u8; lens[i] as usize];
                if let Err(e) = file.read_exact_at(&mut bytes, start.saturating_add(offset)) {
                    tracing::error!("reading a body from the content snapshot: {e}");
                    return Cow::Borrowed("");
                }
                let bit = 1u8 << i;
                if checked.load(Ordering::Relaxed) & bit != 0 {
                    // SAFETY: these very bytes of a file that is never
                    // modified passed `from_utf8` before the bit was set.
                    return Cow::Owned(unsafe { String::from_utf8_unchecked(bytes) });
                }
                match String::from_utf8(bytes) {
                    Ok(s) => {
                        checked.fetch_or(bit, Ordering::Relaxed);
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

    /// The plain text ([`Form::Text`]).
    pub fn text(&self) -> Cow<'_, str> {
        self.read(Form::Text)
    }

    /// The safe HTML ([`Form::Html`]).
    pub fn html(&self) -> Cow<'_, str> {
        self.read(Form::Html)
    }

    /// The Markdown as written ([`Form::Markdown`]).
    pub fn markdown(&self) -> Cow<'_, str> {
        self.read(Form::Markdown)
    }

    /// A form's length in bytes, without reading a stored body.
    pub fn len(&self, form: Form) -> usize {
        match &self.0 {
            Repr::Owned(forms) => forms[form as usize].len(),
            Repr::Stored { lens, .. } => lens[form as usize] as usize,
        }
    }
}

impl Clone for Body {
    fn clone(&self) -> Self {
        match &self.0 {
            Repr::Owned(forms) => Body(Repr::Owned(forms.clone())),
            Repr::Stored {
                file,
                start,
                lens,
                checked,
            } => Body(Repr::Stored {
                file: Arc::clone(file),
                start: *start,
                lens: *lens,
                checked: AtomicU8::new(checked.load(Ordering::Relaxed)),
            }),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("text", &self.text())
            .field("html", &self.html())
            .field("markdown", &self.markdown())
            .finish()
    }
}

/// Equal when every form reads the same, wherever each is held.
impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        Form::ALL
            .iter()
            .all(|&f| self.len(f) == other.len(f) && self.read(f) == other.read(f))
    }
}

impl Eq for Body {}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_stored_body_reads_each_form_from_its_span_and_damage_reads_as_empty() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let mut bytes = "앞 ".as_bytes().to_vec();
        let start = bytes.len() as u64;
        let forms = ["환불 안내", "<p>환불 <b>안내</b></p>", "환불 **안내**"];
        for form in forms {
            bytes.extend_from_slice(form.as_bytes());
        }
        let lens = forms.map(|s| s.len() as u32);
        bytes.extend_from_slice(&[0xff, 0xfe]);
        f.write_all(&bytes).unwrap();
        f.flush().unwrap();
        let file = Arc::new(f.reopen().unwrap());
        let b = Body::stored(Arc::clone(&file), start, lens);
        // Read twice: the second read skips the UTF-8 check, same text.
        for _ in 0..2 {
            assert_eq!(b.text(), "환불 안내");
            assert_eq!(b.html(), "<p>환불 <b>안내</b></p>");
            assert_eq!(b.markdown(), "환불 **안내**");
        }
        assert_eq!(b.len(Form::Html), forms[1].len());
        let owned = Body::new(forms[0].into(), forms[1].into(), forms[2].into());
        assert_eq!(b, owned);
        assert_eq!(b.clone(), owned);
        // Not UTF-8, or past the end: empty, never a panic or an invalid str.
        let end = bytes.len() as u64;
        let damaged = Body::stored(Arc::clone(&file), end - 2, [1, 1, 0]);
        assert_eq!((damaged.text(), damaged.html()), ("".into(), "".into()));
        assert_eq!(Body::stored(file, end, [10, 0, 0]).text(), "");
    }

    #[test]
    fn a_stored_body_keeps_nothing_in_memory_between_reads() {
        // The reason it is not memory-mapped: nothing of the file stays
        // counted in the process after a read. Each read is a fresh buffer.
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let body = "세금계산서 발행 안내\n".repeat(2_000);
        f.write_all(body.as_bytes()).unwrap();
        f.flush().unwrap();
        let b = Body::stored(Arc::new(f.reopen().unwrap()), 0, [body.len() as u32, 0, 0]);
        let (x, y) = (b.text(), b.text());
        assert_eq!(x, body);
        assert!(matches!(x, Cow::Owned(_)) && matches!(y, Cow::Owned(_)));
        assert_ne!(x.as_ptr(), y.as_ptr());
        // A body in memory is borrowed.
        let owned = Body::new("환불".into(), String::new(), "환불".into());
        assert!(matches!(owned.text(), Cow::Borrowed("환불")));
    }

    #[test]
    fn a_body_is_small() {
        // What an entry pays for its answer whatever its length.
        assert!(std::mem::size_of::<Body>() <= 32);
    }
}
