/* native.c: the native CPU backend (native.h): the reference's raw sums (backend/reference.c,
 * DESIGN.md §2), fast.
 *
 * One pass over X per evaluation. The rows of a pass (in the slot's current order) are cut
 * into blocks small enough to stay in L2 (about 128 KiB of X); for each block the logits
 * (rows x D times D x KW against W packed transposed once per change of theta), each row's
 * softmax or sigmoid, loss and residual in double, and the block's X^T R are computed while the
 * block is in cache (native_kern.c's kernels). X stays float32; products and sums are double,
 * so results differ from the reference's only by the order of the additions.
 *
 * Threads: the blocks are grouped into at most NATIVE_PARTS parts, a number that depends on the
 * rows and the shape, never on the thread count; each part sums into its own gradient and
 * scalar partials, and the partials are added in part order at the end. A thread takes parts
 * t, t + nt, ...: every thread count gives the same bits (for one kernel variant). What differs
 * from the reference is the order of the additions: lanes of the vector units within a row's
 * logits and a block's gradient, rows within a part, parts in order. */
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

typedef struct native_backend {
  lr_host_backend h; /* h.base first */
  const lr_native_kern *kern;
  size_t ldw;   /* d rounded up to a multiple of 8 */
  double *wt;   /* kw x ldw: THETA's W transposed (zeros from d), valid while wt_fresh */
  double *vt;   /* kw x ldw: a direction's or a grid model's W, transposed */
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

typedef enum pass_mode { PASS_SUMS, PASS_HV, PASS_HDIAG } pass_mode;

typedef struct pass {
  const native_backend *nb;
  lr_slot slot;
  const uint32_t *list; /* position i is row list[i]; NULL: row begin + i */
  size_t begin, count;
  const double *wt, *b;  /* the weights (transposed) and bias evaluated */
  const double *vt, *vb; /* PASS_HV: the direction (transposed) and its bias part */
  pass_mode mode;
  int want_loss, want_grad;
  double *cache; /* PASS_HV, PASS_HDIAG: the rows' factors (n kw), or NULL */
  int fill;      /* the cache is written (else read instead of computing the logits) */
  size_t blk, nblk, nparts, glen;
  double *part_g; /* nparts x glen: each part's kw x ldw gradient, then its kw bias sums */
  lr_sums part_s[NATIVE_PARTS];
  int fail[16];
} pass;

/* A thread's scratch for one block. */
typedef struct block_buf {
  size_t *row;
  const float **xr;
  double *z, *u, *r, *w; /* blk kw each */
  double *t, *sv;        /* blk each; sv: the rows' weights s_i */
  int32_t *yv;           /* the rows' labels */
} block_buf;

/* The losses and residuals of the block's m rows from their logits z (bias included): r =
 * s_i dl_i/dz, and with want_loss the block's scalar sums (row after row) added to *acc. The
 * loops run over the block's arrays, so that the compiler can vectorize them; p_c and sigma are
 * e_c (1 / sum) and 1 / (1 + e) (1 ulp from the reference's quotients). */
static void block_loss(const pass *ps, const block_buf *bb, size_t m, lr_sums *acc) {
  const lr_backend *be = &ps->nb->h.base;
  const lr_native_kern *kn = ps->nb->kern;
  size_t k = be->k, kw = be->kw;
  const double *z = bb->z, *sv = bb->sv, pw = be->pos_weight;
  const int32_t *yv = bb->yv;
  double *r = bb->r, *u = bb->u, *w = bb->w, *t = bb->t;
  double loss = 0.0, correct = 0.0, wloss = 0.0, s = 0.0;
  if (be->binary) {
    for (size_t q = 0; q < m; q++) u[q] = -fabs(z[q]);
    kn->vexp(u, m); /* e = exp(-|z|): sigma and softplus from it, as lr_sigmoid, lr_softplus */
    for (size_t q = 0; q < m; q++) {
      double e = u[q], inv = 1.0 / (1.0 + e), sig = z[q] >= 0 ? inv : e * inv;
      double yf = (double)yv[q]; /* 0 or 1: the products below are exact, so no branch */
      r[q] = sv[q] * (yf * (pw * (sig - 1.0)) + (1.0 - yf) * sig);
    }
    if (!ps->want_loss) return;
    memcpy(w, u, m * sizeof *w);
    kn->vlog1p(w, m);
    for (size_t q = 0; q < m; q++) {
      double sp = (z[q] > 0 ? z[q] : 0.0) + w[q], sn = (z[q] < 0 ? -z[q] : 0.0) + w[q];
      double yf = (double)yv[q];
      loss += yf * sn + (1.0 - yf) * sp;
      correct += (double)((z[q] > 0) == (yv[q] == 1));
      wloss += sv[q] * (yf * (pw * sn) + (1.0 - yf) * sp);
      s += sv[q];
    }
  } else {
    for (size_t q = 0; q < m; q++) { /* exp(z - max z) */
      const double *zq = z + q * kw;
      double mx = zq[0];
      for (size_t c = 1; c < k; c++) mx = zq[c] > mx ? zq[c] : mx;
      w[q] = mx;
      for (size_t c = 0; c < k; c++) r[q * kw + c] = zq[c] - mx;
    }
    kn->vexp(r, m * kw);
    for (size_t q = 0; q < m; q++) {
      double sum = 0.0;
      for (size_t c = 0; c < k; c++) sum += r[q * kw + c];
      u[q] = sum;
    }
    for (size_t q = 0; q < m; q++) t[q] = 1.0 / u[q];
    for (size_t q = 0; q < m; q++) {
      double *rq = r + q * kw;
      for (size_t c = 0; c < k; c++) rq[c] = sv[q] * (rq[c] * t[q] - (double)(c == (size_t)yv[q]));
    }
    if (!ps->want_loss) return;
    for (size_t q = 0; q < m; q++) u[q] -= 1.0; /* log(sum) = log1p(sum - 1), sum >= 1 */
    kn->vlog1p(u, m);
    for (size_t q = 0; q < m; q++) {
      const double *zq = z + q * kw;
      size_t yi = (size_t)yv[q], best = 0;
      double li = (w[q] - zq[yi]) + u[q]; /* logsumexp(z) - z_y */
      for (size_t c = 1; c < k; c++) best = zq[c] > zq[best] ? c : best;
      loss += li;
      correct += (double)(best == yi);
      wloss += sv[q] * li;
      s += sv[q];
    }
  }
  acc->loss += loss;
  acc->correct += correct;
  acc->wloss += wloss;
  acc->s += s;
}

/* Logits (no bias) of the block's rows against wt into z (kw per row). */
static void block_logits(const pass *ps, const block_buf *bb, size_t m, const double *wt,
                         double *z) {
  const native_backend *nb = ps->nb;
  size_t kw = nb->h.base.kw, ldw = nb->ldw;
  if (nb->h.x[ps->slot]) {
    nb->kern->logits(bb->xr, m, nb->h.base.d, wt, ldw, kw, z, kw);
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
  }
}

/* g (kw x ldw, then kw bias sums) += the block's X^T r (x^2 when sq). */
static void block_scatter(const pass *ps, const block_buf *bb, size_t m, int sq, double *g) {
  const native_backend *nb = ps->nb;
  size_t kw = nb->h.base.kw, ldw = nb->ldw;
  if (nb->h.x[ps->slot]) {
    nb->kern->scatter(bb->xr, m, nb->h.base.d, bb->r, kw, sq, g, ldw);
  } else {
    const int64_t *ip = nb->h.indptr[ps->slot];
    const int32_t *ix = nb->h.indices[ps->slot];
    const float *iv = nb->h.values[ps->slot];
    for (size_t q = 0; q < m; q++) {
      const double *rq = bb->r + q * kw;
      for (int64_t e = ip[bb->row[q]]; e < ip[bb->row[q] + 1]; e++) {
        double v = iv[e], xu = sq ? v * v : v, *o = g + (size_t)ix[e];
        for (size_t c = 0; c < kw; c++) o[c * ldw] += xu * rq[c];
      }
    }
  }
  /* The bias column: four running sums per class (rows q mod 4), so that the additions do not
   * wait on each other. */
  double *gb = g + kw * ldw;
  for (size_t c = 0; c < kw; c++) {
    double a[4] = {0, 0, 0, 0};
    for (size_t q = 0; q < m; q++) a[q & 3] += bb->r[q * kw + c];
    gb[c] += (a[0] + a[1]) + (a[2] + a[3]);
  }
}

/* Block [i0, i1) of the pass's positions into part partials g and *acc. */
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
  double *f = ps->cache ? ps->cache + i0 * kw : bb->z; /* factors (hv) */
  if (ps->mode == PASS_SUMS || !ps->cache || ps->fill) {
    block_logits(ps, bb, m, ps->wt, bb->z);
    for (size_t q = 0; q < m; q++)
      for (size_t c = 0; c < kw; c++) bb->z[q * kw + c] += ps->b[c];
  }
  if (ps->mode == PASS_SUMS) {
    block_loss(ps, bb, m, acc);
    if (ps->want_grad) block_scatter(ps, bb, m, 0, g);
    return;
  }
  if (!ps->cache || ps->fill)
    for (size_t q = 0; q < m; q++) {
      size_t i = bb->row[q];
      row_factor(bb->z + q * kw, f + q * kw, k, y[i], (double)s[i], be->binary, be->pos_weight);
    }
  if (ps->mode == PASS_HV) {
    block_logits(ps, bb, m, ps->vt, bb->u);
    for (size_t q = 0; q < m; q++)
      for (size_t c = 0; c < kw; c++) bb->u[q * kw + c] += ps->vb[c];
  }
  for (size_t q = 0; q < m; q++)
    row_hv(f + q * kw, ps->mode == PASS_HV ? bb->u + q * kw : NULL, bb->r + q * kw, k,
           (double)s[bb->row[q]], be->binary);
  block_scatter(ps, bb, m, ps->mode == PASS_HDIAG, g);
}

