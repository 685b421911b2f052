//! A seeded corpus generator for benchmarks at help-center scale.
//!
//! `doum generate --entries N --seed S --out DIR` composes N entries from a
//! real content directory (default the sample content), so anyone can rebuild
//! the same 10,000- or 100,000-entry corpus:
//!
//! - title: the first half (by words) of one real title, then the second half
//!   of another;
//! - service and category of one random entry, keywords of another, the
//!   update date of a third;
//! - body: k random real sentences (non-empty lines of the Markdown bodies:
//!   paragraphs, list items, notes), k the line count of a random real entry.
//!
//! The same source, N and seed give byte-identical files. Synonyms and
//! holidays are copied from the source and `rules/` is left empty (rules
//! name real entries), so the corpus can be served. The
//! output is written to a temporary directory beside `DIR` and renamed into
//! place, so a failed run leaves nothing half-written.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::content::Content;

/// A small, fast, seedable generator (SplitMix64): the same seed always
/// gives the same corpus, on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }
}

#[derive(Serialize)]
struct FrontMatter<'a> {
    id: String,
    title: String,
    service: &'a str,
    category: &'a [String],
    keywords: Vec<&'a str>,
    updated: String,
}

/// One generated entry file: its path below `faq/` and its text.
pub struct Generated {
    /// Relative path below the corpus' `faq/` folder.
    pub path: String,
    /// The Markdown file (front matter and body).
    pub text: String,
}

/// Composes entry `n` of a corpus from `source` (deterministic in `rng`).
fn compose(
    source: &Content,
    lines: &[&str],
    counts: &[usize],
    n: usize,
    rng: &mut Rng,
) -> Result<Generated> {
    let entries = source.entries();
    let pick = |rng: &mut Rng| &entries[rng.below(entries.len())];
    let (a, b) = (pick(rng), pick(rng));
    let wa: Vec<&str> = a.title.split_whitespace().collect();
    let wb: Vec<&str> = b.title.split_whitespace().collect();
    let mut words: Vec<&str> = wa[..wa.len().div_ceil(2)].to_vec();
    words.extend_from_slice(&wb[wb.len() / 2..]);
    let title = words.join(" ");
    let cat = pick(rng);
    let kw = pick(rng);
    let date = pick(rng);
    let k = counts[rng.below(counts.len())].max(1);
    let mut body = String::new();
    for _ in 0..k {
        body.push_str(lines[rng.below(lines.len())]);
        body.push_str("\n\n");
    }
    let id = format!("gen-{n:06}");
    let front = FrontMatter {
        id: id.clone(),
        title,
        service: &cat.service,
        category: cat.category.levels(),
        keywords: kw.keywords.iter().collect(),
        updated: date.updated.format("%Y-%m-%d").to_string(),
    };
    let yaml = serde_yaml::to_string(&front).context("writing front matter")?;
    Ok(Generated {
        path: format!("g{:03}/{id}.md", n / 1000),
        text: format!("---\n{yaml}---\n{body}"),
    })
}

/// Every generated entry of an `entries`-sized corpus from `source` with `seed`.
pub fn corpus(source: &Content, entries: usize, seed: u64) -> Result<Vec<Generated>> {
    if source.entries().is_empty() {
        bail!("the source content has no entries to compose from");
    }
    let bodies: Vec<_> = source.entries().iter().map(|e| e.body.markdown()).collect();
    let per_entry: Vec<Vec<&str>> = bodies
        .iter()
        .map(|body| {
            body.lines()
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty())
                .collect()
        })
        .collect();
    let counts: Vec<usize> = per_entry.iter().map(Vec::len).collect();
    let lines: Vec<&str> = per_entry.into_iter().flatten().collect();
    let mut rng = Rng::new(seed);
    (0..entries)
        .map(|n| compose(source, &lines, &counts, n, &mut rng))
        .collect()
}

/// Writes a generated corpus to `out` (which must not exist yet), with the
/// source's synonyms and holidays and no rules (rules name real entries).
pub fn write(
    source_dir: &Path,
    source: &Content,
    entries: usize,
    seed: u64,
    out: &Path,
) -> Result<()> {
    if out.exists() {
        bail!(
            "{} already exists: remove it or choose another --out",
            out.display()
        );
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".doum-generate-")
        .tempdir_in(parent)
        .context("creating a temporary directory")?;
    let faq = staging.path().join("faq");
    for g in corpus(source, entries, seed)? {
        let path = faq.join(&g.path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&path, g.text).with_context(|| format!("writing {}", path.display()))?;
    }
    // Rules name real entries; the corpus gets an empty rules folder.
    fs::create_dir_all(staging.path().join("rules"))?;
    for name in ["synonyms.yaml", "holidays.yaml"] {
        let from = source_dir.join(name);
        if from.exists() {
            copy(&from, &staging.path().join(name))?;
        }
    }
    let staging = staging.keep();
    fs::rename(&staging, out).with_context(|| format!("moving the corpus to {}", out.display()))?;
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if from.is_dir() {
        fs::create_dir_all(to)?;
        for e in fs::read_dir(from)? {
            let e = e?;
            copy(&e.path(), &to.join(e.file_name()))?;
        }
    } else {
        fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn the_generator_is_seeded_and_uniform_enough() {
        let a: Vec<usize> = {
            let mut r = Rng::new(7);
            (0..1000).map(|_| r.below(10)).collect()
        };
        let mut r = Rng::new(7);
        assert!(a.iter().all(|&x| x == r.below(10)));
        for v in 0..10 {
            let n = a.iter().filter(|&&x| x == v).count();
            assert!((50..150).contains(&n), "{v}: {n}");
        }
    }
}
