//! From what a user typed to a tantivy query.
//!
//! User text is never parsed as query syntax: `환불 AND (`, `title:x` and `*`
//! are analyzed as plain text like anything else. The plan combines, as
//! SHOULD clauses scored by BM25 with per-field weights:
//!
//! - morphemes against title, keywords (and category names) and body;
//! - synonyms of those morphemes (from `content/synonyms.yaml`), weighted lower;
//! - Hangul bigrams against title and body (robust to spacing and to
//!   segmentation differences);
//! - for words the index does not know (likely typos), fuzzy matches of their
//!   jamo spelling against known stems (edit distance 1; 2 for words of 15+ jamo);
//! - 초성 chunks ("ㄱㅅㄱㅈ") against the 초성 of nouns.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::memo::Memo;
use super::run_together;
use super::schema::Fields;
use crate::content::Synonyms;
use crate::korean::analyzer::{bigrams, chosung_query};
use crate::korean::{Analyzer, hangul};

/// Field weights. The defaults were chosen by measurement on the dev set
/// (`doum eval --weight NAME=VALUE` tries others without rebuilding).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Morphemes in the title.
    pub title: f32,
    /// Morphemes in keywords and category names.
    pub keywords: f32,
    /// Morphemes in the body.
    pub body: f32,
    /// Bigrams in the title.
    pub title_bigram: f32,
    /// Bigrams in the body.
    pub body_bigram: f32,
    /// Synonym expansions, relative to the word they expand.
    pub synonym: f32,
    /// A fuzzy (typo) match of an unknown word.
    pub fuzzy: f32,
    /// The index's words near a typo'd word, scored like the word itself,
    /// relative to it (see [`QueryPlan::corrections`]).
    pub correction: f32,
    /// A 초성 match anywhere in the entry.
    pub chosung: f32,
    /// A 초성 match in the title, keywords or category names, on top of
    /// [`Self::chosung`].
    pub chosung_head: f32,
    /// Each concept of the query (a word, or one of its synonyms) found in
    /// the title or keywords, whatever its frequency: an entry whose title
    /// holds every concept asked for beats a sibling that shares only the
    /// head word.
    pub coverage: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            title: 2.0,
            keywords: 2.0,
            body: 1.0,
            title_bigram: 1.5,
            body_bigram: 0.8,
            synonym: 0.8,
            fuzzy: 2.0,
            correction: 0.8,
            chosung: 4.0,
            chosung_head: 2.0,
            coverage: 0.0,
        }
    }
}

impl Weights {
    /// Sets one weight from `name=value` (names as the fields).
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("`{assignment}`: expected NAME=VALUE"))?;
        let value: f32 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a number"))?;
        let slot = match name.trim() {
            "title" => &mut self.title,
            "keywords" => &mut self.keywords,
            "body" => &mut self.body,
            "title_bigram" => &mut self.title_bigram,
            "body_bigram" => &mut self.body_bigram,
            "synonym" => &mut self.synonym,
            "fuzzy" => &mut self.fuzzy,
            "correction" => &mut self.correction,
            "chosung" => &mut self.chosung,
            "chosung_head" => &mut self.chosung_head,
            "coverage" => &mut self.coverage,
            other => return Err(format!("unknown weight `{other}`")),
        };
        *slot = value;
        Ok(())
    }
}

/// Conversational words that carry no topic ("싶어요" is a proper noun in
/// mecab-ko-dic, "문의" and "질문" say only that a question is asked, "수" and
/// "것" come from "할 수 있나요", "하는 것", "법" from "하는 법").
const QUERY_STOP_WORDS: [&str; 9] = [
    "싶어요",
    "문의",
    "질문",
    "궁금",
    "방법",
    "요",
    "수",
    "것",
    "법",
];

/// At most this many words of one query are matched fuzzily (each costs a
/// Levenshtein automaton).
const MAX_FUZZY_WORDS: usize = 3;

/// Question words carry the asker's intent but are dropped by morphology
/// (adverbs and pronouns): "언제까지 쓸 수 있나요" asks for a period. Each
/// pattern found in the query adds its concept words like synonyms. (Nouns
/// such as "며칠" and "얼마" are in the lexicon instead.)
const QUESTION_WORDS: [(&str, &[&str]); 3] = [
    ("언제까지", &["기한", "유효기간"]),
    ("얼마나 걸", &["기간", "소요"]),
    ("왜", &["이유", "사유"]),
];

