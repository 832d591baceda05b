/* native_kern.c: the native backend's dense block kernels (native.h): the logits of a block of
 * rows (rows x D times D x KW), the block's contribution to X^T R, in double from float32 X, and
 * the rows' exponentials, logarithms and binary row terms.
 *
 * Three variants of the same kernels: generic C (any machine), and on x86-64 AVX2 + FMA and
 * AVX-512 compiled with target attributes (the build itself stays baseline x86-64, so the
 * binary runs anywhere) and chosen at run time by __builtin_cpu_supports. Register blocking:
 * the logits take 8 rows (AVX2: 4) of one class, so that one lane-transposing sum gives the 8
 * rows' logits, or 4 rows x 2-3 classes, or 2 rows x up to 12 classes (AVX2: 2 x 4) per sweep
 * over the features, so that each x vector converted serves several classes and each weight
 * vector several rows; the scatter keeps 16 gradient vectors in registers (AVX2: 8): 16, 8, 4,
 * 2 or 1 classes times 1, 2, 4 or 8 strips of features, so that even one class gives the FMAs
 * independent chains. The exp and log1p of AVX2 and AVX-512 are the same polynomials (the
 * rows' math stays in vector registers); the generic C calls libm. */
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
                     size_t kw, const double *b, double *z, size_t kz) {
  for (size_t q = 0; q < nrow; q++)
    for (size_t c = 0; c < kw; c++) {
      const double *w = wt + c * ldw;
      double acc = 0.0;
      for (size_t j = 0; j < d; j++) acc += (double)xr[q][j] * w[j];
      z[q * kz + c] = acc + b[c];
    }
}

static void scatter_c(const float *const *xr, size_t nrow, size_t d, const double *r, size_t kw,
                      int sq, double *gt, size_t ldw, const float *const *pf, size_t npf) {
  (void)pf, (void)npf; /* no prefetching in portable C */
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

/* The rows' terms by lr_sigmoid's and lr_softplus's formulas from e = exp(-|z|), as the
 * reference's row_loss; the sums row after row. */
static void binrows_c(size_t m, const double *z, const double *sv, const int32_t *yv, double pw,
                      const unsigned char *held, int want_loss, double *r, lr_sums *acc,
                      lr_sums *hacc) {
  double a[2][4] = {{0}}; /* rows kept, rows held: loss, s loss, right, s */
  for (size_t q = 0; q < m; q++) {
    double zq = z[q], e = exp(-fabs(zq)), num = zq >= 0 ? 1.0 : e, sig = num * (1.0 / (1.0 + e));
    int y1 = yv[q] == 1, h = held && held[q];
    r[q] = h ? 0.0 : sv[q] * (y1 ? pw * (sig - 1.0) : sig);
    if (!want_loss) continue;
    double l = log1p(e), sp = (zq > 0 ? zq : 0.0) + l, sn = (zq < 0 ? -zq : 0.0) + l;
    double *o = a[h];
    o[0] += y1 ? sn : sp;
    o[1] += sv[q] * (y1 ? pw * sn : sp);
    o[2] += (double)((zq > 0) == y1);
    o[3] += sv[q];
  }
  if (!want_loss) return;
  lr_sums *out[2] = {acc, hacc};
  for (int h = 0; h < 2; h++)
    if (out[h]) {
      out[h]->loss += a[h][0];
      out[h]->wloss += a[h][1];
      out[h]->correct += a[h][2];
      out[h]->s += a[h][3];
    }
}

static const lr_native_kern kern_c = {
    .isa = "generic C",
    .logits = logits_c,
    .scatter = scatter_c,
    .vexp = vexp_c,
    .vlog1p = vlog1p_c,
    .binrows = binrows_c,
};

#if LR_NATIVE_X86

/* Rows 0..nrow-1 of a block in groups of G: a short last group repeats its last row (computed
 * again, its results dropped), so that every group runs the full register block. */
#define ROW_GROUP(G, xr, nrow, q, g)                                                               \
  for (size_t t_ = 0; t_ < (G); t_++) g[t_] = xr[(q) + t_ < (nrow) ? (q) + t_ : (nrow)-1]

/* Row q's x into the CB x SB running sums acc (x^2 when SQ; with TAIL, SB is 1 and the strip
 * has the n < W features from j), r's row q (kw apart) times x. TAIL and SQ are literals. */
#define SCATTER_ROW(TAIL, SQ, VEC, LOAD, LOAD_TAIL, MUL, FMA, SET1, W)                             \
  do {                                                                                             \
    const double *rq = r + q * kw;                                                                 \
    for (int s = 0; s < sb; s++) {                                                                 \
      VEC xv = TAIL ? LOAD_TAIL(xr[q] + j, n) : LOAD(xr[q] + j + W * (size_t)s);                   \
      if (SQ) xv = MUL(xv, xv);                                                                    \
      for (int c = 0; c < cb; c++) acc[s][c] = FMA(xv, SET1(rq[c]), acc[s][c]);                    \
    }                                                                                              \
  } while (0)

/* The row loop of a scatter's register block, once per combination of TAIL and SQ (so that
 * neither is tested per row). */
#define SCATTER_ROWS(ROW)                                                                          \
  do {                                                                                             \
    if (sb == 1 && n && sq)                                                                        \
      for (size_t q = 0; q < nrow; q++) ROW(1, 1);                                                 \
    else if (sb == 1 && n)                                                                         \
      for (size_t q = 0; q < nrow; q++) ROW(1, 0);                                                 \
    else if (sq)                                                                                   \
      for (size_t q = 0; q < nrow; q++) ROW(0, 1);                                                 \
    else                                                                                           \
      for (size_t q = 0; q < nrow; q++) ROW(0, 0);                                                 \
  } while (0)

/* Asks for pf's rows npf i0 / n .. npf i1 / n (d floats each) to come into L2: step i0..i1 of
 * a sweep of n steps, so that the requests are spread over the sweep. An asm statement, which
 * the compiler keeps (a loop of prefetch builtins can be dropped as having no effect). */
static inline void prefetch_part(const float *const *pf, size_t npf, size_t d, size_t i0, size_t i1,
                                 size_t n) {
  for (size_t i = npf * i0 / n; i < npf * i1 / n; i++) {
    const char *p = (const char *)pf[i], *e = (const char *)(pf[i] + d);
    for (; p < e; p += 64) __asm__ volatile("prefetcht1 %0" : : "m"(*p));
    __asm__ volatile("prefetcht1 %0" : : "m"(e[-1]));
  }
}

/* ---- AVX2 + FMA: 4 doubles per vector ---- */

#define AVX2 __attribute__((target("avx2,fma")))

static inline AVX2 __m256d load4(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }

static inline AVX2 __m256d load4_tail(const float *p, size_t n) {
  __m128i m = _mm_setr_epi32(n > 0 ? -1 : 0, n > 1 ? -1 : 0, n > 2 ? -1 : 0, 0);
  return _mm256_cvtps_pd(_mm_maskload_ps(p, m));
}

/* The sums of the lanes of a0..a3, as the lanes of one vector, each ((0 + 1) + (2 + 3)). */
static inline AVX2 __m256d sum4x4(__m256d a0, __m256d a1, __m256d a2, __m256d a3) {
  __m256d t0 = _mm256_hadd_pd(a0, a1), t1 = _mm256_hadd_pd(a2, a3);
  /* t0 = [a0 01, a1 01, a0 23, a1 23] */
  return _mm256_add_pd(_mm256_permute2f128_pd(t0, t1, 0x20), _mm256_permute2f128_pd(t0, t1, 0x31));
}

/* z for RB rows x CB classes into out[r CB + c] (as logits512_block; sum4x4's order). */
static inline __attribute__((always_inline)) AVX2 void logits256_block(const float *const *x,
                                                                       size_t d, const double *wt,
                                                                       size_t ldw, int rb, int cb,
                                                                       double *out) {
  __m256d acc[12];
  const int na = rb * cb;
  for (int a = 0; a < na; a++) acc[a] = _mm256_setzero_pd();
  size_t j = 0;
  for (; j + 4 <= d; j += 4)
    for (int r = 0; r < rb; r++) {
      __m256d xv = load4(x[r] + j);
      for (int c = 0; c < cb; c++)
        acc[r * cb + c] =
            _mm256_fmadd_pd(xv, _mm256_loadu_pd(wt + (size_t)c * ldw + j), acc[r * cb + c]);
    }
  if (j < d) /* the weights are zero from d to ldw */
    for (int r = 0; r < rb; r++) {
      __m256d xv = load4_tail(x[r] + j, d - j);
      for (int c = 0; c < cb; c++)
        acc[r * cb + c] =
            _mm256_fmadd_pd(xv, _mm256_loadu_pd(wt + (size_t)c * ldw + j), acc[r * cb + c]);
    }
  const __m256d zero = _mm256_setzero_pd();
  for (int a = 0; a < na; a += 4) {
    __m256d v[4];
    for (int t = 0; t < 4; t++) v[t] = a + t < na ? acc[a + t] : zero;
    _mm256_storeu_pd(out + a, sum4x4(v[0], v[1], v[2], v[3]));
  }
}

/* One class: 4 rows per sweep (one sum4x4 gives their logits); else 2 rows x up to 4 classes. */
static AVX2 void logits256(const float *const *xr, size_t nrow, size_t d, const double *wt,
                           size_t ldw, size_t kw, const double *b, double *z, size_t kz) {
  size_t rb = 4, chunks = (kw + 2) / 3;
  for (size_t q = 0; q < nrow; q += rb) {
    const float *gl[4], *const *g = xr + q;
    size_t nr = nrow - q < rb ? nrow - q : rb;
    if (nr < rb) {
      ROW_GROUP(rb, xr, nrow, q, gl);
      g = gl;
    }
    if (kw == 1) {
      double out[4];
      logits256_block(g, d, wt, ldw, 4, 1, out);
      __m256d v = _mm256_add_pd(_mm256_loadu_pd(out), _mm256_set1_pd(b[0]));
      if (kz == 1 && nr == 4) {
        _mm256_storeu_pd(z + q, v);
      } else {
        _mm256_storeu_pd(out, v);
        for (size_t r = 0; r < nr; r++) z[(q + r) * kz] = out[r];
      }
      continue;
    }
    for (size_t c0 = 0, left = chunks; c0 < kw; left--) {
      double out[12];
      size_t cb = (kw - c0 + left - 1) / left;
      const double *w = wt + c0 * ldw;
      switch (cb) {
#define L256(CB)                                                                                   \
  case CB:                                                                                         \
    logits256_block(g, d, w, ldw, 4, CB, out);                                                     \
    break;
        L256(1);
        L256(2);
        L256(3);
#undef L256
      default:
        break;
      }
      for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < cb; c++) z[(q + r) * kz + c0 + c] = out[r * cb + c] + b[c0 + c];
      c0 += cb;
    }
  }
}

