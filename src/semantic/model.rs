//! multilingual-e5-small: the model file and the encoder's forward pass.
//!
//! The file (`E5S1`, little-endian) holds a header (hidden size, layers,
//! heads, FFN size, vocabulary rows, positions, token types, LayerNorm
//! epsilon, quantization block), the tokenizer (pieces, scores,
//! normalization map, special ids) and a directory of named tensors: f32
//! vectors, and matrices in GGML Q4_0 blocks of 32 weights (an f16 scale,
//! then 16 bytes: byte j holds weight j in its low nibble and weight j+16
//! in its high one; a weight is `(nibble - 8) * scale`).
//!
//! The encoder is XLM-RoBERTa's BERT: embeddings (word + position + token
//! type 0, LayerNorm), 12 post-LayerNorm layers of self-attention and a
//! GELU feed-forward. XLM-R numbers positions from `padding_idx + 1`; the
//! file's position table already starts there, so token t uses row t.
//!
//! The layer matrices (21 M weights) stay 4-bit and multiply 8-bit
//! activations (the crate `doum-q4`, `crates/q4`); attention's small
//! products use `matrixmultiply`'s sgemm. The word table (250 k rows) stays
//! 4-bit too, and only the rows a text uses are expanded.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};

use super::tokenizer::Tokenizer;
use doum_q4::{BLOCK_BYTES as Q4_BLOCK_BYTES, Q4Matrix, Q8Rows, QK};

/// The forward pass's version. Another version's vectors differ slightly
/// (8-bit activations since `q8a`), so stored vectors are named by it along
/// with the model file (see [`super::load`]).
pub const ENGINE: &str = "q8a";

/// Dimension of the sentence vectors.
pub const DIM: usize = 384;
/// Tokens per input, `<s>` and `</s>` included; longer texts are truncated.
pub const MAX_TOKENS: usize = 512;

/// A dense layer: `y = x · Wᵀ + b`, `W` row-major `[out][in]`.
struct Linear {
    w: Q4Matrix,
    b: Vec<f32>,
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    attn_out: Linear,
    attn_norm: (Vec<f32>, Vec<f32>),
    ffn_in: Linear,
    ffn_out: Linear,
    out_norm: (Vec<f32>, Vec<f32>),
}

/// The loaded model: tokenizer and weights.
pub struct Model {
    tokenizer: Tokenizer,
    hidden: usize,
    heads: usize,
    ffn: usize,
    eps: f32,
    /// Q4_0 blocks of the word table, `vocab` rows of `hidden` weights.
    word: Vec<u8>,
    vocab: usize,
    positions: Vec<f32>,
    max_positions: usize,
    token_type: Vec<f32>,
    embed_norm: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
}

/// A little-endian reader over the file, failing cleanly when it ends.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            bail!("the model file ends early (at byte {})", self.pos)
        };
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into()?))
    }
    fn usize(&mut self) -> Result<usize> {
        let v = i32::from_le_bytes(self.take(4)?.try_into()?);
        usize::try_from(v).context("a negative size in the model file")
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into()?))
    }
    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into()?))
    }
}

struct TensorRef {
    name: String,
    dtype: u8,
    count: usize,
    offset: usize,
    bytes: usize,
}

