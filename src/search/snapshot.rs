//! The content snapshot written beside each index, for a fast start.
//!
//! Parsing and rendering 100,000 Markdown files takes seconds; `doum serve`
//! should answer in well under one. So `doum index` writes, beside the
//! tantivy files, the validated content it indexed (`content.bin`, a compact
//! length-prefixed binary form) and a cheap stamp of the content directory
//! (every file's path, size and modification time, see [`content_stamp`]).
//! When the directory's stamp still matches, the content is read back from
//! the snapshot instead of being parsed again; otherwise it is loaded,
//! validated and indexed as usual.
//!
//! The snapshot is an internal format of one doum version: its header names
//! the format version, and an index built by another schema version is
//! rebuilt anyway (see [`super::build::SCHEMA_VERSION`]).

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use crate::content::load::{FAQ_DIR, SYNONYMS_FILE};
use crate::content::{Body, CategoryPath, Content, Entry, EntryId, Form, Keywords, Synonyms};

/// File name of the snapshot inside an index build directory.
pub const FILE: &str = "content.bin";
const MAGIC: &[u8; 8] = b"DOUMSNP3";

/// A cheap fingerprint of the content directory: SHA-256 over the relative
/// path, size and modification time (ns) of every file under `faq/` and of
/// the synonyms file, in path order. Reading no file's text, it costs one
/// `stat` per file. (Content written with the same size within the same
/// mtime tick is not noticed; `doum index` always rebuilds.)
pub fn content_stamp(dir: &Path) -> Result<String> {
    let mut files: Vec<(PathBuf, u64, i128)> = Vec::new();
    walk(dir, Path::new(FAQ_DIR), &mut files, 0)?;
    for name in [SYNONYMS_FILE, "synonyms.yml"] {
        if let Ok(m) = fs::metadata(dir.join(name)) {
            files.push((PathBuf::from(name), m.len(), mtime(&m)));
        }
    }
    files.sort();
    let mut h = Sha256::new();
    for (path, len, time) in &files {
        h.update(path.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(len.to_le_bytes());
        h.update(time.to_le_bytes());
    }
    Ok(format!("{:x}", h.finalize()))
}

fn mtime(m: &fs::Metadata) -> i128 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<(PathBuf, u64, i128)>, depth: usize) -> Result<()> {
    if depth > 32 {
        bail!("{}: folders nested too deep", rel.display());
    }
    let dir = root.join(rel);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(());
    };
    for e in entries {
        let e = e.with_context(|| format!("reading {}", dir.display()))?;
        let path = rel.join(e.file_name());
        let m = fs::metadata(root.join(&path))?;
        if m.is_dir() {
            walk(root, &path, out, depth + 1)?;
        } else {
            out.push((path, m.len(), mtime(&m)));
        }
    }
    Ok(())
}

/// Writes `content` as a snapshot file.
///
/// Layout: the magic, the length of the metadata section, the metadata
/// section (synonyms; per entry every field but the body, and where its
/// body is), then the bodies, entry after entry, each its plain text, HTML
/// and Markdown one after the other (see [`Body::stored`]). A server reads
/// the metadata section and leaves the bodies in the file.
pub fn write(path: &Path, content: &Content) -> Result<()> {
    let entries = content.entries();
    let file = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = Writer::new(std::io::BufWriter::with_capacity(1 << 16, file));
    w.bytes(MAGIC);
    // The metadata's length, written once known (the metadata is streamed:
    // at 100,000 entries it is tens of megabytes, at the build's peak).
    w.bytes(&0u64.to_le_bytes());
    let groups = content.synonyms().groups();
    w.len(groups.len());
    for g in groups {
        w.strs(g);
    }
    w.len(entries.len());
    // Where each body starts within the body section.
    let mut offset = 0u64;
    for e in entries {
        w.str(e.id.as_str());
        w.str(&e.title);
        w.str(&e.service);
        w.strs(e.category.levels());
        w.strs(&e.keywords.iter().collect::<Vec<_>>());
        w.bytes(&e.updated.num_days_from_ce().to_le_bytes());
        match &e.decision {
            Some(d) => {
                w.bytes(&[1]);
                w.str(d);
            }
            None => w.bytes(&[0]),
        }
        w.len(e.related.len());
        for r in &e.related {
            w.str(r.as_str());
        }
        w.str(&e.source.to_string_lossy());
        w.bytes(&offset.to_le_bytes());
        for form in Form::ALL {
            let len = e.body.len(form);
            w.len(len);
            offset += len as u64;
        }
    }
    let meta_len = w.written - 16;
    for e in entries {
        for form in Form::ALL {
            w.bytes(e.body.read(form).as_bytes());
        }
    }
    let what = || format!("writing {}", path.display());
    w.error.with_context(what)?;
    let mut file = w
        .out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(what)?;
    file.seek(SeekFrom::Start(8)).with_context(what)?;
    file.write_all(&meta_len.to_le_bytes()).with_context(what)
}

