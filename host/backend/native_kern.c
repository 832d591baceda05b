/* native_kern.c: the native backend's dense block kernels (native.h): the logits of a block of
 * rows (rows x D times D x KW) and the block's contribution to X^T R, in double from float32 X.
 *
 * Three variants of the same two kernels: generic C (any machine), and on x86-64 AVX2 + FMA and
 * AVX-512 compiled with target attributes (the build itself stays baseline x86-64, so the
 * binary runs anywhere) and chosen at run time by __builtin_cpu_supports. Register blocking:
 * the logits take 4 rows (AVX2: 2) times up to 4 classes per sweep over the features, so each
 * weight vector loaded serves several rows; the scatter keeps up to 8 (AVX2: 4) classes' gradient
 * lanes in registers while it walks the block's rows. */
#include <math.h>

#include "backend/native.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define LR_NATIVE_X86 1
#include <immintrin.h>
#else
#define LR_NATIVE_X86 0
#endif

/* ---- Generic C ---- */

static void logits_c(const float *const *xr, size_t nrow, size_t d, const double *wt, size_t ldw,
                     size_t kw, double *z, size_t kz) {
  for (size_t q = 0; q < nrow; q++)
    for (size_t c = 0; c < kw; c++) {
      const double *w = wt + c * ldw;
      double acc = 0.0;
      for (size_t j = 0; j < d; j++) acc += (double)xr[q][j] * w[j];
      z[q * kz + c] = acc;
    }
}

static void scatter_c(const float *const *xr, size_t nrow, size_t d, const double *r, size_t kw,
                      int sq, double *gt, size_t ldw) {
  for (size_t q = 0; q < nrow; q++)
    for (size_t c = 0; c < kw; c++) {
      double rc = r[q * kw + c], *g = gt + c * ldw;
      const float *x = xr[q];
      if (sq)
        for (size_t j = 0; j < d; j++) g[j] += (double)x[j] * (double)x[j] * rc;
      else
        for (size_t j = 0; j < d; j++) g[j] += (double)x[j] * rc;
    }
}

static void vexp_c(double *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = exp(v[i]);
}

static void vlog1p_c(double *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = log1p(v[i]);
}

static const lr_native_kern kern_c = {"generic C", logits_c, scatter_c, vexp_c, vlog1p_c};

#if LR_NATIVE_X86

/* Rows 0..nrow-1 of a block in groups of G: a short last group repeats its last row (computed
 * again, its results dropped), so that every group runs the full register block. */
#define ROW_GROUP(G, xr, nrow, q, g)                                                               \
  for (size_t t_ = 0; t_ < (G); t_++) g[t_] = xr[(q) + t_ < (nrow) ? (q) + t_ : (nrow)-1]

/* ---- AVX-512: 8 doubles per vector ---- */

#define AVX512 __attribute__((target("avx512f")))

static inline AVX512 __m512d load8(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }

static inline AVX512 __m512d load8_tail(const float *p, size_t n) {
  __mmask16 m = (__mmask16)((1u << n) - 1u);
  return _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_maskz_loadu_ps(m, p)));
}

/* The sums of the lanes of a0..a7, as the lanes of one vector (21 instructions for eight
 * sums, against 48 for eight reductions), in a fixed order. */
