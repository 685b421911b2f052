//! 4-bit weights times 8-bit activations: the dense layers of doum's
//! embedding model (multilingual-e5-small, see `doum::semantic::model`).
//!
//! A crate of its own so that test builds compile it optimized (the root
//! `Cargo.toml` gives it `opt-level = 3` in the dev profile): unoptimized
//! SIMD intrinsics are slower than no SIMD at all.
//!
//! Weights stay in the file's GGML Q4_0 blocks of 32 (a scale and 32
//! nibbles, weight = `(nibble − 8) · scale`): 13 MB for the 21 M layer
//! weights instead of 85 MB as f32, so a query's pass over them reads the
//! L3 cache rather than memory. Activations are quantized per block of 32
//! to `i8` with one scale (Q8_0), as the model's own engine does, and each
//! block's product is an integer dot product:
//!
//! ```text
//! y[o] = b[o] + Σ_blocks d_w · d_a · (Σ_j n_j · a_j − 8 · Σ_j a_j)
//! ```
//!
//! On x86-64 with AVX2 and FMA (checked at run time) the dot products use
//! `vpmaddubsw` (unsigned nibble × signed byte, 32 at a time); elsewhere a
//! portable loop computes the same integer sums. A query of 15 tokens costs
//! about a third of what an f32 product costs here: an f32 `sgemm` packs the
//! whole weight matrix to use each weight only 15 times.

/// Weights per block.
pub const QK: usize = 32;
/// Bytes of one Q4_0 block in the file: an f16 scale and 16 bytes of nibbles.
pub const BLOCK_BYTES: usize = 18;

/// A weight matrix `[outputs][inputs]` in Q4_0 blocks.
pub struct Q4Matrix {
    outputs: usize,
    inputs: usize,
    /// One scale per block, row by row.
    scales: Vec<f32>,
    /// 16 bytes per block: byte j holds weight j in its low nibble and
    /// weight j + 16 in its high one.
    nibbles: Vec<u8>,
}

impl Q4Matrix {
    /// The matrix held by `blocks` (the file's Q4_0 blocks, row by row).
    ///
    /// # Panics
    /// When `inputs` is not a multiple of [`QK`] or `blocks` does not hold
    /// exactly `outputs × inputs` weights (the model reader checks both).
    pub fn from_blocks(blocks: &[u8], outputs: usize, inputs: usize) -> Self {
        assert!(inputs.is_multiple_of(QK));
        assert_eq!(blocks.len(), outputs * inputs / QK * BLOCK_BYTES);
        let n = blocks.len() / BLOCK_BYTES;
        let mut scales = Vec::with_capacity(n);
        let mut nibbles = Vec::with_capacity(n * 16);
        for block in blocks.chunks_exact(BLOCK_BYTES) {
            scales.push(f16_to_f32(u16::from_le_bytes([block[0], block[1]])));
            nibbles.extend_from_slice(&block[2..]);
        }
        Self {
            outputs,
            inputs,
            scales,
            nibbles,
        }
    }

    fn blocks(&self) -> usize {
        self.inputs / QK
    }

    /// Row `o`'s weights as the unsigned nibbles `0..=15`, into `out`.
    fn unpack_row(&self, o: usize, out: &mut [u8]) {
        let nb = self.blocks();
        let row = &self.nibbles[o * nb * 16..(o + 1) * nb * 16];
        for (src, dst) in row.chunks_exact(16).zip(out.chunks_exact_mut(QK)) {
            for (j, &byte) in src.iter().enumerate() {
                dst[j] = byte & 0x0f;
                dst[j + 16] = byte >> 4;
            }
        }
    }
}

/// IEEE half to single precision.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0f32 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let man = f32::from(h & 0x3ff);
    match exp {
        0 => sign * man * 2f32.powi(-24),
        31 if man == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        e => sign * (1.0 + man / 1024.0) * 2f32.powi(e - 15),
    }
}

