/* native.c: the native CPU backend (native.h): the reference's raw sums (backend/reference.c,
 * DESIGN.md §2), fast.
 *
 * One pass over X per evaluation. The rows of a pass (in the slot's current order) are cut
 * into blocks small enough to stay in L2 (about 128 KiB of X); for each block the logits
 * (rows x D times D x KW against W packed transposed once per change of theta), each row's
 * softmax or sigmoid, loss and residual in double, and the block's X^T R are computed while the
 * block is in cache (native_kern.c's kernels). A binary evaluation of dense rows goes through
 * one kernel instead (kern->binary, where the variant has one): logits, row terms and X^T R 32
 * rows at a time in one sweep, so that reading X overlaps the arithmetic; so does a softmax
 * over two classes, as the one logit z1 - z0 (its loss, its rows' rightness with ties to class
 * 0, and dJ/dz1 = -dJ/dz0 are the one-logit model's with class 1 positive). X stays float32;
 * products and sums are double, so results differ from the reference's only by the order of
 * the additions (and the exp and log1p of the vector variants, within 2 ulp of libm's).
 *
 * Threads: the blocks are grouped into at most NATIVE_PARTS parts, a number that depends on the
 * rows and the shape, never on the thread count; each part sums into its own gradient and
 * scalar partials, and the partials are added in part order at the end. A thread takes parts
 * t, t + nt, ...: every thread count gives the same bits (for one kernel variant). What differs
 * from the reference is the order of the additions: lanes of the vector units within a row's
 * logits and a block's gradient, rows within a part, parts in order.
 *
 * Cross-validation grids: one pass over X for up to GRID_MODELS models, their W stacked (nm kw
 * columns), so that each block's logits and X^T R serve every model at once; each model's rows
 * split into its training and held-out sums by their fold, the held-out rows' residuals zeroed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/native.h"
#include "util/util.h"

/* Parts of a pass (see above); their partial gradients take at most PART_BYTES together. */
#define NATIVE_PARTS 16
#define PART_BYTES ((size_t)64 << 20)
/* X per dense block: the block is read from memory once and again from L2 by the scatter. */
#define BLOCK_BYTES ((size_t)128 << 10)
#define CSR_BLOCK 256
/* A grid's models per pass over X (native_grid_sums), and the budgets that bound them: their
 * stacked W, and a block's stacked logits (and again its residuals) per thread. */
#define GRID_MODELS 64
#define GRID_W_BYTES ((size_t)1 << 20)
#define GRID_Z_BYTES ((size_t)256 << 10)

typedef struct native_backend {
  lr_host_backend h; /* h.base first */
  const lr_native_kern *kern;
  size_t ldw;   /* d rounded up to a multiple of 8 */
  double *wt;   /* kw x ldw: THETA's W transposed (zeros from d), valid while wt_fresh */
  double *vt;   /* kw x ldw: a direction's W, transposed */
  double *wd;   /* two classes, softmax: wt's class 1 minus class 0 (ldw), with wt; else NULL */
  double *part; /* the partial gradients of a pass */
  size_t part_len;
  int wt_fresh;
} native_backend;

static logreg_status oom(logreg_error *err) {
  return lr_fail(err, LOGREG_ENOMEM, "cpu backend: out of memory");
}

/* Every operation that writes THETA calls this (the vector ops in backend.c through h). */
static void theta_changed(lr_host_backend *hb) {
  native_backend *nb = (native_backend *)hb;
  nb->wt_fresh = nb->h.hv_fresh = 0;
}

/* wt (kw x ldw) = W of theta ([W | b], W d x kw row-major) transposed, zeros from d. */
static void pack_w(const native_backend *nb, const double *theta, double *wt) {
  size_t d = nb->h.base.d, kw = nb->h.base.kw, ldw = nb->ldw;
  for (size_t c = 0; c < kw; c++) {
    double *w = wt + c * ldw;
    for (size_t j = 0; j < d; j++) w[j] = theta[j * kw + c];
    for (size_t j = d; j < ldw; j++) w[j] = 0.0;
  }
}

/* ---- The rows' math: the reference's formulas (reference.c row_loss, hv_row); the exponentials
 * and logarithms of the losses through the kernels' vector functions, a block at a time. ---- */

/* A row's Hessian factor at logits z: kw numbers, s c sigma (1 - sigma) when binary (c =
 * pos_weight when y = 1), else the probabilities. */
static void row_factor(const double *z, double *f, size_t k, int yi, double si, int binary,
                       double pw) {
  if (binary) {
    double e = exp(-fabs(z[0])), ci = yi == 1 ? pw : 1.0;
    f[0] = si * ci * e / ((1.0 + e) * (1.0 + e));
    return;
  }
  lr_softmax(z, k, f, NULL);
}