static inline AVX512 __m512d sum8(__m512d a0, __m512d a1, __m512d a2, __m512d a3, __m512d a4,
                                  __m512d a5, __m512d a6, __m512d a7) {
  __m512d t0 = _mm512_add_pd(_mm512_unpacklo_pd(a0, a1), _mm512_unpackhi_pd(a0, a1));
  __m512d t1 = _mm512_add_pd(_mm512_unpacklo_pd(a2, a3), _mm512_unpackhi_pd(a2, a3));
  __m512d t2 = _mm512_add_pd(_mm512_unpacklo_pd(a4, a5), _mm512_unpackhi_pd(a4, a5));
  __m512d t3 = _mm512_add_pd(_mm512_unpacklo_pd(a6, a7), _mm512_unpackhi_pd(a6, a7));
  /* t0 = [a0 01, a1 01, a0 23, a1 23, a0 45, a1 45, a0 67, a1 67], and so on */
  __m512d v0 =
      _mm512_add_pd(_mm512_shuffle_f64x2(t0, t1, 0x88), _mm512_shuffle_f64x2(t0, t1, 0xdd));
  __m512d v1 =
      _mm512_add_pd(_mm512_shuffle_f64x2(t2, t3, 0x88), _mm512_shuffle_f64x2(t2, t3, 0xdd));
  /* v0 = [a0 0-3, a1 0-3, a0 4-7, a1 4-7, a2 0-3, a3 0-3, a2 4-7, a3 4-7] */
  return _mm512_add_pd(_mm512_shuffle_f64x2(v0, v1, 0x88), _mm512_shuffle_f64x2(v0, v1, 0xdd));
}

/* z for 4 rows x CB classes (wt at the group's first class). */
static inline __attribute__((always_inline)) AVX512 void logits512_block(const float *const *x,
                                                                         size_t d, const double *wt,
                                                                         size_t ldw, int cb,
                                                                         double out[4][4]) {
  __m512d acc[4][4];
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < cb; c++) acc[r][c] = _mm512_setzero_pd();
  size_t j = 0;
  for (; j + 8 <= d; j += 8) {
    __m512d w[4];
    for (int c = 0; c < cb; c++) w[c] = _mm512_loadu_pd(wt + (size_t)c * ldw + j);
    for (int r = 0; r < 4; r++) {
      __m512d xv = load8(x[r] + j);
      for (int c = 0; c < cb; c++) acc[r][c] = _mm512_fmadd_pd(xv, w[c], acc[r][c]);
    }
  }
  if (j < d) { /* the weights are zero from d to ldw */
    __m512d w[4];
    for (int c = 0; c < cb; c++) w[c] = _mm512_loadu_pd(wt + (size_t)c * ldw + j);
    for (int r = 0; r < 4; r++) {
      __m512d xv = load8_tail(x[r] + j, d - j);
      for (int c = 0; c < cb; c++) acc[r][c] = _mm512_fmadd_pd(xv, w[c], acc[r][c]);
    }
  }
  /* The 4 cb sums, eight at a time (classes c, c + 1 of the 4 rows; one class: the 4 rows). */
  if (cb == 1) {
    __m512d z = _mm512_setzero_pd();
    double t[8];
    _mm512_storeu_pd(t, sum8(acc[0][0], acc[1][0], acc[2][0], acc[3][0], z, z, z, z));
    for (int r = 0; r < 4; r++) out[r][0] = t[r];
    return;
  }
  for (int c = 0; c < cb; c += 2) {
    double t[8];
    _mm512_storeu_pd(t, sum8(acc[0][c], acc[0][c + 1], acc[1][c], acc[1][c + 1], acc[2][c],
                             acc[2][c + 1], acc[3][c], acc[3][c + 1]));
    for (int r = 0; r < 4; r++) out[r][c] = t[2 * r], out[r][c + 1] = t[2 * r + 1];
  }
}

static AVX512 void logits512(const float *const *xr, size_t nrow, size_t d, const double *wt,
                             size_t ldw, size_t kw, double *z, size_t kz) {
  for (size_t q = 0; q < nrow; q += 4) {
    const float *g[4];
    ROW_GROUP(4, xr, nrow, q, g);
    size_t nr = nrow - q < 4 ? nrow - q : 4;
    for (size_t c0 = 0; c0 < kw;) {
      double out[4][4];
      int cb = kw - c0 >= 4 ? 4 : kw - c0 >= 2 ? 2 : 1;
      const double *w = wt + c0 * ldw;
      if (cb == 4)
        logits512_block(g, d, w, ldw, 4, out);
      else if (cb == 2)
        logits512_block(g, d, w, ldw, 2, out);
      else
        logits512_block(g, d, w, ldw, 1, out);
      for (size_t r = 0; r < nr; r++)
        for (int c = 0; c < cb; c++) z[(q + r) * kz + c0 + (size_t)c] = out[r][c];
      c0 += (size_t)cb;
    }
  }
}