impl Model {
    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&bytes).with_context(|| format!("reading the model {}", path.display()))
    }

    /// Parses a model image.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let mut c = Cursor { bytes, pos: 0 };
        ensure!(c.take(4)? == b"E5S1", "not an E5S1 model file");
        let _version = c.u32()?;
        let hidden = c.usize()?;
        let n_layers = c.usize()?;
        let heads = c.usize()?;
        let ffn = c.usize()?;
        let vocab = c.usize()?;
        let max_positions = c.usize()?;
        let _type_vocab = c.usize()?;
        let eps = c.f32()?;
        let qk = c.usize()?;
        ensure!(
            qk == QK
                && hidden == DIM
                && heads > 0
                && hidden.is_multiple_of(heads)
                && ffn.is_multiple_of(QK),
            "unexpected model shape: hidden {hidden}, heads {heads}, ffn {ffn}, block {qk}"
        );
        ensure!(
            max_positions >= MAX_TOKENS,
            "the model has only {max_positions} positions"
        );
        let tokenizer = read_tokenizer(&mut c)?;
        let tensors = read_directory(&mut c)?;
        let get = |name: &str| -> Result<&TensorRef> {
            tensors
                .iter()
                .find(|t| t.name == name)
                .with_context(|| format!("tensor {name} missing from the model file"))
        };
        let vector = |name: &str, len: usize| -> Result<Vec<f32>> {
            let t = get(name)?;
            ensure!(
                t.dtype == 0 && t.count == len,
                "tensor {name}: expected {len} f32 values"
            );
            let raw = slice(bytes, t)?;
            Ok(raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let linear = |prefix: &str, outputs: usize, inputs: usize| -> Result<Linear> {
            let t = get(&format!("{prefix}.w"))?;
            ensure!(
                t.dtype == 1 && t.count == outputs * inputs,
                "tensor {prefix}.w: expected {outputs}×{inputs} Q4_0 weights"
            );
            Ok(Linear {
                w: Q4Matrix::from_blocks(slice(bytes, t)?, outputs, inputs),
                b: vector(&format!("{prefix}.b"), outputs)?,
            })
        };
        let norm = |prefix: &str| -> Result<(Vec<f32>, Vec<f32>)> {
            Ok((
                vector(&format!("{prefix}.w"), hidden)?,
                vector(&format!("{prefix}.b"), hidden)?,
            ))
        };
        let word = get("emb.word")?;
        ensure!(
            word.dtype == 1 && word.count == vocab * hidden,
            "tensor emb.word: expected {vocab}×{hidden} Q4_0 weights"
        );
        let layers = (0..n_layers)
            .map(|l| {
                Ok(Layer {
                    q: linear(&format!("l{l}.q"), hidden, hidden)?,
                    k: linear(&format!("l{l}.k"), hidden, hidden)?,
                    v: linear(&format!("l{l}.v"), hidden, hidden)?,
                    attn_out: linear(&format!("l{l}.ao"), hidden, hidden)?,
                    attn_norm: norm(&format!("l{l}.aln"))?,
                    ffn_in: linear(&format!("l{l}.fi"), ffn, hidden)?,
                    ffn_out: linear(&format!("l{l}.fo"), hidden, ffn)?,
                    out_norm: norm(&format!("l{l}.oln"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        ensure!(
            (tokenizer.bos as usize) < vocab && (tokenizer.eos as usize) < vocab,
            "special token ids outside the vocabulary"
        );
        Ok(Self {
            tokenizer,
            hidden,
            heads,
            ffn,
            eps,
            word: slice(bytes, word)?.to_vec(),
            vocab,
            positions: vector("emb.pos", max_positions * hidden)?,
            max_positions,
            token_type: vector("emb.type", get("emb.type")?.count)?,
            embed_norm: norm("emb.ln")?,
            layers,
        })
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The model's input for `text`: `<s>`, content ids, `</s>`, at most
    /// [`MAX_TOKENS`] in all.
    pub fn input_ids(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::with_capacity(MAX_TOKENS);
        ids.push(self.tokenizer.bos);
        let content = self.tokenizer.encode(text);
        let keep = content.len().min(MAX_TOKENS.min(self.max_positions) - 2);
        ids.extend(content[..keep].iter().map(|&id| {
            if (id as usize) < self.vocab {
                id
            } else {
                self.tokenizer.unk
            }
        }));
        ids.push(self.tokenizer.eos);
        ids
    }

    /// The L2-normalized mean of the last hidden states for `text` (the
    /// caller adds e5's `query: ` / `passage: ` prefix).
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let ids = self.input_ids(text);
        let h = self.hidden;
        let t = ids.len();
        let mut x = vec![0.0f32; t * h];
        let row_bytes = h / QK * Q4_BLOCK_BYTES;
        for (p, &id) in ids.iter().enumerate() {
            let row = &self.word[id as usize * row_bytes..(id as usize + 1) * row_bytes];
            let out = &mut x[p * h..(p + 1) * h];
            doum_q4::dequantize(row, out);
            let pos = &self.positions[p * h..(p + 1) * h];
            for ((o, &pv), &tv) in out.iter_mut().zip(pos).zip(&self.token_type[..h]) {
                *o += pv + tv;
            }
        }
        layer_norm(&mut x, h, &self.embed_norm, self.eps);
        let mut scratch = Scratch::new(t, h, self.ffn);
        for layer in &self.layers {
            self.layer(layer, &mut x, t, &mut scratch);
        }
        let mut out = vec![0.0f32; h];
        for row in x.chunks_exact(h) {
            for (o, v) in out.iter_mut().zip(row) {
                *o += v;
            }
        }
        let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        out.iter_mut().for_each(|v| *v /= norm);
        out
    }

    fn layer(&self, layer: &Layer, x: &mut [f32], t: usize, s: &mut Scratch) {
        let h = self.hidden;
        let hd = h / self.heads;
        s.x8.quantize(x, h);
        linear(&layer.q, &s.x8, &mut s.q);
        linear(&layer.k, &s.x8, &mut s.k);
        linear(&layer.v, &s.x8, &mut s.v);
        let scale = 1.0 / (hd as f32).sqrt();
        for head in 0..self.heads {
            let off = head * hd;
            // scores[t×t] = Q_h · K_hᵀ · scale
            gemm(
                t,
                hd,
                t,
                scale,
                (&s.q[off..], h, 1),
                (&s.k[off..], 1, h),
                0.0,
                (&mut s.scores, t, 1),
            );
            for row in s.scores.chunks_exact_mut(t) {
                softmax(row);
            }
            // ctx_h[t×hd] = P · V_h
            gemm(
                t,
                t,
                hd,
                1.0,
                (&s.scores, t, 1),
                (&s.v[off..], h, 1),
                0.0,
                (&mut s.ctx[off..], h, 1),
            );
        }
        s.x8.quantize(&s.ctx, h);
        linear(&layer.attn_out, &s.x8, &mut s.q);
        add_layer_norm(x, &s.q, h, &layer.attn_norm, self.eps);
        s.x8.quantize(x, h);
        linear(&layer.ffn_in, &s.x8, &mut s.mid);
        s.mid.iter_mut().for_each(|v| *v = gelu(*v));
        s.x8.quantize(&s.mid, self.ffn);
        linear(&layer.ffn_out, &s.x8, &mut s.q);
        add_layer_norm(x, &s.q, h, &layer.out_norm, self.eps);
    }
}

/// Activations of one forward pass.
struct Scratch {
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    ctx: Vec<f32>,
    scores: Vec<f32>,
    mid: Vec<f32>,
    /// The input of the next dense layer, quantized.
    x8: Q8Rows,
}

impl Scratch {
    fn new(t: usize, h: usize, ffn: usize) -> Self {
        Self {
            q: vec![0.0; t * h],
            k: vec![0.0; t * h],
            v: vec![0.0; t * h],
            ctx: vec![0.0; t * h],
            scores: vec![0.0; t * t],
            mid: vec![0.0; t * ffn],
            x8: Q8Rows::default(),
        }
    }
}

fn read_tokenizer(c: &mut Cursor<'_>) -> Result<Tokenizer> {
    let n = c.usize()?;
    let bos = c.u32()?;
    let eos = c.u32()?;
    let _pad = c.u32()?;
    let unk = c.u32()?;
    ensure!(
        (bos as usize) < n && (eos as usize) < n && (unk as usize) < n,
        "special token ids outside the tokenizer"
    );
    let blob_len = usize::try_from(c.u64()?)?;
    let offsets: Vec<usize> = c
        .take((n + 1) * 4)?
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect();
    let scores: Vec<f32> = c
        .take(n * 4)?
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let blob = c.take(blob_len)?;
    let pieces = offsets
        .windows(2)
        .map(|w| {
            blob.get(w[0]..w[1])
                .map(<[u8]>::to_vec)
                .context("a piece outside the tokenizer's bytes")
        })
        .collect::<Result<Vec<_>>>()?;
    let n_norm = c.usize()?;
    let norm_bytes = c.u32()? as usize;
    let mut m = Cursor {
        bytes: c.take(norm_bytes)?,
        pos: 0,
    };
    let mut normalization = Vec::with_capacity(n_norm);
    for _ in 0..n_norm {
        let cp = m.u32()?;
        let count = m.take(1)?[0] as usize;
        let out = (0..count)
            .map(|_| {
                char::from_u32(m.u32()?).context("an invalid code point in the normalization map")
            })
            .collect::<Result<Vec<char>>>()?;
        normalization.push((cp, out.into_boxed_slice()));
    }
    Ok(Tokenizer::new(pieces, scores, normalization, bos, eos, unk))
}

fn read_directory(c: &mut Cursor<'_>) -> Result<Vec<TensorRef>> {
    let n = c.usize()?;
    (0..n)
        .map(|_| {
            let len = u16::from_le_bytes(c.take(2)?.try_into()?) as usize;
            let name = String::from_utf8_lossy(c.take(len)?).into_owned();
            let dtype = c.take(1)?[0];
            let count = c.u32()? as usize;
            let offset = usize::try_from(c.u64()?)?;
            let bytes = usize::try_from(c.u64()?)?;
            Ok(TensorRef {
                name,
                dtype,
                count,
                offset,
                bytes,
            })
        })
        .collect()
}

fn slice<'a>(bytes: &'a [u8], t: &TensorRef) -> Result<&'a [u8]> {
    let expected = match t.dtype {
        0 => t.count * 4,
        1 => t.count / QK * Q4_BLOCK_BYTES,
        d => bail!("tensor {}: unknown type {d}", t.name),
    };
    ensure!(
        t.bytes == expected && (t.dtype == 0 || t.count.is_multiple_of(QK)),
        "tensor {}: {} bytes for {} values",
        t.name,
        t.bytes,
        t.count
    );
    t.offset
        .checked_add(t.bytes)
        .and_then(|end| bytes.get(t.offset..end))
        .with_context(|| format!("tensor {} lies outside the file", t.name))
}

/// `c = alpha · a(m×k) · b(k×n) + beta · c`, each matrix given as
/// (slice, row stride, column stride).
#[allow(clippy::too_many_arguments)]
fn gemm(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: (&[f32], usize, usize),
    b: (&[f32], usize, usize),
    beta: f32,
    c: (&mut [f32], usize, usize),
) {
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    if m == 0 || k == 0 || n == 0 {
        return;
    }
    // The bounds sgemm will touch; checked so the unsafe call cannot stray.
    assert!(last(m, k, a.1, a.2) < a.0.len());
    assert!(last(k, n, b.1, b.2) < b.0.len());
    assert!(last(m, n, c.1, c.2) < c.0.len());
    // SAFETY: the three assertions above keep every element sgemm reads or
    // writes inside its slice; `c` is borrowed mutably, so it aliases nothing.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.0.as_ptr(),
            a.1 as isize,
            a.2 as isize,
            b.0.as_ptr(),
            b.1 as isize,
            b.2 as isize,
            beta,
            c.0.as_mut_ptr(),
            c.1 as isize,
            c.2 as isize,
        );
    }
}

/// `y[t×out] = x[t×in] · Wᵀ + b`.
fn linear(l: &Linear, x: &Q8Rows, y: &mut Vec<f32>) {
    doum_q4::matmul(&l.w, &l.b, x, y);
}

fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    row.iter_mut().for_each(|v| *v /= sum);
}

fn layer_norm(x: &mut [f32], h: usize, (w, b): &(Vec<f32>, Vec<f32>), eps: f32) {
    for row in x.chunks_exact_mut(h) {
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, wi), bi) in row.iter_mut().zip(w).zip(b) {
            *v = (*v - mean) * inv * wi + bi;
        }
    }
}

