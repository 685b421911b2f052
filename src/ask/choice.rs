//! How sure the search is of its top entry, and which entry answers: the one
//! choice the chatbot, `doum ask` and the agent preview share.
//!
//! # How sure the search is
//!
//! Search scores only compare within one query, so [`assess`] measures what
//! a reader would check: how much of what the question asks about the top
//! entry holds ([`Coverage`]: the question's concepts, a word with its
//! synonyms, found in the entry's title, keywords and categories, or
//! anywhere in it; a typo'd word counts when it is one or two letters from a
//! word of the title or keywords), how much of it the content knows at all, and how far
//! the top entry is ahead of the runner-up. [`confidence`] turns that into a
//! number in `[0, 1]`:
//!
//! - at least [`SURE_CONFIDENCE`]: the top entry is the answer (one card);
//! - below [`MIN_CONFIDENCE`]: nothing relevant was found (the not-found card
//!   with 상담원 연결) — the question is mostly about things no entry speaks of;
//! - in between: a list of candidates to pick from.
//!
//! The thresholds were calibrated on both dev sets and the out-of-domain
//! questions (`doum eval --chat`), never on single queries.
//!
//! # Which entry answers
//!
//! The first hit is not always the one to personalize with: a sibling entry
//! sharing the head word may rank first ("멤버가 탈퇴하면 그 멤버가 등록한
//! 결제카드는 어떻게 되나요?" before "탈퇴한 멤버가 결제했던 내역의
//! 카드취소는 가능한가요?" for a refund question). [`answering`] picks:
//!
//! 1. the decisions the question names ([`Topics`]: a decision's topic words
//!    are the words of its title no other decision's title has, "결제 건별
//!    환불 방법" → 건별, 환불), through the question's words and synonyms;
//! 2. among the close candidates (within [`CLEAR_RATIO`] of the top score,
//!    at most the first [`LIST_LEN`]),
//!    when they carry different decisions, the one naming a decision the
//!    question names, then the one whose entry covers most of the question
//!    (words as typed, not typo guesses), then the better ranked;
//! 3. a question that names topics never gets another topic's decision: if
//!    the chosen entry's decision is not among them, the answer is general.

use std::collections::HashSet;

use crate::content::Entry;
use crate::rules::RuleBook;
use crate::search::engine::RankedQuestion;
use crate::search::query::{QueryPlan, typo_distance};
use crate::search::suggest::edit_distance_within;
use crate::search::{Ranked, SearchEngine, SearchError};

/// A confidence at or above this makes the top entry the answer.
pub const SURE_CONFIDENCE: f32 = 0.9;
/// A confidence below this means nothing relevant was found.
pub const MIN_CONFIDENCE: f32 = 0.35;
/// Below this a list is weak: the top entry holds little of the question.
pub const WEAK_CONFIDENCE: f32 = 0.4;
/// The embedding model's cosine (multilingual-e5-small, `query: `/`passage: `)
/// from which an entry is on the question's topic; unrelated questions
/// reach .78–.85 against help-center entries.
pub const DENSE_NEAR: f32 = crate::search::rerank::ON_TOPIC_COSINE;
/// The cosine from which an entry is worth listing although few of the
/// question's words are in it.
pub const DENSE_RELEVANT: f32 = crate::search::rerank::RELEVANT_COSINE;
/// How far the model must put the top entry ahead of the other leading
/// candidates for it to be the answer.
pub const DENSE_LEAD: f32 = 0.02;
/// A lead at or below this: the model prefers another candidate.
pub const DENSE_BEHIND: f32 = -0.01;
/// Candidates within this factor of the top score are close to it; a top
/// score this many times the runner-up's is clearly ahead.
pub const CLEAR_RATIO: f32 = 1.5;
/// The lead over the runner-up that makes an entry holding every concept of
/// the question the answer.
pub const CLOSE_LEAD: f32 = 1.1;
/// [`CLEAR_RATIO`] for the answer when the ranking is re-ranked semantically:
/// a lexical lead under the re-ranker's clear ratio has then been checked by
/// the embedding model, so the top entry that keeps its lead has two signals
/// behind it, and a smaller lead suffices.
pub const SEMANTIC_CLEAR_RATIO: f32 = 1.3;