/* As scatter512_lanes: CB classes over SB strips of 4 features from j (or the n < 4 from j). */
static inline __attribute__((always_inline)) AVX2 void
scatter256_lanes(const float *const *xr, size_t nrow, size_t j, size_t n, const double *r,
                 size_t kw, int sq, double *gt, size_t ldw, int cb, int sb) {
  __m256d acc[8][4];
  for (int s = 0; s < sb; s++)
    for (int c = 0; c < cb; c++) acc[s][c] = _mm256_setzero_pd();
#define ROW256(TAIL, SQ)                                                                           \
  SCATTER_ROW(TAIL, SQ, __m256d, load4, load4_tail, _mm256_mul_pd, _mm256_fmadd_pd,                \
              _mm256_set1_pd, 4)
  SCATTER_ROWS(ROW256);
#undef ROW256
  for (int s = 0; s < sb; s++)
    for (int c = 0; c < cb; c++) {
      double *o = gt + (size_t)c * ldw + j + 4 * (size_t)s;
      _mm256_storeu_pd(o, _mm256_add_pd(_mm256_loadu_pd(o), acc[s][c]));
    }
}

/* Columns [c0, c1) in chunks of 4, 2 or 1 classes over up to 8 / CB strips at once; the short
 * last strip alone. */
static AVX2 void scatter256_cols(const float *const *xr, size_t nrow, size_t d, const double *r,
                                 size_t kw, size_t c0, size_t c1, int sq, double *gt, size_t ldw,
                                 const float *const *pf, size_t npf) {
  size_t full = d / 4, tail = d % 4, strips = full + (tail > 0);
  for (int first = 1; c0 < c1; first = 0) { /* pf over the first chunk's strips */
    size_t left = c1 - c0;
    int cb = left >= 4 ? 4 : left >= 2 ? 2 : 1, sbmax = 8 / cb;
    double *g = gt + c0 * ldw;
    const double *rc = r + c0;
    for (size_t st = 0; st < strips;) {
      int sb = sbmax;
      size_t n = st < full ? 0 : tail;
      if (n) sb = 1;
      while ((size_t)sb > full - st && !n) sb /= 2;
      switch (cb * 16 + sb) {
#define S256(CB, SB)                                                                               \
  case CB * 16 + SB:                                                                               \
    scatter256_lanes(xr, nrow, 4 * st, n, rc, kw, sq, g, ldw, CB, SB);                             \
    break;
        S256(4, 2);
        S256(4, 1);
        S256(2, 4);
        S256(2, 2);
        S256(2, 1);
        S256(1, 8);
        S256(1, 4);
        S256(1, 2);
        S256(1, 1);
#undef S256
      default:
        break;
      }
      if (first && npf) prefetch_part(pf, npf, d, st, st + (size_t)sb, strips);
      st += (size_t)sb;
    }
    c0 += (size_t)cb;
  }
}