fn add_layer_norm(x: &mut [f32], y: &[f32], h: usize, norm: &(Vec<f32>, Vec<f32>), eps: f32) {
    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
    layer_norm(x, h, norm, eps);
}

/// GELU with the exact error function.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function (Numerical Recipes' Chebyshev fit of erfc,
/// fractional error below 1.2e-7, computed in f32).
#[allow(clippy::excessive_precision)] // the published coefficients, as written
fn erf(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    if x >= 0.0 { 1.0 - erfc } else { erfc - 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_function() {
        assert!((erf(0.5) - 0.520_499_9).abs() < 1e-6);
        assert!((erf(-1.5) + 0.966_105_1).abs() < 1e-6);
        assert!((erf(3.0) - 0.999_977_9).abs() < 1e-6);
    }

    #[test]
    fn gemm_with_strides() {
        // [1 2; 3 4] · [5 6; 7 8]ᵀ given as a transposed view.
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [5.0, 6.0, 7.0, 8.0];
        let mut c = [0.0; 4];
        gemm(2, 2, 2, 1.0, (&a, 2, 1), (&b, 1, 2), 0.0, (&mut c, 2, 1));
        assert_eq!(c, [17.0, 23.0, 39.0, 53.0]);
    }

    #[test]
    fn truncated_files_are_refused() {
        assert!(Model::parse(b"E5S1\x01\x00").is_err());
        assert!(Model::parse(b"NOPE").is_err());
    }
}