/* r[0..kw) of H v for a row from its factor f and u = V^T x + vb (u NULL: the diagonal). */
static void row_hv(const double *f, const double *u, double *r, size_t k, double si, int binary) {
  if (binary) {
    r[0] = f[0] * (u ? u[0] : 1.0);
    return;
  }
  double pu = 0.0;
  for (size_t c = 0; u && c < k; c++) pu += f[c] * u[c];
  for (size_t c = 0; c < k; c++) r[c] = si * f[c] * (u ? u[c] - pu : 1.0 - f[c]);
}

/* ---- A pass over rows: parts of blocks on threads ---- */

/* PASS_GRID: the sums of nm models at once (native_grid_sums), their W stacked in wt. */
typedef enum pass_mode { PASS_SUMS, PASS_HV, PASS_HDIAG, PASS_GRID } pass_mode;

typedef struct pass {
  const native_backend *nb;
  lr_slot slot;
  const uint32_t *list; /* position i is row list[i]; NULL: row begin + i */
  size_t begin, count;
  const double *wt, *b;  /* the weights (transposed) and bias evaluated (PASS_GRID: nm models'
                            W stacked, nm kw x ldw, and their biases, nm kw) */
  const double *vt, *vb; /* PASS_HV: the direction (transposed) and its bias part */
  /* PASS_SUMS on dense rows, two classes, softmax: one logit z1 - z0 = x wd + bd through the
   * binary kernel (the class-1 gradient; class 0's is its negative: run_pass), else wd NULL. */
  const double *wd;
  double bd;
  pass_mode mode;
  int want_loss, want_grad;
  double *cache;              /* PASS_HV, PASS_HDIAG: the rows' factors (n kw), or NULL */
  int fill;                   /* the cache is written (else read instead of computing the logits) */
  size_t nm;                  /* models evaluated (1 but in PASS_GRID) */
  const int32_t *fold, *held; /* PASS_GRID: the rows' folds, the nm models' held-out folds */
  lr_sums *train, *val;       /* PASS_GRID: the nm models' sums (rows excepted) */
  size_t blk, nblk, nparts, glen;
  double *part_g; /* nparts x glen: each part's kz x ldw gradient, then its kz bias sums (kz =
                     nm kw columns: model j's are j kw .. j kw + kw) */
  lr_sums part_s[NATIVE_PARTS];
  lr_sums *part_m; /* PASS_GRID: nparts x 2 nm: each part's train sums of the nm models, then
                      their held-out sums */
  int fail[16];
} pass;

/* A thread's scratch for one block. */
typedef struct block_buf {
  size_t *row;
  const float **xr, **pf; /* the block's rows, the next block's (block_scatter) */
  double *z, *u, *r, *w;  /* blk kw each */
  double *t, *sv;         /* blk each; sv: the rows' weights s_i */
  double *v;              /* 4 blk: block_loss's per-row scratch */
  int32_t *yv, *fv;       /* the rows' labels; PASS_GRID: their folds */
  double *zs, *rs;        /* PASS_GRID: blk nm kw each: the stacked logits and residuals */
  unsigned char *hm;      /* PASS_GRID: blk: the rows held out from the model at hand */
} block_buf;

/* The block's scalar sums from its rows' terms (loss without and with the weights, right or
 * not), row after row, into *acc, the rows q with held[q] (held NULL: none) into *hacc instead:
 * the other side adds +0 (a select, not a branch), which leaves its sums as they are. */
static void add_rows(size_t m, const double *lu, const double *wl, const double *right,
                     const double *sv, const unsigned char *held, lr_sums *acc, lr_sums *hacc) {
  double loss = 0.0, correct = 0.0, wloss = 0.0, s = 0.0;
  if (!held) {
    for (size_t q = 0; q < m; q++) loss += lu[q], correct += right[q], wloss += wl[q], s += sv[q];
  } else {
    double hloss = 0.0, hcorrect = 0.0, hwloss = 0.0, hs = 0.0;
    for (size_t q = 0; q < m; q++) {
      int h = held[q];
      loss += h ? 0.0 : lu[q], correct += h ? 0.0 : right[q], wloss += h ? 0.0 : wl[q];
      s += h ? 0.0 : sv[q];
      hloss += h ? lu[q] : 0.0, hcorrect += h ? right[q] : 0.0, hwloss += h ? wl[q] : 0.0;
      hs += h ? sv[q] : 0.0;
    }
    hacc->loss += hloss;
    hacc->correct += hcorrect;
    hacc->wloss += hwloss;
    hacc->s += hs;
  }
  acc->loss += loss;
  acc->correct += correct;
  acc->wloss += wloss;
  acc->s += s;
}

/* A held-out row's residuals are +0 exactly (whatever its logits), without a branch: the bits
 * of v and'ed with held_mask(h) (zeros when h, else ones). */
static inline uint64_t held_mask(unsigned char h) { return (uint64_t)h - 1; } /* h 0 or 1 */

static inline double masked(double v, uint64_t mask) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  b &= mask;
  memcpy(&v, &b, sizeof v);
  return v;
}

