//! From what a user typed to a tantivy query.
//!
//! User text is never parsed as query syntax: `환불 AND (`, `title:x` and `*`
//! are analyzed as plain text like anything else. The plan combines, as
//! SHOULD clauses scored by BM25 with per-field weights:
//!
//! - morphemes against title, keywords (and category names) and body;
//! - synonyms of those morphemes (from `content/synonyms.yaml`), weighted lower;
//! - Hangul bigrams against title and body (robust to spacing and to
//!   segmentation differences); in a question of [`SPACED_QUESTION_WORDS`]
//!   words or more, only those within a typed word;
//! - for words the index does not know (likely typos), fuzzy matches of their
//!   jamo spelling against known stems (edit distance 1; 2 for words of 15+ jamo);
//! - 초성 chunks ("ㄱㅅㄱㅈ") against the 초성 of nouns.
//!
//! One file per part: `weights.rs` (field weights), `synonyms.rs` (the
//! lexicon and the content's synonym groups), `typos.rs` (typo'd words and
//! the index words they may stand for), `concepts.rs` (what a query asks
//! about, for coverage); this file holds the plan and its clauses.

mod concepts;
mod synonyms;
mod typos;
mod weights;

pub use concepts::Concept;
pub use synonyms::{LEXICON_PATH, Place, SynonymTable, lexicon, overlapping_words};
pub use typos::{Correction, FuzzyCache, corrections, typo_distance};
pub use weights::Weights;

use concepts::{concept_query, mark_known};

/// From this many words, a question is taken to be spaced as its writer
/// meant, and its bigrams that join the end of one typed word to the start
/// of the next ("담당자가 바뀌어서" → 가바) are left out: they stand for no
/// word of the question and match unrelated run-together text. Shorter
/// queries keep them, since "세금계 산서" needs 계산. Two or three sentences
/// run to 12 words; the dev sets' long questions have 14–29, their other
/// kinds at most 12 (`doum eval --suite eval/dev.yaml`, MRR@10 with the
/// model / without: dev-a .937 → .938 / .909, dev-b .858 → .862 / .830, the
/// sample content .951 / .932 → .937, long questions of dev-b .702 → .768;
/// no question's first result worse; 10 words cost dev-a .002, 12 to 16
/// words give the same figures).
pub const SPACED_QUESTION_WORDS: usize = 12;

/// Whether bigram `p` of `text` spans a space the user typed.
fn crosses_a_space(text: &str, p: &crate::korean::analyzer::Piece) -> bool {
    text.get(p.start..p.end)
        .is_some_and(|s| s.contains(char::is_whitespace))
}
use typos::Typo;

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::run_together;
use super::schema::Fields;
use crate::korean::analyzer::{bigrams, chosung_query};
use crate::korean::{Analyzer, hangul};

/// Conversational words that carry no topic ("싶어요" is a proper noun in
/// mecab-ko-dic, "문의", "질문" and "부탁" say only that a question is asked, "수" and
/// "것" come from "할 수 있나요", "하는 것", "법" from "하는 법").
const QUERY_STOP_WORDS: [&str; 10] = [
    "싶어요",
    "문의",
    "부탁",
    "질문",
    "궁금",
    "방법",
    "요",
    "수",
    "것",
    "법",
];

/// Verbs of telling, as lemma and the stem a request conjugates
/// ("알려 주세요", "가르쳐줘"). Followed by a request ([`REQUEST_ENDINGS`]),
/// they only ask to be told: the topic is the rest of the question.
/// Followed by anything else they are words of it ("친구에게 따로 알려
/// 주려면" asks how to notify).
pub const TELLING_VERBS: [(&str, &str); 2] = [("알리", "알려"), ("가르치", "가르쳐")];
/// What follows a verb of [`TELLING_VERBS`] when the question asks to be
/// told: 주다 in a request (주세요, 주십시오, 주시겠어요, 주실 수, 주시면,
/// 줘, 줄 수).
pub const REQUEST_ENDINGS: [&str; 8] = [
    "주세요",
    "주십시오",
    "주시겠",
    "주실",
    "주시면",
    "주시기",
    "줘",
    "줄 수",
];

