//! Property tests: the parsers and the query analyzer take any input without
//! panicking. A bounded pass runs in `cargo test`; raise `PROPTEST_CASES`
//! for a longer run (e.g. `PROPTEST_CASES=5000 cargo test --test fuzz`).
//!
//! Inputs mix arbitrary Unicode with the characters most likely to break
//! text handling: Hangul jamo (conjoining and compatibility), syllables,
//! emoji and ZWJ sequences, right-to-left scripts, combining marks, control
//! and format characters; and real files mutated at random places.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use doum::chat::SkillRequest;
use doum::search::SearchRequest;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Characters that stress text handling, and any character at all.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        any::<char>(),
        prop::char::range('\u{1100}', '\u{11FF}'), // conjoining jamo
        prop::char::range('\u{3131}', '\u{318E}'), // compatibility jamo
        prop::char::range('\u{AC00}', '\u{D7A3}'), // syllables
        prop::char::range('\u{1F300}', '\u{1FAFF}'), // emoji
        prop::char::range('\u{0590}', '\u{06FF}'), // Hebrew, Arabic
        prop::char::range('\u{0300}', '\u{036F}'), // combining marks
        prop::char::range('\u{0000}', '\u{001F}'), // C0 controls
        prop::char::range('\u{200B}', '\u{200F}'), // zero-width, LRM/RLM
        prop::char::range('\u{202A}', '\u{202E}'), // bidi overrides
        Just('\u{200D}'),                          // ZWJ
        Just('\u{FEFF}'),                          // BOM
        Just('\u{FFFD}'),
        prop::sample::select(vec![
            '-', ':', '#', '*', '|', '`', '[', ']', '{', '}', '\n', ' ', '"', '\'', '>', '\\'
        ]),
    ]
}

fn tricky_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Replaces a random span of `base` (at char boundaries) with `insert`.
fn mutate(base: &str, at: f64, len: usize, insert: &str) -> String {
    let chars: Vec<char> = base.chars().collect();
    let start = ((chars.len() as f64) * at) as usize;
    let start = start.min(chars.len());
    let end = (start + len).min(chars.len());
    let mut out: String = chars[..start].iter().collect();
    out.push_str(insert);
    out.extend(chars[end..].iter());
    out
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

fn entry_texts() -> &'static Vec<String> {
    static T: OnceLock<Vec<String>> = OnceLock::new();
    T.get_or_init(|| {
        let mut paths = Vec::new();
        files(&Path::new(common::CONTENT).join("faq"), "md", &mut paths);
        paths.sort();
        paths
            .iter()
            .take(8)
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    })
}

fn rule_texts() -> &'static Vec<String> {
    static T: OnceLock<Vec<String>> = OnceLock::new();
    T.get_or_init(|| {
        let mut paths = Vec::new();
        files(
            &Path::new(common::CONTENT).join("rules"),
            "yaml",
            &mut paths,
        );
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    })
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// Front matter + Markdown: a mutated entry file either loads or is
    /// rejected with errors that name the file; the Markdown renderers take
    /// anything.
    #[test]
    fn entry_files_load_or_fail_cleanly(
        which in 0usize..8,
        at in 0.0f64..1.0,
        len in 0usize..40,
        insert in tricky_string(40),
    ) {
        let texts = entry_texts();
        let base = &texts[which % texts.len()];
        let text = mutate(base, at, len, &insert);
        let dir = tempfile::tempdir().unwrap();
        let faq = dir.path().join("faq/fuzz");
        std::fs::create_dir_all(&faq).unwrap();
        let id = base
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap_or("fuzz")
            .trim()
            .to_string();
        std::fs::write(faq.join(format!("{id}.md")), &text).unwrap();
        match doum::content::Content::load(dir.path()) {
            Ok(c) => prop_assert!(c.entries().len() <= 1),
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in errors.errors() {
                    let shown = e.to_string();
                    prop_assert!(shown.contains(".md") || shown.contains("faq"), "{}", shown);
                }
            }
        }
        let html = doum::content::markdown::to_html(&text);
        prop_assert!(!html.contains("<script"), "{}", html);
        let _ = doum::content::markdown::to_text(&text);
    }

    /// The rules parser: mutated decision files and arbitrary text give
    /// decisions or `file:line` errors, never a panic.
    #[test]
    fn rule_files_parse_or_fail_cleanly(
        which in 0usize..16,
        at in 0.0f64..1.0,
        len in 0usize..60,
        insert in tricky_string(60),
        raw in tricky_string(200),
    ) {
        let texts = rule_texts();
        let base = &texts[which % texts.len()];
        for text in [mutate(base, at, len, &insert), raw] {
            let sources = vec![("fuzz.yaml".to_string(), text)];
            if let Err(errors) = doum::rules::load::parse_all(&sources, &|_| true) {
                prop_assert!(!errors.0.is_empty());
                for e in &errors.0 {
                    prop_assert!(e.to_string().starts_with("fuzz.yaml"), "{}", e);
                }
            }
        }
    }

    /// The skill request parser: arbitrary bytes, and a real request with
    /// arbitrary strings in every user-controlled field.
    #[test]
    fn skill_requests_parse_or_fail_cleanly(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        utterance in tricky_string(300),
        key in tricky_string(40),
        extra in tricky_string(40),
        lang in tricky_string(8),
    ) {
        let _ = SkillRequest::from_slice(&bytes);
        let mut v: Value = serde_json::from_slice(
            &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kakao/current.json")).unwrap(),
        ).unwrap();
        v["userRequest"]["utterance"] = json!(utterance);
        v["userRequest"]["lang"] = json!(lang);
        v["userRequest"]["user"]["properties"] = json!({"plusfriendUserKey": key, "appUserId": extra});
        v["action"]["clientExtra"] = json!({"doum": extra, "q": utterance});
        v["userRequest"]["block"] = json!({"id": key, "name": extra});
        let body = serde_json::to_vec(&v).unwrap();
        let req = SkillRequest::from_slice(&body);
        prop_assert!(req.is_ok(), "{:?}", req.err());
        let req = req.unwrap();
        let _ = req.utterance();
        let _ = req.user_keys();
        let _ = req.client_extra();
        let _ = req.lang();
        let _ = req.block_id();
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// The query analyzer and the whole search path take any Unicode.
    #[test]
    fn any_query_is_analyzed_and_searched(q in tricky_string(80)) {
        let analyzer = common::analyzer();
        let _ = analyzer.words(&q);
        let _ = analyzer.morphemes(&q);
        let _ = analyzer.stems(&q);
        let _ = analyzer.chosung(&q);
        let _ = doum::korean::analyzer::bigrams(&q);
        let _ = doum::korean::analyzer::chosung_query(&q);
        let engine = common::engine(common::CONTENT);
        let plan = engine.plan(&q);
        let _ = engine.model_text(&plan, &q);
        let spaced = analyzer.spaced(&q, &|_| true);
        prop_assert_eq!(
            spaced.split_whitespace().collect::<String>(),
            q.split_whitespace().collect::<String>(),
            "spacing only adds spaces"
        );
        let _ = engine.rank(&q).expect("ranking never fails");
        if let Ok(req) = SearchRequest::new(&q) {
            let results = engine.search(&req).expect("a valid request searches");
            for h in &results.hits {
                let n = h.snippet.text.chars().count();
                for &[a, b] in &h.snippet.highlights {
                    prop_assert!(a <= b && b <= n);
                }
            }
        }
    }
}