static void pass_part(void *ctx, unsigned t, unsigned nt) {
  pass *ps = ctx;
  size_t kw = ps->nb->h.base.kw, blk = ps->blk;
  block_buf bb;
  bb.row = malloc(blk * sizeof *bb.row);
  bb.xr = malloc(blk * sizeof *bb.xr);
  bb.z = malloc((4 * kw + 2) * blk * sizeof *bb.z);
  bb.yv = malloc(blk * sizeof *bb.yv);
  if (!bb.row || !bb.xr || !bb.z || !bb.yv) {
    ps->fail[t] = 1;
  } else {
    bb.u = bb.z + blk * kw;
    bb.r = bb.u + blk * kw;
    bb.w = bb.r + blk * kw;
    bb.t = bb.w + blk * kw;
    bb.sv = bb.t + blk;
    for (size_t p = t; p < ps->nparts; p += nt) {
      double *g = ps->part_g + p * ps->glen;
      lr_sums acc = {0, 0, 0, 0, 0};
      if (ps->mode != PASS_SUMS || ps->want_grad) memset(g, 0, ps->glen * sizeof *g);
      size_t b0 = ps->nblk * p / ps->nparts, b1 = ps->nblk * (p + 1) / ps->nparts;
      for (size_t b = b0; b < b1; b++) {
        size_t i0 = b * blk, i1 = i0 + blk < ps->count ? i0 + blk : ps->count;
        run_block(ps, &bb, i0, i1, g, &acc);
      }
      ps->part_s[p] = acc;
    }
  }
  free(bb.row);
  free(bb.xr);
  free(bb.z);
  free(bb.yv);
}

