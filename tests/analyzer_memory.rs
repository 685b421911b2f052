//! Loading the analyzer maps the Korean dictionary without reading it: a
//! word's details are read when a text needs them. The whole word list
//! (`dict.words`, 38 MB) used to be read at every start, for a table doum
//! never uses (see `Analyzer::load`). Linux only: it reads /proc/self/smaps.
#![cfg(target_os = "linux")]

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

#[test]
fn loading_the_analyzer_reads_no_dictionary_words() {
    let dir = doum::korean::dictionary::ensure(&common::dict_dir(), &mut |_| {}).unwrap();
    let before = resident_kb("dict.words");
    let analyzer = doum::korean::Analyzer::load(&dir).unwrap();
    let loaded = resident_kb("dict.words") - before;
    assert!(loaded < 4096, "{loaded} kB of dict.words read at load");
    // It analyzes as ever, reading the words it needs.
    let words: Vec<String> = analyzer
        .morphemes("세금계산서를 발행하려면")
        .into_iter()
        .map(|p| p.text)
        .collect();
    assert_eq!(words, ["세금", "계산서", "계산", "발행"]);
    assert!(
        resident_kb("dict.words") > before + loaded,
        "words read on use"
    );
}