static AVX2 void scatter256(const float *const *xr, size_t nrow, size_t d, const double *r,
                            size_t kw, int sq, double *gt, size_t ldw, const float *const *pf,
                            size_t npf) {
  scatter256_cols(xr, nrow, d, r, kw, 0, kw, sq, gt, ldw, pf, npf);
}

/* exp512's method on 4 lanes: without scalef, 2^n is built in the exponent bits; when the
 * result is subnormal (n < -1000) the scaling is split, p 2^(n + 64) exact, then one rounding
 * by the multiplication by 2^-64. */
static inline AVX2 __m256d exp256(__m256d x) {
  x = _mm256_max_pd(_mm256_set1_pd(-746.0), x); /* NaN (the second operand) stays NaN */
  __m256d n = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)),
                              _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180559945286227e-01), x);
  r = _mm256_fnmadd_pd(n, _mm256_set1_pd(2.319046813846299558e-17), r);
  static const double fact[14] = {1.0,     1.0,      2.0,       6.0,       24.0,
                                  120.0,   720.0,    5040.0,    40320.0,   362880.0,
                                  3628800, 39916800, 479001600, 6227020800}; /* exact */
  __m256d p = _mm256_set1_pd(1.0 / fact[13]);
  for (int i = 12; i >= 0; i--) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / fact[i]));
  __m256d tiny = _mm256_cmp_pd(n, _mm256_set1_pd(-1000.0), _CMP_LT_OQ);
  n = _mm256_add_pd(n, _mm256_and_pd(tiny, _mm256_set1_pd(64.0)));
  __m256i e = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n)); /* NaN: any scale, p is NaN */
  __m256d scale =
      _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(e, _mm256_set1_epi64x(1023)), 52));
  __m256d y = _mm256_mul_pd(p, scale);
  return _mm256_blendv_pd(y, _mm256_mul_pd(y, _mm256_set1_pd(0x1p-64)), tiny);
}

/* log1p512's method on 4 lanes, the exponent and mantissa of 1 + v (>= 1) from its bits. */
static inline AVX2 __m256d log1p256(__m256d v) {
  const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
  __m256d small = _mm256_cmp_pd(v, _mm256_set1_pd(0.41421356237309503), _CMP_LE_OQ);
  __m256d y = _mm256_add_pd(one, v);
  __m256i yb = _mm256_castpd_si256(y);
  __m256d m = _mm256_castsi256_pd(
      _mm256_or_si256(_mm256_and_si256(yb, _mm256_set1_epi64x(0x000fffffffffffffLL)),
                      _mm256_set1_epi64x(0x3ff0000000000000LL)));
  /* k = biased exponent - 1023, by the exact sum 2^52 + e converted through its bits */
  __m256i eb = _mm256_srli_epi64(yb, 52);
  __m256d k = _mm256_sub_pd(
      _mm256_castsi256_pd(_mm256_or_si256(eb, _mm256_set1_epi64x(0x4330000000000000LL))),
      _mm256_set1_pd(4503599627370496.0 + 1023.0));
  __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(1.4142135623730951), _CMP_GT_OQ);
  m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
  k = _mm256_add_pd(k, _mm256_and_pd(big, one));
  /* c below 1 ulp of 1: its quotient by y needs no more than rcp_ps's 12 bits */
  __m256d c = _mm256_mul_pd(_mm256_sub_pd(v, _mm256_sub_pd(y, one)),
                            _mm256_cvtps_pd(_mm_rcp_ps(_mm256_cvtpd_ps(y))));
  __m256d s = _mm256_div_pd(
      _mm256_blendv_pd(_mm256_sub_pd(m, one), v, small),
      _mm256_blendv_pd(_mm256_add_pd(m, one), _mm256_add_pd(_mm256_set1_pd(2.0), v), small));
  k = _mm256_blendv_pd(k, zero, small);
  c = _mm256_blendv_pd(c, zero, small);
  __m256d s2 = _mm256_mul_pd(s, s), p = _mm256_set1_pd(1.0 / 21);
  for (int i = 19; i >= 1; i -= 2) p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / i));
  __m256d lo = _mm256_fmadd_pd(k, _mm256_set1_pd(2.319046813846299558e-17), c);
  __m256d t = _mm256_fmadd_pd(_mm256_add_pd(s, s), p, lo);
  return _mm256_fmadd_pd(k, _mm256_set1_pd(6.93147180559945286227e-01), t);
}

/* 4 lanes of v (n < 4: the rest zeros), and back. */
static inline AVX2 __m256d load4d(const double *v, size_t n) {
  if (n >= 4) return _mm256_loadu_pd(v);
  double t[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < n; i++) t[i] = v[i];
  return _mm256_loadu_pd(t);
}

static inline AVX2 void store4d(double *v, size_t n, __m256d x) {
  if (n >= 4) {
    _mm256_storeu_pd(v, x);
    return;
  }
  double t[4];
  _mm256_storeu_pd(t, x);
  for (size_t i = 0; i < n; i++) v[i] = t[i];
}

static AVX2 void vexp256(double *v, size_t n) {
  for (size_t i = 0; i < n; i += 4) {
    size_t k = n - i < 4 ? n - i : 4;
    store4d(v + i, k, exp256(load4d(v + i, k)));
  }
}

