//! Loading and validating a content directory.
//!
//! Layout: `<content>/faq/**/*.md` (any depth; one entry per file; other
//! files, and files or folders whose name starts with `.`, are ignored) and
//! the optional `<content>/synonyms.yaml`.
//!
//! Every problem is collected, none stops the scan: per file all front-matter
//! problems are reported (each key is checked on its own, rather than
//! stopping at serde's first error), then the cross-file checks (duplicate
//! ids, `related` ids that do not exist) run over every id that was readable.

//!
//! One file's parse, front matter and body, is in `file.rs`.

mod file;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::entry::{Entry, EntryId};
use super::error::{ContentError, ContentErrors};
use super::facts::SharedFacts;
use super::synonyms::{self, Synonyms};
use file::{FileParse, parse_file};

/// The front-matter keys, in documentation order. Any other key is an error.
pub const KNOWN_KEYS: [&str; 8] = [
    "id", "title", "service", "category", "keywords", "updated", "decision", "related",
];

/// Name of the entries folder inside the content directory.
pub const FAQ_DIR: &str = "faq";
/// Name of the optional synonyms file inside the content directory.
pub const SYNONYMS_FILE: &str = "synonyms.yaml";

/// Folder nesting deeper than this below `faq/` is reported (guards against
/// symlink loops).
const MAX_DEPTH: usize = 32;

/// What a content directory holds once validated.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Sorted by id, ids unique.
    pub entries: Vec<Entry>,
    pub synonyms: Synonyms,
    pub facts: SharedFacts,
}

/// The path prefix shown in errors for files of `dir`: its last component
/// (`/srv/site/content` → `content`), so errors read `content/faq/x.md`.
pub fn display_root(dir: &Path) -> PathBuf {
    if let Some(name) = dir.file_name() {
        return PathBuf::from(name);
    }
    match fs::canonicalize(dir) {
        Ok(abs) => abs
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.to_path_buf()),
        Err(_) => dir.to_path_buf(),
    }
}

/// Loads and validates `dir`. On error returns every problem found, sorted by
/// file then line.
pub(crate) fn load(dir: &Path) -> Result<Loaded, ContentErrors> {
    let shown = display_root(dir);
    let mut errors = Vec::new();

    if !dir.is_dir() {
        return Err(ContentError::new(
            &shown,
            0,
            format!(
                "content directory `{}` does not exist (or is not a directory)",
                dir.display()
            ),
        )
        .into());
    }

    let synonyms = load_synonyms(dir, &shown, &mut errors);
    let shared = SharedFacts::load(dir).unwrap_or_else(|e| {
        errors.extend(e);
        SharedFacts::empty()
    });

    let faq = dir.join(FAQ_DIR);
    let mut files = Vec::new();
    if faq.is_dir() {
        collect_markdown(&faq, Path::new(FAQ_DIR), 0, &shown, &mut files, &mut errors);
    } else {
        errors.push(ContentError::new(
            shown.join(FAQ_DIR),
            0,
            format!(
                "no `{FAQ_DIR}/` directory: create `{}` and put one Markdown file per FAQ entry in it (any folder depth)",
                dir.join(FAQ_DIR).display()
            ),
        ));
    }
    files.sort();

    let mut parsed = Vec::with_capacity(files.len());
    for file in parse_files(dir, &shown, &files, &shared) {
        match file {
            Ok(file) => {
                errors.extend(file.errors.iter().cloned());
                parsed.push(file);
            }
            Err(e) => errors.push(e),
        }
    }

    // Cross-file checks over every id that could be read.
    let mut first: HashMap<&EntryId, (&Path, usize)> = HashMap::new();
    for file in &parsed {
        if let Some((id, line)) = &file.id {
            match first.get(id) {
                Some((other, other_line)) => errors.push(ContentError::new(
                    &file.source,
                    *line,
                    format!(
                        "duplicate id `{id}`: also used in {}:{other_line}",
                        other.display()
                    ),
                )),
                None => {
                    first.insert(id, (&file.source, *line));
                }
            }
        }
    }
    // A file whose id could not be read probably has its stem as id: do not
    // also report entries relating to it as missing.
    let unreadable: HashSet<&str> = parsed
        .iter()
        .filter(|f| f.id.is_none())
        .map(|f| f.stem.as_str())
        .collect();
    for file in &parsed {
        if let Some((related, line)) = &file.related {
            for id in related {
                if !first.contains_key(id) && !unreadable.contains(id.as_str()) {
                    errors.push(ContentError::new(
                        &file.source,
                        *line,
                        format!("related entry `{id}` does not exist"),
                    ));
                }
            }
        }
    }

    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(ContentErrors(errors));
    }
    let mut entries: Vec<Entry> = parsed.into_iter().filter_map(|f| f.entry).collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Loaded {
        entries,
        synonyms,
        facts: shared,
    })
}