/// How many edits a typo'd word (spelled as jamo) may be from the word
/// meant: 1, or 2 for long words (15+ jamo, about 5 syllables). Distance 2
/// costs ~45 µs to build its automaton, and short words have too many
/// 2-edit neighbours.
pub fn typo_distance(jamo: &str) -> u8 {
    if jamo.chars().count() >= 15 { 2 } else { 1 }
}

/// Synonym groups, each member analyzed into morphemes once.
pub struct SynonymTable {
    groups: Vec<Vec<Vec<String>>>,
    /// For each morpheme, the groups with a member starting with it.
    by_first: HashMap<String, Vec<usize>>,
    /// [`QUESTION_WORDS`] with their concepts analyzed.
    questions: Vec<(&'static str, Vec<Vec<String>>)>,
}

/// The built-in lexicon (`src/search/lexicon.yaml`), in the format of `content/synonyms.yaml`.
const LEXICON: &str = include_str!("lexicon.yaml");

/// The built-in lexicon's groups.
pub fn lexicon() -> Vec<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct File {
        groups: Vec<Vec<String>>,
    }
    serde_yaml::from_str::<File>(LEXICON)
        .map(|f| f.groups)
        .unwrap_or_default()
}

/// A place in a synonym file: `(file, line)`.
pub type Place = (String, usize);

/// Where the built-in lexicon lives, for messages.
pub const LEXICON_PATH: &str = "src/search/lexicon.yaml";

/// Words that stand in two synonym groups, across the content's groups and
/// the built-in lexicon, as `(word, first place, second place)` (spaces
/// ignored; the lexicon comes first); a place is
/// `(file, line)` with `content_file` for the content's groups (`lines` are
/// their lines, in order). A word in two groups would join them silently.
pub fn overlapping_words(
    content: &[Vec<String>],
    content_file: &str,
    lines: &[usize],
) -> Vec<(String, Place, Place)> {
    let lexicon_lines =
        crate::content::lines::block_item_lines(LEXICON, "groups").unwrap_or_default();
    let builtin = lexicon();
    // The lexicon first, so that a content word is reported where it can be fixed.
    let places = builtin
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let line = lexicon_lines.get(i).copied().unwrap_or(1);
            (g, (LEXICON_PATH.to_owned(), line))
        })
        .chain(content.iter().enumerate().map(|(i, g)| {
            let line = lines.get(i).copied().unwrap_or(1);
            (g, (content_file.to_owned(), line))
        }));
    let mut seen: std::collections::HashMap<String, (String, usize)> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for (group, place) in places {
        for word in group {
            let key: String = word.split_whitespace().collect();
            match seen.get(&key) {
                Some(first) if *first != place => {
                    out.push((word.clone(), first.clone(), place.clone()));
                }
                Some(_) => {}
                None => {
                    seen.insert(key, place.clone());
                }
            }
        }
    }
    out
}

impl SynonymTable {
    /// Analyzes every member of every group: the content's synonyms and the
    /// built-in lexicon.
    pub fn new(synonyms: &Synonyms, analyzer: &Analyzer) -> Self {
        let builtin = lexicon();
        let groups: Vec<Vec<Vec<String>>> = synonyms
            .groups()
            .iter()
            .chain(builtin.iter())
            .map(|g| {
                g.iter()
                    .map(|m| member_morphemes(analyzer, m))
                    .filter(|m: &Vec<String>| !m.is_empty())
                    .collect()
            })
            .collect();
        let questions = QUESTION_WORDS
            .iter()
            .map(|(pattern, concepts)| {
                let analyzed = concepts
                    .iter()
                    .map(|c| analyzer.morphemes(c).into_iter().map(|p| p.text).collect())
                    .collect();
                (*pattern, analyzed)
            })
            .collect();
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, group) in groups.iter().enumerate() {
            for member in group {
                let list = by_first.entry(member[0].clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        Self {
            groups,
            by_first,
            questions,
        }
    }

    /// Concepts asked for by question words in `text` ("언제까지" → 기한).
    pub fn question_concepts(&self, text: &str) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for (pattern, concepts) in &self.questions {
            if text.contains(pattern) {
                for c in concepts {
                    if !c.is_empty() && !out.contains(c) {
                        out.push(c.clone());
                    }
                }
            }
        }
        out
    }

    /// Morpheme sequences equivalent to a part of `morphs`, not already in it.
    pub fn expand(&self, morphs: &[String]) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut candidates: Vec<usize> = morphs
            .iter()
            .filter_map(|m| self.by_first.get(m))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for group in candidates.iter().map(|&i| &self.groups[i]) {
            let hit = group.iter().any(|member| contains_run(morphs, member));
            if !hit {
                continue;
            }
            for member in group {
                if !contains_run(morphs, member) && !out.contains(member) {
                    out.push(member.clone());
                }
            }
        }
        out
    }
}