/* gt's lanes j..j+7 of CB classes (gt at the group's first class, r at its first column). */
static inline __attribute__((always_inline)) AVX512 void
scatter512_lanes(const float *const *xr, size_t nrow, size_t j, size_t n, const double *r,
                 size_t kw, int sq, double *gt, size_t ldw, int cb) {
  __m512d acc[8];
  for (int c = 0; c < cb; c++) acc[c] = _mm512_loadu_pd(gt + (size_t)c * ldw + j);
  for (size_t q = 0; q < nrow; q++) {
    __m512d xv = n == 8 ? load8(xr[q] + j) : load8_tail(xr[q] + j, n);
    if (sq) xv = _mm512_mul_pd(xv, xv);
    const double *rq = r + q * kw;
    for (int c = 0; c < cb; c++) acc[c] = _mm512_fmadd_pd(xv, _mm512_set1_pd(rq[c]), acc[c]);
  }
  for (int c = 0; c < cb; c++) _mm512_storeu_pd(gt + (size_t)c * ldw + j, acc[c]);
}

static AVX512 void scatter512(const float *const *xr, size_t nrow, size_t d, const double *r,
                              size_t kw, int sq, double *gt, size_t ldw) {
  for (size_t j = 0; j < d; j += 8) {
    size_t n = d - j < 8 ? d - j : 8;
    for (size_t c0 = 0; c0 < kw;) {
      size_t left = kw - c0;
      int cb = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
      double *g = gt + c0 * ldw;
      if (cb == 8)
        scatter512_lanes(xr, nrow, j, n, r + c0, kw, sq, g, ldw, 8);
      else if (cb == 4)
        scatter512_lanes(xr, nrow, j, n, r + c0, kw, sq, g, ldw, 4);
      else if (cb == 2)
        scatter512_lanes(xr, nrow, j, n, r + c0, kw, sq, g, ldw, 2);
      else
        scatter512_lanes(xr, nrow, j, n, r + c0, kw, sq, g, ldw, 1);
      c0 += (size_t)cb;
    }
  }
}

/* exp(x) for x <= 0: x = n ln2 + r with |r| <= ln2 / 2 (Cody and Waite's split, exact with
 * FMA), e^r by its Taylor polynomial to r^13 (truncation below 5e-18 relative), times 2^n by
 * scalef (which also gives the subnormal results, and 0 below -745). */
static inline AVX512 __m512d exp512(__m512d x) {
  x = _mm512_max_pd(_mm512_set1_pd(-746.0), x); /* NaN (the second operand) stays NaN */
  __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(1.4426950408889634)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(6.93147180559945286227e-01), x);
  r = _mm512_fnmadd_pd(n, _mm512_set1_pd(2.319046813846299558e-17), r);
  static const double fact[14] = {1.0,     1.0,      2.0,       6.0,       24.0,
                                  120.0,   720.0,    5040.0,    40320.0,   362880.0,
                                  3628800, 39916800, 479001600, 6227020800}; /* exact */
  __m512d p = _mm512_set1_pd(1.0 / fact[13]);
  for (int i = 12; i >= 0; i--) p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / fact[i]));
  return _mm512_scalef_pd(p, n);
}

/* log1p(v) for v >= 0: with s = v / (2 + v) when v <= sqrt 2 - 1, else with 1 + v = 2^k m, m in
 * (sqrt 1/2, sqrt 2], s = (m - 1) / (m + 1) and the rounding of 1 + v added back:
 * log1p(v) = k ln2 + 2 atanh(s); |s| <= 0.1716, so the series of atanh to s^21 leaves below
 * 1e-18 relative. */