/// Expands Q4_0 blocks as the file stores them (`blocks`, 18 bytes each)
/// into `out`, 32 values per block: `(nibble − 8) · scale`.
pub fn dequantize(blocks: &[u8], out: &mut [f32]) {
    for (block, o) in blocks
        .chunks_exact(BLOCK_BYTES)
        .zip(out.chunks_exact_mut(QK))
    {
        let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        for (j, &q) in block[2..].iter().enumerate() {
            o[j] = (f32::from(q & 0x0f) - 8.0) * d;
            o[j + 16] = (f32::from(q >> 4) - 8.0) * d;
        }
    }
}

/// Rows of activations quantized per block of 32 (Q8_0): `a = q · d`.
#[derive(Default)]
pub struct Q8Rows {
    cols: usize,
    q: Vec<i8>,
    /// One scale per block.
    d: Vec<f32>,
    /// The sum of each block's `q`.
    s: Vec<i32>,
}

impl Q8Rows {
    /// Quantizes `x`, rows of `cols` values (`cols` a multiple of [`QK`]),
    /// reusing this buffer.
    pub fn quantize(&mut self, x: &[f32], cols: usize) {
        assert!(cols.is_multiple_of(QK) && x.len().is_multiple_of(cols.max(1)));
        self.cols = cols;
        let blocks = x.len() / QK;
        self.q.resize(x.len(), 0);
        self.d.resize(blocks, 0.0);
        self.s.resize(blocks, 0);
        let quantized = x.chunks_exact(QK).zip(self.q.chunks_exact_mut(QK));
        for ((block, q), (d, s)) in quantized.zip(self.d.iter_mut().zip(&mut self.s)) {
            // The largest magnitude, as the largest bit pattern without the
            // sign (an integer maximum, which vectorizes).
            let amax = block.iter().map(|v| v.to_bits() & 0x7fff_ffff).max();
            *d = f32::from_bits(amax.unwrap_or(0)) / 127.0;
            let inv = if *d > 0.0 { 1.0 / *d } else { 0.0 };
            let mut sum = 0;
            for (q, v) in q.iter_mut().zip(block) {
                // |v · inv| ≤ 127 (up to rounding).
                let r = round_even_to_int(v * inv);
                *q = r as i8;
                sum += r;
            }
            *s = sum;
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.q.len().checked_div(self.cols).unwrap_or(0)
    }
}

/// `v` rounded to the nearest integer, ties to even, for `|v| < 2²²`:
/// adding 1.5 · 2²³ leaves no fraction bits (the FPU rounds to even), and
/// the integer is then the low bits of the sum. Plain float and integer
/// arithmetic, so the loop around it vectorizes (`f32::round_ties_even` is
/// a library call on baseline x86-64, and float-to-int casts saturate).
fn round_even_to_int(v: f32) -> i32 {
    const SHIFT: f32 = 12_582_912.0;
    ((v + SHIFT).to_bits() as i32).wrapping_sub(SHIFT.to_bits() as i32)
}

/// Output rows computed together, so each activation block is loaded once
/// for all of them.
const GROUP: usize = 4;

/// `y[rows × outputs] = x · Wᵀ + bias`.
///
/// # Panics
/// When `x` does not have the matrix's input size in columns, or `bias`
/// does not hold one value per output.
pub fn matmul(w: &Q4Matrix, bias: &[f32], x: &Q8Rows, y: &mut Vec<f32>) {
    assert_eq!(x.cols, w.inputs, "activations and weights disagree");
    assert_eq!(bias.len(), w.outputs, "one bias per output");
    let rows = x.rows();
    y.clear();
    y.resize(rows * w.outputs, 0.0);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        unsafe { avx2::matmul(w, bias, x, y) };
        return;
    }
    portable(w, bias, x, y);
}