/// `text` analyzed without what only asks to be told, and where that was
/// ([`requests_to_be_told`]): each verb of telling that only asks to be
/// told, and the 주다 of its request (the dictionary reads a spaced
/// "주세요" as a noun), are dropped from the words.
fn words_without_requests(
    analyzer: &Analyzer,
    text: &str,
) -> (Vec<crate::korean::analyzer::Word>, Vec<(usize, usize)>) {
    let mut words = analyzer.words(text);
    let requests = requests_to_be_told(&words, text);
    for w in words.iter_mut() {
        w.morphemes.retain(|m| {
            !requests
                .iter()
                .any(|&(from, to)| m.start >= from && m.start < to)
        });
    }
    (words, requests)
}

/// `text` without what only asks to be told ("메시지 발송 알려주세요" →
/// "메시지 발송"): what the embedding model reads, which the words ignore
/// too. Borrowed when there is none.
pub fn without_requests_to_be_told<'t>(
    analyzer: &Analyzer,
    text: &'t str,
) -> std::borrow::Cow<'t, str> {
    if !TELLING_VERBS.iter().any(|(_, stem)| text.contains(stem)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let spans = requests_to_be_told(&analyzer.words(text), text);
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for &(from, to) in spans.iter().rev() {
        out.replace_range(from..to, " ");
    }
    // The question's own punctuation stays with its last word ("발송?").
    let joined = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut tidy = String::with_capacity(joined.len());
    for c in joined.chars() {
        if matches!(c, '.' | '?' | ',') && tidy.ends_with(' ') {
            tidy.pop();
        }
        tidy.push(c);
    }
    std::borrow::Cow::Owned(tidy)
}

/// The byte ranges of `text` (analyzed as `words`) that only ask to be
/// told: "알려 주세요", "가르쳐줘" (see [`TELLING_VERBS`]).
pub fn requests_to_be_told(
    words: &[crate::korean::analyzer::Word],
    text: &str,
) -> Vec<(usize, usize)> {
    let mut requests: Vec<(usize, usize)> = Vec::new();
    for m in words.iter().flat_map(|w| &w.morphemes) {
        let Some(&(_, stem)) = TELLING_VERBS.iter().find(|(lemma, _)| *lemma == m.text) else {
            continue;
        };
        let Some(rest) = text.get(m.start..).and_then(|t| t.strip_prefix(stem)) else {
            continue;
        };
        let after = rest.trim_start();
        if let Some(ending) = REQUEST_ENDINGS.iter().find(|e| after.starts_with(*e)) {
            let end = text.len() - after.len() + ending.len();
            requests.push((m.start, end));
        }
    }
    requests
}

/// One SHOULD clause of a plan's query.
pub enum Clause {
    /// BM25 of one term, times a boost. (doum's collector reads its postings
    /// itself; [`Clause::into_query`] makes the tantivy query.)
    Bm25 {
        /// The term.
        term: Term,
        /// Its boost.
        boost: f32,
    },
    /// The same score for every match of `query` (a fuzzy or coverage
    /// match); `query` scores it already (a [`ConstScoreQuery`]).
    Constant {
        /// The clause.
        query: Box<dyn Query>,
        /// Its score.
        score: f32,
    },
}

impl Clause {
    /// The clause as a tantivy query.
    pub fn into_query(self) -> Box<dyn Query> {
        match self {
            Clause::Bm25 { term, boost } => {
                let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                Box::new(BoostQuery::new(Box::new(q), boost))
            }
            Clause::Constant { query, .. } => query,
        }
    }
}