/* The losses and residuals of the block's m rows from their logits (bias included; row q's at
 * z + q ldz): r + q ldr = s_i dl_i/dz (zeros for the rows q with held[q]; held NULL: none), and
 * with want_loss the block's scalar sums added (add_rows) to *acc, the held rows' to *hacc. The
 * loops run over arrays of the block's rows (classes one after another), with both arms of
 * each condition computed, so that the compiler can vectorize them across the rows; each row's
 * arithmetic is the same whatever the layout. p_c and sigma are e_c (1 / sum) and 1 / (1 + e)
 * (1 ulp from the reference's quotients). */
static void block_loss(const pass *ps, const block_buf *bb, size_t m, const double *z, size_t ldz,
                       double *r, size_t ldr, const unsigned char *held, lr_sums *acc,
                       lr_sums *hacc) {
  const lr_backend *be = &ps->nb->h.base;
  const lr_native_kern *kn = ps->nb->kern;
  size_t k = be->k, blk = ps->blk;
  const double *sv = bb->sv, pw = be->pos_weight;
  const int32_t *yv = bb->yv;
  double *u = bb->u, *w = bb->w, *t = bb->t;
  if (be->binary) { /* the kernels' binrows, on contiguous logits and residuals */
    const double *zc = z;
    double *rc = ldr == 1 ? r : t;
    if (ldz != 1) {
      for (size_t q = 0; q < m; q++) bb->v[q] = z[q * ldz];
      zc = bb->v;
    }
    kn->binrows(m, zc, sv, yv, pw, held, ps->want_loss, rc, acc, hacc);
    if (rc != r)
      for (size_t q = 0; q < m; q++) r[q * ldr] = rc[q];
    return;
  }
  /* Classes one after another (c m + q): z transposed, its max (the first largest: best) and
   * z_y (in t), then e = exp(z - max z), sum e, the residuals. */
  double *zt = u, *e = w, *mx = bb->v, *best = mx + blk, *lg = best + blk, *inv = lg + blk;
  for (size_t q = 0; q < m; q++)
    for (size_t c = 0; c < k; c++) zt[c * m + q] = z[q * ldz + c];
  for (size_t q = 0; q < m; q++) mx[q] = t[q] = zt[q], best[q] = 0.0;
  for (size_t c = 1; c < k; c++) { /* no conditional stores: best by exact arithmetic */
    const double *zc = zt + c * m, cd = (double)c;
    int32_t ci = (int32_t)c;
    for (size_t q = 0; q < m; q++) {
      double a = zc[q], b = mx[q], gt = (double)(a > b);
      mx[q] = a > b ? a : b;
      best[q] += gt * (cd - best[q]);
      t[q] = yv[q] == ci ? a : t[q];
    }
  }
  for (size_t c = 0; c < k; c++)
    for (size_t q = 0; q < m; q++) e[c * m + q] = zt[c * m + q] - mx[q];
  kn->vexp(e, m * k);
  for (size_t q = 0; q < m; q++) lg[q] = 0.0;
  for (size_t c = 0; c < k; c++)
    for (size_t q = 0; q < m; q++) lg[q] += e[c * m + q];
  for (size_t q = 0; q < m; q++) inv[q] = 1.0 / lg[q];
  for (size_t c = 0; c < k; c++) /* s_i (p_c - [c = y]) */
    for (size_t q = 0; q < m; q++) e[c * m + q] *= inv[q];
  for (size_t q = 0; q < m; q++)
    if ((size_t)yv[q] < k) e[(size_t)yv[q] * m + q] -= 1.0; /* (labels are checked earlier) */
  for (size_t c = 0; c < k; c++)
    for (size_t q = 0; q < m; q++) e[c * m + q] *= sv[q];
  for (size_t q = 0; q < m; q++) {
    uint64_t keep = held ? held_mask(held[q]) : ~(uint64_t)0;
    for (size_t c = 0; c < k; c++) r[q * ldr + c] = masked(e[c * m + q], keep);
  }
  if (!ps->want_loss) return;
  for (size_t q = 0; q < m; q++) lg[q] -= 1.0; /* log(sum) = log1p(sum - 1), sum >= 1 */
  kn->vlog1p(lg, m);
  for (size_t q = 0; q < m; q++) {
    double li = (mx[q] - t[q]) + lg[q]; /* logsumexp(z) - z_y */
    t[q] = li;
    inv[q] = sv[q] * li;
    double dy = best[q] - (double)yv[q], d2 = dy * dy; /* integers: exact, no branch */
    best[q] = 1.0 - (d2 < 1.0 ? d2 : 1.0);             /* 1 when best = y, else 0 */
  }
  add_rows(m, t, inv, best, sv, held, acc, hacc);
}

