//! Reads MeCab's compiled dictionary files back into MeCab's source form.
//!
//! The PyPI wheel `python-mecab-ko-dic` ships mecab-ko-dic compiled by MeCab
//! (`sys.dic`, `unk.dic`, `matrix.bin`, `char.bin`). lindera's
//! `DictionaryBuilder` wants the source form (entry CSVs, `matrix.def`,
//! `char.def`, `unk.def`). This module is the bridge: it decodes each binary
//! and writes the equivalent source file, keeping same-surface entries in
//! MeCab's token-table order (that order breaks ties in the lattice).
//!
//! Binary layouts (all little-endian):
//! - `sys.dic`/`unk.dic`: ten `u32` (magic, version = 102, type, lexsize,
//!   lsize, rsize, dsize, tsize, fsize, dummy), a 32-byte charset name, then a
//!   Darts double array (`dsize` bytes of `(i32 base, u32 check)` units), the
//!   token table (`tsize` bytes of 16-byte records) and the feature pool.
//! - `matrix.bin`: `u16 lsize, u16 rsize`, then `lsize*rsize` `i16` costs,
//!   `cost(l, r)` at `l + lsize*r`.
//! - `char.bin`: `u32` category count, 32-byte names, then one `u32` per code
//!   point 0..0xFFFF (categories bits 0-17, default 18-25, length 26-29,
//!   group 30, invoke 31).

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};

const MAGIC_XOR: u32 = 0xEF71_8F77;
const DIC_VERSION: u32 = 102;
const HEADER_LEN: usize = 10 * 4 + 32;
const TOKEN_LEN: usize = 16;

/// One dictionary token as MeCab stores it.
#[derive(Debug, Clone, Copy)]
struct Token {
    left_id: u16,
    right_id: u16,
    cost: i16,
    feature: u32,
}

/// A decoded `sys.dic` or `unk.dic`: every (surface, token) pair in trie
/// order, each surface's tokens in token-table order.
pub struct MecabDictionary {
    entries: Vec<(Vec<u8>, Token)>,
    features: Vec<u8>,
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

impl MecabDictionary {
    /// Decodes a compiled MeCab dictionary file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        ensure!(
            bytes.len() >= HEADER_LEN,
            "file too short for a MeCab header"
        );
        let magic = u32_at(bytes, 0);
        ensure!(
            (magic ^ MAGIC_XOR) as usize == bytes.len(),
            "bad magic: not a MeCab dictionary, or truncated"
        );
        let version = u32_at(bytes, 4);
        ensure!(
            version == DIC_VERSION,
            "unsupported MeCab dictionary version {version}"
        );
        let lexsize = u32_at(bytes, 12) as usize;
        let dsize = u32_at(bytes, 24) as usize;
        let tsize = u32_at(bytes, 28) as usize;
        let fsize = u32_at(bytes, 32) as usize;
        let charset_end = bytes[40..72].iter().position(|&b| b == 0).unwrap_or(32);
        let charset = std::str::from_utf8(&bytes[40..40 + charset_end]).unwrap_or("?");
        ensure!(
            charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8"),
            "unsupported charset {charset}"
        );
        ensure!(
            HEADER_LEN + dsize + tsize + fsize <= bytes.len(),
            "section sizes exceed the file"
        );
        ensure!(tsize == lexsize * TOKEN_LEN, "token table size mismatch");

        let da = &bytes[HEADER_LEN..HEADER_LEN + dsize];
        let units = dsize / 8;
        let base = |i: usize| i32::from_le_bytes(da[i * 8..i * 8 + 4].try_into().expect("4"));
        let check = |i: usize| u32::from_le_bytes(da[i * 8 + 4..i * 8 + 8].try_into().expect("4"));

        let tokens_bytes = &bytes[HEADER_LEN + dsize..HEADER_LEN + dsize + tsize];
        let token = |i: usize| {
            let t = &tokens_bytes[i * TOKEN_LEN..(i + 1) * TOKEN_LEN];
            Token {
                left_id: u16::from_le_bytes([t[0], t[1]]),
                right_id: u16::from_le_bytes([t[2], t[3]]),
                cost: i16::from_le_bytes([t[6], t[7]]),
                feature: u32::from_le_bytes([t[8], t[9], t[10], t[11]]),
            }
        };
        let features =
            bytes[HEADER_LEN + dsize + tsize..HEADER_LEN + dsize + tsize + fsize].to_vec();

