//! Field weights of a query's clauses.

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
    /// relative to it (see [`super::QueryPlan::corrections`]).
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
    /// How far ahead of the others the entries a query names by a keyword
    /// phrase are put: their score is this times the best other score
    /// ([`crate::search::named`]); 0 turns naming off (the baselines).
    pub named: f32,
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
            named: 2.0,
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
            "named" => &mut self.named,
            other => return Err(format!("unknown weight `{other}`")),
        };
        *slot = value;
        Ok(())
    }
}