/// How much of what a question asks one entry holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Concepts the question asks about (typo'd words included).
    pub asked: usize,
    /// ... that some entry of the content holds.
    pub known: usize,
    /// ... found in this entry's title, keywords or categories.
    pub head: usize,
    /// ... found anywhere in this entry.
    pub anywhere: usize,
}

impl Coverage {
    fn share(n: usize, of: usize) -> f32 {
        if of == 0 { 0.0 } else { n as f32 / of as f32 }
    }
}

/// What [`confidence`] looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signals {
    /// The top entry's coverage.
    pub top: Coverage,
    /// Top score over the runner-up's (infinite when alone).
    pub ratio: f32,
    /// The ranking went through the semantic re-ranker (see
    /// [`SEMANTIC_CLEAR_RATIO`]).
    pub semantic: bool,
    /// What the embedding model says, when semantics are on.
    pub dense: Option<Dense>,
    /// The model was due but every core was busy embedding, so `dense` is
    /// missing for this once.
    pub busy: bool,
    /// The question is, word for word, a keyword phrase of the top entry
    /// and of no other ([`crate::search::named`]): its writer said this
    /// entry answers it, and the model does not overrule that.
    pub named: bool,
}

/// The embedding model's view of the top entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dense {
    /// Cosine between the question and the top entry.
    pub top: f32,
    /// `top` minus the best cosine of the other leading candidates (0 when alone).
    pub lead: f32,
    /// The top entry is also the one the words alone put first.
    pub agrees: bool,
}

/// How many leading candidates [`Dense::lead`] compares with.
const DENSE_RIVALS: usize = 5;

/// One word spelled as jamo is a typo of one of `stems`.
fn near(jamo: &str, stems: &[String]) -> bool {
    let max = usize::from(typo_distance(jamo));
    let jamo: Vec<char> = jamo.chars().collect();
    let mut rows = Vec::new();
    stems.iter().any(|s| {
        let stem: Vec<char> = s.chars().collect();
        edit_distance_within(&jamo, &stem, max, &mut rows).is_some()
    })
}

/// How much of what `plan` asks `entry` holds.
pub fn coverage(engine: &SearchEngine, plan: &QueryPlan, entry: &Entry) -> Coverage {
    let w = engine.entry_words(entry);
    let mut c = Coverage::default();
    for concept in &plan.concepts {
        c.asked += 1;
        c.known += usize::from(concept.known);
        let head = concept.found_in(&w.head);
        c.head += usize::from(head);
        c.anywhere += usize::from(head || concept.found_in(&w.body));
    }
    // A typo'd word counts when it is close to a word of the title or
    // keywords: close to some word of a long body, any word would count
    // ("사랑" is one letter from "사람").
    for jamo in &plan.fuzzy {
        c.asked += 1;
        let head = near(jamo, &w.head_stems);
        c.known += usize::from(head);
        c.head += usize::from(head);
        c.anywhere += usize::from(head);
    }
    c
}

/// The signals for the top entry of `ranked`; `None` when there is no
/// entry or the question has no words to compare (only 초성, say).
/// `lexical_first`: the entry the words alone put first; `named`: the one
/// entry the question names by a keyword phrase, if any.
pub fn assess(
    engine: &SearchEngine,
    plan: &QueryPlan,
    ranked: &[Ranked],
    question: &str,
    lexical_first: Option<&Entry>,
    named: Option<&Entry>,
) -> Option<Signals> {
    let top = ranked.first()?;
    let cov = coverage(engine, plan, top.entry);
    if cov.asked == 0 {
        return None;
    }
    let ratio = match ranked.get(1) {
        Some(second) if second.score > 0.0 => top.score / second.score,
        _ => f32::INFINITY,
    };
    let leading: Vec<&Entry> = ranked
        .iter()
        .take(1 + DENSE_RIVALS)
        .map(|r| r.entry)
        .collect();
    let cosines = engine.similarity(plan, question, &leading);
    let busy = cosines.is_err();
    let dense = cosines.ok().flatten().map(|cos| Dense {
        top: cos[0],
        lead: cos[1..]
            .iter()
            .copied()
            .fold(None, |m: Option<f32>, c| Some(m.map_or(c, |m| m.max(c))))
            .map_or(0.0, |best| cos[0] - best),
        agrees: lexical_first.is_some_and(|e| e.id == top.entry.id),
    });
    Some(Signals {
        top: cov,
        ratio,
        semantic: engine.is_semantic(),
        dense,
        busy,
        named: named.is_some_and(|e| e.id == top.entry.id),
    })
}

