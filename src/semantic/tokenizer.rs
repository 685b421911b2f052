//! XLM-RoBERTa's SentencePiece unigram tokenizer, from the model file's
//! vocabulary, piece scores and normalization map.
//!
//! Steps, as the model was trained with: every code point goes through the
//! normalization map (NFKC-like replacements; control characters map to
//! nothing, tabs and newlines to a space); runs of spaces collapse to one;
//! a leading space is added and spaces become the metaspace `▁`; then the
//! Viterbi path over the pieces maximizes the sum of piece scores. A
//! character no piece covers becomes `<unk>` (one per character).

use std::collections::HashMap;

/// The SentencePiece metaspace marker.
const METASPACE: char = '\u{2581}';

/// The tokenizer of one model file.
pub struct Tokenizer {
    pieces: HashMap<Box<[u8]>, u32>,
    scores: Vec<f32>,
    /// Sorted by code point: (code point, replacement).
    normalization: Vec<(u32, Box<[char]>)>,
    max_piece_bytes: usize,
    unk_score: f32,
    /// `<s>`.
    pub bos: u32,
    /// `</s>`.
    pub eos: u32,
    /// `<unk>`.
    pub unk: u32,
}

impl Tokenizer {
    /// A tokenizer over `pieces` (UTF-8 bytes) and their `scores`, with the
    /// normalization map and the special ids.
    pub fn new(
        pieces: Vec<Vec<u8>>,
        scores: Vec<f32>,
        mut normalization: Vec<(u32, Box<[char]>)>,
        bos: u32,
        eos: u32,
        unk: u32,
    ) -> Self {
        normalization.sort_by_key(|(cp, _)| *cp);
        let max_piece_bytes = pieces.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let min_score = scores.iter().copied().fold(f32::INFINITY, f32::min);
        let mut map = HashMap::with_capacity(pieces.len());
        for (id, piece) in pieces.into_iter().enumerate() {
            if !piece.is_empty() {
                // The first piece with given bytes wins, as in SentencePiece.
                map.entry(piece.into_boxed_slice()).or_insert(id as u32);
            }
        }
        Self {
            pieces: map,
            scores,
            normalization,
            max_piece_bytes,
            unk_score: min_score - 10.0,
            bos,
            eos,
            unk,
        }
    }

    /// The normalized text with metaspaces, as the pieces spell it.
    fn normalize(&self, text: &str) -> String {
        let mut chars: Vec<char> = Vec::with_capacity(text.len());
        for c in text.chars() {
            match self
                .normalization
                .binary_search_by_key(&(c as u32), |(cp, _)| *cp)
            {
                Ok(i) => chars.extend_from_slice(&self.normalization[i].1),
                Err(_) => chars.push(c),
            }
        }
        chars.dedup_by(|b, a| *a == ' ' && *b == ' ');
        let mut out = String::with_capacity(chars.len() * 3 + 3);
        if chars.first() != Some(&' ') {
            out.push(METASPACE);
        }
        out.extend(chars.iter().map(|&c| if c == ' ' { METASPACE } else { c }));
        out
    }

    /// The content token ids of `text` (without `<s>` and `</s>`).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalize(text);
        let bytes = normalized.as_bytes();
        // Byte offsets of the character boundaries.
        let bounds: Vec<usize> = normalized
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(bytes.len()))
            .collect();
        let n = bounds.len() - 1;
        // best[i]: best score of a segmentation of the first i characters.
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut back: Vec<(usize, u32)> = vec![(0, self.unk); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] == f32::NEG_INFINITY {
                continue;
            }
            for e in i + 1..=n {
                let len = bounds[e] - bounds[i];
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(&id) = self.pieces.get(&bytes[bounds[i]..bounds[e]])
                    && id != self.unk
                {
                    let score = best[i] + self.scores[id as usize];
                    if score > best[e] {
                        best[e] = score;
                        back[e] = (i, id);
                    }
                }
            }
            let score = best[i] + self.unk_score;
            if score > best[i + 1] {
                best[i + 1] = score;
                back[i + 1] = (i, self.unk);
            }
        }
        let mut ids = Vec::new();
        let mut i = n;
        while i > 0 {
            let (from, id) = back[i];
            ids.push(id);
            i = from;
        }
        ids.reverse();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Tokenizer {
        let pieces: Vec<Vec<u8>> = [
            "<s>",
            "<pad>",
            "</s>",
            "<unk>",
            "▁",
            "▁환불",
            "환",
            "불",
            "▁a",
            "b",
        ]
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect();
        let scores = vec![0.0, 0.0, 0.0, 0.0, -3.0, -5.0, -6.0, -6.0, -4.0, -4.0];
        let norm = vec![('\t' as u32, vec![' '].into_boxed_slice())];
        Tokenizer::new(pieces, scores, norm, 0, 2, 3)
    }

    #[test]
    fn prefers_the_best_scoring_segmentation() {
        // "▁환불" (-5) beats "▁" + "환" + "불" (-15).
        assert_eq!(tiny().encode("환불"), vec![5]);
    }

    #[test]
    fn normalizes_and_collapses_spaces() {
        assert_eq!(tiny().encode("a\t\t  b"), vec![8, 4, 9]);
    }

    #[test]
    fn unknown_characters_become_unk_one_each() {
        assert_eq!(tiny().encode("환불ㅋㅋ"), vec![5, 3, 3]);
    }
}