/* Logits of the block's rows against wt (kw x ldw) and bias b into z (kw per row). */
static void block_logits(const pass *ps, const block_buf *bb, size_t m, const double *wt,
                         const double *b, size_t kw, double *z) {
  const native_backend *nb = ps->nb;
  size_t ldw = nb->ldw;
  if (nb->h.x[ps->slot]) {
    nb->kern->logits(bb->xr, m, nb->h.base.d, wt, ldw, kw, b, z, kw);
    return;
  }
  const int64_t *ip = nb->h.indptr[ps->slot];
  const int32_t *ix = nb->h.indices[ps->slot];
  const float *iv = nb->h.values[ps->slot];
  for (size_t q = 0; q < m; q++) {
    double *zq = z + q * kw;
    for (size_t c = 0; c < kw; c++) zq[c] = 0.0;
    for (int64_t e = ip[bb->row[q]]; e < ip[bb->row[q] + 1]; e++) {
      double v = iv[e];
      const double *w = wt + (size_t)ix[e];
      for (size_t c = 0; c < kw; c++) zq[c] += v * w[c * ldw];
    }
    for (size_t c = 0; c < kw; c++) zq[c] += b[c];
  }
}

/* g (kw x ldw, then kw bias sums) += the block's X^T r (r: kw per row; x^2 when sq); dense
 * rows from position `next` on (the next block's, up to m of them) are asked for meanwhile. */
static void block_scatter(const pass *ps, const block_buf *bb, size_t m, int sq, size_t kw,
                          const double *r, double *g, size_t next) {
  const native_backend *nb = ps->nb;
  size_t ldw = nb->ldw, d = nb->h.base.d;
  const float *x = nb->h.x[ps->slot];
  if (x) {
    size_t npf = next < ps->count ? (ps->count - next < m ? ps->count - next : m) : 0;
    for (size_t q = 0; q < npf; q++)
      bb->pf[q] = x + (ps->list ? ps->list[next + q] : ps->begin + next + q) * d;
    nb->kern->scatter(bb->xr, m, d, r, kw, sq, g, ldw, bb->pf, npf);
  } else {
    const int64_t *ip = nb->h.indptr[ps->slot];
    const int32_t *ix = nb->h.indices[ps->slot];
    const float *iv = nb->h.values[ps->slot];
    for (size_t q = 0; q < m; q++) {
      const double *rq = r + q * kw;
      for (int64_t e = ip[bb->row[q]]; e < ip[bb->row[q] + 1]; e++) {
        double v = iv[e], xu = sq ? v * v : v, *o = g + (size_t)ix[e];
        for (size_t c = 0; c < kw; c++) o[c * ldw] += xu * rq[c];
      }
    }
  }
  /* The bias column: four running sums per class (rows q mod 4), so that the additions do not
   * wait on each other; up to 8 classes at a time, row after row. */
  double *gb = g + kw * ldw;
  if (kw == 1) { /* the same four sums, without the loop over classes */
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    size_t q = 0;
    for (; q + 4 <= m; q += 4) a0 += r[q], a1 += r[q + 1], a2 += r[q + 2], a3 += r[q + 3];
    if (q < m) a0 += r[q];
    if (q + 1 < m) a1 += r[q + 1];
    if (q + 2 < m) a2 += r[q + 2];
    gb[0] += (a0 + a1) + (a2 + a3);
    return;
  }
  for (size_t c0 = 0; c0 < kw; c0 += 8) {
    size_t nc = kw - c0 < 8 ? kw - c0 : 8;
    double a[4][8] = {{0}};
    for (size_t q = 0; q < m; q++) {
      const double *rq = r + q * kw + c0;
      double *aq = a[q & 3];
      for (size_t c = 0; c < nc; c++) aq[c] += rq[c];
    }
    for (size_t c = 0; c < nc; c++) gb[c0 + c] += (a[0][c] + a[1][c]) + (a[2][c] + a[3][c]);
  }
}

/* PASS_GRID's block of m rows (bb's row, sv, yv, xr set): the logits of the nm models at once
 * (their W stacked, their biases b stacked), then model by model its rows' losses and residuals
 * (the residuals of its held-out rows zeroed), its sums split into acc[j] (training rows) and
 * acc[nm + j] (held-out rows); then one X^T R over the stacked residuals: every model's
 * gradient. Each model's numbers are the ones it would get alone (a column's logits and
 * gradient lanes do not depend on the columns beside it). */
static void grid_block(const pass *ps, const block_buf *bb, size_t m, double *g, lr_sums *acc,
                       size_t next) {
  size_t kw = ps->nb->h.base.kw, nm = ps->nm, kz = nm * kw;
  block_logits(ps, bb, m, ps->wt, ps->b, kz, bb->zs);
  for (size_t q = 0; q < m; q++) bb->fv[q] = ps->fold[bb->row[q]];
  for (size_t j = 0; j < nm; j++) {
    int32_t h = ps->held[j];
    size_t nh = 0;
    for (size_t q = 0; q < m; q++) bb->hm[q] = bb->fv[q] == h;
    for (size_t q = 0; q < m; q++) nh += bb->hm[q];
    block_loss(ps, bb, m, bb->zs + j * kw, kz, bb->rs + j * kw, kz, bb->hm, &acc[j], &acc[nm + j]);
    acc[j].rows += (double)(m - nh);
    acc[nm + j].rows += (double)nh;
  }
  block_scatter(ps, bb, m, 0, kz, bb->rs, g, next);
}