/// How sure the search is of its top entry, in `[0, 1]` (see the module docs):
/// the words' view (coverage and lead, as the module docs say), corrected by the embedding
/// model's when semantics are on:
///
/// - the answer becomes a list when the model prefers another leading
///   candidate (the top entry's lead is at most [`DENSE_BEHIND`]: cosines
///   within a hundredth of each other are a tie, not a preference), or when
///   the top entry is the model's choice over the words' first one and its
///   lead is under [`DENSE_LEAD`];
/// - a list becomes the answer when the model puts the top entry on the
///   question's topic ([`DENSE_NEAR`]) and [`DENSE_LEAD`] ahead of every other
///   leading candidate, or when the words put it [`SEMANTIC_CLEAR_RATIO`]
///   ahead of the runner-up and the model, finding it on topic, prefers it
///   too by more than a tie (`-DENSE_BEHIND`): two views agree, although the
///   entry holds under three fifths of the question's words (a paraphrase);
/// - "nothing relevant" becomes a list when the model finds the top entry
///   close to the question ([`DENSE_RELEVANT`]): the words missed, the meaning
///   did not;
/// - a weak list ([`WEAK_CONFIDENCE`]) becomes "nothing relevant" when the model
///   finds the top entry off topic and behind another candidate
///   ([`DENSE_BEHIND`]): neither view holds it.
///
/// Calibrated with `doum eval --chat` on both dev sets and the out-of-domain
/// questions (see the README for the figures).
pub fn confidence(s: &Signals) -> f32 {
    let mut c = lexical_confidence(s);
    let Some(d) = s.dense else {
        return c;
    };
    if c >= SURE_CONFIDENCE && s.named {
        return c;
    }
    if c >= SURE_CONFIDENCE {
        // The words are sure, but the model prefers another candidate, or
        // it put this entry first over the words' own first without a clear
        // lead: a list.
        return if d.lead <= DENSE_BEHIND || (!d.agrees && d.lead < DENSE_LEAD) {
            SURE_CONFIDENCE - 0.01
        } else {
            c
        };
    }
    if c < MIN_CONFIDENCE {
        // "Not found" only when no leading candidate is relevant: the one
        // the model prefers to the top entry counts too.
        if d.top.max(d.top - d.lead) < DENSE_RELEVANT {
            return c;
        }
        c = MIN_CONFIDENCE;
    }
    if d.top >= DENSE_NEAR && d.lead >= DENSE_LEAD {
        return SURE_CONFIDENCE;
    }
    // Two views agree: the words put the top entry clearly ahead, and the
    // model, finding it on topic, prefers it too (by more than a tie). A
    // paraphrase shares few words with its entry, so its coverage stays
    // low even when both views point to the same entry.
    if d.agrees && d.top >= DENSE_NEAR && d.lead >= -DENSE_BEHIND && s.ratio >= SEMANTIC_CLEAR_RATIO
    {
        return SURE_CONFIDENCE;
    }
    if c < WEAK_CONFIDENCE && d.top < DENSE_NEAR && d.lead <= DENSE_BEHIND {
        return 0.0;
    }
    c
}