/// What the engine makes of a query text; also used for snippets.
#[derive(Debug, Default, Clone)]
pub struct QueryPlan {
    /// Distinct content morphemes, in order.
    pub morphemes: Vec<String>,
    /// What the query asks about, one concept per word (typo'd words, which
    /// are matched fuzzily, excepted).
    pub concepts: Vec<Concept>,
    /// Synonym expansions (morpheme sequences).
    pub synonyms: Vec<Vec<String>>,
    /// Distinct bigrams.
    pub bigrams: Vec<String>,
    /// Unknown words (likely typos) spelled as jamo, for fuzzy matching.
    pub fuzzy: Vec<String>,
    /// For each of [`Self::fuzzy`], the index's words within typo distance
    /// of it ("환뷸" → 환불), as the `near` given to [`Self::new`] finds
    /// them (see [`corrections`]). They are
    /// scored like words typed (morphemes by field and frequency, and
    /// bigrams), the candidates of one word sharing its weight: the fuzzy
    /// match alone gives every entry holding a near word the same score, so
    /// a typo'd head word ranked as if it were missing.
    pub corrections: Vec<Vec<Correction>>,
    /// 초성 terms.
    pub chosung: Vec<String>,
    /// Chunk stems as typed ("무통장입금으로" → "무통장입금"), for highlighting.
    pub stems: Vec<String>,
    /// True when the index holds one of the query's words (a morpheme that
    /// is no stop word, or a concept's form), as typed.
    pub knows_a_word: bool,
    /// The query as read when some of its words were typed with the
    /// keyboard in English mode ("ghksqnf 신청" → "환불 신청", see
    /// `read_keyboard`); everything above is made from this reading.
    pub read: Option<String>,
}

impl QueryPlan {
    /// Analyzes `text`. `doc_freq` tells which words the index knows;
    /// `near` what a typo'd word, spelled as jamo, may stand for (the
    /// engine's [`FuzzyCache::corrections`]).
    pub fn new(
        text: &str,
        analyzer: &Analyzer,
        synonyms: &SynonymTable,
        doc_freq: &dyn Fn(&Term) -> u64,
        fields: &Fields,
        near: &dyn Fn(&str) -> Arc<Vec<Correction>>,
    ) -> Self {
        analyzer.remember_queries_on_this_thread();
        let read = read_keyboard(text, analyzer, doc_freq, fields);
        let text = read.as_deref().unwrap_or(text);
        let (mut words, requests) = words_without_requests(analyzer, text);
        split_run_together_words(&mut words, text, analyzer, doc_freq, fields);
        let morphemes = distinct_morphemes(&words);
        let mut expansions = synonyms.expand(&morphemes);
        for c in synonyms.question_concepts(text) {
            if !expansions.contains(&c) && !c.iter().all(|m| morphemes.contains(m)) {
                expansions.push(c);
            }
        }
        let mut seen = HashSet::new();
        let spaced = text.split_whitespace().count() >= SPACED_QUESTION_WORDS;
        let bigrams = bigrams(text)
            .into_iter()
            .filter(|p| !(spaced && crosses_a_space(text, p)))
            .filter(|p| {
                !requests
                    .iter()
                    .any(|&(from, to)| p.start < to && p.end > from)
            })
            .map(|p| p.text)
            .filter(|t| seen.insert(t.clone()))
            .collect();

        let mut typed = typos::suspects(&words, text, doc_freq, fields, near, analyzer);
        let mut concepts = concepts::of_words(&words, &typed, synonyms, text);
        mark_known(&mut concepts, doc_freq, fields);
        let fuzzy = typed.iter().map(|t| t.jamo.clone()).collect();
        let stems = words
            .into_iter()
            .filter_map(|w| w.stem)
            .map(|p| p.text)
            .collect();
        let knows_a_word = concepts.iter().any(|c| c.known)
            || morphemes.iter().any(|m| {
                !QUERY_STOP_WORDS.contains(&m.as_str()) && known_morpheme(m, doc_freq, fields)
            });
        let mut plan = Self {
            knows_a_word,
            morphemes,
            concepts,
            synonyms: expansions,
            bigrams,
            fuzzy,
            corrections: Vec::new(),
            chosung: chosung_query(text),
            stems,
            read: read.clone(),
        };
        if let Some(joined) = plan.read_as_meant(text, analyzer, synonyms, doc_freq, fields, near) {
            typed = joined;
        }
        plan.correct_typos(&typed, near, synonyms);
        plan
    }