/// A synonym member's morphemes, one per position: a compound stays whole
/// ("세금계산서" → 세금, 계산서), so it matches however the query splits it.
fn member_morphemes(analyzer: &Analyzer, member: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut last = None;
    for p in analyzer.morphemes(member) {
        if last != Some(p.position) {
            last = Some(p.position);
            out.push(p.text);
        }
    }
    out
}

fn contains_run(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// One thing the query asks about: a word of it (a compound with its
/// parts) or a question word's concept, with every form that counts as
/// saying it (the word's synonyms). Each form is a morpheme sequence.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Concept {
    /// The forms; the first is the word as analyzed.
    pub forms: Vec<Vec<String>>,
    /// True when some entry holds one of the forms (title, keywords or body).
    pub known: bool,
}

impl Concept {
    /// True when one of the forms is in `words` (every morpheme of it).
    pub fn found_in(&self, words: &HashSet<String>) -> bool {
        self.forms
            .iter()
            .any(|f| !f.is_empty() && f.iter().all(|m| words.contains(m)))
    }
}

/// The index's words within typo distance of a word (see [`typo_distance`]),
/// remembered per word: building a Levenshtein automaton over jamo and
/// walking the term dictionaries with it was a quarter of a search's time,
/// and the same typos come back. One cache per index (a [`super::SearchEngine`]);
/// emptied when it holds [`FuzzyCache::CAPACITY`] words.
pub struct FuzzyCache {
    terms: Memo<String, Arc<Vec<Term>>>,
    corrections: Memo<String, Arc<Vec<Correction>>>,
}

impl Default for FuzzyCache {
    fn default() -> Self {
        Self {
            terms: Memo::new(Self::CAPACITY),
            corrections: Memo::new(Self::CAPACITY),
        }
    }
}

impl FuzzyCache {
    /// Words remembered at most.
    pub const CAPACITY: usize = 10_000;

    /// The terms of `field` (a jamo field) within [`typo_distance`] of
    /// `jamo` (transpositions count as one edit), in every segment.
    pub fn expand(&self, searcher: &Searcher, field: Field, jamo: &str) -> Arc<Vec<Term>> {
        self.terms.get_or(jamo, || {
            Arc::new(fuzzy_terms(searcher, field, jamo).unwrap_or_default())
        })
    }

    /// [`corrections`] of `jamo` among the terms [`Self::expand`] finds.
    pub fn corrections(
        &self,
        searcher: &Searcher,
        field: Field,
        jamo: &str,
        analyzer: &Analyzer,
    ) -> Arc<Vec<Correction>> {
        self.corrections.get_or(jamo, || {
            Arc::new(corrections(
                jamo,
                &self.expand(searcher, field, jamo),
                analyzer,
            ))
        })
    }
}

/// The words a typo'd word (spelled as jamo) may stand for: `near`, the
/// jamo-field terms within typo distance of it, read back as syllables and
/// analyzed as the index analyzed them.
///
/// A word the dictionary reads as one morpheme ("계약", "정도") is a real
/// word the content lacks rather than a typo, and gets none: its near words
/// ("예약", "정보") mean something else. A typo splits into pieces ("환뷸" →
/// 환 | 뷸, "구룹" → 구 | 룹).
pub fn corrections(jamo: &str, near: &[Term], analyzer: &Analyzer) -> Vec<Correction> {
    let mut words: Vec<Correction> = Vec::new();
    let typed = hangul::compose(jamo).unwrap_or_default();
    if let [one] = analyzer.morphemes(&typed).as_slice()
        && one.text == typed
    {
        return words;
    }
    for term in near {
        let Some(word) = term.value().as_str().and_then(hangul::compose) else {
            continue;
        };
        let morphemes: Vec<String> = analyzer
            .morphemes(&word)
            .into_iter()
            .map(|p| p.text)
            .collect();
        if !morphemes.is_empty() && !words.iter().any(|c| c.morphemes == morphemes) {
            words.push(Correction { word, morphemes });
        }
    }
    words
}