/// How sure the words alone make the search of its top entry (see [`confidence`]):
///
/// - nothing relevant: the top entry holds none of the concepts, under a fifth
///   of them, or the content knows under half of them ("멜론 이용권 해지"), or
///   just half and none is in the top entry's title ("오늘 날씨 어때요");
/// - the answer: two or more concepts, and the top entry holds all of them and
///   scores [`CLOSE_LEAD`] times the runner-up, or holds three fifths of them and
///   scores [`CLEAR_RATIO`] ([`SEMANTIC_CLEAR_RATIO`] when re-ranked) times the
///   runner-up;
/// - otherwise a list, ranked by how much of the question the top entry holds.
///
/// Calibrated with `doum eval --chat` on both dev sets and the out-of-domain
/// questions: about 45 % direct answers at 96–97 % precision (lexical ranking);
/// with semantic re-ranking 47.5 % / 40.6 % at 97.4 % / 95.4 % (dev-a / dev-b).
fn lexical_confidence(s: &Signals) -> f32 {
    let c = s.top;
    let asked = c.asked as f32;
    let unknown = 2 * c.known < c.asked || (2 * c.known == c.asked && c.head == 0);
    if c.anywhere == 0 || unknown || (c.anywhere as f32) < asked / 5.0 {
        return 0.0;
    }
    let all = c.anywhere == c.asked && s.ratio >= CLOSE_LEAD;
    let clear = if s.semantic {
        SEMANTIC_CLEAR_RATIO
    } else {
        CLEAR_RATIO
    };
    let most = c.anywhere as f32 >= 0.6 * asked && s.ratio >= clear;
    if c.asked >= 2 && (all || most) {
        return SURE_CONFIDENCE;
    }
    let held = (Coverage::share(c.head, c.asked) + Coverage::share(c.anywhere, c.asked)) / 2.0;
    held.clamp(MIN_CONFIDENCE, SURE_CONFIDENCE - 0.01)
}

/// Each decision's topic words (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Topics {
    words: Vec<(String, HashSet<String>)>,
}

impl Topics {
    /// The topic words of every decision in `rules`.
    pub fn new(rules: &RuleBook, engine: &SearchEngine) -> Self {
        let a = engine.analyzer();
        let all: Vec<(String, HashSet<String>)> = rules
            .decisions()
            .iter()
            .map(|d| {
                let words = a.morphemes(&d.title).into_iter().map(|p| p.text).collect();
                (d.id.clone(), words)
            })
            .collect();
        let words = all
            .iter()
            .enumerate()
            .map(|(i, (id, w))| {
                let own = w
                    .iter()
                    .filter(|t| t.chars().count() >= 2)
                    .filter(|t| {
                        all.iter()
                            .enumerate()
                            .all(|(j, o)| j == i || !o.1.contains(*t))
                    })
                    .cloned()
                    .collect();
                (id.clone(), own)
            })
            .collect();
        Self { words }
    }

    /// The decisions whose topic the question names, by a word or a synonym.
    pub fn named(&self, plan: &QueryPlan) -> HashSet<&str> {
        let said: HashSet<&str> = plan
            .concepts
            .iter()
            .flat_map(|c| &c.forms)
            .filter(|f| f.len() == 1)
            .map(|f| f[0].as_str())
            .collect();
        self.words
            .iter()
            .filter(|(_, w)| w.iter().any(|t| said.contains(t.as_str())))
            .map(|(id, _)| id.as_str())
            .collect()
    }
}

/// The entry that answers, and the decision to personalize it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answering {
    /// Its position in the ranking.
    pub index: usize,
    /// The decision to evaluate, if any (the entry's own, unless the
    /// question names other topics).
    pub decision: Option<String>,
}

/// Picks the entry that answers (see the module docs); `None` without candidates.
pub fn answering(
    engine: &SearchEngine,
    plan: &QueryPlan,
    ranked: &[Ranked],
    topics: &Topics,
) -> Option<Answering> {
    let top = ranked.first()?;
    let named = topics.named(plan);
    let close: Vec<usize> = (0..ranked.len())
        .take_while(|&i| ranked[i].score * CLEAR_RATIO >= top.score)
        .take(LIST_LEN)
        .collect();
    let decisions: HashSet<Option<&str>> = close
        .iter()
        .map(|&i| ranked[i].entry.decision.as_deref())
        .collect();
    let index = if decisions.len() > 1 {
        let key = |i: usize| {
            let e = ranked[i].entry;
            let names = e.decision.as_deref().is_some_and(|d| named.contains(d));
            // Words as typed, not typo guesses: a guess one letter from some
            // title word says little about which entry answers.
            let exact = QueryPlan {
                fuzzy: Vec::new(),
                corrections: Vec::new(),
                ..plan.clone()
            };
            let c = coverage(engine, &exact, e);
            (names, c.head, c.anywhere)
        };
        close
            .iter()
            .copied()
            .max_by(|&a, &b| key(a).cmp(&key(b)).then(b.cmp(&a)))
            .unwrap_or(0)
    } else {
        0
    };
    let decision = ranked[index]
        .entry
        .decision
        .as_deref()
        .filter(|d| named.is_empty() || named.contains(d))
        .map(str::to_owned);
    Some(Answering { index, decision })
}

