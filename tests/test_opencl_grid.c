/* test_opencl_grid.c: the opencl backend's cross-validation grid op (ocl_grid_sums: the kernels
 * lr_grid_rows and lr_grid_grad) against the cpu backend's (cpu_grid_sums, in double) on random
 * data, parameters and row weights:
 *
 *   - softmax (K = 3 and 10) and binary with pos_weight 1.7; N = 1037 (not a multiple of the
 *     256-row work-groups), D = 13 and 64;
 *   - m models with different held folds, one holding a fold no row is in (it validates on no
 *     rows and trains on all); rows of weight 0;
 *   - X split over several buffers by a small LOGREG_OPENCL_MAX_ALLOC (the residual blocks then
 *     hold fewer rows than a work-group), and sums in compensated float pairs (no fp64);
 *   - the same call twice is bit-identical; a smaller grid after a larger one (buffers reused).
 *
 * Bounds. Where the device has doubles, the row math and the residuals are double (the device
 * then differs from the reference in the order of its sums only): row sums (wloss, loss, s)
 * within 1e-12 relative and correct counts exact, the gradient sums of each model within 1e-12
 * in norm relative to its reference norm (measured about 1e-15). Without doubles (no_fp64, or a
 * device without them) the logits and losses are float (~sqrt(D) eps relative each), summed in
 * compensated float pairs: sums and gradients within 1e-5 (measured under 1e-7), correct counts
 * within 2 rows per model (float and double logits may order two classes differently). Row counts
 * are exact. A missing row, a wrong mask or a wrong model is off by far more: one row of 1037 moves
 * a sum by ~1e-3.
 * Exits 77 (skip) when there is no OpenCL platform. */
#include <stdlib.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl.h"
#include "check.h"
#include "logreg_hooks.h"
#include "util/util.h"
#include "vecs.h"

typedef struct shape {
  size_t n, d, k, m;
  int binary, no_fp64;
  const char *max_alloc;
} shape;

static int all_fp64 = 1; /* every OpenCL device has doubles */