/// Reads and parses `files` (relative to `dir`), in order; on as many
/// threads as there are cores (up to 4) when there are many: parsing is
/// most of loading a large content, and files are independent.
fn parse_files(
    dir: &Path,
    shown: &Path,
    files: &[PathBuf],
    shared: &SharedFacts,
) -> Vec<Result<FileParse, ContentError>> {
    let one = |rel: &PathBuf| read_and_parse(dir, shown, rel, shared);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || files.len() < PARALLEL_FROM {
        return files.iter().map(one).collect();
    }
    let per_thread = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = files
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Below this many files, parsing stays on the calling thread.
const PARALLEL_FROM: usize = 512;

/// One Markdown file, read and parsed; an error when it cannot be read as
/// UTF-8 text.
fn read_and_parse(
    dir: &Path,
    shown: &Path,
    rel: &Path,
    shared: &SharedFacts,
) -> Result<FileParse, ContentError> {
    let source = shown.join(rel);
    let text = match fs::read(dir.join(rel)) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| ContentError::new(&source, 0, "file is not valid UTF-8"))?,
        Err(e) => {
            return Err(ContentError::new(
                &source,
                0,
                format!("cannot read file: {e}"),
            ));
        }
    };
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(parse_file(&text, &source, &stem, shared))
}

fn load_synonyms(dir: &Path, shown: &Path, errors: &mut Vec<ContentError>) -> Synonyms {
    let yml = dir.join("synonyms.yml");
    if yml.exists() {
        errors.push(ContentError::new(
            shown.join("synonyms.yml"),
            0,
            format!("rename this file to `{SYNONYMS_FILE}` (it is otherwise ignored)"),
        ));
    }
    let path = dir.join(SYNONYMS_FILE);
    let source = shown.join(SYNONYMS_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => match synonyms::parse(&text, &source) {
            Ok(s) => s,
            Err(errs) => {
                errors.extend(errs);
                Synonyms::empty()
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Synonyms::empty(),
        Err(e) => {
            errors.push(ContentError::new(
                source,
                0,
                format!("cannot read file: {e}"),
            ));
            Synonyms::empty()
        }
    }
}

/// Collects `.md` files below `abs` (whose path relative to the content dir
/// is `rel`) into `out`, as paths relative to the content dir.
fn collect_markdown(
    abs: &Path,
    rel: &Path,
    depth: usize,
    shown: &Path,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<ContentError>,
) {
    if depth > MAX_DEPTH {
        errors.push(ContentError::new(
            shown.join(rel),
            0,
            format!("folders nested deeper than {MAX_DEPTH} levels (a symlink loop?)"),
        ));
        return;
    }
    let read = match fs::read_dir(abs) {
        Ok(read) => read,
        Err(e) => {
            errors.push(ContentError::new(
                shown.join(rel),
                0,
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    for item in read {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                errors.push(ContentError::new(
                    shown.join(rel),
                    0,
                    format!("cannot read directory: {e}"),
                ));
                continue;
            }
        };
        let name = item.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue; // hidden files, editor lock files
        }
        let path = item.path();
        let child_rel = rel.join(&name);
        // fs::metadata follows symlinks.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                collect_markdown(&path, &child_rel, depth + 1, shown, out, errors)
            }
            Ok(meta) if meta.is_file() => {
                let is_md = path
                    .extension()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
                if is_md {
                    out.push(child_rel);
                }
            }
            Ok(_) => {}
            Err(e) => errors.push(ContentError::new(
                shown.join(&child_rel),
                0,
                format!("cannot read: {e}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_root_is_last_component() {
        assert_eq!(
            display_root(Path::new("/srv/site/content")),
            Path::new("content")
        );
        assert_eq!(display_root(Path::new("content/")), Path::new("content"));
    }
}