/* Block [i0, i1) of the pass's positions into part partials g and *acc (PASS_GRID: acc[2 nm]). */
static void run_block(const pass *ps, const block_buf *bb, size_t i0, size_t i1, double *g,
                      lr_sums *acc) {
  const native_backend *nb = ps->nb;
  const lr_backend *be = &nb->h.base;
  size_t m = i1 - i0, k = be->k, kw = be->kw, d = be->d;
  const float *x = nb->h.x[ps->slot], *s = nb->h.s[ps->slot];
  const int32_t *y = nb->h.y[ps->slot];
  for (size_t q = 0; q < m; q++) {
    bb->row[q] = ps->list ? ps->list[i0 + q] : ps->begin + i0 + q;
    bb->sv[q] = (double)s[bb->row[q]];
    bb->yv[q] = y[bb->row[q]];
    if (x) bb->xr[q] = x + bb->row[q] * d;
  }
  if (ps->mode == PASS_GRID) {
    grid_block(ps, bb, m, g, acc, i1);
    return;
  }
  if (ps->mode == PASS_SUMS && be->binary && x && nb->kern->binary) { /* one sweep */
    nb->kern->binary(bb->xr, m, d, ps->wt, ps->b[0], bb->sv, bb->yv, be->pos_weight, ps->want_loss,
                     ps->want_grad, g, g + nb->ldw, acc);
    return;
  }
  if (ps->mode == PASS_SUMS && ps->wd && x && nb->kern->binary) {
    /* Two classes, softmax: the loss is the one-logit loss of z = z1 - z0 with class 1 the
     * positive (log1p(e^-|z|) + max(0, -z) for label 1), a row is right when z > 0 (ties to
     * class 0, as the argmax), and dJ/dz1 = s (p1 - [y = 1]) = -dJ/dz0. */
    nb->kern->binary(bb->xr, m, d, ps->wd, ps->bd, bb->sv, bb->yv, 1.0, ps->want_loss,
                     ps->want_grad, g + nb->ldw, g + 2 * nb->ldw + 1, acc);
    return;
  }
  double *f = ps->cache ? ps->cache + i0 * kw : bb->z; /* factors (hv) */
  if (ps->mode == PASS_SUMS || !ps->cache || ps->fill)
    block_logits(ps, bb, m, ps->wt, ps->b, kw, bb->z);
  if (ps->mode == PASS_SUMS) {
    block_loss(ps, bb, m, bb->z, kw, bb->r, kw, NULL, acc, NULL);
    if (ps->want_grad) block_scatter(ps, bb, m, 0, kw, bb->r, g, i1);
    return;
  }
  if (!ps->cache || ps->fill)
    for (size_t q = 0; q < m; q++) {
      size_t i = bb->row[q];
      row_factor(bb->z + q * kw, f + q * kw, k, y[i], (double)s[i], be->binary, be->pos_weight);
    }
  if (ps->mode == PASS_HV) {
    block_logits(ps, bb, m, ps->vt, ps->vb, kw, bb->u);
  }
  for (size_t q = 0; q < m; q++)
    row_hv(f + q * kw, ps->mode == PASS_HV ? bb->u + q * kw : NULL, bb->r + q * kw, k,
           (double)s[bb->row[q]], be->binary);
  block_scatter(ps, bb, m, ps->mode == PASS_HDIAG, kw, bb->r, g, i1);
}

static void pass_part(void *ctx, unsigned t, unsigned nt) {
  pass *ps = ctx;
  size_t kw = ps->nb->h.base.kw, blk = ps->blk, nm = ps->nm;
  size_t kz = ps->mode == PASS_GRID ? nm * kw : 0; /* the stacked blocks' columns */
  block_buf bb;
  bb.row = malloc(blk * sizeof *bb.row);
  bb.xr = malloc(2 * blk * sizeof *bb.xr);
  bb.z = malloc((4 * kw + 6 + 2 * kz) * blk * sizeof *bb.z);
  bb.yv = malloc(2 * blk * sizeof *bb.yv);
  bb.hm = malloc(blk);
  if (!bb.row || !bb.xr || !bb.z || !bb.yv || !bb.hm) {
    ps->fail[t] = 1;
  } else {
    bb.pf = bb.xr + blk;
    bb.u = bb.z + blk * kw;
    bb.r = bb.u + blk * kw;
    bb.w = bb.r + blk * kw;
    bb.t = bb.w + blk * kw;
    bb.sv = bb.t + blk;
    bb.v = bb.sv + blk;
    bb.zs = bb.v + 4 * blk;
    bb.fv = bb.yv + blk;
    bb.rs = bb.zs + blk * kz;
    for (size_t p = t; p < ps->nparts; p += nt) {
      double *g = ps->part_g + p * ps->glen;
      lr_sums acc1 = {0, 0, 0, 0, 0}, *acc = &acc1;
      if (ps->mode == PASS_GRID) {
        acc = ps->part_m + p * 2 * nm;
        memset(acc, 0, 2 * nm * sizeof *acc);
      }
      if (ps->mode != PASS_SUMS || ps->want_grad) memset(g, 0, ps->glen * sizeof *g);
      size_t b0 = ps->nblk * p / ps->nparts, b1 = ps->nblk * (p + 1) / ps->nparts;
      for (size_t b = b0; b < b1; b++) {
        size_t i0 = b * blk, i1 = i0 + blk < ps->count ? i0 + blk : ps->count;
        run_block(ps, &bb, i0, i1, g, acc);
      }
      ps->part_s[p] = acc1;
    }
  }
  free(bb.row);
  free(bb.xr);
  free(bb.z);
  free(bb.yv);
  free(bb.hm);
}

