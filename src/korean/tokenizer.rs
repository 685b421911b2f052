//! tantivy tokenizers backed by the shared [`Analyzer`].
//!
//! There is no lindera-tantivy for lindera 6, so this is the adapter: each
//! [`TokenizerKind`] is registered under its own name and produces the
//! pieces of one analysis ([`Analyzer::morphemes`], [`bigrams`],
//! [`Analyzer::stems`] spelled as jamo, [`Analyzer::chosung`]).

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::analyzer::{Analyzer, Piece, bigrams};
use super::hangul;

/// Which analysis a tokenizer produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenizerKind {
    /// Content morphemes (compounds and their parts).
    Morphemes,
    /// Hangul syllable bigrams across spaces, Latin/digit words.
    Bigrams,
    /// Chunk stems and nominal morphemes spelled as jamo, for typo matching.
    Jamo,
    /// 초성 of nouns and noun runs.
    Chosung,
}

impl TokenizerKind {
    /// Every kind, for registration.
    pub const ALL: [TokenizerKind; 4] = [Self::Morphemes, Self::Bigrams, Self::Jamo, Self::Chosung];

    /// The name the tokenizer is registered under in the index.
    pub fn name(self) -> &'static str {
        match self {
            Self::Morphemes => "ko_morph",
            Self::Bigrams => "ko_bigram",
            Self::Jamo => "ko_jamo",
            Self::Chosung => "ko_chosung",
        }
    }

    /// Runs this analysis over `text`.
    pub fn pieces(self, analyzer: &Analyzer, text: &str) -> Vec<Piece> {
        match self {
            Self::Morphemes => analyzer.morphemes(text),
            Self::Bigrams => bigrams(text),
            Self::Jamo => {
                // Stems first, then nominal morphemes, from one analysis.
                let mut out = Vec::new();
                let mut nominal = Vec::new();
                for w in analyzer.words(text) {
                    out.extend(w.stem);
                    nominal.extend(w.morphemes.into_iter().filter(|p| p.nominal));
                }
                out.append(&mut nominal);
                for p in &mut out {
                    p.text = hangul::decompose(&p.text);
                }
                out
            }
            Self::Chosung => analyzer.chosung(text),
        }
    }
}

/// A tantivy tokenizer for one [`TokenizerKind`].
#[derive(Clone)]
pub struct KoreanTokenizer {
    analyzer: Arc<Analyzer>,
    kind: TokenizerKind,
    /// Whether the threads it runs on remember segmentations (index builds).
    remember: bool,
}

impl KoreanTokenizer {
    /// A tokenizer of `kind` sharing `analyzer`.
    pub fn new(analyzer: Arc<Analyzer>, kind: TokenizerKind) -> Self {
        Self {
            analyzer,
            kind,
            remember: false,
        }
    }

    /// The same tokenizer, remembering segmentations on the threads it runs
    /// on (see [`Analyzer::remember_on_this_thread`]): for the index writer,
    /// which analyzes each entry for several fields, and entries that share
    /// most of their words.
    pub fn remembering(mut self) -> Self {
        self.remember = true;
        self
    }
}

/// The token stream over precomputed pieces.
pub struct PieceStream {
    tokens: Vec<Token>,
    next: usize,
}

impl PieceStream {
    /// A stream over `tokens`.
    pub fn new(tokens: Vec<Token>) -> Self {
        Self { tokens, next: 0 }
    }
}

impl TokenizerKind {
    /// [`TokenizerKind::pieces`] as tantivy tokens: what the tokenizer streams
    /// and what the index build stores pre-tokenized (one analysis, one shape).
    pub fn tokens(self, analyzer: &Analyzer, text: &str) -> Vec<Token> {
        self.pieces(analyzer, text)
            .into_iter()
            .map(|p| Token {
                offset_from: p.start,
                offset_to: p.end,
                position: p.position,
                text: p.text,
                position_length: 1,
            })
            .collect()
    }
}

impl Tokenizer for KoreanTokenizer {
    type TokenStream<'a> = PieceStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PieceStream {
        if self.remember {
            self.analyzer.remember_on_this_thread();
        }
        PieceStream::new(self.kind.tokens(&self.analyzer, text))
    }
}

impl TokenStream for PieceStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}