/// What a question's candidates amount to: how the chatbot answers (one
/// answer, a list, "not found") and whether the search page shows an answer
/// box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// One candidate is clearly best.
    Clear,
    /// Several candidates are close.
    Several,
    /// Nothing good.
    Nothing,
}

/// The verdict on a ranking from its top two scores (any positive scale) and
/// the search's [`confidence`] in the first, when it has one:
///
/// - no candidate, a top score ≤ 0 (or NaN), or a confidence below
///   [`MIN_CONFIDENCE`]: [`Verdict::Nothing`];
/// - a confidence of at least [`SURE_CONFIDENCE`]: [`Verdict::Clear`], any
///   other: [`Verdict::Several`];
/// - without a confidence, a single candidate or a top score at least
///   [`CLEAR_RATIO`] times the second is [`Verdict::Clear`], anything else
///   [`Verdict::Several`].
pub fn verdict_of(top: Option<f32>, second: Option<f32>, confidence: Option<f32>) -> Verdict {
    // Comparisons with NaN are false, so a NaN score counts as no score.
    let positive = |x: f32| x > 0.0;
    let Some(top) = top.filter(|&t| positive(t)) else {
        return Verdict::Nothing;
    };
    if let Some(c) = confidence {
        if c.is_nan() || c < MIN_CONFIDENCE {
            return Verdict::Nothing;
        }
        return if c >= SURE_CONFIDENCE {
            Verdict::Clear
        } else {
            Verdict::Several
        };
    }
    match second {
        None => Verdict::Clear,
        Some(second) if !positive(second) => Verdict::Clear,
        Some(second) if top >= CLEAR_RATIO * second => Verdict::Clear,
        Some(_) => Verdict::Several,
    }
}

/// Entries a list shows at most: the chatbot's list card holds five
/// (Kakao's limit), and `doum ask` lists as many. The entry that answers
/// is picked among them ([`answering`]): one the ranking put lower is not
/// what the customer sees.
pub const LIST_LEN: usize = 5;

/// Candidates scoring below this share of the top score are left out of
/// lists (the chatbot's list card, `doum ask`'s list): they are noise next
/// to the top hits.
pub const LIST_FLOOR_RATIO: f32 = 0.3;

/// Whether a candidate scoring `score` belongs in a list whose first entry
/// scores `top` (see [`LIST_FLOOR_RATIO`]).
pub fn worth_listing(top: f32, score: f32) -> bool {
    score >= top * LIST_FLOOR_RATIO
}

/// What the verdict means to a machine reading `doum ask --json`: `answer`,
/// `list` or `not_found`.
impl Verdict {
    /// See the type's docs.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Clear => "answer",
            Verdict::Several => "list",
            Verdict::Nothing => "not_found",
        }
    }
}

/// A question's ranking as every client shows it.
#[derive(Debug, Clone)]
pub struct Choice<'a> {
    /// Relevant entries, the one that answers first (see [`answering`]).
    pub ranked: Vec<Ranked<'a>>,
    /// The decision to personalize the first entry with, if any.
    pub decision: Option<String>,
    /// How sure the search is of the first entry ([`confidence`]); `None`
    /// when it cannot tell.
    pub confidence: Option<f32>,
    /// What the confidence was computed from.
    pub signals: Option<Signals>,
    /// False when the semantic model was due but busy, so the ranking or the
    /// confidence lacks what it would have said (see [`crate::ask::Assistant::choose`]:
    /// such a choice is not remembered).
    pub complete: bool,
}

impl<'a> Choice<'a> {
    /// The verdict on this ranking ([`verdict_of`]), as the chatbot reaches it.
    pub fn verdict(&self) -> Verdict {
        verdict_of(
            self.ranked.first().map(|r| r.score),
            self.ranked.get(1).map(|r| r.score),
            self.confidence,
        )
    }

    /// The entry that answers the question on its own, when the verdict is
    /// [`Verdict::Clear`]: the chatbot's one answer, the search page's answer
    /// box.
    pub fn sure_answer(&self) -> Option<&Ranked<'a>> {
        (self.verdict() == Verdict::Clear)
            .then(|| self.ranked.first())
            .flatten()
    }
}

