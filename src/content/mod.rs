//! FAQ content: entries (Markdown files with YAML front matter) and synonyms,
//! loaded from a content directory and validated as a whole.
//!
//! Layout of a content directory (a public contract, see [`load`]):
//! ```text
//! content/
//!   synonyms.yaml          optional, see [`synonyms`]
//!   faq/**/<id>.md         one entry per file, any folder depth
//! ```
//! Parse, don't validate: once [`Content::load`] returns `Ok`, every
//! [`Entry`] is valid and every cross-reference resolves.

use std::path::{Path, PathBuf};

pub mod body;
pub mod catalog;
pub mod entry;
pub mod error;
pub mod facts;
pub mod keywords;
pub(crate) mod lines;
pub mod load;
pub mod markdown;
pub mod synonyms;

pub use body::{Body, Form};
pub use catalog::{Catalog, Category};
pub use entry::{CategoryPath, Entry, EntryId, InvalidCategory, InvalidEntryId};
pub use error::{ContentError, ContentErrors};
pub use facts::SharedFacts;
pub use keywords::{InvalidKeyword, Keywords};
pub use synonyms::Synonyms;

/// A validated content directory.
///
/// Invariants: entries are sorted by id and ids are unique; every
/// `related` id of every entry resolves with [`get`](Self::get).
#[derive(Clone, Debug)]
pub struct Content {
    entries: Vec<Entry>,
    synonyms: Synonyms,
    facts: SharedFacts,
    root: PathBuf,
    /// Built on first use ([`Self::catalog`]).
    catalog: std::sync::OnceLock<Catalog>,
}

impl Content {
    /// Loads and validates the content directory `dir` (the folder holding
    /// `faq/` and optionally `synonyms.yaml`).
    ///
    /// On failure returns every problem found (never an empty list), sorted by
    /// file then line; file paths in errors and in [`Entry::source`] start with
    /// the last component of `dir` (e.g. `content/faq/x.md`).
    pub fn load(dir: &Path) -> Result<Content, ContentErrors> {
        let loaded = load::load(dir)?;
        Ok(Content {
            entries: loaded.entries,
            synonyms: loaded.synonyms,
            facts: loaded.facts,
            root: dir.to_path_buf(),
            catalog: std::sync::OnceLock::new(),
        })
    }

    /// Content read back from an index's snapshot (see
    /// [`crate::search::snapshot`]): `entries` are those of a [`Content`]
    /// that was loaded and validated (sorted by id, references resolved).
    /// The shared facts are read again from `root` (one small file; they are
    /// already substituted into the entries).
    pub fn from_snapshot(entries: Vec<Entry>, synonyms: Synonyms, root: PathBuf) -> Content {
        let facts = SharedFacts::load(&root).unwrap_or_else(|_| SharedFacts::empty());
        Content {
            entries,
            synonyms,
            facts,
            root,
            catalog: std::sync::OnceLock::new(),
        }
    }

    /// All entries, sorted by id.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The categories as a tree and the entries newest first, built on
    /// first use (see [`Catalog`]).
    pub fn catalog(&self) -> &Catalog {
        self.catalog.get_or_init(|| Catalog::new(&self.entries))
    }

    /// The entry with this id, if any.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.position(id).map(|i| &self.entries[i])
    }

    /// The position of the entry with this id in [`entries`](Self::entries).
    /// (A binary search: the entries are sorted by id, so no map of ids is
    /// kept beside them; at 100,000 entries that map took about 9 MB.)
    pub fn position(&self, id: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
    }

    /// The synonym groups ([`Synonyms::empty`] if there is no `synonyms.yaml`).
    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    /// The shared values of `facts.yaml` (empty if there is none), already
    /// substituted into every entry body.
    pub fn facts(&self) -> &SharedFacts {
        &self.facts
    }

    /// The content directory as passed to [`load`](Self::load).
    pub fn root(&self) -> &Path {
        &self.root
    }
}