static double rel_norm(const double *a, const double *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

static double rel(double a, double b) { return fabs(a - b) / (fabs(b) > 1e-30 ? fabs(b) : 1.0); }

/* Checks dev against ref for m models; returns the largest relative errors seen. */
static void compare(const lr_sums *dt, const lr_sums *dv, const double *dg, const lr_sums *rt,
                    const lr_sums *rv, const double *rg, size_t m, size_t np, int fp64,
                    double *worst_sum, double *worst_grad) {
  double tol_sum = fp64 ? 1e-12 : 1e-5, tol_grad = fp64 ? 1e-12 : 1e-5, tol_cor = fp64 ? 0 : 2;
  for (size_t j = 0; j < m; j++) {
    const lr_sums *a[2] = {&dt[j], &dv[j]}, *b[2] = {&rt[j], &rv[j]};
    for (int h = 0; h < 2; h++) {
      double e = fmax(rel(a[h]->wloss, b[h]->wloss),
                      fmax(rel(a[h]->loss, b[h]->loss), rel(a[h]->s, b[h]->s)));
      if (e > *worst_sum) *worst_sum = e;
      CHECK(e <= tol_sum);
      CHECK(fabs(a[h]->correct - b[h]->correct) <= tol_cor);
      CHECK(a[h]->rows == b[h]->rows);
    }
    double g = rel_norm(dg + j * np, rg + j * np, np);
    if (g > *worst_grad) *worst_grad = g;
    CHECK(g <= tol_grad);
  }
}

static void parity(const shape *sh, uint64_t seed) {
  size_t n = sh->n, d = sh->d, k = sh->k, kw = sh->binary ? 1 : k, np = (d + 1) * kw, m = sh->m;
  float *x = malloc(n * d * sizeof *x), *s = malloc(n * sizeof *s);
  int32_t *y = malloc(n * sizeof *y), *fold = malloc(n * sizeof *fold),
          *held = malloc(m * sizeof *held);
  double *theta = malloc(m * np * sizeof *theta), *rg = malloc(m * np * sizeof *rg),
         *dg = malloc(m * np * sizeof *dg), *dg2 = malloc(m * np * sizeof *dg2);
  lr_sums *sums = malloc(6 * m * sizeof *sums);
  lr_sums *rt = sums, *rv = rt + m, *dt = rv + m, *dv = dt + m, *dt2 = dv + m, *dv2 = dt2 + m;
  lr_rng r;
  lr_rng_seed(&r, seed);
  for (size_t i = 0; i < n * d; i++) x[i] = (float)lr_rng_normal(&r);
  for (size_t i = 0; i < n; i++) {
    y[i] = (int32_t)lr_rng_below(&r, k);
    s[i] = i % 11 == 3 ? 0.0f : (float)(0.5 + lr_rng_uniform(&r)); /* some rows weigh 0 */
    fold[i] = (int32_t)lr_rng_below(&r, 4);                        /* folds 0..3 */
  }
  /* Models hold folds 0..3 in turn, the last one fold 7, which no row is in. */
  for (size_t j = 0; j < m; j++) held[j] = j + 1 == m ? 7 : (int32_t)(j % 4);
  double scale = 1.0 / sqrt((double)(d + 1));
  for (size_t t = 0; t < m * np; t++) theta[t] = 1.5 * scale * lr_rng_normal(&r);
  const double pw = sh->binary ? 1.7 : 1.0;
  logreg_error err;
  lr_backend *cpu = NULL, *be = NULL;
  CHECK(lr_reference_backend_create(d, k, sh->binary, pw, &cpu, &err) == LOGREG_OK);
  CHECK(cpu->ops->set_data(cpu, LR_SLOT_TRAIN, x, y, s, n, &err) == LOGREG_OK);
  CHECK(cpu->ops->grid_sums(cpu, fold, m, held, theta, rt, rv, rg, &err) == LOGREG_OK);
  CHECK(rv[m - 1].rows == 0 && rt[m - 1].rows == (double)n);

  logreg_device_options dopt;
  logreg_device_options_init(&dopt);
  logreg_test_hooks hk = {0, sh->no_fp64, NULL, NULL, 0, 0};
  if (sh->max_alloc) hk.max_alloc = strtoull(sh->max_alloc, NULL, 10);
  dopt.hooks = &hk;
  logreg_status st = make_backend("opencl", "fused", d, k, sh->binary, pw, &dopt, &be, &err);
  CHECK(st == LOGREG_OK);
  if (st) {
    fprintf(stderr, "%s\n", err.message);
    goto done;
  }
  CHECK(be->ops->grid_sums != NULL);
  st = be->ops->set_data(be, LR_SLOT_TRAIN, x, y, s, n, &err);
  if (!st) st = be->ops->grid_sums(be, fold, m, held, theta, dt, dv, dg, &err);
  CHECK(st == LOGREG_OK);
  if (st) {
    fprintf(stderr, "%s\n", err.message);
    goto done;
  }
  double ws = 0, wg = 0;
  int fp64 = all_fp64 && !sh->no_fp64;
  compare(dt, dv, dg, rt, rv, rg, m, np, fp64, &ws, &wg);
  /* Again: the same bits. */
  CHECK(be->ops->grid_sums(be, fold, m, held, theta, dt2, dv2, dg2, &err) == LOGREG_OK);
  CHECK(memcmp(dt, dt2, m * sizeof *dt) == 0 && memcmp(dv, dv2, m * sizeof *dv) == 0);
  CHECK(memcmp(dg, dg2, m * np * sizeof *dg) == 0);
  /* A smaller grid: the last two models alone (the second of them holds the empty fold). */
  size_t m2 = 2, j0 = m - m2;
  CHECK(cpu->ops->grid_sums(cpu, fold, m2, held + j0, theta + j0 * np, rt, rv, rg, &err) ==
        LOGREG_OK);
  CHECK(be->ops->grid_sums(be, fold, m2, held + j0, theta + j0 * np, dt, dv, dg, &err) ==
        LOGREG_OK);
  compare(dt, dv, dg, rt, rv, rg, m2, np, fp64, &ws, &wg);
  fprintf(stderr, "  n=%zu d=%zu k=%zu m=%zu%s%s%s%s: sums rel %.2g, gradient rel %.2g\n", n, d, k,
          m, sh->binary ? " binary" : "", sh->no_fp64 ? " no-fp64" : "",
          sh->max_alloc ? " max alloc " : "", sh->max_alloc ? sh->max_alloc : "", ws, wg);
done:
  lr_backend_destroy(be);
  lr_backend_destroy(cpu);
  free(x);
  free(s);
  free(y);
  free(fold);
  free(held);
  free(theta);
  free(rg);
  free(dg);
  free(dg2);
  free(sums);
}

int main(void) {
  lr_ocl_device_info *list;
  unsigned count;
  logreg_error err;
  if (lr_ocl_list(&list, &count, &err) != LOGREG_OK || count == 0) SKIP("no OpenCL platform");
  for (unsigned i = 0; i < count; i++) all_fp64 = all_fp64 && list[i].fp64;
  free(list);
  /* 20000 bytes per buffer: X of 1037 x 13 floats in 3 buffers of 384 rows, and residual blocks
   * of 20000 / (m KW 8) rows with doubles (166 at m = 5, K = 3; 416 binary at m = 6), of
   * 20000 / (m KW 4) without; 60000 at D = 64, K = 10 (the fused path's partials need 50 KiB):
   * X in 5 buffers of 234 rows, residual blocks of 166 rows (no fp64). */
  const shape shapes[] = {
      {1037, 13, 3, 5, 0, 0, NULL},     {1037, 13, 2, 6, 1, 0, NULL},
      {1037, 64, 10, 9, 0, 0, NULL},    {1, 1, 2, 3, 0, 0, NULL},
      {1037, 13, 3, 5, 0, 0, "20000"},  {1037, 13, 2, 6, 1, 0, "20000"},
      {1037, 64, 10, 9, 0, 1, "60000"}, {1037, 13, 2, 5, 1, 1, NULL},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) parity(&shapes[i], 700 + i);
  return check_report("test_opencl_grid");
}