/* The pass's blocks and parts (ps->blk, nblk, nparts), from its rows and the shape alone (one
 * model's gradient: also in PASS_GRID, whatever the number of models), never from the thread
 * count. */
static void pass_shape(const native_backend *nb, pass *ps) {
  const lr_backend *be = &nb->h.base;
  size_t kw = be->kw, d = be->d;
  size_t blk = nb->h.x[ps->slot] ? BLOCK_BYTES / (4 * (d ? d : 1)) / 4 * 4 : CSR_BLOCK;
  ps->blk = blk < 16 ? 16 : blk > 512 ? 512 : blk;
  ps->nblk = (ps->count + ps->blk - 1) / ps->blk;
  size_t cap = PART_BYTES / ((kw * nb->ldw + kw) * sizeof(double));
  ps->nparts = ps->nblk < NATIVE_PARTS ? ps->nblk : NATIVE_PARTS;
  if (ps->nparts > cap) ps->nparts = cap;
  if (ps->nparts < 1) ps->nparts = 1;
}

/* Runs ps (mode, rows, weights and wants set; PASS_GRID: nm, fold, held, part_m, train and val
 * too) and adds its parts in order: *sums (may be NULL; PASS_GRID: train[0..nm) and
 * val[0..nm), their rows excepted) and, when the pass has a gradient, `out` ([W | b] layout,
 * nparam; PASS_GRID: nm of them, one after another). -1: out of memory. */
static int run_pass(native_backend *nb, pass *ps, lr_sums *sums, double *out) {
  const lr_backend *be = &nb->h.base;
  if (ps->mode != PASS_GRID) ps->nm = 1;
  size_t kw = be->kw, d = be->d, ldw = nb->ldw, count = ps->count, nm = ps->nm, kz = nm * kw;
  size_t np = be->nparam;
  const int64_t *ip = nb->h.indptr[ps->slot];
  size_t n = be->n[ps->slot];
  size_t per = nb->h.x[ps->slot] ? d : n ? (size_t)ip[n] / n : 0;
  pass_shape(nb, ps);
  ps->glen = kz * ldw + kz;
  if (nb->part_len < ps->nparts * ps->glen) {
    free(nb->part);
    nb->part_len = 0;
    if (!(nb->part = malloc(ps->nparts * ps->glen * sizeof *nb->part))) return -1;
    nb->part_len = ps->nparts * ps->glen;
  }
  ps->part_g = nb->part;
  unsigned nt = lr_threads_for(count * (per + 1) * kz * 8, nb->h.threads);
  if (nt > ps->nparts) nt = (unsigned)ps->nparts;
  memset(ps->fail, 0, sizeof ps->fail);
  lr_parallel(nt, pass_part, ps);
  for (unsigned t = 0; t < nt; t++)
    if (ps->fail[t]) return -1;
  if (sums) {
    memset(sums, 0, sizeof *sums);
    for (size_t p = 0; p < ps->nparts && ps->nblk; p++) {
      const lr_sums *a = &ps->part_s[p];
      sums->wloss += a->wloss, sums->loss += a->loss, sums->correct += a->correct;
      sums->s += a->s;
    }
    sums->rows = (double)count;
  }
  if (ps->mode == PASS_GRID) {
    memset(ps->train, 0, nm * sizeof *ps->train);
    memset(ps->val, 0, nm * sizeof *ps->val);
    for (size_t p = 0; p < ps->nparts && ps->nblk; p++)
      for (size_t j = 0; j < 2 * nm; j++) {
        const lr_sums *a = &ps->part_m[p * 2 * nm + j];
        lr_sums *o = j < nm ? &ps->train[j] : &ps->val[j - nm];
        o->wloss += a->wloss, o->loss += a->loss, o->correct += a->correct, o->s += a->s;
        o->rows += a->rows;
      }
  }
  if (!out || (ps->mode == PASS_SUMS && !ps->want_grad)) return 0;
  memset(out, 0, nm * np * sizeof *out);
  for (size_t p = 0; p < ps->nparts && ps->nblk; p++) {
    const double *g = nb->part + p * ps->glen;
    for (size_t m = 0; m < nm; m++) {
      double *o = out + m * np;
      const double *gm = g + m * kw * ldw;
      for (size_t c = 0; c < kw; c++)
        for (size_t j = 0; j < d; j++) o[j * kw + c] += gm[c * ldw + j];
      for (size_t c = 0; c < kw; c++) o[d * kw + c] += g[kz * ldw + m * kw + c];
    }
  }
  if (ps->wd) /* class 0's sums: the negative of class 1's (see pass.wd) */
    for (size_t j = 0; j <= d; j++) out[j * 2] = -out[j * 2 + 1];
  return 0;
}