static AVX2 void vlog1p256(double *v, size_t n) {
  for (size_t i = 0; i < n; i += 4) {
    size_t k = n - i < 4 ? n - i : 4;
    store4d(v + i, k, log1p256(load4d(v + i, k)));
  }
}

/* binrow512 on G groups of 4 rows (masks as all-ones or all-zeros lanes). */
static inline __attribute__((always_inline)) AVX2 void
binrow256(int G, const __m256d *zq, const __m256d *s, const __m256d *y1, const __m256d *hm,
          const __m256d *lanes, __m256d pwv, int want_loss, __m256d a[2][4], __m256d *rr) {
  const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
  __m256d e[4], l[4];
  for (int i = 0; i < G; i++) e[i] = exp256(_mm256_or_pd(zq[i], _mm256_set1_pd(-0.0))); /* -|z| */
  for (int i = 0; i < G; i++) {
    __m256d ge = _mm256_cmp_pd(zq[i], zero, _CMP_GE_OQ);
    __m256d sig = _mm256_mul_pd(_mm256_blendv_pd(e[i], one, ge),
                                _mm256_div_pd(one, _mm256_add_pd(one, e[i])));
    __m256d r = _mm256_blendv_pd(sig, _mm256_mul_pd(pwv, _mm256_sub_pd(sig, one)), y1[i]);
    rr[i] = _mm256_andnot_pd(hm[i], _mm256_mul_pd(s[i], r));
  }
  if (!want_loss) return;
  for (int i = 0; i < G; i++) l[i] = log1p256(e[i]);
  for (int i = 0; i < G; i++) {
    __m256d gt = _mm256_cmp_pd(zq[i], zero, _CMP_GT_OQ);
    __m256d lt = _mm256_cmp_pd(zq[i], zero, _CMP_LT_OQ);
    __m256d sp = _mm256_add_pd(_mm256_and_pd(gt, zq[i]), l[i]);
    __m256d sn = _mm256_add_pd(_mm256_and_pd(lt, _mm256_sub_pd(zero, zq[i])), l[i]);
    __m256d terms[4] = {_mm256_blendv_pd(sp, sn, y1[i]),
                        _mm256_mul_pd(s[i], _mm256_blendv_pd(sp, _mm256_mul_pd(pwv, sn), y1[i])),
                        _mm256_andnot_pd(_mm256_xor_pd(gt, y1[i]), one), s[i]};
    __m256d keep = _mm256_andnot_pd(hm[i], lanes[i]), hold = _mm256_and_pd(hm[i], lanes[i]);
    for (int t = 0; t < 4; t++) { /* + 0 where masked off: the sums stay as they are */
      a[0][t] = _mm256_add_pd(a[0][t], _mm256_and_pd(keep, terms[t]));
      a[1][t] = _mm256_add_pd(a[1][t], _mm256_and_pd(hold, terms[t]));
    }
  }
}

/* Group i (4 rows from q) of binrow256's inputs from sv, yv, held, z (z NULL: not loaded); the
 * rows past m read as zeros, their lanes off. */
static inline __attribute__((always_inline)) AVX2 void rows256(size_t q, size_t m, const double *z,
                                                               const double *sv, const int32_t *yv,
                                                               const unsigned char *held,
                                                               __m256d *zq, __m256d *s, __m256d *y1,
                                                               __m256d *hm, __m256d *lanes) {
  const __m256d one = _mm256_set1_pd(1.0);
  size_t n = q >= m ? 0 : m - q < 4 ? m - q : 4;
  if (n == 4) {
    if (z) *zq = _mm256_loadu_pd(z + q);
    *s = _mm256_loadu_pd(sv + q);
    *y1 = _mm256_cmp_pd(_mm256_cvtepi32_pd(_mm_loadu_si128((const __m128i *)(yv + q))), one,
                        _CMP_EQ_OQ);
    *lanes = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
  } else {
    double zt[4] = {0, 0, 0, 0}, st[4] = {0, 0, 0, 0}, yt[4] = {0, 0, 0, 0};
    int64_t lt[4] = {0, 0, 0, 0};
    for (size_t t = 0; t < n; t++) {
      if (z) zt[t] = z[q + t];
      st[t] = sv[q + t], yt[t] = yv[q + t] == 1, lt[t] = -1;
    }
    if (z) *zq = _mm256_loadu_pd(zt);
    *s = _mm256_loadu_pd(st);
    *y1 = _mm256_cmp_pd(_mm256_loadu_pd(yt), one, _CMP_EQ_OQ);
    *lanes = _mm256_castsi256_pd(_mm256_loadu_si256((const __m256i *)lt));
  }
  *hm = _mm256_setzero_pd();
  if (held) {
    int64_t ht[4] = {0, 0, 0, 0};
    for (size_t t = 0; t < n; t++) ht[t] = -(int64_t)(held[q + t] != 0);
    *hm = _mm256_castsi256_pd(_mm256_loadu_si256((const __m256i *)ht));
  }
}

/* a[0] (a[1]) into *acc (*hacc), each sum's 4 lanes added ((0 + 1) + (2 + 3)). */
static inline AVX2 void sums256(__m256d a[2][4], lr_sums *acc, lr_sums *hacc) {
  lr_sums *out[2] = {acc, hacc};
  for (int h = 0; h < 2; h++)
    if (out[h]) {
      double t[4];
      _mm256_storeu_pd(t, sum4x4(a[h][0], a[h][1], a[h][2], a[h][3]));
      out[h]->loss += t[0];
      out[h]->wloss += t[1];
      out[h]->correct += t[2];
      out[h]->s += t[3];
    }
}

/* binrows512 on 4 lanes (row q in lane q mod 4), 16 rows at a time. */
static AVX2 void binrows256(size_t m, const double *z, const double *sv, const int32_t *yv,
                            double pw, const unsigned char *held, int want_loss, double *r,
                            lr_sums *acc, lr_sums *hacc) {
  const __m256d pwv = _mm256_set1_pd(pw);
  __m256d a[2][4];
  for (int h = 0; h < 2; h++)
    for (int i = 0; i < 4; i++) a[h][i] = _mm256_setzero_pd();
  for (size_t q0 = 0; q0 < m; q0 += 16) {
    __m256d zq[4], s[4], y1[4], hm[4], lanes[4], rr[4];
    for (int i = 0; i < 4; i++)
      rows256(q0 + 4 * (size_t)i, m, z, sv, yv, held, &zq[i], &s[i], &y1[i], &hm[i], &lanes[i]);
    binrow256(4, zq, s, y1, hm, lanes, pwv, want_loss, a, rr);
    for (int i = 0; i < 4; i++) {
      size_t q = q0 + 4 * (size_t)i;
      if (q + 4 <= m) {
        _mm256_storeu_pd(r + q, rr[i]);
      } else if (q < m) {
        double t[4];
        _mm256_storeu_pd(t, rr[i]);
        for (size_t k = 0; q + k < m; k++) r[q + k] = t[k];
      }
    }
  }
  if (want_loss) sums256(a, acc, hacc);
}

