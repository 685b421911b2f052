//! The dictionary fields doum reads of a word (part of speech, kind,
//! expression), read from the word list by position ([`WordFields`]).
//!
//! lindera maps the whole word list (`dict.words`, 39.5 MB) into memory and
//! reads a token's fields through that map. The kernel maps 64 KB around
//! every page a read touches, so a server's resident memory grew by 22 MB
//! of word list over a few hundred questions, for a few thousand words of
//! about 45 bytes each. [`WordFields`] reads a word's record with `pread`
//! instead (one call for the offset, one for the record), and each thread
//! remembers the fields of the words it has read
//! ([`WORD_MEMO_LIMIT`]), so a word is read about once per thread.
//!
//! The layout is lindera 6.2's: `dict.wordsidx` holds one little-endian
//! `u32` offset per word id; at that offset `dict.words` holds a
//! little-endian `u32` length and that many bytes of NUL-joined fields.
//! [`WordFields::open`] checks that the files are the ones lindera mapped
//! and that a few records hold the schema's fields, and declines otherwise
//! (the analyzer then reads through lindera, as before); `tests/memory.rs`
//! compares 15,000 words with lindera's own reading.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::rc::Rc;

use lindera::dictionary::Dictionary;

/// Words a thread remembers before it starts afresh: about 160 bytes each
/// (three shared strings and the map's slot), so 2.5 MB per thread at most.
/// A server's threads meet a few thousand words; an index build of 100,000
/// entries took 16.6–17.6 s with this bound and 16.2–23.1 s with 65,536 (a
/// noisy machine: the same).
pub const WORD_MEMO_LIMIT: usize = 16_384;

/// The longest record read (a ko-dic record is under 300 bytes; anything
/// longer is a damaged file).
const MAX_RECORD: usize = 4_096;

/// The fields of one word doum uses: part of speech (field 0, e.g. `NNG` or
/// `VV+EP`), kind (field 4: `*`, `Inflect`, `Compound`, `Preanalysis`) and
/// expression (field 7, the parts of an inflected or compound word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub tag: Rc<str>,
    pub kind: Rc<str>,
    pub expression: Rc<str>,
}

impl Fields {
    /// Fields 0, 4 and 7 of `details` (`*` for a missing one).
    pub fn of<'a>(details: impl IntoIterator<Item = &'a str>) -> Self {
        let mut fields: [Option<&str>; 8] = [None; 8];
        for (slot, field) in fields.iter_mut().zip(details) {
            *slot = Some(field);
        }
        let field = |i: usize| Rc::from(fields[i].unwrap_or("*"));
        Fields {
            tag: field(0),
            kind: field(4),
            expression: field(7),
        }
    }
}

/// Remembered fields by word id, for the word lists of one analyzer.
struct WordMemo {
    owner: u64,
    words: HashMap<u32, Fields, foldhash::fast::RandomState>,
}

thread_local! {
    static MEMO: RefCell<WordMemo> = RefCell::new(WordMemo {
        owner: 0,
        words: HashMap::default(),
    });
}

/// Reads words' fields from a dictionary's word list files.
pub struct WordFields {
    offsets: File,
    records: File,
    /// Word ids the offsets file holds.
    count: u32,
}

impl WordFields {
    /// Opens the word list of the dictionary at `dir`, which `dictionary`
    /// was loaded from, without reading lindera's map of it; `None` (with
    /// the reason in the log) when the files cannot be read or are not laid
    /// out as this module reads them.
    pub fn open(dir: &Path, dictionary: &Dictionary) -> Option<Self> {
        match Self::try_open(dir, dictionary) {
            Ok(w) => Some(w),
            Err(why) => {
                tracing::warn!(
                    "reading the Korean dictionary's words through lindera's map ({why}): \
                     the server's resident memory will grow with the words it reads"
                );
                None
            }
        }
    }

    fn try_open(dir: &Path, dictionary: &Dictionary) -> Result<Self, String> {
        let open = |name: &str| {
            File::open(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let offsets = open("dict.wordsidx")?;
        let records = open("dict.words")?;
        let size = |f: &File| f.metadata().map(|m| m.len()).map_err(|e| e.to_string());
        // The files lindera mapped, by their sizes (the lengths of its maps
        // are known without reading them).
        let words = &dictionary.prefix_dictionary;
        if size(&offsets)? != words.words_idx_data.len() as u64
            || size(&records)? != words.words_data.len() as u64
        {
            return Err("dict.words or dict.wordsidx is not the file lindera mapped".into());
        }
        let count = u32::try_from(words.words_idx_data.len() / 4)
            .map_err(|_| "dict.wordsidx is too large".to_string())?;
        if count == 0 {
            return Err("dict.wordsidx is empty".into());
        }
        let reader = WordFields {
            offsets,
            records,
            count,
        };
        // The layout, checked on the first, a middle and the last word: a
        // record of the schema's fields. Not against lindera's reading, which
        // would read its map (`tests/memory.rs` compares 15,000 words).
        let fields = dictionary
            .metadata
            .dictionary_schema
            .get_custom_fields()
            .len();
        for id in [0, count / 2, count - 1] {
            let record = reader.record(id);
            if record.as_deref().map(|r| r.split('\0').count()) != Some(fields) {
                return Err(format!(
                    "word {id} reads {record:?}, not {fields} NUL-separated fields"
                ));
            }
        }
        Ok(reader)
    }

    /// The fields of word `id`, remembered on this thread for the analyzer
    /// `owner`; `None` when the id is out of range or its record is damaged.
    pub fn fields(&self, owner: u64, id: u32) -> Option<Fields> {
        let hit = MEMO.with(|m| {
            let m = m.borrow();
            (m.owner == owner)
                .then(|| m.words.get(&id).cloned())
                .flatten()
        });
        if hit.is_some() {
            return hit;
        }
        let fields = self.read(id)?;
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            if m.owner != owner || m.words.len() >= WORD_MEMO_LIMIT {
                m.words.clear();
                m.owner = owner;
            }
            m.words.insert(id, fields.clone());
        });
        Some(fields)
    }

    /// Reads word `id`'s fields from the files.
    fn read(&self, id: u32) -> Option<Fields> {
        Some(Fields::of(self.record(id)?.split('\0')))
    }

    /// Word `id`'s record: its fields joined by NUL.
    fn record(&self, id: u32) -> Option<String> {
        if id >= self.count {
            return None;
        }
        let mut offset = [0u8; 4];
        self.offsets
            .read_exact_at(&mut offset, u64::from(id) * 4)
            .ok()?;
        let offset = u64::from(u32::from_le_bytes(offset));
        // Most records fit in one read of 128 bytes with their length.
        let mut head = [0u8; 128];
        let got = read_some_at(&self.records, &mut head, offset)?;
        let len = u32::from_le_bytes(head.get(..4)?.try_into().ok()?) as usize;
        if len > MAX_RECORD {
            return None;
        }
        let record = if 4 + len <= got {
            head[4..4 + len].to_vec()
        } else {
            let mut rest = vec![0u8; len];
            self.records.read_exact_at(&mut rest, offset + 4).ok()?;
            rest
        };
        String::from_utf8(record).ok()
    }
}

/// Reads up to `buf.len()` bytes at `offset` (fewer at the end of the file).
fn read_some_at(file: &File, buf: &mut [u8], offset: u64) -> Option<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(got)
}
