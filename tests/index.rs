//! The `doum` command line over real directories: `index` swaps atomically
//! and survives bad content, `check` reports every problem, `search --json`
//! prints JSON.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{CONTENT, analyzer, copy_dir, dict_dir};
use doum::search::{SearchEngine, SearchRequest, build};
use tempfile::TempDir;

/// Runs the real binary with `--content` and `--index`.
fn doum(content: &Path, index: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doum"))
        .arg("--content")
        .arg(content)
        .arg("--index")
        .arg(index)
        .args(args)
        .env("DOUM_DICT_DIR", dict_dir())
        .env("DOUM_MODEL_DIR", common::model_dir())
        .env("RUST_LOG", "warn")
        .output()
        .expect("running doum")
}

/// How many entries the shipped content holds (counted from the content, never written
/// down: the content changes).
fn shipped_entries() -> usize {
    doum::content::Content::load(Path::new(CONTENT))
        .expect("shipped content loads")
        .entries()
        .len()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A copy of the product content in `<tmp>/content`.
fn content_copy() -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("content");
    copy_dir(Path::new(CONTENT), &dir);
    (tmp, dir)
}

/// Replaces `from` by `to` in a content file, checking it was there.
fn edit(content: &Path, file: &str, from: &str, to: &str) {
    let path = content.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn live_target(index: &Path) -> PathBuf {
    fs::read_link(index.join(build::LIVE)).expect("index/faq is a symlink")
}

#[test]
fn indexing_twice_swaps_the_live_link_and_removes_the_old_build() {
    let index = TempDir::new().unwrap();
    let out = doum(Path::new(CONTENT), index.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("indexed {} entries", shipped_entries())),
        "{}",
        text(&out.stdout)
    );
    let first = live_target(index.path());
    assert!(index.path().join(&first).join("doum.json").is_file());

    let out = doum(Path::new(CONTENT), index.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let second = live_target(index.path());
    assert_ne!(first, second, "a rebuild is a new directory");
    assert!(index.path().join(&second).join("doum.json").is_file());
    assert!(
        !index.path().join(&first).exists(),
        "the old build is removed"
    );
    // Nothing else is left behind: the link and one build (and the build lock).
    let mut names: Vec<String> = fs::read_dir(index.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != build::LOCK)
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["faq".to_string(), second.to_string_lossy().into_owned()]
    );
}

