//! Synonym groups: the built-in lexicon (`src/search/lexicon.yaml`) and
//! the content's `synonyms.yaml`, and the question words' concepts.

use std::collections::HashMap;

use crate::content::Synonyms;
use crate::korean::Analyzer;

/// Question words carry the asker's intent but are dropped by morphology
/// (adverbs and pronouns): "언제까지 쓸 수 있나요" asks for a period. Each
/// pattern found in the query adds its concept words like synonyms. (Nouns
/// such as "며칠" and "얼마" are in the lexicon instead.)
const QUESTION_WORDS: [(&str, &[&str]); 3] = [
    ("언제까지", &["기한", "유효기간"]),
    ("얼마나 걸", &["기간", "소요"]),
    ("왜", &["이유", "사유"]),
];

/// Synonym groups, each member analyzed into morphemes once.
pub struct SynonymTable {
    groups: Vec<Vec<Vec<String>>>,
    /// For each morpheme, the groups with a member starting with it.
    by_first: HashMap<String, Vec<usize>>,
    /// [`QUESTION_WORDS`] with their concepts analyzed.
    questions: Vec<(&'static str, Vec<Vec<String>>)>,
    /// The members of one word, spelled as jamo.
    words: Vec<Vec<char>>,
}

/// The built-in lexicon (`src/search/lexicon.yaml`), in the format of `content/synonyms.yaml`.
const LEXICON: &str = include_str!("../lexicon.yaml");

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
        let mut words: Vec<Vec<char>> = groups
            .iter()
            .flatten()
            .filter_map(|m| match m.as_slice() {
                [one] if one.chars().all(crate::korean::hangul::is_syllable) => {
                    Some(crate::korean::hangul::decompose(one).chars().collect())
                }
                _ => None,
            })
            .collect();
        words.sort_unstable();
        words.dedup();
        Self {
            groups,
            by_first,
            questions,
            words,
        }
    }

    /// The one-word members within `max` edits of `jamo` (spelled as
    /// jamo, as they are returned).
    pub fn words_near(&self, jamo: &str, max: usize) -> Vec<String> {
        let typed: Vec<char> = jamo.chars().collect();
        let mut rows = Vec::new();
        self.words
            .iter()
            .filter(|w| {
                crate::search::suggest::edit_distance_within(&typed, w, max, &mut rows)
                    .is_some_and(|d| d > 0)
            })
            .map(|w| w.iter().collect())
            .collect()
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