static void ensure_wt(native_backend *nb) {
  if (nb->wt_fresh) return;
  pack_w(nb, nb->h.vec[LR_VEC_THETA], nb->wt);
  if (nb->wd)
    for (size_t j = 0; j < nb->ldw; j++) nb->wd[j] = nb->wt[nb->ldw + j] - nb->wt[j];
  nb->wt_fresh = 1;
}

/* ---- Data ---- */

/* ---- Evaluations ---- */

static logreg_status native_sums(lr_backend *be, lr_slot slot, size_t begin, size_t count, int want,
                                 lr_sums *out, logreg_error *err) {
  native_backend *nb = (native_backend *)be;
  if (begin > be->n[slot] || count > be->n[slot] - begin)
    return lr_fail(err, LOGREG_EINVAL, "cpu backend: rows %zu..%zu outside %zu rows", begin,
                   begin + count, be->n[slot]);
  ensure_wt(nb);
  pass ps;
  memset(&ps, 0, sizeof ps);
  ps.nb = nb;
  ps.slot = slot;
  ps.list = slot == LR_SLOT_TRAIN && nb->h.order ? nb->h.order + begin : NULL;
  ps.begin = begin;
  ps.count = count;
  ps.wt = nb->wt;
  ps.b = nb->h.vec[LR_VEC_THETA] + be->d * be->kw;
  ps.mode = PASS_SUMS;
  if (nb->wd && nb->h.x[slot]) {
    ps.wd = nb->wd;
    ps.bd = ps.b[1] - ps.b[0];
  }
  ps.want_loss = (want & LR_WANT_SUMS) && out;
  ps.want_grad = (want & LR_WANT_GRAD) != 0;
  if (run_pass(nb, &ps, out, nb->h.vec[LR_VEC_GSUM]) != 0) return oom(err);
  return LOGREG_OK;
}

/* H v over the train slot in file order (v < 0: the diagonal) into vector out, through the
 * rows' cached factors. */
static logreg_status hv_train(native_backend *nb, int v, int out, logreg_error *err) {
  lr_backend *be = &nb->h.base;
  size_t n = be->n[LR_SLOT_TRAIN], nw = be->d * be->kw;
  if (!nb->h.hv_cache && !(nb->h.hv_cache = malloc((n ? n : 1) * be->kw * sizeof *nb->h.hv_cache)))
    return oom(err);
  ensure_wt(nb);
  pass ps;
  memset(&ps, 0, sizeof ps);
  ps.nb = nb;
  ps.slot = LR_SLOT_TRAIN;
  ps.count = n;
  ps.wt = nb->wt;
  ps.b = nb->h.vec[LR_VEC_THETA] + nw;
  ps.mode = v >= 0 ? PASS_HV : PASS_HDIAG;
  if (v >= 0) {
    pack_w(nb, nb->h.vec[v], nb->vt);
    ps.vt = nb->vt;
    ps.vb = nb->h.vec[v] + nw;
  }
  ps.cache = nb->h.hv_cache;
  ps.fill = !nb->h.hv_fresh;
  if (run_pass(nb, &ps, NULL, nb->h.vec[out]) != 0) return oom(err);
  nb->h.hv_fresh = 1;
  if (out == LR_VEC_THETA) theta_changed(&nb->h);
  return LOGREG_OK;
}

static logreg_status native_hv(lr_backend *be, int v, int out, logreg_error *err) {
  return hv_train((native_backend *)be, v, out, err);
}

static logreg_status native_hdiag(lr_backend *be, int out, logreg_error *err) {
  return hv_train((native_backend *)be, -1, out, err);
}

/* The grid: its models in groups of at most mg, one pass over the train slot (file order) per
 * group (PASS_GRID), so X is read once for up to GRID_MODELS models. A group's size is bounded
 * so that its stacked W (GRID_W_BYTES), a block's stacked logits (GRID_Z_BYTES) and the parts'
 * gradients (PART_BYTES) stay in their budgets; the blocks and parts are those of one model's
 * pass, so a model's sums do not depend on the models beside it. */
