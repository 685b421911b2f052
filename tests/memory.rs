//! What stays in a server's memory. Linux only: it reads /proc/self/smaps
//! and glibc's allocator statistics.
//!
//! - Loading the analyzer maps the Korean dictionary without reading it,
//!   and analyzing reads a word's fields from the word list by position
//!   (`korean::details`), not through the map. The whole word list
//!   (`dict.words`, 38 MB) used to be read at every start, for a table doum
//!   never uses (see `Analyzer::load`), and then the map grew with every
//!   word read (64 KB around each).
//! - A server hands freed large buffers back to the kernel (`web::runtime`
//!   sets it up).
//! - Content read back from an index's snapshot reads its bodies from the
//!   file when asked for and keeps none of them: a mapped snapshot's pages
//!   stayed counted in a server's memory and grew toward the file's size
//!   (200 MB at 100,000 entries) as it served.
#![cfg(all(target_os = "linux", target_env = "gnu"))]

mod common;

/// Resident kilobytes of this process's mappings of files named `name`.
fn resident_kb(name: &str) -> u64 {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
    let mut ours = false;
    let mut total = 0;
    for line in smaps.lines() {
        if let Some(kb) = line.strip_prefix("Rss:") {
            if ours {
                total += kb
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .unwrap();
            }
        } else if line.split_whitespace().count() >= 5
            && line
                .split_whitespace()
                .next()
                .is_some_and(|r| r.contains('-'))
        {
            ours = line.ends_with(&format!("/{name}"));
        }
    }
    total
}

/// The tests measure the whole process: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn the_analyzer_reads_words_without_mapping_the_word_list() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = doum::korean::dictionary::ensure(&common::dict_dir(), &mut |_| {}).unwrap();
    let before = resident_kb("dict.words");
    let analyzer = doum::korean::Analyzer::load(&dir).unwrap();
    let loaded = resident_kb("dict.words") - before;
    assert!(loaded < 4096, "{loaded} kB of dict.words read at load");
    // It analyzes as ever...
    let words: Vec<String> = analyzer
        .morphemes("세금계산서를 발행하려면")
        .into_iter()
        .map(|p| p.text)
        .collect();
    assert_eq!(words, ["세금", "계산서", "계산", "발행"]);
    // ...every text of the sample content, whose words the memory map of
    // the word list would have brought in by the megabyte.
    let content = doum::config::load_content(std::path::Path::new(common::CONTENT)).unwrap();
    let mut morphemes = 0;
    for e in content.entries() {
        morphemes += analyzer.morphemes(&e.title).len();
        morphemes += analyzer.morphemes(&e.body.text()).len();
    }
    assert!(morphemes > 3_000, "{morphemes} morphemes");
    let mapped = resident_kb("dict.words") - before;
    assert!(
        mapped < 4096,
        "{mapped} kB of dict.words mapped after analyzing the sample content"
    );
}

#[test]
fn bodies_read_from_the_snapshot_stay_on_disk() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let content_dir = std::path::Path::new(common::CONTENT);
    let loaded = doum::config::load_content(content_dir).unwrap();
    let index = tempfile::tempdir().unwrap();
    doum::search::build::build(
        loaded.clone(),
        &common::analyzer(),
        index.path(),
        &mut |_, _| {},
    )
    .unwrap();
    let (read, _) = doum::search::build::live_snapshot(index.path(), content_dir).unwrap();
    let mut bytes = 0;
    for (from_markdown, from_snapshot) in loaded.entries().iter().zip(read.entries()) {
        for form in doum::content::Form::ALL {
            let read = from_snapshot.body.read(form);
            assert_eq!(from_markdown.body.read(form), read, "{}", from_markdown.id);
            bytes += read.len();
        }
    }
    assert!(bytes > 100_000, "{bytes} bytes of bodies read");
    assert_eq!(resident_kb(doum::search::snapshot::FILE), 0);
}

#[test]
fn words_read_from_the_word_list_have_the_fields_lindera_reads() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = doum::korean::dictionary::ensure(&common::dict_dir(), &mut |_| {}).unwrap();
    let dictionary = lindera::dictionary::load_fs_dictionary(&dir).unwrap();
    let words = doum::korean::details::WordFields::open(&dir, &dictionary)
        .expect("the word list is laid out as doum reads it");
    let count = std::fs::metadata(dir.join("dict.wordsidx")).unwrap().len() as u32 / 4;
    assert!(count > 800_000, "{count} words");
    // Every 53rd word (15,000 of them, of every kind), and the last.
    for id in (0..count).step_by(53).chain([count - 1]) {
        let ours = words.fields(u64::MAX, id).expect("a word's fields");
        let lindera = doum::korean::details::Fields::of(dictionary.word_details(id as usize));
        assert_eq!(ours, lindera, "word {id}");
    }
    assert_eq!(words.fields(u64::MAX, count), None, "past the last word");
}

/// Bytes glibc holds in blocks mapped for themselves.
fn mapped_blocks() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    unsafe { libc::mallinfo2() }.hblkhd
}

#[test]
fn freed_large_buffers_go_back_to_the_kernel() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The server's runtime sets it for the whole process.
    let _runtime = doum::web::runtime().unwrap();
    let large = doum::web::LARGE_BUFFER;
    // By default glibc would, after this larger block is freed, take blocks
    // up to its size from the heap and keep them there once freed.
    drop(std::hint::black_box(vec![1u8; 2 * large]));
    let before = mapped_blocks();
    let block = std::hint::black_box(vec![1u8; large + large / 4]);
    assert!(
        mapped_blocks() >= before + block.len(),
        "a block of {} bytes is mapped for itself",
        block.len()
    );
    drop(block);
    assert!(mapped_blocks() < before + large, "and unmapped when freed");
}
