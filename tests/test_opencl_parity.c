/* test_opencl_parity.c: every quantity the opencl backend computes, against the CPU reference
 * in double, on random inputs (after rejecting NaN/Inf), in shapes whose row counts are not
 * multiples of the work-group size (256):
 *
 *   quantity        measure                                   bound   why this bound
 *   logits X W      relative norm ||dev - ref|| / ||ref||     1e-5    float dot products of D
 *                                                                     terms: ~sqrt(D) eps each
 *   probabilities   max |dev - ref|                           1e-5    p in [0,1], float exp
 *   objective J     relative difference                       1e-6    sums in double (or
 *                                                                     compensated): what is left
 *                                                                     is each row's float loss,
 *                                                                     ~eps; measured <= 6e-8
 *                                                                     (2.4e-7 with float sums)
 *   loss            relative difference                       1e-6    same (2.4e-6 with float
 *                                                                     sums)
 *   correct         exact                                     0       argmax of well-separated
 *                                                                     random logits
 *   dW, db          relative norm                             1e-4    reductions over N rows
 *   one update      relative norm of [W|b] after the step     1e-5    float parameters
 *   J after it      relative difference                       1e-6    as J; on the one-pass
 *                                                                     paths the step's map also
 *                                                                     keeps W transposed
 *
 * Every GEMM path is checked: the own kernels, CLBlast on two shapes (its kernels take seconds
 * to compile on PoCL), and the fused one-pass kernel at K in {2, 3, 10, 13, 25, 32, 40, 100}
 * (binary too; 13, 25, 32 and 100 pad its class chunks; above 32 its class loops are not
 * unrolled), and the tiled kernel (shapes listed with them) with N not a multiple of its blocks or
 * of its 16-row groups (a last group of 1 to 15 rows) and D not a multiple of its vectors; the
 * one-pass paths keep no logits, so for them the row quantities are checked through J, the
 * loss, the correct count and the gradient. A few shapes again with LOGREG_OPENCL_FP64=0: the
 * compensated float sums of a device without doubles. Also: logits of magnitude 1e4 give finite
 * loss and
 * probabilities on the device. Exits 77 (skip) when there is no OpenCL platform. */
#include <stdlib.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl.h"
#include "check.h"
#include "logreg_hooks.h"
#include "solve/objective.h"
#include "steps.h"
#include "util/util.h"
#include "vecs.h"

/* The device settings of every parity backend: no_fp64 is set for the shapes that test the
 * compensated float sums of a device without doubles. */
static logreg_test_hooks parity_hooks;
static logreg_device_options parity_device = {.hooks = &parity_hooks};

typedef struct shape {
  size_t n, d, k;
  int binary;
  const char *gemm; /* the path: own, clblast, fused, tiled */
} shape;