    /// Reads a query typed with wrong spaces ("환불 진 행상태", "친 구
    /// 통계") as meant: when `text` read without its spaces leaves a smaller
    /// share of concepts and typos the content does not know, that reading's
    /// morphemes, typos and concepts replace the spaced one's (what the
    /// ranking's term clauses and the chatbot's coverage use). The bigrams
    /// already matched across spaces; the stray pieces ("진", "행상태") did
    /// not match what was meant.
    fn read_as_meant(
        &mut self,
        text: &str,
        analyzer: &Analyzer,
        synonyms: &SynonymTable,
        doc_freq: &dyn Fn(&Term) -> u64,
        fields: &Fields,
        near: &dyn Fn(&str) -> Arc<Vec<Correction>>,
    ) -> Option<Vec<Typo>> {
        let unknown = |c: &[Concept], t: &[String]| t.len() + c.iter().filter(|c| !c.known).count();
        let share = |c: &[Concept], t: &[String]| {
            let asked = c.len() + t.len();
            if asked == 0 {
                0.0
            } else {
                1.0 - unknown(c, t) as f32 / asked as f32
            }
        };
        if unknown(&self.concepts, &self.fuzzy) == 0 || text.split_whitespace().nth(1).is_none() {
            return None;
        }
        let joined: String = text.split_whitespace().collect();
        // Not split into known pieces (see `split_run_together_words`): the
        // whole question run together would cost tens of analyses.
        let (words, _) = words_without_requests(analyzer, &joined);
        let typed = typos::suspects(&words, &joined, doc_freq, fields, near, analyzer);
        let mut concepts = concepts::of_words(&words, &typed, synonyms, &joined);
        mark_known(&mut concepts, doc_freq, fields);
        let fuzzy: Vec<String> = typed.iter().map(|t| t.jamo.clone()).collect();
        if share(&concepts, &fuzzy) <= share(&self.concepts, &self.fuzzy) {
            return None;
        }
        self.morphemes = distinct_morphemes(&words);
        self.fuzzy = fuzzy;
        self.concepts = concepts;
        Some(typed)
    }

    /// Fills [`Self::corrections`] for `typed` (the typos [`Self::fuzzy`]
    /// was made from) from `near`. When a stem has none and its whole chunk
    /// has some ("다운로두" → 다운로드), the chunk is the typo'd word. A typo
    /// with one candidate is expanded with its synonyms, as the word typed
    /// right would be ("다운로두" → 다운로드, 내려받다).
    fn correct_typos(
        &mut self,
        typed: &[Typo],
        near: &dyn Fn(&str) -> Arc<Vec<Correction>>,
        synonyms: &SynonymTable,
    ) {
        self.corrections = Vec::with_capacity(self.fuzzy.len());
        for (jamo, Typo { whole, .. }) in self.fuzzy.iter_mut().zip(typed) {
            let mut found = near(jamo);
            if found.is_empty()
                && let Some(whole) = whole
            {
                let of_whole = near(whole);
                if !of_whole.is_empty() {
                    jamo.clone_from(whole);
                    found = of_whole;
                }
            }
            if let [only] = found.as_slice() {
                for e in synonyms.expand(&only.morphemes) {
                    if !self.synonyms.contains(&e) {
                        self.synonyms.push(e);
                    }
                }
            }
            self.corrections.push(found.to_vec());
        }
    }