/* binary512 on 4 lanes, 16 rows at a time (groups of 4: their logits by logits256's sums,
 * binrow256, each group's x r summed apart, the 4 sums added pairwise, then to g). */
static AVX2 void binary256(const float *const *xr, size_t nrow, size_t d, const double *w, double b,
                           const double *sv, const int32_t *yv, double pw, int want_loss,
                           int want_grad, double *g, double *gb, lr_sums *acc) {
  enum { G = 4 };
  const __m256d pwv = _mm256_set1_pd(pw);
  __m256d a[2][4], rsum = _mm256_setzero_pd();
  for (int h = 0; h < 2; h++)
    for (int i = 0; i < 4; i++) a[h][i] = _mm256_setzero_pd();
  size_t full = d / 4, tail = d % 4;
  for (size_t q0 = 0; q0 < nrow; q0 += 4 * G) {
    const float *x[4 * G];
    double rs[4 * G];
    __m256d zq[G], s[G], y1[G], hm[G], lanes[G], rr[G];
    for (size_t t = 0; t < 4 * G; t++) x[t] = xr[q0 + t < nrow ? q0 + t : nrow - 1];
    for (int gi = 0; gi < G; gi++) {
      const float *const *xg = x + 4 * gi;
      __m256d c[4];
      for (int t = 0; t < 4; t++) c[t] = _mm256_setzero_pd();
      for (int t = 0; t < 4; t += 2) /* rows in pairs: X read nearly in order */
        for (size_t j = 0; j < 4 * full; j += 4) {
          __m256d wv = _mm256_loadu_pd(w + j);
          c[t] = _mm256_fmadd_pd(load4(xg[t] + j), wv, c[t]);
          c[t + 1] = _mm256_fmadd_pd(load4(xg[t + 1] + j), wv, c[t + 1]);
        }
      if (tail)
        for (int t = 0; t < 4; t++)
          c[t] = _mm256_fmadd_pd(load4_tail(xg[t] + 4 * full, tail), _mm256_loadu_pd(w + 4 * full),
                                 c[t]);
      zq[gi] = _mm256_add_pd(sum4x4(c[0], c[1], c[2], c[3]), _mm256_set1_pd(b));
      rows256(q0 + 4 * (size_t)gi, nrow, NULL, sv, yv, NULL, NULL, &s[gi], &y1[gi], &hm[gi],
              &lanes[gi]);
    }
    binrow256(G, zq, s, y1, hm, lanes, pwv, want_loss, a, rr);
    if (!want_grad) continue;
    for (int gi = 0; gi < G; gi++) {
      rr[gi] = _mm256_and_pd(lanes[gi], rr[gi]); /* the repeated rows add x 0 */
      rsum = _mm256_add_pd(rsum, rr[gi]);
      _mm256_storeu_pd(rs + 4 * gi, rr[gi]);
    }
    for (size_t st = 0; st < full + (tail > 0); st++) {
      size_t j = 4 * st, n = st < full ? 4 : tail;
      __m256d p[G];
      for (int gi = 0; gi < G; gi++) {
        const float *const *xg = x + 4 * gi;
        const double *rg = rs + 4 * gi;
        if (n == 4) {
          p[gi] = _mm256_mul_pd(load4(xg[0] + j), _mm256_set1_pd(rg[0]));
          for (int t = 1; t < 4; t++)
            p[gi] = _mm256_fmadd_pd(load4(xg[t] + j), _mm256_set1_pd(rg[t]), p[gi]);
        } else {
          p[gi] = _mm256_mul_pd(load4_tail(xg[0] + j, n), _mm256_set1_pd(rg[0]));
          for (int t = 1; t < 4; t++)
            p[gi] = _mm256_fmadd_pd(load4_tail(xg[t] + j, n), _mm256_set1_pd(rg[t]), p[gi]);
        }
      }
      __m256d sum = _mm256_add_pd(_mm256_add_pd(p[0], p[1]), _mm256_add_pd(p[2], p[3]));
      _mm256_storeu_pd(g + j, _mm256_add_pd(_mm256_loadu_pd(g + j), sum));
    }
  }
  if (want_grad) {
    double t[4];
    _mm256_storeu_pd(t, rsum);
    gb[0] += (t[0] + t[1]) + (t[2] + t[3]);
  }
  if (want_loss) sums256(a, acc, NULL);
}

static const lr_native_kern kern_256 = {
    .isa = "AVX2",
    .logits = logits256,
    .scatter = scatter256,
    .vexp = vexp256,
    .vlog1p = vlog1p256,
    .binrows = binrows256,
    .binary = binary256,
};

/* ---- AVX-512: 8 doubles per vector ---- */

#define AVX512 __attribute__((target("avx512f,fma")))

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

/* z for RB rows x CB classes (wt at the chunk's first class) into out[r CB + c]. Each logit's
 * vector lanes are reduced by sum8 in one fixed order, whatever RB and CB, so the register block
 * chosen for a shape does not change the bits. */