/* Runs ps (mode, rows, weights and wants set) and adds its parts in order: *sums (may be
 * NULL) and, when the pass has a gradient, `out` ([W | b] layout, nparam). -1: out of
 * memory. */
static int run_pass(native_backend *nb, pass *ps, lr_sums *sums, double *out) {
  const lr_backend *be = &nb->h.base;
  size_t kw = be->kw, d = be->d, ldw = nb->ldw, count = ps->count;
  const int64_t *ip = nb->h.indptr[ps->slot];
  size_t n = be->n[ps->slot];
  size_t per = nb->h.x[ps->slot] ? d : n ? (size_t)ip[n] / n : 0;
  size_t blk = nb->h.x[ps->slot] ? BLOCK_BYTES / (4 * (d ? d : 1)) / 4 * 4 : CSR_BLOCK;
  ps->blk = blk < 16 ? 16 : blk > 512 ? 512 : blk;
  ps->nblk = (count + ps->blk - 1) / ps->blk;
  ps->glen = kw * ldw + kw;
  size_t cap = PART_BYTES / (ps->glen * sizeof(double));
  ps->nparts = ps->nblk < NATIVE_PARTS ? ps->nblk : NATIVE_PARTS;
  if (ps->nparts > cap) ps->nparts = cap;
  if (ps->nparts < 1) ps->nparts = 1;
  if (nb->part_len < ps->nparts * ps->glen) {
    free(nb->part);
    nb->part_len = 0;
    if (!(nb->part = malloc(ps->nparts * ps->glen * sizeof *nb->part))) return -1;
    nb->part_len = ps->nparts * ps->glen;
  }
  ps->part_g = nb->part;
  unsigned nt = lr_threads_for(count * (per + 1) * kw * 8, nb->h.threads);
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
  if (!out || (ps->mode == PASS_SUMS && !ps->want_grad)) return 0;
  memset(out, 0, be->nparam * sizeof *out);
  for (size_t p = 0; p < ps->nparts && ps->nblk; p++) {
    const double *g = nb->part + p * ps->glen;
    for (size_t c = 0; c < kw; c++)
      for (size_t j = 0; j < d; j++) out[j * kw + c] += g[c * ldw + j];
    for (size_t c = 0; c < kw; c++) out[d * kw + c] += g[kw * ldw + c];
  }
  return 0;
}