    /// The query text this plan was made from: `typed` itself, or its
    /// reading when words of it were typed in English mode ([`Self::read`]).
    pub fn text<'a>(&'a self, typed: &'a str) -> &'a str {
        self.read.as_deref().unwrap_or(typed)
    }

    /// `text` with each typo'd word that has exactly one correction
    /// replaced by it ("세금게산서 발행" → "세금계산서 발행"): what the
    /// embedding model reads, since it has no typo matching of its own.
    pub fn as_corrected<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let mut out = std::borrow::Cow::Borrowed(text);
        for (jamo, near) in self.fuzzy.iter().zip(&self.corrections) {
            let [only] = near.as_slice() else { continue };
            let Some(typed) = hangul::compose(jamo) else {
                continue;
            };
            if !typed.is_empty() && out.contains(typed.as_str()) {
                out = std::borrow::Cow::Owned(out.replacen(typed.as_str(), &only.word, 1));
            }
        }
        out
    }

    /// The query as a keyword phrase's key (see [`phrase_key`]; the query's
    /// words may be run together): what finds the entries it names word for
    /// word ([`super::named`]).
    pub fn phrase(&self) -> Option<String> {
        key_of(&self.morphemes)
    }

    /// True when nothing searchable is left (e.g. only punctuation).
    pub fn is_empty(&self) -> bool {
        self.morphemes.is_empty()
            && self.bigrams.is_empty()
            && self.fuzzy.is_empty()
            && self.chosung.is_empty()
    }

    /// True when no word of the query is known to the index, none is a
    /// typo of a known word, and it holds no 초성: then only bigrams would
    /// match, of endings and of words no entry holds ("안녕하세요" → 세요,
    /// "있습니다" → 니다), which most entries share. The results page and
    /// the API list nothing for such a query
    /// ([`crate::search::SearchEngine::search`]); the chatbot's ranking
    /// still runs, and there the model may find the question's topic.
    pub fn knows_nothing(&self) -> bool {
        !self.knows_a_word && self.chosung.is_empty() && self.corrections.iter().all(Vec::is_empty)
    }

    /// The tantivy query for this plan: its [`Self::clauses`], all SHOULD.
    pub fn to_query(&self, f: &Fields, w: &Weights, searcher: &Searcher) -> Box<dyn Query> {
        let clauses = self
            .clauses(f, w, searcher, &FuzzyCache::default(), &|t| {
                searcher.doc_freq(t).unwrap_or(0)
            })
            .into_iter()
            .map(|c| (Occur::Should, c.into_query()))
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// The clauses of this plan's query, in order: BM25 term clauses first,
    /// then the constant-score ones (coverage, fuzzy).
    pub fn clauses(
        &self,
        f: &Fields,
        w: &Weights,
        searcher: &Searcher,
        fuzzy: &FuzzyCache,
        doc_freq: &dyn Fn(&Term) -> u64,
    ) -> Vec<Clause> {
        // One clause per (field, term), boosts added up (BM25 is linear in
        // the boost); terms the index does not hold are left out.
        // Each term with a hash of its (field, text), compared first: a
        // query has a few dozen terms, most of them added more than once.
        use std::hash::BuildHasher;
        let hasher = foldhash::fast::FixedState::default();
        let mut boosts: Vec<(u64, Term, f32)> = Vec::new();
        let mut term = |field: Field, text: &str, boost: f32| {
            if boost <= 0.0 {
                return;
            }
            let h = hasher.hash_one((field, text));
            let same = |u: &Term| u.field() == field && u.value().as_str() == Some(text);
            match boosts.iter_mut().find(|(g, u, _)| *g == h && same(u)) {
                Some((_, _, b)) => *b += boost,
                None => boosts.push((h, Term::from_field_text(field, text), boost)),
            }
        };
        for m in &self.morphemes {
            term(f.title, m, w.title);
            term(f.keywords, m, w.keywords);
            term(f.body, m, w.body);
        }
        for seq in &self.synonyms {
            let share = w.synonym / seq.len() as f32;
            for m in seq {
                term(f.title, m, w.title * share);
                term(f.keywords, m, w.keywords * share);
                term(f.body, m, w.body * share);
            }
        }
        for near in &self.corrections {
            // Each morpheme as if typed (a compound typo'd as one word is
            // several words), the candidates sharing the weight.
            let share = w.correction / near.len() as f32;
            for c in near {
                for m in &c.morphemes {
                    term(f.title, m, w.title * share);
                    term(f.keywords, m, w.keywords * share);
                    term(f.body, m, w.body * share);
                }
                for b in bigrams(&c.word) {
                    term(f.title_bigram, &b.text, w.title_bigram * share);
                    term(f.body_bigram, &b.text, w.body_bigram * share);
                }
            }
        }
        for b in &self.bigrams {
            term(f.title_bigram, b, w.title_bigram);
            term(f.body_bigram, b, w.body_bigram);
        }
        for c in &self.chosung {
            term(f.chosung, c, w.chosung);
            term(f.chosung_head, c, w.chosung_head);
        }
        let mut clauses: Vec<Clause> = boosts
            .into_iter()
            .filter(|(_, t, _)| doc_freq(t) > 0)
            .map(|(_, term, boost)| Clause::Bm25 { term, boost })
            .collect();
        if w.coverage > 0.0 {
            for c in &self.concepts {
                if let Some(q) = concept_query(c, &[f.title, f.keywords], searcher) {
                    clauses.push(Clause::Constant {
                        query: Box::new(ConstScoreQuery::new(q, w.coverage)),
                        score: w.coverage,
                    });
                }
            }
        }
        for j in self.fuzzy.iter().filter(|_| w.fuzzy > 0.0) {
            // The index's words within the typo distance (what a
            // `FuzzyTermQuery` matches), found once per index and word.
            // (A term set query would build an FST per search.)
            let terms = fuzzy.expand(searcher, f.jamo, j);
            let any = terms
                .iter()
                .map(|t| {
                    let q = TermQuery::new(t.clone(), IndexRecordOption::Basic);
                    (Occur::Should, Box::new(q) as Box<dyn Query>)
                })
                .collect();
            let q = BooleanQuery::new(any);
            clauses.push(Clause::Constant {
                query: Box::new(ConstScoreQuery::new(Box::new(q), w.fuzzy)),
                score: w.fuzzy,
            });
        }
        clauses
    }

    /// Words to highlight in snippets: stems, morphemes and synonyms of two
    /// or more characters (one-syllable words would light up everywhere),
    /// Latin words; longest first, so "무통장입금" wins over "입금".
    pub fn highlight_terms(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .stems
            .iter()
            .chain(&self.morphemes)
            .chain(self.synonyms.iter().flatten())
            .chain(self.corrections.iter().flatten().map(|c| &c.word))
            .filter(|t| t.chars().count() >= 2 || t.is_ascii())
            .cloned()
            .collect();
        out.sort_by_key(|t| std::cmp::Reverse(t.len()));
        out.dedup();
        out
    }
}

