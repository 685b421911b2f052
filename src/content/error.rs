//! Content validation errors.

use std::fmt;
use std::path::PathBuf;

/// One problem in the content directory, located at a file and line.
///
/// `file` is the path as shown to the author: the content directory's last
/// component joined with the path inside it, e.g. `content/faq/x.md`.
/// `line` is 1-based; `0` means the problem concerns the file or directory as
/// a whole (e.g. a missing `faq/` directory) and is then omitted from `Display`.
///
/// `Display`: `content/faq/x.md:3: unknown key `titel` (expected one of id, title, ...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentError {
    /// The file (or directory) with the problem.
    pub file: PathBuf,
    /// 1-based line, or 0 for "the whole file/directory".
    pub line: usize,
    /// What is wrong, in one line, for a human.
    pub message: String,
}

impl ContentError {
    /// Creates an error.
    pub fn new(file: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        ContentError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

impl std::error::Error for ContentError {}

/// Every problem found while loading a content directory (never empty when
/// returned by [`Content::load`](super::Content::load)), sorted by file then line.
///
/// `Display`: one [`ContentError`] per line, no trailing newline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentErrors(pub Vec<ContentError>);

impl ContentErrors {
    /// The individual errors.
    pub fn errors(&self) -> &[ContentError] {
        &self.0
    }

    /// Number of errors.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no errors (never true for a returned `Err`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

impl From<ContentError> for ContentErrors {
    fn from(e: ContentError) -> Self {
        ContentErrors(vec![e])
    }
}

impl IntoIterator for ContentErrors {
    type Item = ContentError;
    type IntoIter = std::vec::IntoIter<ContentError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
