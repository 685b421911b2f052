//! Korean analysis: the mecab-ko-dic dictionary and the analyzers built on it.

pub mod dictionary;
pub mod mecab;