/// [`run_together::split_words`] with the content's words
/// ([`known_or_stop_word`]).
fn split_run_together_words(
    words: &mut [crate::korean::analyzer::Word],
    text: &str,
    analyzer: &Analyzer,
    doc_freq: &dyn Fn(&Term) -> u64,
    fields: &Fields,
) {
    let known = |m: &str| known_or_stop_word(m, doc_freq, fields);
    run_together::split_words(words, text, analyzer, &known);
}

/// The key of a keyword phrase as [`super::named`] compares it with a
/// query's ([`QueryPlan::phrase`]): the distinct content morphemes of
/// `words` (stop words aside), sorted and joined by spaces. `None` unless
/// two of the words hold such a morpheme: one word, compound or not
/// ("무통장입금", "충전금"), names a topic, not an entry.
pub fn phrase_key(words: &[crate::korean::analyzer::Word]) -> Option<String> {
    let holding = words
        .iter()
        .filter(|w| {
            w.morphemes
                .iter()
                .any(|p| !QUERY_STOP_WORDS.contains(&p.text.as_str()))
        })
        .count();
    if holding < 2 {
        return None;
    }
    key_of(&distinct_morphemes(words))
}

/// `morphemes` sorted and joined by spaces, when there are two or more.
fn key_of(morphemes: &[String]) -> Option<String> {
    if morphemes.len() < 2 {
        return None;
    }
    let mut sorted: Vec<&str> = morphemes.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    Some(sorted.join(" "))
}

