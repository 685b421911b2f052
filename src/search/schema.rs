//! The index schema: which field holds which analysis of which text.

use std::sync::Arc;

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;

use super::named::{self, PhraseTokenizer};
use crate::korean::{Analyzer, KoreanTokenizer, TokenizerKind};

/// Handles to every field of the FAQ index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Entry id (exact, stored).
    pub id: Field,
    /// Position of the entry in [`crate::content::Content::entries`] (fast field).
    pub ord: Field,
    /// Title morphemes.
    pub title: Field,
    /// Title bigrams.
    pub title_bigram: Field,
    /// Keywords and category names, morphemes.
    pub keywords: Field,
    /// Body morphemes.
    pub body: Field,
    /// Body bigrams.
    pub body_bigram: Field,
    /// Stems and nouns of title, keywords and body, spelled as jamo (typos).
    pub jamo: Field,
    /// 초성 of nouns in title, keywords and body.
    pub chosung: Field,
    /// 초성 of nouns in title, keywords and category names only: a 초성
    /// query names a topic, which an entry's title states better than a
    /// body that mentions it often.
    pub chosung_head: Field,
    /// Each keyword phrase's key (see [`crate::search::named`]): what a
    /// query that names the entry word for word looks up.
    pub phrases: Field,
}

fn text(kind: TokenizerKind, positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(kind.name())
            .set_index_option(record),
    )
}

/// Builds the schema and its field handles.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        ord: b.add_u64_field("ord", INDEXED | FAST | STORED),
        title: b.add_text_field("title", text(TokenizerKind::Morphemes, true)),
        title_bigram: b.add_text_field("title_bigram", text(TokenizerKind::Bigrams, false)),
        keywords: b.add_text_field("keywords", text(TokenizerKind::Morphemes, false)),
        body: b.add_text_field("body", text(TokenizerKind::Morphemes, true)),
        body_bigram: b.add_text_field("body_bigram", text(TokenizerKind::Bigrams, false)),
        jamo: b.add_text_field("jamo", text(TokenizerKind::Jamo, false)),
        chosung: b.add_text_field("chosung", text(TokenizerKind::Chosung, false)),
        chosung_head: b.add_text_field("chosung_head", text(TokenizerKind::Chosung, false)),
        phrases: b.add_text_field(
            "phrases",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(named::TOKENIZER)
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        ),
    };
    (b.build(), fields)
}

/// Registers doum's Korean tokenizers on `index`; needed before indexing
/// and before searching.
pub fn register_tokenizers(index: &Index, analyzer: &Arc<Analyzer>) {
    for kind in TokenizerKind::ALL {
        index.tokenizers().register(
            kind.name(),
            TextAnalyzer::from(KoreanTokenizer::new(analyzer.clone(), kind)),
        );
    }
    index.tokenizers().register(
        named::TOKENIZER,
        TextAnalyzer::from(PhraseTokenizer::new(analyzer.clone(), false)),
    );
}