static inline AVX512 __m512d log1p512(__m512d v) {
  const __m512d one = _mm512_set1_pd(1.0), zero = _mm512_setzero_pd();
  __mmask8 small = _mm512_cmp_pd_mask(v, _mm512_set1_pd(0.41421356237309503), _CMP_LE_OQ);
  __m512d y = _mm512_add_pd(one, v);
  __m512d m = _mm512_getmant_pd(y, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
  __m512d k = _mm512_getexp_pd(y);
  __mmask8 big = _mm512_cmp_pd_mask(m, _mm512_set1_pd(1.4142135623730951), _CMP_GT_OQ);
  m = _mm512_mask_mul_pd(m, big, m, _mm512_set1_pd(0.5));
  k = _mm512_mask_add_pd(k, big, k, one);
  __m512d c = _mm512_div_pd(_mm512_sub_pd(v, _mm512_sub_pd(y, one)), y);
  __m512d s = _mm512_div_pd(_mm512_sub_pd(m, one), _mm512_add_pd(m, one));
  s = _mm512_mask_blend_pd(small, s, _mm512_div_pd(v, _mm512_add_pd(_mm512_set1_pd(2.0), v)));
  k = _mm512_mask_blend_pd(small, k, zero);
  c = _mm512_mask_blend_pd(small, c, zero);
  __m512d s2 = _mm512_mul_pd(s, s), p = _mm512_set1_pd(1.0 / 21);
  for (int i = 19; i >= 1; i -= 2) p = _mm512_fmadd_pd(p, s2, _mm512_set1_pd(1.0 / i));
  __m512d lo = _mm512_fmadd_pd(k, _mm512_set1_pd(2.319046813846299558e-17), c);
  __m512d t = _mm512_fmadd_pd(_mm512_add_pd(s, s), p, lo);
  return _mm512_fmadd_pd(k, _mm512_set1_pd(6.93147180559945286227e-01), t);
}

static AVX512 void vexp512(double *v, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(v + i, exp512(_mm512_loadu_pd(v + i)));
  if (i < n) {
    __mmask8 m = (__mmask8)((1u << (n - i)) - 1u);
    _mm512_mask_storeu_pd(v + i, m, exp512(_mm512_maskz_loadu_pd(m, v + i)));
  }
}

static AVX512 void vlog1p512(double *v, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(v + i, log1p512(_mm512_loadu_pd(v + i)));
  if (i < n) {
    __mmask8 m = (__mmask8)((1u << (n - i)) - 1u);
    _mm512_mask_storeu_pd(v + i, m, log1p512(_mm512_maskz_loadu_pd(m, v + i)));
  }
}

static const lr_native_kern kern_512 = {"AVX-512", logits512, scatter512, vexp512, vlog1p512};

/* ---- AVX2 + FMA: 4 doubles per vector ---- */

#define AVX2 __attribute__((target("avx2,fma")))

static inline AVX2 __m256d load4(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }

static inline AVX2 __m256d load4_tail(const float *p, size_t n) {
  __m128i m = _mm_setr_epi32(n > 0 ? -1 : 0, n > 1 ? -1 : 0, n > 2 ? -1 : 0, 0);
  return _mm256_cvtps_pd(_mm_maskload_ps(p, m));
}

static inline AVX2 double sum4(__m256d v) {
  __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
  lo = _mm_add_pd(lo, hi);
  return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

/* z for 2 rows x CB classes. */
static inline __attribute__((always_inline)) AVX2 void logits256_block(const float *const *x,
                                                                       size_t d, const double *wt,
                                                                       size_t ldw, int cb,
                                                                       double out[2][4]) {
  __m256d acc[2][4];
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < cb; c++) acc[r][c] = _mm256_setzero_pd();
  for (size_t j = 0; j < d; j += 4) {
    __m256d w[4];
    for (int c = 0; c < cb; c++) w[c] = _mm256_loadu_pd(wt + (size_t)c * ldw + j);
    for (int r = 0; r < 2; r++) {
      __m256d xv = j + 4 <= d ? load4(x[r] + j) : load4_tail(x[r] + j, d - j);
      for (int c = 0; c < cb; c++) acc[r][c] = _mm256_fmadd_pd(xv, w[c], acc[r][c]);
    }
  }
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < cb; c++) out[r][c] = sum4(acc[r][c]);
}