/// [`matmul`] without SIMD: the same integer sums, scaled per block.
fn portable(w: &Q4Matrix, bias: &[f32], x: &Q8Rows, y: &mut [f32]) {
    let nb = w.blocks();
    let mut row = vec![0u8; w.inputs];
    for o in 0..w.outputs {
        w.unpack_row(o, &mut row);
        let dw = &w.scales[o * nb..(o + 1) * nb];
        for (t, out) in y.chunks_exact_mut(w.outputs).enumerate() {
            let a = &x.q[t * w.inputs..(t + 1) * w.inputs];
            let (da, sa) = (&x.d[t * nb..(t + 1) * nb], &x.s[t * nb..(t + 1) * nb]);
            let mut acc = 0.0f32;
            for b in 0..nb {
                let dot: i32 = row[b * QK..(b + 1) * QK]
                    .iter()
                    .zip(&a[b * QK..(b + 1) * QK])
                    .map(|(&n, &q)| i32::from(n) * i32::from(q))
                    .sum();
                acc += dw[b] * da[b] * (dot - 8 * sa[b]) as f32;
            }
            out[o] = bias[o] + acc;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{GROUP, Q4Matrix, Q8Rows, QK};

    /// [`super::matmul`] with AVX2: `GROUP` weight rows at a time, unpacked
    /// to bytes once and reused for every activation row.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn matmul(w: &Q4Matrix, bias: &[f32], x: &Q8Rows, y: &mut [f32]) {
        let (n, nb) = (w.inputs, w.blocks());
        let rows = x.rows();
        assert!(x.q.len() >= rows * n && x.d.len() >= rows * nb && x.s.len() >= rows * nb);
        assert!(y.len() >= rows * w.outputs);
        let mut unpacked = vec![0u8; GROUP * n];
        let mut o0 = 0;
        while o0 < w.outputs {
            let group = GROUP.min(w.outputs - o0);
            for r in 0..group {
                w.unpack_row(o0 + r, &mut unpacked[r * n..(r + 1) * n]);
            }
            for t in 0..rows {
                let a = &x.q[t * n..(t + 1) * n];
                let (da, sa) = (&x.d[t * nb..(t + 1) * nb], &x.s[t * nb..(t + 1) * nb]);
                let out = &mut y[t * w.outputs + o0..t * w.outputs + o0 + group];
                if group == GROUP {
                    rows_dot::<GROUP>(&unpacked, &w.scales[o0 * nb..], nb, a, da, sa, out);
                } else {
                    for r in 0..group {
                        rows_dot::<1>(
                            &unpacked[r * n..],
                            &w.scales[(o0 + r) * nb..],
                            nb,
                            a,
                            da,
                            sa,
                            &mut out[r..r + 1],
                        );
                    }
                }
                for (r, v) in out.iter_mut().enumerate() {
                    *v += bias[o0 + r];
                }
            }
            o0 += group;
        }
    }

    /// `out[r] = Σ_b dw[r][b] · da[b] · (w[r]_b · a_b − 8 · sa[b])` for `R`
    /// rows of `nb` blocks, unpacked one after another in `w`.
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    fn rows_dot<const R: usize>(
        w: &[u8],
        dw: &[f32],
        nb: usize,
        a: &[i8],
        da: &[f32],
        sa: &[i32],
        out: &mut [f32],
    ) {
        let n = nb * QK;
        assert!(w.len() >= R * n && dw.len() >= R * nb && a.len() >= n);
        assert!(da.len() >= nb && sa.len() >= nb && out.len() >= R);
        let ones = _mm256_set1_epi16(1);
        let mut acc = [_mm256_setzero_ps(); R];
        // Four blocks at a time: their dot products are summed to one lane
        // per block and half (`[b0 b1 b2 b3 | b0 b1 b2 b3]`, low and high
        // halves of each block), then scaled with one multiply.
        let mut b = 0;
        while b + 4 <= nb {
            // SAFETY: blocks b..b + 4 lie inside `a`, `da` and `sa` (asserted
            // above), and the loads are unaligned.
            let (av, offset, da4) = unsafe {
                let at = |i: usize| _mm256_loadu_si256(a.as_ptr().add((b + i) * QK).cast());
                let sa4 = _mm_loadu_si128(sa.as_ptr().add(b).cast());
                (
                    [at(0), at(1), at(2), at(3)],
                    // The nibbles' offset of 8: each half of a block gives up
                    // four times the block's Σ a.
                    _mm256_broadcastsi128_si256(_mm_slli_epi32(sa4, 2)),
                    both_halves(_mm_loadu_ps(da.as_ptr().add(b))),
                )
            };
            for (r, acc) in acc.iter_mut().enumerate() {
                // SAFETY: row r holds `nb` blocks (asserted above).
                let (dots, dw4) = unsafe {
                    let row = w.as_ptr().add(r * n + b * QK);
                    let dot = |i: usize| {
                        let wv = _mm256_loadu_si256(row.add(i * QK).cast());
                        _mm256_madd_epi16(_mm256_maddubs_epi16(wv, av[i]), ones)
                    };
                    (
                        [dot(0), dot(1), dot(2), dot(3)],
                        both_halves(_mm_loadu_ps(dw.as_ptr().add(r * nb + b))),
                    )
                };
                let sums = _mm256_hadd_epi32(
                    _mm256_hadd_epi32(dots[0], dots[1]),
                    _mm256_hadd_epi32(dots[2], dots[3]),
                );
                let sums = _mm256_cvtepi32_ps(_mm256_sub_epi32(sums, offset));
                *acc = _mm256_fmadd_ps(sums, _mm256_mul_ps(dw4, da4), *acc);
            }
            b += 4;
        }
        for b in b..nb {
            // SAFETY: `a` holds `nb` blocks of 32 bytes (asserted above).
            let av = unsafe { _mm256_loadu_si256(a.as_ptr().add(b * QK).cast()) };
            // Each of a block's eight lanes gives up its Σ a once.
            let offset = _mm256_set1_epi32(sa[b]);
            for (r, acc) in acc.iter_mut().enumerate() {
                // SAFETY: `w` holds `R` rows of `nb` blocks (asserted above).
                let wv = unsafe { _mm256_loadu_si256(w.as_ptr().add(r * n + b * QK).cast()) };
                let dot = _mm256_madd_epi16(_mm256_maddubs_epi16(wv, av), ones);
                let dot = _mm256_sub_epi32(dot, offset);
                let scale = _mm256_set1_ps(dw[r * nb + b] * da[b]);
                *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, *acc);
            }
        }
        for (o, acc) in out.iter_mut().zip(acc) {
            *o = sum(acc);
        }
    }

    #[target_feature(enable = "avx2,fma")]
    fn both_halves(v: __m128) -> __m256 {
        _mm256_set_m128(v, v)
    }

    #[target_feature(enable = "avx2,fma")]
    fn sum(v: __m256) -> f32 {
        let lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
        _mm_cvtss_f32(_mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pseudo-random matrix in Q4_0 blocks, its f32 weights, and a bias.
    fn matrix(outputs: usize, inputs: usize, seed: u64) -> (Q4Matrix, Vec<f32>) {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let mut blocks = Vec::new();
        for _ in 0..outputs * inputs / QK {
            // f16 scales from 1/64 (0x2400) to just under 1/16
            let scale: u16 = 0x2400 + (next() % 0x800) as u16;
            blocks.extend_from_slice(&scale.to_le_bytes());
            blocks.extend((0..16).map(|_| next() as u8));
        }
        let mut dense = vec![0.0; outputs * inputs];
        dequantize(&blocks, &mut dense);
        (Q4Matrix::from_blocks(&blocks, outputs, inputs), dense)
    }

    fn activations(rows: usize, cols: usize) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| ((i * 7919 % 1000) as f32 / 250.0 - 2.0) * if i % 3 == 0 { 3.0 } else { 1.0 })
            .collect()
    }

    #[test]
    fn the_product_is_that_of_the_dequantized_weights() {
        // 10 outputs: two full groups and a remainder of two rows; 7 blocks:
        // four at a time, then three one by one.
        let (w, dense) = matrix(10, 224, 7);
        let bias: Vec<f32> = (0..10).map(|i| i as f32 * 0.5).collect();
        let x = activations(3, 224);
        let mut q = Q8Rows::default();
        q.quantize(&x, 224);
        let mut fast = Vec::new();
        matmul(&w, &bias, &q, &mut fast);
        let mut slow = vec![0.0; 30];
        portable(&w, &bias, &q, &mut slow);
        assert_eq!(fast.len(), 30);
        for (y, t) in [&fast, &slow]
            .into_iter()
            .flat_map(|y| (0..3).map(move |t| (y, t)))
        {
            let x = &x[t * 224..(t + 1) * 224];
            for o in 0..10 {
                let w = &dense[o * 224..(o + 1) * 224];
                let exact: f32 = bias[o] + x.iter().zip(w).map(|(a, b)| a * b).sum::<f32>();
                // Each activation is off by at most half its block's step
                // (the block's largest magnitude / 127).
                let bound: f32 = x
                    .chunks_exact(QK)
                    .zip(w.chunks_exact(QK))
                    .map(|(xb, wb)| {
                        let step = xb.iter().fold(0.0f32, |m, v| m.max(v.abs())) / 127.0;
                        wb.iter().map(|v| v.abs()).sum::<f32>() * step / 2.0
                    })
                    .sum();
                let got = y[t * 10 + o];
                assert!(
                    (got - exact).abs() <= bound * 1.001 + 1e-5,
                    "row {t}, output {o}: {got} vs {exact} (bound {bound})"
                );
            }
        }
    }

    #[test]
    fn simd_and_portable_products_agree() {
        // 14 blocks: three of four at a time, then two one by one.
        let (w, _) = matrix(12, 448, 11);
        let bias = vec![0.25; 12];
        let mut q = Q8Rows::default();
        q.quantize(&activations(5, 448), 448);
        let mut fast = Vec::new();
        matmul(&w, &bias, &q, &mut fast);
        let mut slow = vec![0.0; 5 * 12];
        portable(&w, &bias, &q, &mut slow);
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() <= 1e-4 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }

    #[test]
    fn q4_0_nibble_layout() {
        // scale 1.0; byte j = weight j (low nibble) and weight j+16 (high).
        let mut block = vec![0x00, 0x3c];
        block.extend((0..16u8).map(|j| (j & 0x0f) | (((15 - j) & 0x0f) << 4)));
        let mut w = [0.0; 32];
        dequantize(&block, &mut w);
        assert_eq!((w[0], w[15], w[16], w[31]), (-8.0, 7.0, 7.0, -8.0));
    }

    #[test]
    fn rounding_is_to_the_nearest_integer_ties_to_even() {
        let cases = [
            (0.5, 0),
            (1.5, 2),
            (2.5, 2),
            (-2.5, -2),
            (-1.5, -2),
            (2.6, 3),
            (-127.4, -127),
            (127.0, 127),
            (0.0, 0),
            (-0.0, 0),
        ];
        for (v, want) in cases {
            assert_eq!(round_even_to_int(v), want, "{v}");
        }
    }

    #[test]
    fn half_precision() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
    }

    #[test]
    fn quantized_activations_round_to_the_block_scale() {
        let mut x = vec![0.0f32; 64];
        x[0] = 127.0;
        x[1] = -63.5;
        x[2] = 0.4;
        let mut q = Q8Rows::default();
        q.quantize(&x, 32);
        assert_eq!(q.rows(), 2);
        assert_eq!(&q.q[..3], &[127, -64, 0]); // -63.5 rounds to even
        assert_eq!((q.s[0], q.d[0]), (63, 1.0));
        assert_eq!((q.s[1], q.d[1]), (0, 0.0)); // a block of zeros
    }
}
