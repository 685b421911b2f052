//! Korean analysis: the mecab-ko-dic dictionary and the analyzers built on it.

pub mod analyzer;
pub mod decoration;
pub mod details;
pub mod dictionary;
pub mod hangul;
pub mod keyboard;
pub mod mecab;
pub mod tokenizer;

pub use analyzer::{Analyzer, Piece};
pub use tokenizer::{KoreanTokenizer, PieceStream, TokenizerKind};