/// Reads a snapshot written by [`write()`]; `root` becomes the content's root.
/// Only the metadata section is read; the bodies stay in the file and are
/// read one at a time when used (see [`Body`]).
pub fn read(path: &Path, root: &Path) -> Result<Content> {
    let what = || format!("reading {}", path.display());
    let mut file = fs::File::open(path).with_context(what)?;
    let mut head = [0u8; 16];
    file.read_exact(&mut head)
        .with_context(|| format!("{}: the content snapshot is truncated", path.display()))?;
    if &head[..8] != MAGIC {
        bail!(
            "{}: not a doum content snapshot of this version",
            path.display()
        );
    }
    let meta_len = u64::from_le_bytes(head[8..].try_into()?);
    let file_len = file.metadata().with_context(what)?.len();
    if meta_len > file_len - 16 {
        bail!("{}: the content snapshot is truncated", path.display());
    }
    let mut bytes = vec![0u8; meta_len as usize];
    file.read_exact(&mut bytes).with_context(what)?;
    // The bodies stay in the file, read one at a time when asked for (see
    // `Body`). The snapshot belongs to one index build, which is written once
    // into a fresh directory and never modified in place (only deleted,
    // which leaves an open file readable).
    let file = Arc::new(file);
    let body_start = 16 + meta_len;
    let mut r = Reader {
        bytes: &bytes,
        at: 0,
    };
    let groups = (0..r.len()?)
        .map(|_| r.strs())
        .collect::<Result<Vec<_>>>()?;
    let synonyms = Synonyms::from_groups(groups).map_err(anyhow::Error::msg)?;
    let n = r.len()?;
    let mut entries = Vec::with_capacity(n);
    // A help center has a few services and dozens of categories for
    // thousands of entries: entries of one category share one path, those of
    // one service one name.
    let mut paths: HashMap<Vec<String>, CategoryPath> = HashMap::new();
    let mut services: HashMap<String, Arc<str>> = HashMap::new();
    for _ in 0..n {
        let id: EntryId = r.string()?.try_into()?;
        let title = r.string()?;
        let service = r.string()?;
        let service = Arc::clone(
            services
                .entry(service)
                .or_insert_with_key(|s| Arc::from(s.as_str())),
        );
        let levels = r.strs()?;
        let category = match paths.get(&levels) {
            Some(path) => path.clone(),
            None => {
                let path = CategoryPath::new(&levels)?;
                paths.insert(levels, path.clone());
                path
            }
        };
        let keywords = Keywords::new(r.strs()?)?;
        let days = i32::from_le_bytes(r.take(4)?.try_into()?);
        let updated = NaiveDate::from_num_days_from_ce_opt(days).context("a date out of range")?;
        let decision = match r.take(1)?[0] {
            0 => None,
            _ => Some(r.string()?),
        };
        let related = (0..r.len()?)
            .map(|_| Ok(EntryId::try_from(r.string()?)?))
            .collect::<Result<Vec<_>>>()?;
        let source = PathBuf::from(r.string()?);
        let start = body_start.saturating_add(u64::from_le_bytes(r.take(8)?.try_into()?));
        let mut lens = [0u32; 3];
        for len in &mut lens {
            *len = u32::try_from(r.len()?)?;
        }
        let end = lens
            .iter()
            .fold(start, |end, &l| end.saturating_add(l as u64));
        if end > file_len {
            bail!("{}: the content snapshot is truncated", path.display());
        }
        let body = Body::stored(Arc::clone(&file), start, lens);
        entries.push(Entry {
            id,
            title: title.into(),
            service,
            category,
            keywords,
            updated,
            decision: decision.map(String::into_boxed_str),
            related: related.into(),
            body,
            source: source.into(),
        });
    }
    if r.at != bytes.len() {
        bail!("{}: trailing bytes in the metadata", path.display());
    }
    // `Content` finds entries by binary search on their ids.
    if entries.windows(2).any(|w| w[0].id >= w[1].id) {
        bail!(
            "{}: the entries are not in order of their ids",
            path.display()
        );
    }
    Ok(Content::from_snapshot(
        entries,
        synonyms,
        root.to_path_buf(),
    ))
}

