//! What a query asks about: one concept per word, with the forms that
//! count as saying it; the chatbot's coverage and the coverage clauses.

use std::collections::HashSet;

use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::super::schema::Fields;
use super::synonyms::SynonymTable;
use super::typos::Typo;
use super::{QUERY_STOP_WORDS, known_morpheme};
use crate::korean::hangul;

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

/// Marks the concepts some entry holds.
pub(super) fn mark_known(
    concepts: &mut [Concept],
    doc_freq: &dyn Fn(&Term) -> u64,
    fields: &Fields,
) {
    for c in concepts {
        c.known = c
            .forms
            .iter()
            .any(|f| !f.is_empty() && f.iter().all(|m| known_morpheme(m, doc_freq, fields)));
    }
}

/// The query's concepts: one per word position (a compound and its parts
/// are one), minus stop words and words (or stretches of a run-together
/// word) matched as typos, each with its
/// synonyms; then the concepts of question words.
pub(super) fn of_words(
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
            // A stretch of a run-together word matched as a typo.
            if typos.iter().any(|t| t.positions.contains(&position)) {
                continue;
            }
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
pub(super) fn concept_query(
    c: &Concept,
    fields: &[Field],
    searcher: &Searcher,
) -> Option<Box<dyn Query>> {
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