fn fuzzy_terms(searcher: &Searcher, field: Field, jamo: &str) -> tantivy::Result<Vec<Term>> {
    let query = FuzzyTermQuery::new(
        Term::from_field_text(field, jamo),
        typo_distance(jamo),
        true,
    );
    let dfa = query.automaton()?;
    let mut out: Vec<Term> = Vec::new();
    for reader in searcher.segment_readers() {
        let index = reader.inverted_index(field)?;
        let mut stream = index.terms().search(&dfa).into_stream()?;
        while stream.advance() {
            if let Ok(text) = std::str::from_utf8(stream.key()) {
                out.push(Term::from_field_text(field, text));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
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

/// An index word near a typo'd one (see [`QueryPlan::corrections`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The word, as syllables.
    pub word: String,
    /// Its morphemes, as the index analyzed them.
    pub morphemes: Vec<String>,
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
        let mut words = analyzer.words(text);
        split_run_together_words(&mut words, text, analyzer, doc_freq, fields);
        let morphemes = distinct_morphemes(&words);
        let mut expansions = synonyms.expand(&morphemes);
        for c in synonyms.question_concepts(text) {
            if !expansions.contains(&c) && !c.iter().all(|m| morphemes.contains(m)) {
                expansions.push(c);
            }
        }
        let mut seen = HashSet::new();
        let bigrams = bigrams(text)
            .into_iter()
            .map(|p| p.text)
            .filter(|t| seen.insert(t.clone()))
            .collect();

        let mut typed = typos(&words, text, doc_freq, fields);
        let mut concepts = concepts(&words, &typed, synonyms, text);
        mark_known(&mut concepts, doc_freq, fields);
        let fuzzy = typed.iter().map(|t| t.jamo.clone()).collect();
        let stems = words
            .into_iter()
            .filter_map(|w| w.stem)
            .map(|p| p.text)
            .collect();
        let mut plan = Self {
            morphemes,
            concepts,
            synonyms: expansions,
            bigrams,
            fuzzy,
            corrections: Vec::new(),
            chosung: chosung_query(text),
            stems,
        };
        if let Some(joined) = plan.read_as_meant(text, analyzer, synonyms, doc_freq, fields) {
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
        let words = analyzer.words(&joined);
        let typed = typos(&words, &joined, doc_freq, fields);
        let mut concepts = concepts(&words, &typed, synonyms, &joined);
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

    /// True when nothing searchable is left (e.g. only punctuation).
    pub fn is_empty(&self) -> bool {
        self.morphemes.is_empty()
            && self.bigrams.is_empty()
            && self.fuzzy.is_empty()
            && self.chosung.is_empty()
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

/// A word that looks like a typo (see [`typos`]).
struct Typo {
    /// Its stem spelled as jamo, matched fuzzily.
    jamo: String,
    /// The whole chunk as jamo, when it is longer than the stem and short
    /// enough to be one word: a typo can make the dictionary read a word's
    /// end as particles ("다운로두" → 다운 + 로 + 두), and the stem alone then
    /// finds nothing near it (see [`QueryPlan::correct_typos`]).
    whole: Option<String>,
}

/// Chunks of more syllables than this are not tried whole as one typo'd word.
const MAX_WHOLE_SYLLABLES: usize = 6;

/// Words that look like typos: a chunk is suspect when one of its
/// morphemes appears nowhere in the index ("환뷸" → 환 | 뷸); then its stem,
/// spelled as jamo, is matched fuzzily against known stems and nouns (or
/// the whole chunk, see [`Typo`]). `text` is what `words` were analyzed from.
fn typos(
    words: &[crate::korean::analyzer::Word],
    text: &str,
    doc_freq: &dyn Fn(&Term) -> u64,
    fields: &Fields,
) -> Vec<Typo> {
    let mut out: Vec<Typo> = Vec::new();
    let unknown = |jamo: &str| doc_freq(&Term::from_field_text(fields.jamo, jamo)) == 0;
    for w in words {
        let Some(stem) = &w.stem else { continue };
        if out.len() >= MAX_FUZZY_WORDS {
            break;
        }
        let suspect = w
            .morphemes
            .iter()
            .any(|m| !known_or_stop_word(&m.text, doc_freq, fields));
        if !suspect || !stem.text.chars().any(hangul::is_syllable) {
            continue;
        }
        let jamo = hangul::decompose(&stem.text);
        // Under 5 jamo ("하나") a word has too many one-edit neighbours (and
        // a short word with its particle, "돈은", is no typo of the chunk).
        if jamo.chars().count() < 5 || !unknown(&jamo) || out.iter().any(|t| t.jamo == jamo) {
            continue;
        }
        // The chunk the stem starts, when it is one word of syllables.
        let whole = Some(Analyzer::chunk_from(text, stem.start))
            .filter(|c| {
                c.len() > stem.text.len()
                    && c.chars().all(hangul::is_syllable)
                    && c.chars().count() <= MAX_WHOLE_SYLLABLES
            })
            .map(hangul::decompose)
            .filter(|c| unknown(c));
        out.push(Typo { jamo, whole });
    }
    out
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

/// Some entry holds the morpheme (title, keywords or body).
fn known_morpheme(t: &str, doc_freq: &dyn Fn(&Term) -> u64, f: &Fields) -> bool {
    [f.body, f.title, f.keywords]
        .into_iter()
        .any(|field| doc_freq(&Term::from_field_text(field, t)) > 0)
}

/// Marks the concepts some entry holds.
fn mark_known(concepts: &mut [Concept], doc_freq: &dyn Fn(&Term) -> u64, fields: &Fields) {
    for c in concepts {
        c.known = c
            .forms
            .iter()
            .any(|f| !f.is_empty() && f.iter().all(|m| known_morpheme(m, doc_freq, fields)));
    }
}

/// The query's concepts: one per word position (a compound and its parts
/// are one), minus stop words and words matched as typos, each with its
/// synonyms; then the concepts of question words.
fn concepts(
    words: &[crate::korean::analyzer::Word],
    typos: &[Typo],
    synonyms: &SynonymTable,
    text: &str,
) -> Vec<Concept> {
    let mut out: Vec<Concept> = Vec::new();
    for w in words {
        let typo = w.stem.as_ref().is_some_and(|s| {
            let jamo = hangul::decompose(&s.text);
            typos.iter().any(|t| t.jamo == jamo)
        });
        if typo {
            continue;
        }
        let mut i = 0;
        while i < w.morphemes.len() {
            let position = w.morphemes[i].position;
            let group: Vec<String> = w.morphemes[i..]
                .iter()
                .take_while(|p| p.position == position)
                .map(|p| p.text.clone())
                .collect();
            i += group.len();
            let kept: Vec<String> = group
                .into_iter()
                .filter(|t| !QUERY_STOP_WORDS.contains(&t.as_str()))
                .collect();
            if kept.is_empty() {
                continue;
            }
            let mut forms: Vec<Vec<String>> = kept.iter().map(|t| vec![t.clone()]).collect();
            for e in synonyms.expand(&kept) {
                if !forms.contains(&e) {
                    forms.push(e);
                }
            }
            let concept = Concept {
                forms,
                known: false,
            };
            if !out.contains(&concept) {
                out.push(concept);
            }
        }
    }
    let asked = synonyms.question_concepts(text);
    if !asked.is_empty() {
        out.push(Concept {
            forms: asked,
            known: false,
        });
    }
    out
}

/// Matches entries holding one of the concept's forms in one of `fields`;
/// `None` when the index holds none of them.
fn concept_query(c: &Concept, fields: &[Field], searcher: &Searcher) -> Option<Box<dyn Query>> {
    let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for &field in fields {
        for form in &c.forms {
            let terms: Vec<Term> = form
                .iter()
                .map(|m| Term::from_field_text(field, m))
                .collect();
            if terms.iter().any(|t| searcher.doc_freq(t).unwrap_or(0) == 0) {
                continue;
            }
            let query: Box<dyn Query> = match terms.as_slice() {
                [one] => Box::new(TermQuery::new(one.clone(), IndexRecordOption::Basic)),
                many => Box::new(BooleanQuery::new(
                    many.iter()
                        .map(|t| {
                            let q: Box<dyn Query> =
                                Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic));
                            (Occur::Must, q)
                        })
                        .collect(),
                )),
            };
            alternatives.push((Occur::Should, query));
        }
    }
    (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_builtin_lexicon_parses_and_keeps_each_word_in_one_group() {
        let groups = super::lexicon();
        assert!(groups.len() >= 20);
        assert!(groups.iter().all(|g| g.len() >= 2));
        assert_eq!(super::overlapping_words(&[], "x", &[]), []);
        let content = vec![vec!["환 불".to_owned(), "돈 돌려받기".to_owned()]];
        let found = super::overlapping_words(&content, "synonyms.yaml", &[4]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "환 불");
        assert_eq!(found[0].1.0, super::LEXICON_PATH);
        assert!(found[0].1.1 > 1);
        assert_eq!(found[0].2, ("synonyms.yaml".to_owned(), 4));
    }
}