static inline __attribute__((always_inline)) AVX512 void logits512_block(const float *const *x,
                                                                         size_t d, const double *wt,
                                                                         size_t ldw, int rb, int cb,
                                                                         double *out) {
  __m512d acc[24];
  const int na = rb * cb;
  for (int a = 0; a < na; a++) acc[a] = _mm512_setzero_pd();
  size_t j = 0;
  for (; j + 8 <= d; j += 8) {
    for (int r = 0; r < rb; r++) {
      __m512d xv = load8(x[r] + j);
      for (int c = 0; c < cb; c++)
        acc[r * cb + c] =
            _mm512_fmadd_pd(xv, _mm512_loadu_pd(wt + (size_t)c * ldw + j), acc[r * cb + c]);
    }
  }
  if (j < d) { /* the weights are zero from d to ldw */
    for (int r = 0; r < rb; r++) {
      __m512d xv = load8_tail(x[r] + j, d - j);
      for (int c = 0; c < cb; c++)
        acc[r * cb + c] =
            _mm512_fmadd_pd(xv, _mm512_loadu_pd(wt + (size_t)c * ldw + j), acc[r * cb + c]);
    }
  }
  const __m512d zero = _mm512_setzero_pd();
  for (int a = 0; a < na; a += 8) {
    __m512d v[8];
    for (int t = 0; t < 8; t++) v[t] = a + t < na ? acc[a + t] : zero;
    _mm512_storeu_pd(out + a, sum8(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
  }
}

/* The register block of a shape: RB rows by up to CB classes per sweep over the features (at
 * most 24 accumulators). One class: 8 rows, so that one sum8 gives their 8 logits. */
static AVX512 void logits512(const float *const *xr, size_t nrow, size_t d, const double *wt,
                             size_t ldw, size_t kw, const double *b, double *z, size_t kz) {
  size_t rb = kw == 1 ? 8 : 4, chunks = (kw + 4) / 5;
  for (size_t q = 0; q < nrow; q += rb) {
    const float *gl[8], *const *g = xr + q;
    size_t nr = nrow - q < rb ? nrow - q : rb;
    if (nr < rb) {
      ROW_GROUP(rb, xr, nrow, q, gl);
      g = gl;
    }
    if (kw == 1) { /* the 8 rows' logits are one vector, stored as one when kz is 1 */
      double out[8];
      logits512_block(g, d, wt, ldw, 8, 1, out);
      __m512d v = _mm512_add_pd(_mm512_loadu_pd(out), _mm512_set1_pd(b[0]));
      if (kz == 1) {
        _mm512_mask_storeu_pd(z + q, (__mmask8)((1u << nr) - 1u), v);
      } else {
        _mm512_storeu_pd(out, v);
        for (size_t r = 0; r < nr; r++) z[(q + r) * kz] = out[r];
      }
      continue;
    }
    for (size_t c0 = 0, left = chunks; c0 < kw; left--) {
      double out[24];
      size_t cb = (kw - c0 + left - 1) / left;
      const double *w = wt + c0 * ldw;
      switch (cb) {
#define L512(CB)                                                                                   \
  case CB:                                                                                         \
    logits512_block(g, d, w, ldw, 4, CB, out);                                                     \
    break;
        L512(1);
        L512(2);
        L512(3);
        L512(4);
        L512(5);
#undef L512
      default:
        break;
      }
      for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < cb; c++) z[(q + r) * kz + c0 + c] = out[r * cb + c] + b[c0 + c];
      c0 += cb;
    }
  }
}

/* gt's lanes of CB classes (gt at the chunk's first class, r at its first column) over the
 * strip of 8 features from j (n > 0: the n < 8 features from j): CB running sums from zero, the
 * rows added in order, then added to gt. A column's sums do not depend on the columns or strips
 * beside it (the grid's stacked models rely on that). */
static inline __attribute__((always_inline)) AVX512 void
scatter512_lanes(const float *const *xr, size_t nrow, size_t j, size_t n, const double *r,
                 size_t kw, int sq, double *gt, size_t ldw, int cb) {
  const int sb = 1;
  __m512d acc[1][16];
  for (int c = 0; c < cb; c++) acc[0][c] = _mm512_setzero_pd();
#define ROW512(TAIL, SQ)                                                                           \
  SCATTER_ROW(TAIL, SQ, __m512d, load8, load8_tail, _mm512_mul_pd, _mm512_fmadd_pd,                \
              _mm512_set1_pd, 8)
  SCATTER_ROWS(ROW512);
#undef ROW512
  for (int c = 0; c < cb; c++) {
    double *o = gt + (size_t)c * ldw + j;
    _mm512_storeu_pd(o, _mm512_add_pd(_mm512_loadu_pd(o), acc[0][c]));
  }
}

/* The classes in even chunks of at most 16, each chunk over one strip of 8 features at a time
 * (each row's x converted once for the chunk). On Zen 4 the conversions of 8 floats to 8
 * doubles run at half the rate of the FMAs, so a chunk of 4 classes or fewer (the binary case)
 * would wait on them: those go through the AVX2 code, whose 4-wide conversions keep up (bench/
 * RESULTS.md). Every gradient element is the same sum either way (its rows in order, one FMA
 * each), so the choice does not change the bits. */
static AVX512 void scatter512(const float *const *xr, size_t nrow, size_t d, const double *r,
                              size_t kw, int sq, double *gt, size_t ldw, const float *const *pf,
                              size_t npf) {
  size_t full = d / 8, tail = d % 8, chunks = (kw + 15) / 16, strips = full + (tail > 0);
  for (size_t c0 = 0; c0 < kw; chunks--, npf = 0) { /* pf over the first chunk's sweep */
    size_t cb = (kw - c0 + chunks - 1) / chunks;
    if (cb <= 4) {
      scatter256_cols(xr, nrow, d, r, kw, c0, c0 + cb, sq, gt, ldw, pf, npf);
      c0 += cb;
      continue;
    }
    double *g = gt + c0 * ldw;
    const double *rc = r + c0;
    for (size_t st = 0; st < strips; st++) {
      size_t n = st < full ? 0 : tail;
      switch (cb) {
#define S512(CB)                                                                                   \
  case CB:                                                                                         \
    scatter512_lanes(xr, nrow, 8 * st, n, rc, kw, sq, g, ldw, CB);                                 \
    break;
        S512(5);
        S512(6);
        S512(7);
        S512(8);
        S512(9);
        S512(10);
        S512(11);
        S512(12);
        S512(13);
        S512(14);
        S512(15);
        S512(16);
#undef S512
      default:
        break;
      }
      if (npf) prefetch_part(pf, npf, d, st, st + 1, strips);
    }
    c0 += cb;
  }
}

/* GCC's AVX-512 headers, unoptimized (-O0: intrinsics as macros), pass the immediates of
 * roundscale and getmant through a char: -Wsign-conversion on their own code, not ours. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-conversion"

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
  /* c below 1 ulp of 1: its quotient by y needs no more than rcp14's 14 bits */
  __m512d c = _mm512_mul_pd(_mm512_sub_pd(v, _mm512_sub_pd(y, one)), _mm512_rcp14_pd(y));
  __m512d s = _mm512_div_pd(
      _mm512_mask_blend_pd(small, _mm512_sub_pd(m, one), v),
      _mm512_mask_blend_pd(small, _mm512_add_pd(m, one), _mm512_add_pd(_mm512_set1_pd(2.0), v)));
  k = _mm512_mask_blend_pd(small, k, zero);
  c = _mm512_mask_blend_pd(small, c, zero);
  __m512d s2 = _mm512_mul_pd(s, s), p = _mm512_set1_pd(1.0 / 21);
  for (int i = 19; i >= 1; i -= 2) p = _mm512_fmadd_pd(p, s2, _mm512_set1_pd(1.0 / i));
  __m512d lo = _mm512_fmadd_pd(k, _mm512_set1_pd(2.319046813846299558e-17), c);
  __m512d t = _mm512_fmadd_pd(_mm512_add_pd(s, s), p, lo);
  return _mm512_fmadd_pd(k, _mm512_set1_pd(6.93147180559945286227e-01), t);
}