static logreg_status native_grid_sums(lr_backend *be, const int32_t *fold, size_t m,
                                      const int32_t *held, const double *theta, lr_sums *train,
                                      lr_sums *val, double *gsum, logreg_error *err) {
  native_backend *nb = (native_backend *)be;
  size_t np = be->nparam, nw = be->d * be->kw, kw = be->kw, ldw = nb->ldw;
  if (m == 0) return LOGREG_OK;
  pass ps;
  memset(&ps, 0, sizeof ps);
  ps.nb = nb;
  ps.slot = LR_SLOT_TRAIN;
  ps.count = be->n[LR_SLOT_TRAIN];
  ps.mode = PASS_GRID;
  ps.want_loss = 1;
  ps.want_grad = 1;
  ps.fold = fold;
  pass_shape(nb, &ps);
  size_t wbytes = kw * (ldw ? ldw : 1) * sizeof(double); /* one model's W, transposed */
  size_t mg = GRID_MODELS,
         lim[3] = {GRID_W_BYTES / wbytes, GRID_Z_BYTES / (ps.blk * kw * sizeof(double)),
                   PART_BYTES / (ps.nparts * (wbytes + kw * sizeof(double)))};
  for (int t = 0; t < 3; t++) mg = lim[t] < mg ? lim[t] : mg;
  if (mg < 1) mg = 1;
  size_t groups = (m + mg - 1) / mg;
  mg = (m + groups - 1) / groups; /* groups of even sizes */
  double *wt = malloc((mg * kw * ldw + mg * kw) * sizeof *wt), *bz = NULL; /* W, then biases */
  ps.part_m = malloc(ps.nparts * 2 * mg * sizeof *ps.part_m);
  int rc = !wt || !ps.part_m;
  if (!rc) bz = wt + mg * kw * ldw;
  for (size_t j0 = 0; j0 < m && !rc; j0 += mg) {
    size_t nm = m - j0 < mg ? m - j0 : mg;
    for (size_t j = 0; j < nm; j++) {
      const double *th = theta + (j0 + j) * np;
      pack_w(nb, th, wt + j * kw * ldw);
      memcpy(bz + j * kw, th + nw, kw * sizeof *bz);
    }
    ps.wt = wt;
    ps.b = bz;
    ps.nm = nm;
    ps.held = held + j0;
    ps.train = train + j0;
    ps.val = val + j0;
    rc = run_pass(nb, &ps, NULL, gsum + j0 * np);
  }
  free(wt);
  free(ps.part_m);
  if (rc) return lr_fail(err, LOGREG_ENOMEM, "cpu backend: out of memory for a grid");
  return LOGREG_OK;
}

static void native_destroy(lr_backend *be) {
  native_backend *nb = (native_backend *)be;
  if (!nb) return;
  free(nb->wt);
  free(nb->wd);
  free(nb->vt);
  free(nb->part);
  lr_host_free(&nb->h);
  free(nb);
}

static const lr_backend_ops native_ops = {
    .name = "cpu",
    .sums = native_sums,
    .hv = native_hv,
    .hdiag = native_hdiag,
    .grid_sums = native_grid_sums,
    LR_HOST_OPS,
    .destroy = native_destroy,
};

static void describe(native_backend *nb) {
  snprintf(nb->h.base.device, sizeof nb->h.base.device, "cpu (%s kernels, double accumulation)",
           nb->kern->isa);
}

logreg_status lr_native_backend_create(size_t d, size_t k, int binary, double pos_weight,
                                       lr_backend **out, logreg_error *err) {
  native_backend *nb = calloc(1, sizeof *nb);
  if (!nb) return oom(err);
  size_t kw = binary ? 1 : k;
  nb->h.base.ops = &native_ops;
  nb->h.theta_changed = theta_changed;
  nb->h.base.kind = LOGREG_BACKEND_CPU;
  nb->h.base.path_id = LR_PATH_REFERENCE; /* no OpenCL path: the backend's own loops */
  nb->h.base.d = d;
  nb->h.base.k = k;
  nb->h.base.kw = kw;
  nb->h.base.nparam = (d + 1) * kw;
  nb->h.base.binary = binary;
  nb->h.base.pos_weight = pos_weight;
  nb->kern = lr_native_kern_best();
  describe(nb);
  nb->ldw = (d + 7) / 8 * 8;
  size_t wlen = (nb->ldw ? nb->ldw : 8) * kw;
  nb->wt = malloc(wlen * sizeof *nb->wt);
  nb->vt = malloc(wlen * sizeof *nb->vt);
  int two = !binary && k == 2;
  if (two) nb->wd = malloc(wlen / 2 * sizeof *nb->wd);
  int first;
  logreg_status st = !nb->wt || !nb->vt || (two && !nb->wd) ? oom(err) : LOGREG_OK;
  if (!st) st = lr_host_vec_alloc(&nb->h.base, LR_VEC_FIXED, &first, err);
  if (st) {
    native_destroy(&nb->h.base);
    return st;
  }
  *out = &nb->h.base;
  return LOGREG_OK;
}

logreg_status lr_native_use_kern(lr_backend *be, int v, logreg_error *err) {
  if (!be || be->ops != &native_ops) return lr_fail(err, LOGREG_EINVAL, "not a native backend");
  const lr_native_kern *k = lr_native_kern_get(v);
  if (!k) return lr_fail(err, LOGREG_EUNSUPPORTED, "cpu backend: no kernel variant %d here", v);
  native_backend *nb = (native_backend *)be;
  nb->kern = k;
  describe(nb);
  return LOGREG_OK;
}