static double rel_norm(const double *a, const double *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

static int all_finite(const double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

static void check_bound(const char *what, const shape *s, double got, double bound) {
  if (!(got <= bound)) {
    fprintf(stderr, "  n=%zu d=%zu k=%zu%s %s%s: %s = %.3g > %.3g\n", s->n, s->d, s->k,
            s->binary ? " binary" : "", s->gemm, parity_hooks.no_fp64 ? " (no fp64)" : "", what,
            got, bound);
  }
  CHECK(got <= bound);
}

/* J, loss, correct and the gradient (into LR_VEC_GRAD) over rows 0..n through the objective
 * layer, as the solvers see them. */
static logreg_status eval_all(lr_backend *be, double l2, size_t n, lr_eval_out *out,
                              logreg_error *err) {
  lr_objective o;
  lr_objective_init(&o, be, l2);
  return lr_objective_eval(&o, LR_SLOT_TRAIN, 0, n, 1, out, err);
}

static void parity(const shape *sh, uint64_t seed) {
  size_t n = sh->n, d = sh->d, k = sh->k, kw = sh->binary ? 1 : k, nw = d * kw;
  float *x = malloc(n * d * sizeof *x), *s = malloc(n * sizeof *s);
  int32_t *y = malloc(n * sizeof *y);
  double *w = malloc(nw * sizeof *w), *gw = malloc(nw * sizeof *gw);
  double *b = malloc(kw * sizeof *b), *gb = malloc(kw * sizeof *gb),
         *dgb = malloc(kw * sizeof *dgb);
  double *dgw = malloc(nw * sizeof *dgw);
  float *zdev = malloc(n * kw * sizeof *zdev), *gdev = malloc(n * kw * sizeof *gdev);
  double *zd = calloc(n * kw, sizeof *zd), *zr = calloc(n * kw, sizeof *zr);
  lr_rng r;
  lr_rng_seed(&r, seed);
  for (size_t i = 0; i < n * d; i++) x[i] = (float)lr_rng_normal(&r);
  for (size_t i = 0; i < n; i++) {
    y[i] = (int32_t)lr_rng_below(&r, k);
    s[i] = (float)(0.5 + lr_rng_uniform(&r));
  }
  double scale = 1.0 / sqrt((double)d);
  for (size_t j = 0; j < nw; j++) w[j] = scale * lr_rng_normal(&r);
  for (size_t c = 0; c < kw; c++) b[c] = 0.5 * lr_rng_normal(&r);
  const double l2 = 0.01, pw = sh->binary ? 1.7 : 1.0;

  lr_eval_out ref, dev;
  CHECK(lr_reference_eval(x, y, s, NULL, n, d, k, sh->binary, l2, pw, w, b, &ref, gw, gb) == 0);

  int fused = strcmp(sh->gemm, "fused") == 0 || strcmp(sh->gemm, "tiled") == 0;
  lr_backend *be = NULL;
  logreg_error err;
  logreg_status st =
      make_backend("opencl", sh->gemm, d, k, sh->binary, pw, &parity_device, &be, &err);
  CHECK(st == LOGREG_OK);
  if (st) {
    fprintf(stderr, "%s\n", err.message);
    goto done;
  }
  CHECK(be->ops->set_data(be, LR_SLOT_TRAIN, x, y, s, n, &err) == LOGREG_OK);
  CHECK(vec_set_wb(be, LR_VEC_THETA, w, b, &err) == LOGREG_OK);
  CHECK(eval_all(be, l2, n, &dev, &err) == LOGREG_OK);
  CHECK(vec_get_wb(be, LR_VEC_GRAD, dgw, dgb, &err) == LOGREG_OK);
  /* The one-pass paths (fused, tiled) keep no logits or residuals: their row quantities show in
   * J, the loss, the correct count and the gradient below. */
  if (!fused) {
    CHECK(lr_ocl_read_rows(be, 0, zdev, &err) == LOGREG_OK);
    CHECK(lr_ocl_read_rows(be, 1, gdev, &err) == LOGREG_OK);
  } else {
    CHECK(lr_ocl_read_rows(be, 0, zdev, &err) == LOGREG_EUNSUPPORTED);
    for (size_t i = 0; i < n * kw; i++) zdev[i] = 0, gdev[i] = 0;
  }

  /* NaN/Inf first: a non-finite device value fails here, not as a "large error" below. */
  for (size_t i = 0; i < n * kw; i++) zd[i] = zdev[i];
  CHECK(isfinite(dev.objective) && isfinite(dev.loss) && isfinite(dev.grad_max));
  CHECK(all_finite(zd, n * kw) && all_finite(dgw, nw) && all_finite(dgb, kw));

  /* Logits X W (the device keeps them before the bias). */
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < kw; c++) {
      double acc = 0;
      for (size_t j = 0; j < d; j++) acc += (double)x[i * d + j] * w[j * kw + c];
      zr[i * kw + c] = acc;
    }
  if (!fused) check_bound("logits rel norm", sh, rel_norm(zd, zr, n * kw), 1e-5);

  /* Probabilities, recovered from the residual s_i (p - onehot): p = g / s_i + onehot. */
  double pmax = 0, *zz = malloc(kw * sizeof *zz), *p = malloc(kw * sizeof *p);
  for (size_t i = 0; i < n; i++) {
    for (size_t c = 0; c < kw; c++) zz[c] = zr[i * kw + c] + b[c];
    if (sh->binary) {
      double e = exp(-fabs(zz[0]));
      double p1 = zz[0] >= 0 ? 1 / (1 + e) : e / (1 + e);
      /* residual = s (pw y (p - 1) + (1 - y) p) */
      double g = gdev[i] / s[i];
      double pd = y[i] ? g / pw + 1.0 : g;
      pmax = fmax(pmax, fabs(pd - p1));
    } else {
      lr_softmax(zz, k, p, NULL);
      for (size_t c = 0; c < k; c++) {
        double pd = gdev[i * k + c] / s[i] + (c == (size_t)y[i] ? 1.0 : 0.0);
        pmax = fmax(pmax, fabs(pd - p[c]));
      }
    }
  }
  free(zz);
  free(p);
  if (!fused) check_bound("probability max abs diff", sh, pmax, 1e-5);
  check_bound("objective rel diff", sh, fabs(dev.objective - ref.objective) / ref.objective, 1e-6);
  check_bound("loss rel diff", sh, fabs(dev.loss - ref.loss) / ref.loss, 1e-6);
  CHECK(dev.correct == ref.correct);
  check_bound("dW rel norm", sh, rel_norm(dgw, gw, nw), 1e-4);
  check_bound("db rel norm", sh, rel_norm(dgb, gb, kw), 1e-4);
  check_bound("max|g| rel diff", sh, fabs(dev.grad_max - ref.grad_max) / ref.grad_max, 1e-4);

  /* One step of each optimizer (its own element-wise map) from (w, b) with the device's own
   * gradient, against the step written out in double from the reference gradient; then J at
   * the new weights, against the reference's there: on the one-pass paths the step keeps their
   * transposed weights current. */
  for (int kind = 0; kind < 5; kind++) {
    const double lr = 0.05, mu = 0.9, eps = 1e-8, ada_eps = 1e-10;
    logreg_params u;
    logreg_params_init(&u);
    u.momentum = mu, u.beta1 = 0.9, u.beta2 = 0.999, u.eps = eps;
    logreg_optimizer opt = kind == 4   ? LOGREG_OPTIMIZER_ADAGRAD
                           : kind == 3 ? LOGREG_OPTIMIZER_ADAM
                           : kind      ? LOGREG_OPTIMIZER_MOMENTUM
                                       : LOGREG_OPTIMIZER_GD;
    u.nesterov = kind == 2;
    /* Fresh optimizer state: a new backend per optimizer would recompile; instead the step is
     * the first of its kind only for GD (stateless) and from zero state for the others, so
     * run momentum/Adam on a backend whose state is still zero. */
    lr_backend *bk = NULL;
    if (make_backend("opencl", sh->gemm, d, k, sh->binary, pw, &parity_device, &bk, &err) !=
        LOGREG_OK) {
      CHECK(0);
      break;
    }
    bk->ops->set_data(bk, LR_SLOT_TRAIN, x, y, s, n, &err);
    vec_set_wb(bk, LR_VEC_THETA, w, b, &err);
    lr_objective ob;
    lr_objective_init(&ob, bk, l2);
    lr_objective_eval(&ob, LR_SLOT_TRAIN, 0, n, 1, &dev, &err);
    CHECK(solver_step(bk, &ob, opt, &u, lr, 1, &err) == LOGREG_OK);
    double *after = malloc((nw + kw) * sizeof *after), *want = malloc((nw + kw) * sizeof *want);
    vec_get_wb(bk, LR_VEC_THETA, after, after + nw, &err);
    for (size_t t = 0; t < nw + kw; t++) {
      double th = t < nw ? w[t] : b[t - nw], g = t < nw ? gw[t] : gb[t - nw];
      if (kind <= 1)
        want[t] = th - lr * g;
      else if (kind == 2)
        want[t] = th - lr * (g + mu * g);
      else if (kind == 3) /* Adam, t = 1: m_hat = g, v_hat = g^2 */
        want[t] = th - lr * g / (fabs(g) + eps);
      else /* Adagrad's first step: acc = g^2 */
        want[t] = th - lr * g / (sqrt(g * g) + ada_eps);
    }
    CHECK(all_finite(after, nw + kw));
    lr_eval_out at, at_ref;
    CHECK(eval_all(bk, l2, n, &at, &err) == LOGREG_OK);
    CHECK(lr_reference_eval(x, y, s, NULL, n, d, k, sh->binary, l2, pw, after, after + nw, &at_ref,
                            NULL, NULL) == 0);
    check_bound("objective after the step rel diff", sh,
                fabs(at.objective - at_ref.objective) / at_ref.objective, 1e-6);
    static const char *names[] = {"gd step", "momentum step", "nesterov step", "adam step",
                                  "adagrad step"};
    /* Adam's and Adagrad's first steps are lr * sign(g): where |g| is tiny the sign itself is at
     * the mercy of float rounding, so compare only coordinates with a clear gradient. */
    if (kind >= 3)
      for (size_t t = 0; t < nw + kw; t++)
        if (fabs(t < nw ? gw[t] : gb[t - nw]) < 1e-4) after[t] = want[t];
    check_bound(names[kind], sh, rel_norm(after, want, nw + kw), 1e-5);
    free(after);
    free(want);
    lr_backend_destroy(bk);
  }
  lr_backend_destroy(be);
done:
  free(x);
  free(s);
  free(y);
  free(w);
  free(gw);
  free(b);
  free(gb);
  free(dgb);
  free(dgw);
  free(zdev);
  free(gdev);
  free(zd);
  free(zr);
}

static void extreme_logits(int binary) {
  /* One feature x = 1 and weights of +-1e4: logits (1e4, 0, -1e4) or 1e4. */
  float x[2] = {1.0f, 1.0f};
  int32_t y[2] = {1, 0};
  double w[3] = {1e4, 0, -1e4}, b[3] = {0, 0, 0};
  size_t k = binary ? 2 : 3;
  lr_backend *be = NULL;
  logreg_error err;
  CHECK(make_backend("opencl", "own", 1, k, binary, 1.0, NULL, &be, &err) == LOGREG_OK);
  for (int path = 0; path < 2; path++) {
    /* The one-pass paths at the same extreme logits: finite and the same J. */
    lr_backend *bf = NULL;
    CHECK(make_backend("opencl", path ? "tiled" : "fused", 1, k, binary, 1.0, NULL, &bf, &err) ==
          LOGREG_OK);
    if (!bf) continue;
    lr_eval_out evf;
    bf->ops->set_data(bf, LR_SLOT_TRAIN, x, y, NULL, 2, &err);
    vec_set_wb(bf, LR_VEC_THETA, w, b, &err);
    CHECK(eval_all(bf, 0.0, 2, &evf, &err) == LOGREG_OK);
    CHECK(isfinite(evf.objective) && isfinite(evf.grad_max));
    CHECK_CLOSE(evf.objective, 5e3, 1e-6);
    lr_backend_destroy(bf);
  }
  if (!be) return;
  be->ops->set_data(be, LR_SLOT_TRAIN, x, y, NULL, 2, &err);
  vec_set_wb(be, LR_VEC_THETA, w, b, &err);
  lr_eval_out ev;
  CHECK(eval_all(be, 0.0, 2, &ev, &err) == LOGREG_OK);
  CHECK(isfinite(ev.objective) && isfinite(ev.loss));
  /* Multinomial: rows lose 1e4 (label 1, z = 0 vs max 1e4) and 0 -> mean 5e3.
   * Binary: row 0 has y = 1 and z = 1e4 -> 0; row 1 has y = 0, z = 1e4 -> 1e4: mean 5e3. */
  CHECK_CLOSE(ev.objective, 5e3, 1e-6);
  float g[6];
  CHECK(lr_ocl_read_rows(be, 1, g, &err) == LOGREG_OK);
  for (size_t i = 0; i < 2 * (binary ? 1 : k); i++) CHECK(isfinite(g[i]));
  lr_backend_destroy(be);
}

int main(void) {
  lr_ocl_device_info *list;
  unsigned count;
  logreg_error err;
  if (lr_ocl_list(&list, &count, &err) != LOGREG_OK || count == 0) SKIP("no OpenCL platform");
  free(list);
  const shape shapes[] = {
      {1, 1, 2, 0, "own"},
      {257, 7, 3, 0, "own"},
      {1000, 784, 10, 0, "own"},
      {300, 7, 37, 0, "own"},
      {513, 1, 2, 1, "own"},
      {100, 784, 2, 1, "own"},
      {299, 7, 2, 0, "own"},
      {1000, 784, 10, 0, "clblast"},
      {257, 7, 2, 1, "clblast"},
      {1, 1, 2, 0, "fused"},
      {257, 7, 3, 0, "fused"},
      {1000, 784, 10, 0, "fused"},
      {300, 37, 32, 0, "fused"},
      {513, 1, 2, 1, "fused"},
      {777, 784, 2, 1, "fused"},
      {299, 19, 2, 0, "fused"},
      {5003, 48, 13, 0, "fused"},
      {2000, 40, 25, 0, "fused"},
      {1201, 64, 2, 1, "fused"},
      {4099, 32, 2, 0, "fused"},
      {333, 20, 40, 0, "fused"},
      {700, 50, 100, 0, "fused"},
      /* The tiled path: K in {2, 3, 10, 37, 100} and binary; D = 1; D not a multiple of 4
       * (scalar staging) and of the work-group; more tiles than groups (5003 x 48: 128-row
       * tiles); the gradient's classes in several passes (784 x 37: 3 passes of 16; 50 x
       * 100: 2 of 64; 255 x 64 is the most in one pass). */
      {1, 1, 2, 0, "tiled"},
      {257, 7, 3, 0, "tiled"},
      {1000, 784, 10, 0, "tiled"},
      {300, 7, 37, 0, "tiled"},
      {513, 1, 2, 1, "tiled"},
      {777, 784, 2, 1, "tiled"},
      {299, 19, 2, 0, "tiled"},
      {5003, 48, 13, 0, "tiled"},
      {400, 255, 64, 0, "tiled"},
      {1201, 64, 2, 1, "tiled"},
      {4099, 32, 2, 0, "tiled"},
      {2000, 300, 16, 0, "tiled"},
      {450, 784, 37, 0, "tiled"},
      {700, 50, 100, 0, "tiled"},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) parity(&shapes[i], 100 + i);
  /* The compensated float sums that a device without doubles uses, on this one. */
  const shape no_fp64[] = {{1000, 784, 10, 0, "own"},   {513, 1, 2, 1, "own"},
                           {777, 784, 2, 1, "fused"},   {5003, 48, 13, 0, "fused"},
                           {1000, 784, 10, 0, "tiled"}, {513, 1, 2, 1, "tiled"}};
  parity_hooks.no_fp64 = 1;
  for (size_t i = 0; i < sizeof no_fp64 / sizeof no_fp64[0]; i++) parity(&no_fp64[i], 200 + i);
  parity_hooks.no_fp64 = 0;
  extreme_logits(0);
  extreme_logits(1);
  return check_report("test_opencl_parity");
}