#pragma GCC diagnostic pop

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

/* binrows_c's arithmetic on G groups of 8 rows: logits zq[i], weights s[i], masks y1[i] (label
 * 1), hm[i] (held) and lanes[i] (rows that exist); their residuals into rr[i] (+0 where held),
 * their terms added to a[0] (kept rows) and a[1] (held rows), group after group. Each step is
 * taken for the G groups together, so that their long chains (exp, log1p) overlap. */
static inline __attribute__((always_inline)) AVX512 void
binrow512(int G, const __m512d *zq, const __m512d *s, const __mmask8 *y1, const __mmask8 *hm,
          const __mmask8 *lanes, __m512d pwv, int want_loss, __m512d a[2][4], __m512d *rr) {
  const __m512d one = _mm512_set1_pd(1.0), zero = _mm512_setzero_pd();
  __m512d e[4], l[4];
  for (int i = 0; i < G; i++) e[i] = exp512(_mm512_sub_pd(zero, _mm512_abs_pd(zq[i])));
  for (int i = 0; i < G; i++) {
    __mmask8 ge = _mm512_cmp_pd_mask(zq[i], zero, _CMP_GE_OQ);
    __m512d sig = _mm512_mul_pd(_mm512_mask_blend_pd(ge, e[i], one),
                                _mm512_div_pd(one, _mm512_add_pd(one, e[i])));
    __m512d r = _mm512_mask_blend_pd(y1[i], sig, _mm512_mul_pd(pwv, _mm512_sub_pd(sig, one)));
    rr[i] = _mm512_maskz_mov_pd((__mmask8)~hm[i], _mm512_mul_pd(s[i], r));
  }
  if (!want_loss) return;
  for (int i = 0; i < G; i++) l[i] = log1p512(e[i]);
  for (int i = 0; i < G; i++) {
    __mmask8 gt = _mm512_cmp_pd_mask(zq[i], zero, _CMP_GT_OQ);
    __mmask8 lt = _mm512_cmp_pd_mask(zq[i], zero, _CMP_LT_OQ);
    __m512d sp = _mm512_add_pd(_mm512_maskz_mov_pd(gt, zq[i]), l[i]);
    __m512d sn = _mm512_add_pd(_mm512_maskz_mov_pd(lt, _mm512_sub_pd(zero, zq[i])), l[i]);
    __m512d terms[4] = {
        _mm512_mask_blend_pd(y1[i], sp, sn),
        _mm512_mul_pd(s[i], _mm512_mask_blend_pd(y1[i], sp, _mm512_mul_pd(pwv, sn))),
        _mm512_maskz_mov_pd((__mmask8) ~(gt ^ y1[i]), one), s[i]};
    __mmask8 keep = (__mmask8)(lanes[i] & ~hm[i]), hold = (__mmask8)(lanes[i] & hm[i]);
    for (int t = 0; t < 4; t++) {
      a[0][t] = _mm512_mask_add_pd(a[0][t], keep, a[0][t], terms[t]);
      a[1][t] = _mm512_mask_add_pd(a[1][t], hold, a[1][t], terms[t]);
    }
  }
}

/* Group i (8 rows from q) of binrow512's inputs: weights, labels and lanes from sv, yv, held. */
static inline __attribute__((always_inline)) AVX512 void
rows512(size_t q, size_t m, const double *sv, const int32_t *yv, const unsigned char *held,
        __m512d *s, __mmask8 *y1, __mmask8 *hm, __mmask8 *lanes) {
  size_t n = q >= m ? 0 : m - q < 8 ? m - q : 8;
  *lanes = (__mmask8)((1u << n) - 1u);
  *hm = 0;
  if (held)
    for (size_t t = 0; t < n; t++) *hm = (__mmask8)(*hm | (held[q + t] != 0) << t);
  *s = _mm512_maskz_loadu_pd(*lanes, sv + q);
  __m512i yi = _mm512_maskz_loadu_epi32(*lanes, yv + q);
  *y1 = (__mmask8)_mm512_cmpeq_epi32_mask(yi, _mm512_set1_epi32(1));
}

/* a[0] (a[1]) into *acc (*hacc), each sum's lanes reduced in a fixed order. */
static inline AVX512 void sums512(__m512d a[2][4], lr_sums *acc, lr_sums *hacc) {
  lr_sums *out[2] = {acc, hacc};
  for (int h = 0; h < 2; h++)
    if (out[h]) {
      out[h]->loss += _mm512_reduce_add_pd(a[h][0]);
      out[h]->wloss += _mm512_reduce_add_pd(a[h][1]);
      out[h]->correct += _mm512_reduce_add_pd(a[h][2]);
      out[h]->s += _mm512_reduce_add_pd(a[h][3]);
    }
}

/* binrows_c's arithmetic on 32 rows at a time (binrow512, 4 groups of 8); the sums in 8 lanes
 * (row q in lane q mod 8), reduced in a fixed order at the end. */