/// Ranks entries for `question`, puts the one that answers first and says
/// how sure that is: the one path of the chatbot, `doum ask` and the agent
/// preview.
pub fn choose<'a>(
    engine: &'a SearchEngine,
    topics: &Topics,
    question: &str,
) -> Result<Choice<'a>, SearchError> {
    let RankedQuestion {
        plan,
        mut ranked,
        lexical: lexical_first,
        named,
        complete,
    } = engine.rank_question(question)?;
    let Some(pick) = answering(engine, &plan, &ranked, topics) else {
        return Ok(Choice {
            ranked,
            decision: None,
            confidence: None,
            signals: None,
            complete,
        });
    };
    let chosen = ranked.remove(pick.index);
    ranked.insert(0, chosen);
    let signals = assess(engine, &plan, &ranked, question, lexical_first, named);
    let confidence = signals.as_ref().map(confidence);
    let complete = complete && !signals.as_ref().is_some_and(|s| s.busy);
    Ok(Choice {
        ranked,
        decision: pick.decision,
        confidence,
        signals,
        complete,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_near_its_stem() {
        let stems = vec!["ㅎㅘㄴㅂㅜㄹ".to_string()];
        assert!(near("ㅎㅘㄴㅂㅠㄹ", &stems));
        assert!(!near("ㅅㅔㄱㅡㅁ", &stems));
    }

    #[test]
    fn confidence_follows_coverage_and_lead() {
        let s = |asked, known, head, anywhere, ratio| Signals {
            top: Coverage {
                asked,
                known,
                head,
                anywhere,
            },
            ratio,
            semantic: false,
            dense: None,
            busy: false,
            named: false,
        };
        assert_eq!(confidence(&s(3, 3, 3, 3, 2.0)), SURE_CONFIDENCE);
        assert_eq!(confidence(&s(3, 3, 1, 3, 1.1)), SURE_CONFIDENCE);
        assert_eq!(confidence(&s(5, 5, 2, 3, 1.5)), SURE_CONFIDENCE);
        // Not far enough ahead, or too little of the question: a list.
        for weak in [s(3, 3, 3, 3, 1.05), s(5, 5, 2, 3, 1.4), s(1, 1, 1, 1, 9.0)] {
            let c = confidence(&weak);
            assert!(
                (MIN_CONFIDENCE..SURE_CONFIDENCE).contains(&c),
                "{weak:?}: {c}"
            );
        }
        // A re-ranked ranking needs a smaller lead, still more than a close one.
        let reranked = |ratio| Signals {
            semantic: true,
            ..s(5, 5, 2, 3, ratio)
        };
        assert_eq!(confidence(&reranked(1.4)), SURE_CONFIDENCE);
        assert!(confidence(&reranked(1.2)) < SURE_CONFIDENCE);
        // Nothing held, or words the content does not know: not found.
        assert!(confidence(&s(3, 3, 0, 0, 2.0)) < MIN_CONFIDENCE);
        assert!(confidence(&s(3, 1, 1, 1, 2.0)) < MIN_CONFIDENCE);
        assert!(confidence(&s(2, 1, 0, 1, 2.0)) < MIN_CONFIDENCE);
        assert!(confidence(&s(2, 1, 1, 1, 1.0)) >= MIN_CONFIDENCE);
        assert!(confidence(&s(6, 6, 1, 1, 2.0)) < MIN_CONFIDENCE);
    }

    #[test]
    fn the_embedding_model_corrects_the_words() {
        let with = |asked, known, head, anywhere, ratio, top, lead| Signals {
            top: Coverage {
                asked,
                known,
                head,
                anywhere,
            },
            ratio,
            semantic: true,
            dense: Some(Dense {
                top,
                lead,
                agrees: true,
            }),
            busy: false,
            named: false,
        };
        // A list the model puts on topic and clearly ahead: the answer.
        let list = with(5, 5, 1, 2, 1.05, 0.88, 0.03);
        assert_eq!(confidence(&list), SURE_CONFIDENCE);
        assert!(confidence(&with(5, 5, 1, 2, 1.05, 0.88, 0.01)) < SURE_CONFIDENCE);
        assert!(confidence(&with(5, 5, 1, 2, 1.05, 0.83, 0.05)) < SURE_CONFIDENCE);
        // Few of its words held, but the words' clear lead and the model's
        // preference (more than a tie) agree: the answer.
        assert_eq!(
            confidence(&with(5, 5, 1, 2, 1.4, 0.88, 0.01)),
            SURE_CONFIDENCE
        );
        assert!(confidence(&with(5, 5, 1, 2, 1.4, 0.88, 0.005)) < SURE_CONFIDENCE);
        assert!(confidence(&with(5, 5, 1, 2, 1.2, 0.88, 0.015)) < SURE_CONFIDENCE);
        assert!(confidence(&with(5, 5, 1, 2, 1.4, 0.84, 0.015)) < SURE_CONFIDENCE);
        let picked_by_the_model = Signals {
            dense: Some(Dense {
                top: 0.88,
                lead: 0.015,
                agrees: false,
            }),
            ..with(5, 5, 1, 2, 1.4, 0.88, 0.015)
        };
        assert!(confidence(&picked_by_the_model) < SURE_CONFIDENCE);
        // Sure words, but the model prefers another candidate: a list.
        let c = confidence(&with(3, 3, 3, 3, 2.0, 0.9, -0.015));
        assert!((MIN_CONFIDENCE..SURE_CONFIDENCE).contains(&c), "{c}");
        let c = confidence(&with(3, 3, 3, 3, 2.0, 0.9, DENSE_BEHIND));
        assert!((MIN_CONFIDENCE..SURE_CONFIDENCE).contains(&c), "{c}");
        // A near tie is no preference: the words decide.
        for lead in [-0.005, 0.0, 0.001] {
            assert_eq!(
                confidence(&with(3, 3, 3, 3, 2.0, 0.9, lead)),
                SURE_CONFIDENCE,
                "{lead}"
            );
        }
        // Sure words for the entry the model put before the words' first:
        // the answer only when the model's lead is clear.
        let overruled = |lead| Signals {
            dense: Some(Dense {
                top: 0.9,
                lead,
                agrees: false,
            }),
            ..with(3, 3, 3, 3, 2.0, 0.9, lead)
        };
        let c = confidence(&overruled(0.005));
        assert!((MIN_CONFIDENCE..SURE_CONFIDENCE).contains(&c), "{c}");
        assert_eq!(confidence(&overruled(DENSE_LEAD)), SURE_CONFIDENCE);
        // ... unless the question is the entry's own keyword phrase: its
        // writer's word stands against the model's preference.
        for lead in [0.005, -0.03] {
            let named = Signals {
                named: true,
                ..overruled(lead)
            };
            assert_eq!(confidence(&named), SURE_CONFIDENCE, "{lead}");
        }
        // Naming does not make weak words sure.
        let weak_named = Signals {
            named: true,
            ..with(3, 3, 3, 3, 1.05, 0.9, -0.03)
        };
        assert!(confidence(&weak_named) < SURE_CONFIDENCE);
        // Words missed, meaning close: a list rather than "not found".
        let c = confidence(&with(3, 1, 0, 0, 2.0, 0.845, 0.0));
        assert!((MIN_CONFIDENCE..SURE_CONFIDENCE).contains(&c), "{c}");
        assert!(confidence(&with(3, 1, 0, 0, 2.0, 0.82, 0.0)) < MIN_CONFIDENCE);
        // ... and when the close one is not the top entry but a candidate
        // the model slightly prefers to it (.835 + .008: a list holding it).
        let c = confidence(&with(3, 1, 0, 0, 2.0, 0.835, -0.008));
        assert!((MIN_CONFIDENCE..SURE_CONFIDENCE).contains(&c), "{c}");
        assert!(confidence(&with(3, 1, 0, 0, 2.0, 0.825, -0.008)) < MIN_CONFIDENCE);
        // A weak list off topic and behind another candidate: not found.
        assert!(confidence(&with(4, 2, 1, 1, 1.3, 0.82, -0.02)) < MIN_CONFIDENCE);
        assert!(confidence(&with(4, 2, 1, 1, 1.3, 0.82, 0.0)) >= MIN_CONFIDENCE);
    }
}