#[test]
fn a_failed_reindex_keeps_the_previous_index_searchable() {
    let (_tmp, content) = content_copy();
    let index = TempDir::new().unwrap();
    let out = doum(&content, index.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = live_target(index.path());

    let good = doum::config::load_content(&content).unwrap();
    edit(
        &content,
        "faq/payment/free-cash-status.md",
        "updated: 2026-09-24",
        "updated: 2026-13-45",
    );
    let out = doum(&content, index.path(), &["index"]);
    assert!(!out.status.success(), "indexing bad content must fail");
    let err = text(&out.stderr);
    assert!(
        err.contains("content/faq/payment/free-cash-status.md:7:"),
        "file:line in {err}"
    );
    assert!(err.contains("2026-13-45"), "{err}");

    // The live index is untouched, and nothing was left behind.
    assert_eq!(live_target(index.path()), before);
    let left: Vec<_> = fs::read_dir(index.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != build::LOCK)
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    let engine = SearchEngine::open(index.path(), good, analyzer()).expect("opening");
    let res = engine
        .search(&SearchRequest::new("무상캐시 사용상태").unwrap())
        .unwrap();
    assert_eq!(res.hits[0].id, "free-cash-status");

    // The CLI searches it too once the content is fixed, without rebuilding.
    edit(
        &content,
        "faq/payment/free-cash-status.md",
        "updated: 2026-13-45",
        "updated: 2026-09-24",
    );
    let out = doum(
        &content,
        index.path(),
        &["search", "무상캐시 사용상태", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(live_target(index.path()), before, "the index was current");
}

#[test]
fn check_reports_every_problem_with_file_and_line() {
    let (_tmp, content) = content_copy();
    let index = TempDir::new().unwrap();
    let out = doum(&content, index.path(), &["check"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let ok = format!("ok: {} entries", shipped_entries());
    assert!(text(&out.stdout).contains(&ok), "{}", text(&out.stdout));

    edit(
        &content,
        "faq/payment/free-cash-status.md",
        "updated: 2026-09-24",
        "updated: 2026-13-45",
    );
    edit(
        &content,
        "faq/payment/cash-expiry.md",
        "id: cash-expiry",
        "id: Cash_Expiry",
    );
    edit(
        &content,
        "faq/ads/budget-increase-not-allowed.md",
        "related: [unspent-budget-return,",
        "related: [no-such-entry,",
    );
    let out = doum(&content, index.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for expected in [
        "content/faq/payment/free-cash-status.md:7:",
        "content/faq/payment/cash-expiry.md:2:",
        "content/faq/ads/budget-increase-not-allowed.md:",
    ] {
        assert!(stdout.contains(expected), "{expected} in\n{stdout}");
    }
    assert!(stdout.contains("no-such-entry"), "{stdout}");
    assert!(
        text(&out.stderr).contains("3 problem(s)"),
        "{}",
        text(&out.stderr)
    );
    // check never writes an index.
    assert_eq!(fs::read_dir(index.path()).unwrap().count(), 0);
}

/// A keyword phrase two entries carry names neither (`search::named`): the
/// check says so, with both places, as a warning (the content stays valid).
#[test]
fn check_warns_of_a_keyword_phrase_two_entries_carry() {
    let (_tmp, content) = content_copy();
    let index = TempDir::new().unwrap();
    edit(
        &content,
        "faq/account/login-method.md",
        "keywords: [카카오계정, 로그인 아이디, 업무용 계정]",
        "keywords: [카카오계정, 로그인 아이디, 업무용 계정, 관리자  변경]",
    );
    let out = doum(&content, index.path(), &["check"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    let warning = all
        .lines()
        .find(|l| l.contains("is also a keyword of"))
        .unwrap_or_else(|| panic!("no warning in\n{all}"));
    assert!(
        warning.starts_with("content/faq/account/master-transfer.md:6:")
            || warning.starts_with("content/faq/account/login-method.md:6:"),
        "{warning}"
    );
    for what in ["login-method", "master-transfer", "faq/account/"] {
        assert!(warning.contains(what), "{what} in {warning}");
    }
}

/// `doum eval --keywords` types every keyword of the content as a query for
/// its entry: each keyword phrase (two words or more) finds it first, as
/// `search::named` promises, but for the two whose second word holds no
/// content morpheme ("권한 없음", "충전 안됨") and so name nothing.
#[test]
fn eval_keywords_queries_every_keyword_of_the_content() {
    let index = TempDir::new().unwrap();
    let content = Path::new(CONTENT);
    let out = doum(
        content,
        index.path(),
        &["--semantic", "off", "eval", "--keywords", "--misses"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let loaded = doum::content::Content::load(content).unwrap();
    let phrases: std::collections::HashSet<&str> = loaded
        .entries()
        .iter()
        .flat_map(|e| e.keywords.iter())
        .filter(|k| k.split_whitespace().nth(1).is_some())
        .collect();
    let row: Vec<&str> = stdout
        .lines()
        .find(|l| l.starts_with("kw-phrase"))
        .unwrap_or_else(|| panic!("no kw-phrase row in\n{stdout}"))
        .split(|c: char| c == '|' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(row[1], phrases.len().to_string(), "{stdout}");
    let missed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("miss [kw-phrase]"))
        .collect();
    assert!(missed.len() <= 2, "{missed:#?}");
    assert!(stdout.contains("kw-word"), "{stdout}");
}

#[test]
fn search_json_prints_hits() {
    let index = TempDir::new().unwrap();
    let out = doum(
        Path::new(CONTENT),
        index.path(),
        &["search", "환불", "--json", "--limit", "3"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["query"], "환불");
    assert_eq!(v["size"], 3);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    assert!(hits[0]["id"].is_string());
    assert!(hits[0]["snippet"]["text"].is_string());
    assert!(v["total"].as_u64().unwrap() >= 3);
    // It built the missing index on the way.
    assert!(build::live_dir(index.path()).is_some());
    // A vague query has no one answer; a question the search is sure of
    // has, as on the page and in the chatbot.
    assert!(v.get("answer").is_none(), "{v}");
    let out = doum(
        Path::new(CONTENT),
        index.path(),
        &["search", "환불계좌 어디서 등록해요", "--json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["answer"]["id"], "refund-account-register", "{v}");
    assert_eq!(v["hits"][0]["id"], "refund-account-register", "{v}");
    let out = doum(
        Path::new(CONTENT),
        index.path(),
        &["search", "환불계좌 어디서 등록해요"],
    );
    assert!(
        text(&out.stdout).contains("가장 알맞은 답변: 환불계좌는 어디서 등록하나요?"),
        "{}",
        text(&out.stdout)
    );

    let out = doum(
        Path::new(CONTENT),
        index.path(),
        &["search", "x", "--sort", "best"],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("sort"));
}

#[test]
fn index_builds_clean_up_after_crashes_and_keep_a_build_a_server_reads() {
    let index = TempDir::new().unwrap();
    // What a crashed build leaves behind.
    let stale = index.path().join(".faq-build-crashed");
    fs::create_dir_all(stale.join("x")).unwrap();
    fs::write(index.path().join(".faq-link-crashed"), "").unwrap();
    let out = doum(Path::new(CONTENT), index.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!stale.exists(), "a crashed build's folder is removed");
    assert!(!index.path().join(".faq-link-crashed").exists());
    assert!(
        index.path().join(build::LOCK).is_file(),
        "builds take index/.lock"
    );

    // A server (this process) reads the live build...
    let content = doum::config::load_content(Path::new(CONTENT)).unwrap();
    let engine = SearchEngine::open(index.path(), content, analyzer()).unwrap();
    let served = index.path().join(live_target(index.path()));
    // ...while `doum index` rebuilds twice: its folder stays, and it keeps answering.
    for _ in 0..2 {
        let out = doum(Path::new(CONTENT), index.path(), &["index"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    assert_ne!(index.path().join(live_target(index.path())), served);
    assert!(
        served.join("doum.json").is_file(),
        "the served build is kept"
    );
    let hits = engine.search(&SearchRequest::new("환불").unwrap()).unwrap();
    assert!(hits.total > 0);
    // Once the server lets go, the next build removes it; only the live build is left.
    drop(engine);
    let out = doum(Path::new(CONTENT), index.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!served.exists(), "a build nobody reads is removed");
    let builds = fs::read_dir(index.path())
        .unwrap()
        .filter(|e| {
            let n = e.as_ref().unwrap().file_name();
            let n = n.to_string_lossy();
            n.starts_with("faq-")
        })
        .count();
    assert_eq!(builds, 1);
}