static AVX512 void binrows512(size_t m, const double *z, const double *sv, const int32_t *yv,
                              double pw, const unsigned char *held, int want_loss, double *r,
                              lr_sums *acc, lr_sums *hacc) {
  const __m512d pwv = _mm512_set1_pd(pw);
  __m512d a[2][4];
  for (int h = 0; h < 2; h++)
    for (int i = 0; i < 4; i++) a[h][i] = _mm512_setzero_pd();
  for (size_t q0 = 0; q0 < m; q0 += 32) {
    __m512d zq[4], s[4], rr[4];
    __mmask8 y1[4], hm[4], lanes[4];
    for (int i = 0; i < 4; i++) {
      size_t q = q0 + 8 * (size_t)i;
      rows512(q, m, sv, yv, held, &s[i], &y1[i], &hm[i], &lanes[i]);
      zq[i] = _mm512_maskz_loadu_pd(lanes[i], z + q);
    }
    binrow512(4, zq, s, y1, hm, lanes, pwv, want_loss, a, rr);
    for (int i = 0; i < 4; i++) _mm512_mask_storeu_pd(r + q0 + 8 * (size_t)i, lanes[i], rr[i]);
  }
  if (want_loss) sums512(a, acc, hacc);
}

/* The binary pass over a block in one sweep, 32 rows at a time: their logits 8 rows at a time
 * (4-wide sums as logits256's, the 8 rows' logits then one vector), their terms (binrow512, the
 * 4 groups of 8 together), then their x r added to g strip by strip while the 32 rows are in
 * L1: each group's rows summed in order apart, the 4 sums added pairwise, then to g. Block by
 * block (logits, rows, scatter) the reading of X and the arithmetic did not overlap; in one
 * sweep they do in part (bench/RESULTS.md). The rows are read in pairs, nearly in address order,
 * and the products are 4 wide: on Zen 4 the conversion of 8 floats to 8 doubles runs at half
 * the rate of 4 to 4. Rows past nrow repeat the last row with weight 0 (they add x 0). */
static AVX512 void binary512(const float *const *xr, size_t nrow, size_t d, const double *w,
                             double b, const double *sv, const int32_t *yv, double pw,
                             int want_loss, int want_grad, double *g, double *gb, lr_sums *acc) {
  enum { G = 4 };
  const __m512d pwv = _mm512_set1_pd(pw), zero = _mm512_setzero_pd();
  __m512d a[2][4], rsum = zero;
  for (int h = 0; h < 2; h++)
    for (int i = 0; i < 4; i++) a[h][i] = zero;
  size_t full = d / 4, tail = d % 4;
  for (size_t q0 = 0; q0 < nrow; q0 += 8 * G) {
    const float *x[8 * G];
    double rs[8 * G];
    for (size_t t = 0; t < 8 * G; t++) x[t] = xr[q0 + t < nrow ? q0 + t : nrow - 1];
    __m512d zq[G], sg[G], rr[G];
    __mmask8 y1[G], hm[G], lanes[G];
    for (int gi = 0; gi < G; gi++) {
      const float *const *xg = x + 8 * gi;
      __m256d c[8];
      for (int t = 0; t < 8; t++) c[t] = _mm256_setzero_pd();
      for (int t = 0; t < 8; t += 2) /* rows in pairs: X read nearly in order */
        for (size_t j = 0; j < 4 * full; j += 4) {
          __m256d wv = _mm256_loadu_pd(w + j);
          c[t] = _mm256_fmadd_pd(load4(xg[t] + j), wv, c[t]);
          c[t + 1] = _mm256_fmadd_pd(load4(xg[t + 1] + j), wv, c[t + 1]);
        }
      if (tail)
        for (int t = 0; t < 8; t++)
          c[t] = _mm256_fmadd_pd(load4_tail(xg[t] + 4 * full, tail), _mm256_loadu_pd(w + 4 * full),
                                 c[t]);
      zq[gi] = _mm512_insertf64x4(_mm512_castpd256_pd512(sum4x4(c[0], c[1], c[2], c[3])),
                                  sum4x4(c[4], c[5], c[6], c[7]), 1);
      zq[gi] = _mm512_add_pd(zq[gi], _mm512_set1_pd(b));
      rows512(q0 + 8 * (size_t)gi, nrow, sv, yv, NULL, &sg[gi], &y1[gi], &hm[gi], &lanes[gi]);
    }
    binrow512(G, zq, sg, y1, hm, lanes, pwv, want_loss, a, rr);
    if (!want_grad) continue;
    for (int gi = 0; gi < G; gi++) {
      rr[gi] = _mm512_maskz_mov_pd(lanes[gi], rr[gi]); /* the repeated rows add x 0 */
      rsum = _mm512_add_pd(rsum, rr[gi]);
      _mm512_storeu_pd(rs + 8 * gi, rr[gi]);
    }
    for (size_t st = 0; st < full + (tail > 0); st++) {
      size_t j = 4 * st, n = st < full ? 4 : tail;
      __m256d p[G];
      for (int gi = 0; gi < G; gi++) {
        const float *const *xg = x + 8 * gi;
        const double *rg = rs + 8 * gi;
        if (n == 4) {
          p[gi] = _mm256_mul_pd(load4(xg[0] + j), _mm256_set1_pd(rg[0]));
          for (int t = 1; t < 8; t++)
            p[gi] = _mm256_fmadd_pd(load4(xg[t] + j), _mm256_set1_pd(rg[t]), p[gi]);
        } else {
          p[gi] = _mm256_mul_pd(load4_tail(xg[0] + j, n), _mm256_set1_pd(rg[0]));
          for (int t = 1; t < 8; t++)
            p[gi] = _mm256_fmadd_pd(load4_tail(xg[t] + j, n), _mm256_set1_pd(rg[t]), p[gi]);
        }
      }
      __m256d sum = _mm256_add_pd(_mm256_add_pd(p[0], p[1]), _mm256_add_pd(p[2], p[3]));
      _mm256_storeu_pd(g + j, _mm256_add_pd(_mm256_loadu_pd(g + j), sum));
    }
  }
  if (want_grad) gb[0] += _mm512_reduce_add_pd(rsum);
  if (want_loss) sums512(a, acc, NULL);
}

static const lr_native_kern kern_512 = {
    .isa = "AVX-512",
    .logits = logits512,
    .scatter = scatter512,
    .vexp = vexp512,
    .vlog1p = vlog1p512,
    .binrows = binrows512,
    .binary = binary512,
};

#endif /* LR_NATIVE_X86 */

const lr_native_kern *lr_native_kern_get(int v) {
  if (v == LR_NATIVE_GENERIC) return &kern_c;
#if LR_NATIVE_X86
  __builtin_cpu_init();
  if (v == LR_NATIVE_AVX2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return &kern_256;
  if (v == LR_NATIVE_AVX512 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"))
    return &kern_512;
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