static void ensure_wt(native_backend *nb) {
  if (nb->wt_fresh) return;
  pack_w(nb, nb->h.vec[LR_VEC_THETA], nb->wt);
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

/* The grid, model by model: its training rows (fold != held) with the gradient, then its
 * held-out rows, each one pass in file order. */
static logreg_status native_grid_sums(lr_backend *be, const int32_t *fold, size_t m,
                                      const int32_t *held, const double *theta, lr_sums *train,
                                      lr_sums *val, double *gsum, logreg_error *err) {
  native_backend *nb = (native_backend *)be;
  size_t n = be->n[LR_SLOT_TRAIN], np = be->nparam, nw = be->d * be->kw;
  uint32_t *in = malloc((n ? n : 1) * sizeof *in), *out = malloc((n ? n : 1) * sizeof *out);
  int rc = !in || !out;
  for (size_t j = 0; j < m && !rc; j++) {
    size_t ni = 0, no = 0;
    for (size_t i = 0; i < n; i++) {
      if (fold[i] == held[j])
        out[no++] = (uint32_t)i;
      else
        in[ni++] = (uint32_t)i;
    }
    const double *th = theta + j * np;
    pack_w(nb, th, nb->vt);
    pass ps;
    memset(&ps, 0, sizeof ps);
    ps.nb = nb;
    ps.slot = LR_SLOT_TRAIN;
    ps.wt = nb->vt;
    ps.b = th + nw;
    ps.mode = PASS_SUMS;
    ps.want_loss = 1;
    ps.want_grad = 1;
    ps.list = in;
    ps.count = ni;
    rc = run_pass(nb, &ps, &train[j], gsum + j * np);
    ps.want_grad = 0;
    ps.list = out;
    ps.count = no;
    if (!rc) rc = run_pass(nb, &ps, &val[j], NULL);
  }
  free(in);
  free(out);
  if (rc) return lr_fail(err, LOGREG_ENOMEM, "cpu backend: out of memory for a grid");
  return LOGREG_OK;
}

static void native_destroy(lr_backend *be) {
  native_backend *nb = (native_backend *)be;
  if (!nb) return;
  free(nb->wt);
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
  int first;
  logreg_status st = !nb->wt || !nb->vt ? oom(err) : LOGREG_OK;
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