/// A buffered writer keeping its first error.
/// Writes the snapshot's fields, keeping the first error and counting bytes.
struct Writer<W: Write> {
    out: W,
    error: std::io::Result<()>,
    written: u64,
}

impl<W: Write> Writer<W> {
    fn new(out: W) -> Self {
        Writer {
            out,
            error: Ok(()),
            written: 0,
        }
    }
    fn bytes(&mut self, b: &[u8]) {
        if self.error.is_ok() {
            self.error = self.out.write_all(b);
            self.written += b.len() as u64;
        }
    }
    fn len(&mut self, n: usize) {
        self.bytes(&(n as u32).to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes(s.as_bytes());
    }
    fn strs<S: AsRef<str>>(&mut self, v: &[S]) {
        self.len(v.len());
        for s in v {
            self.str(s.as_ref());
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            bail!("the content snapshot is truncated");
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn len(&mut self) -> Result<usize> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into()?) as usize)
    }
    fn string(&mut self) -> Result<String> {
        let n = self.len()?;
        Ok(std::str::from_utf8(self.take(n)?)?.to_string())
    }
    fn strs(&mut self) -> Result<Vec<String>> {
        (0..self.len()?).map(|_| self.string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn a_snapshot_reads_back_the_same_content_and_the_stamp_sees_edits() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let content = Content::load(&src).expect("sample content");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        write(&file, &content).unwrap();
        let back = read(&file, &src).unwrap();
        assert_eq!(back.entries(), content.entries());
        assert_eq!(back.synonyms(), content.synonyms());
        for (i, e) in content.entries().iter().enumerate() {
            assert_eq!(back.position(e.id.as_str()), Some(i), "{}", e.id);
        }
        assert!(back.get("no-such-entry").is_none());
        // Entries of one category share one path, and of one service one name.
        let (a, b) = (&back.entries()[0], &back.entries()[1]);
        assert!(Arc::ptr_eq(&a.service, &b.service));
        let same = back
            .entries()
            .iter()
            .find(|o| o.id != a.id && o.category == a.category)
            .expect("two entries in one category");
        assert!(std::ptr::eq(a.category.levels(), same.category.levels()));

        // A truncated snapshot is an error, not a panic.
        let bytes = fs::read(&file).unwrap();
        fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
        assert!(read(&file, &src).is_err());

        // The stamp changes when a file changes size.
        let copy = dir.path().join("content");
        fs::create_dir_all(copy.join("faq")).unwrap();
        fs::write(copy.join("faq/a.md"), "x").unwrap();
        let before = content_stamp(&copy).unwrap();
        assert_eq!(before, content_stamp(&copy).unwrap());
        fs::write(copy.join("faq/a.md"), "xy").unwrap();
        assert_ne!(before, content_stamp(&copy).unwrap());
    }
}