        // Depth-first walk of the double array, children in byte order, so
        // the output is sorted by surface bytes.
        let mut entries = Vec::with_capacity(lexsize);
        let mut stack: Vec<(usize, Vec<u8>)> = vec![(base(0) as usize, Vec::new())];
        while let Some((b, key)) = stack.pop() {
            if b < units && check(b) as usize == b && base(b) < 0 {
                let value = (-base(b) - 1) as usize;
                let (first, count) = (value >> 8, value & 0xFF);
                ensure!(first + count <= lexsize, "token index out of range");
                for i in first..first + count {
                    entries.push((key.clone(), token(i)));
                }
            }
            // Push children in reverse so that the smallest byte pops first.
            for c in (1u16..=255).rev() {
                let p = b + c as usize + 1;
                if p < units && check(p) as usize == b {
                    let child = base(p);
                    if child >= 0 {
                        let mut k = key.clone();
                        k.push(c as u8);
                        stack.push((child as usize, k));
                    }
                }
            }
        }
        ensure!(
            entries.len() == lexsize,
            "walked {} entries but the header says {lexsize}",
            entries.len()
        );
        Ok(Self { entries, features })
    }

    /// Number of (surface, token) entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the dictionary has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn feature(&self, offset: u32) -> Result<&str> {
        let start = offset as usize;
        let tail = self
            .features
            .get(start..)
            .context("feature offset out of range")?;
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        std::str::from_utf8(&tail[..end]).context("feature is not UTF-8")
    }

    /// Writes the entries as a MeCab source CSV:
    /// `surface,left_id,right_id,cost,feature...`.
    pub fn write_csv(&self, out: &Path) -> Result<()> {
        let mut w = BufWriter::new(fs::File::create(out)?);
        let mut line = String::new();
        for (surface, t) in &self.entries {
            let surface = std::str::from_utf8(surface).context("surface is not UTF-8")?;
            line.clear();
            push_csv_field(&mut line, surface);
            write!(line, ",{},{},{},", t.left_id, t.right_id, t.cost).expect("string write");
            line.push_str(self.feature(t.feature)?);
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        w.flush()?;
        Ok(())
    }

    /// Writes the entries as `unk.def` lines: `CATEGORY,left,right,cost,feature`.
    pub fn write_unk_def(&self, out: &Path) -> Result<()> {
        let mut s = String::new();
        for (surface, t) in &self.entries {
            let category = std::str::from_utf8(surface).context("category is not UTF-8")?;
            writeln!(
                s,
                "{category},{},{},{},{}",
                t.left_id,
                t.right_id,
                t.cost,
                self.feature(t.feature)?
            )
            .expect("string write");
        }
        fs::write(out, s)?;
        Ok(())
    }
}

