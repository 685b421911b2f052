//! Entries a query names: a search that is, word for word, one of an
//! entry's keyword phrases ("충전금 환불", "관리자 변경") is what the
//! entry's writer said it answers, and that entry comes first.
//!
//! A keyword is a writer's promise: "people looking for this should find
//! this entry". Ranking alone does not keep it when a sibling entry's title
//! holds the same words ("충전금 환불 시 수수료가 있나요?" for "충전금 환불",
//! whose entry is "남은 충전금은 어떻게 환불받나요?", on dev-a): on the
//! sample content, a quarter of the keyword phrases did not find their
//! entry first with the model, a fifth with the words alone. A phrase
//! is compared as its distinct content morphemes, in any order, without
//! the query's stop words (see [`phrase_key`]), so particles, spacing and
//! word order do not matter and a word more or less does. Only keywords of
//! two words or more name an entry: a single word, compound or not
//! ("탈퇴", "무통장입금"), names a topic several entries may speak of, and
//! the ranking weighs it. A query names the entry whether it types the
//! phrase's words spaced or run together.
//!
//! The index keeps each entry's phrase keys in [`Fields::phrases`]
//! (tokenized by [`PhraseTokenizer`]); [`put_first`] moves the named entries
//! the ranking found ahead of the others, after semantic re-ranking, so
//! every client (the page, the API, the chatbot and `doum ask`) sees the
//! same first entry. A phrase more than [`MAX_NAMED`] entries carry names
//! none of them.

use std::sync::Arc;

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::{Token, Tokenizer};
use tantivy::{Searcher, Term};

use super::query::phrase_key;
use super::schema::Fields;
use crate::korean::{Analyzer, PieceStream};

/// The name [`PhraseTokenizer`] is registered under.
pub const TOKENIZER: &str = "ko_phrase";

/// A phrase more entries than this carry names none of them: it is a topic
/// they share ("결제 취소" on every cancellation entry of a large help
/// center), and the ranking orders them.
pub const MAX_NAMED: usize = 3;

/// Tokenizes an entry's keywords, one per line, into their phrase keys
/// (single-word keywords give none).
#[derive(Clone)]
pub struct PhraseTokenizer {
    analyzer: Arc<Analyzer>,
    remember: bool,
}

impl PhraseTokenizer {
    /// A tokenizer sharing `analyzer`; `remember`: whether the threads it
    /// runs on remember segmentations (index builds).
    pub fn new(analyzer: Arc<Analyzer>, remember: bool) -> Self {
        Self { analyzer, remember }
    }
}

impl Tokenizer for PhraseTokenizer {
    type TokenStream<'a> = PieceStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PieceStream {
        if self.remember {
            self.analyzer.remember_on_this_thread();
        }
        let mut tokens = Vec::new();
        let mut start = 0;
        for line in text.split('\n') {
            let end = start + line.len();
            if let Some(key) = phrase_key(&self.analyzer.words(line)) {
                tokens.push(Token {
                    offset_from: start,
                    offset_to: end,
                    position: tokens.len(),
                    text: key,
                    position_length: 1,
                });
            }
            start = end + 1;
        }
        PieceStream::new(tokens)
    }
}

/// The positions of the entries named by the keyword phrase `key`, in
/// index order: none when more than [`MAX_NAMED`] carry it.
pub fn entries_named(searcher: &Searcher, fields: &Fields, key: &str) -> tantivy::Result<Vec<u64>> {
    let term = Term::from_field_text(fields.phrases, key);
    if searcher.doc_freq(&term)? > MAX_NAMED as u64 {
        return Ok(Vec::new());
    }
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    let docs = searcher.search(&query, &DocSetCollector)?;
    let mut ords = Vec::with_capacity(docs.len());
    for doc in docs {
        let column = searcher
            .segment_reader(doc.segment_ord)
            .fast_fields()
            .u64("ord")?;
        ords.extend(column.first(doc.doc_id));
    }
    ords.sort_unstable();
    Ok(ords)
}

/// Moves the items of `ranked` that `named` picks to its front, in their
/// order, each scoring `lead` times the best score of the others (its own
/// when there is no other): they tie, so two named entries are listed
/// rather than one answered. The engine's lead is
/// [`crate::search::query::Weights::named`], 2 by default: the chatbot's
/// choice then sees the clear lead the words' own is measured by. Nothing
/// changes when nothing is named.
pub fn put_first<T>(
    ranked: &mut Vec<T>,
    lead: f32,
    named: impl Fn(&T) -> bool,
    score: impl Fn(&mut T) -> &mut f32,
) {
    if !ranked.iter().any(&named) {
        return;
    }
    let (mut first, mut rest): (Vec<T>, Vec<T>) = ranked.drain(..).partition(|t| named(t));
    let best_other = rest.iter_mut().map(|t| *score(t)).fold(0.0_f32, f32::max);
    if best_other > 0.0 {
        for t in &mut first {
            *score(t) = lead * best_other;
        }
    }
    first.append(&mut rest);
    *ranked = first;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ranked: &[(f32, u64)], named: &[u64]) -> Vec<(f32, u64)> {
        let mut r = ranked.to_vec();
        put_first(&mut r, 2.0, |t| named.contains(&t.1), |t| &mut t.0);
        r
    }

    #[test]
    fn a_named_entry_leads_twice_the_best_other() {
        let r = run(&[(3.0, 1), (2.5, 2), (1.0, 3)], &[2]);
        assert_eq!(r, vec![(6.0, 2), (3.0, 1), (1.0, 3)]);
    }

    #[test]
    fn named_entries_tie_in_the_rankings_order() {
        let r = run(&[(3.0, 1), (2.0, 2), (1.0, 3)], &[3, 2, 7]);
        assert_eq!(r, vec![(6.0, 2), (6.0, 3), (3.0, 1)]);
    }

    #[test]
    fn alone_a_named_entry_keeps_its_score() {
        assert_eq!(run(&[(3.0, 1)], &[1]), vec![(3.0, 1)]);
    }

    #[test]
    fn nothing_named_changes_nothing() {
        let before = [(3.0, 1), (2.0, 2)];
        assert_eq!(run(&before, &[]), before.to_vec());
        assert_eq!(run(&before, &[9]), before.to_vec());
        assert_eq!(run(&[], &[]), vec![]);
    }
}