static AVX2 void logits256(const float *const *xr, size_t nrow, size_t d, const double *wt,
                           size_t ldw, size_t kw, double *z, size_t kz) {
  for (size_t q = 0; q < nrow; q += 2) {
    const float *g[2];
    ROW_GROUP(2, xr, nrow, q, g);
    size_t nr = nrow - q < 2 ? nrow - q : 2;
    for (size_t c0 = 0; c0 < kw;) {
      double out[2][4];
      int cb = kw - c0 >= 4 ? 4 : kw - c0 >= 2 ? 2 : 1;
      const double *w = wt + c0 * ldw;
      if (cb == 4)
        logits256_block(g, d, w, ldw, 4, out);
      else if (cb == 2)
        logits256_block(g, d, w, ldw, 2, out);
      else
        logits256_block(g, d, w, ldw, 1, out);
      for (size_t r = 0; r < nr; r++)
        for (int c = 0; c < cb; c++) z[(q + r) * kz + c0 + (size_t)c] = out[r][c];
      c0 += (size_t)cb;
    }
  }
}

static inline __attribute__((always_inline)) AVX2 void
scatter256_lanes(const float *const *xr, size_t nrow, size_t j, size_t n, const double *r,
                 size_t kw, int sq, double *gt, size_t ldw, int cb) {
  __m256d acc[4];
  for (int c = 0; c < cb; c++) acc[c] = _mm256_loadu_pd(gt + (size_t)c * ldw + j);
  for (size_t q = 0; q < nrow; q++) {
    __m256d xv = n == 4 ? load4(xr[q] + j) : load4_tail(xr[q] + j, n);
    if (sq) xv = _mm256_mul_pd(xv, xv);
    const double *rq = r + q * kw;
    for (int c = 0; c < cb; c++) acc[c] = _mm256_fmadd_pd(xv, _mm256_set1_pd(rq[c]), acc[c]);
  }
  for (int c = 0; c < cb; c++) _mm256_storeu_pd(gt + (size_t)c * ldw + j, acc[c]);
}

static AVX2 void scatter256(const float *const *xr, size_t nrow, size_t d, const double *r,
                            size_t kw, int sq, double *gt, size_t ldw) {
  for (size_t j = 0; j < d; j += 4) {
    size_t n = d - j < 4 ? d - j : 4;
    for (size_t c0 = 0; c0 < kw;) {
      size_t left = kw - c0;
      int cb = left >= 4 ? 4 : left >= 2 ? 2 : 1;
      double *g = gt + c0 * ldw;
      if (cb == 4)
        scatter256_lanes(xr, nrow, j, n, r + c0, kw, sq, g, ldw, 4);
      else if (cb == 2)
        scatter256_lanes(xr, nrow, j, n, r + c0, kw, sq, g, ldw, 2);
      else
        scatter256_lanes(xr, nrow, j, n, r + c0, kw, sq, g, ldw, 1);
      c0 += (size_t)cb;
    }
  }
}

static const lr_native_kern kern_256 = {"AVX2", logits256, scatter256, vexp_c, vlog1p_c};

#endif /* LR_NATIVE_X86 */

const lr_native_kern *lr_native_kern_get(int v) {
  if (v == LR_NATIVE_GENERIC) return &kern_c;
#if LR_NATIVE_X86
  __builtin_cpu_init();
  if (v == LR_NATIVE_AVX2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return &kern_256;
  if (v == LR_NATIVE_AVX512 && __builtin_cpu_supports("avx512f")) return &kern_512;
#endif
  return NULL;
}

const lr_native_kern *lr_native_kern_best(void) {
  for (int v = LR_NATIVE_VARIANTS - 1; v > LR_NATIVE_GENERIC; v--) {
    const lr_native_kern *k = lr_native_kern_get(v);
    if (k) return k;
  }
  return &kern_c;
}