/// Quotes a CSV field when it holds a comma or a quote.
fn push_csv_field(line: &mut String, field: &str) {
    if field.contains([',', '"']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

/// Converts `matrix.bin` into `matrix.def`.
pub fn write_matrix_def(bytes: &[u8], out: &Path) -> Result<()> {
    ensure!(bytes.len() >= 4, "matrix.bin too short");
    let lsize = u16::from_le_bytes([bytes[0], bytes[1]]) as usize;
    let rsize = u16::from_le_bytes([bytes[2], bytes[3]]) as usize;
    ensure!(
        bytes.len() == 4 + 2 * lsize * rsize,
        "matrix.bin size does not match {lsize}x{rsize}"
    );
    let mut w = BufWriter::with_capacity(1 << 20, fs::File::create(out)?);
    writeln!(w, "{lsize} {rsize}")?;
    let mut itoa_l = itoa::Buffer::new();
    let mut itoa_r = itoa::Buffer::new();
    let mut itoa_c = itoa::Buffer::new();
    for l in 0..lsize {
        let ls = itoa_l.format(l).to_owned();
        for r in 0..rsize {
            let at = 4 + 2 * (l + lsize * r);
            let cost = i16::from_le_bytes([bytes[at], bytes[at + 1]]);
            w.write_all(ls.as_bytes())?;
            w.write_all(b" ")?;
            w.write_all(itoa_r.format(r).as_bytes())?;
            w.write_all(b" ")?;
            w.write_all(itoa_c.format(cost).as_bytes())?;
            w.write_all(b"\n")?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Converts `char.bin` into `char.def`: category lines, then code point ranges
/// (default category first, as MeCab reads it).
pub fn write_char_def(bytes: &[u8], out: &Path) -> Result<()> {
    ensure!(bytes.len() >= 4, "char.bin too short");
    let count = u32_at(bytes, 0) as usize;
    let table_at = 4 + 32 * count;
    let points = (bytes.len().saturating_sub(table_at)) / 4;
    ensure!(
        points == 0xFFFF,
        "char.bin holds {points} code points, expected 65535"
    );
    let names: Vec<String> = (0..count)
        .map(|i| {
            let raw = &bytes[4 + 32 * i..4 + 32 * (i + 1)];
            let end = raw.iter().position(|&b| b == 0).unwrap_or(32);
            String::from_utf8_lossy(&raw[..end]).into_owned()
        })
        .collect();
    let info = |cp: usize| u32_at(bytes, table_at + 4 * cp);

    // Per category: invoke, group, length, taken from a code point whose
    // default category it is.
    let mut defs: Vec<Option<(u32, u32, u32)>> = vec![None; count];
    for cp in 0..points {
        let v = info(cp);
        let default = ((v >> 18) & 0xFF) as usize;
        if default < count && defs[default].is_none() {
            defs[default] = Some(((v >> 31) & 1, (v >> 30) & 1, (v >> 26) & 0xF));
        }
    }
    let mut s = String::new();
    for (name, def) in names.iter().zip(&defs) {
        let Some((invoke, group, length)) = def else {
            bail!("category {name} is nobody's default; cannot recover its definition");
        };
        writeln!(s, "{name} {invoke} {group} {length}").expect("string write");
    }
    let default_index = names.iter().position(|n| n == "DEFAULT");
    let key = |cp: usize| {
        let v = info(cp);
        (v & 0x3_FFFF, (v >> 18) & 0xFF)
    };
    let mut start = 0;
    while start < points {
        let k = key(start);
        let mut end = start;
        while end + 1 < points && key(end + 1) == k {
            end += 1;
        }
        let (mask, default) = k;
        let only_default = Some(default as usize) == default_index && mask == 1 << default;
        if !only_default {
            let mut cats = vec![names[default as usize].clone()];
            for (i, name) in names.iter().enumerate() {
                if mask & (1 << i) != 0 && i != default as usize {
                    cats.push(name.clone());
                }
            }
            if start == end {
                writeln!(s, "0x{start:04X} {}", cats.join(" ")).expect("string write");
            } else {
                writeln!(s, "0x{start:04X}..0x{end:04X} {}", cats.join(" ")).expect("string write");
            }
        }
        start = end + 1;
    }
    fs::write(out, s)?;
    Ok(())
}

/// Converts a directory of MeCab binaries (from the wheel) into a directory
/// of MeCab source files that lindera's `DictionaryBuilder` reads.
pub fn decompile(binary_dir: &Path, source_dir: &Path) -> Result<usize> {
    fs::create_dir_all(source_dir)?;
    let read = |name: &str| {
        fs::read(binary_dir.join(name)).with_context(|| format!("reading {name} from the wheel"))
    };
    let sys = MecabDictionary::parse(&read("sys.dic")?).context("decoding sys.dic")?;
    sys.write_csv(&source_dir.join("mecab-ko-dic.csv"))?;
    let unk = MecabDictionary::parse(&read("unk.dic")?).context("decoding unk.dic")?;
    unk.write_unk_def(&source_dir.join("unk.def"))?;
    write_matrix_def(&read("matrix.bin")?, &source_dir.join("matrix.def"))
        .context("decoding matrix.bin")?;
    write_char_def(&read("char.bin")?, &source_dir.join("char.def"))
        .context("decoding char.bin")?;
    Ok(sys.len())
}