/// The query's morphemes in order, each once, without stop words.
fn distinct_morphemes(words: &[crate::korean::analyzer::Word]) -> Vec<String> {
    let mut seen = HashSet::new();
    words
        .iter()
        .flat_map(|w| &w.morphemes)
        .map(|p| p.text.clone())
        .filter(|t| !QUERY_STOP_WORDS.contains(&t.as_str()))
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// Some entry holds the morpheme, or it is a stop word, which need not be in
/// the content ("법" of "하는 법"): what does not make a word a typo.
fn known_or_stop_word(t: &str, doc_freq: &dyn Fn(&Term) -> u64, f: &Fields) -> bool {
    QUERY_STOP_WORDS.contains(&t) || known_morpheme(t, doc_freq, f)
}

/// `text` with each word typed with the keyboard in English mode read as
/// the Hangul its keys spell (`ghksqnf` → 환불, see
/// [`crate::korean::keyboard`]), or `None` when no word was. A word of
/// ASCII letters is read so only when the content knows none of its
/// morphemes as typed, its keys spell two syllables or more, and the
/// content knows every morpheme of that reading (or it is a stop word such
/// as 방법): `API`, `sms`, `tn` (수) or an English word the content lacks
/// stay as typed, and so does a word whose keys spell Hangul the content
/// does not hold (a typo in English mode is not guessed at twice).
/// Punctuation after a word is the same in both modes and stays
/// ("ghksqnf?" → "환불?").
fn read_keyboard(
    text: &str,
    analyzer: &Analyzer,
    doc_freq: &dyn Fn(&Term) -> u64,
    fields: &Fields,
) -> Option<String> {
    let known = |m: &String| known_morpheme(m, doc_freq, fields);
    let reading = |typed: &str| -> Option<String> {
        let word = typed.trim_end_matches(|c: char| c.is_ascii_punctuation());
        if word.len() < 2 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        if distinct_morphemes(&analyzer.words(word)).iter().any(known) {
            return None;
        }
        let hangul = crate::korean::keyboard::hangul(word).filter(|h| h.chars().count() >= 2)?;
        // Every morpheme, stop words too ("qkdqjq" is 방법).
        let words = analyzer.words(&hangul);
        let mut morphemes = words.iter().flat_map(|w| &w.morphemes).peekable();
        let read = morphemes.peek().is_some()
            && morphemes.all(|m| known_or_stop_word(&m.text, doc_freq, fields));
        read.then(|| hangul + &typed[word.len()..])
    };
    // Cheap test first: most queries hold no word starting with a letter.
    if !text
        .split_whitespace()
        .any(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()))
    {
        return None;
    }
    let mut changed = false;
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| match reading(w) {
            Some(hangul) => {
                changed = true;
                hangul
            }
            None => w.to_string(),
        })
        .collect();
    changed.then(|| words.join(" "))
}

/// Some entry holds the morpheme (title, keywords or body).
fn known_morpheme(t: &str, doc_freq: &dyn Fn(&Term) -> u64, f: &Fields) -> bool {
    [f.body, f.title, f.keywords]
        .into_iter()
        .any(|field| doc_freq(&Term::from_field_text(field, t)) > 0)
}
