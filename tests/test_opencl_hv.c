/* test_opencl_hv.c: the opencl backend's Hessian-vector product (lr_ocl_hv_host: ocl_hv, the
 * own kernels lr_hv_logits, lr_hv_rows, lr_grad_partial and lr_hv_reduce, or on the fused path
 * lr_fused_hv and lr_fused_hv_reduce) against the reference in double (lr_reference_hv), on
 * random data, parameters and directions, with row weights:
 *
 *   - binary (pos_weight 1.7) and softmax with K from 2 to 100, row counts that are not
 *     multiples of the work-group size (256), of the 256-row chunks or of the fused kernel's
 *     16-row groups, D from 1 to 784;
 *   - every path the backend's evaluations take (own, fused, tiled; the tiled path's H v runs
 *     the own kernels), after a shuffled order was set (H v reads the training slot in file
 *     order), with an evaluation before and after (H v's scratch is its own: J is unchanged);
 *   - X split over several buffers by a small LOGREG_OPENCL_MAX_ALLOC, the blocks of rows then
 *     smaller than the buffers too (K > D: a block's logits take more than its rows of X);
 *   - the same product twice is bit-identical (fixed-order sums).
 *
 * Bound: ||dev - ref|| <= 1e-4 ||ref||, the gradient's bound in test_opencl_parity: the rows
 * s_i r_i are float functions of float logits (each ~sqrt(D) eps relative), then reduced over
 * N rows in float chunks of 256 and chunks summed in double; the softmax term u_c - sum p_j u_j
 * can lose a few more bits to cancellation. The measured errors are printed.
 * Exits 77 (skip) when there is no OpenCL platform. */
#include <stdlib.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl.h"
#include "check.h"
#include "logreg_hooks.h"
#include "solve/objective.h"
#include "util/util.h"
#include "vecs.h"

typedef struct shape {
  size_t n, d, k;
  int binary;
  const char *gemm;
} shape;

static double rel_norm(const double *a, const double *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

static void parity(const shape *sh, uint64_t seed, const char *max_alloc) {
  size_t n = sh->n, d = sh->d, k = sh->k, kw = sh->binary ? 1 : k, nw = d * kw, np = nw + kw;
  float *x = malloc(n * d * sizeof *x), *s = malloc(n * sizeof *s);
  int32_t *y = malloc(n * sizeof *y);
  uint32_t *order = malloc(n * sizeof *order);
  double *theta = malloc(np * sizeof *theta), *v = malloc(np * sizeof *v),
         *ref = malloc(np * sizeof *ref), *dev = malloc(np * sizeof *dev),
         *again = malloc(np * sizeof *again);
  lr_rng r;
  lr_rng_seed(&r, seed);
  for (size_t i = 0; i < n * d; i++) x[i] = (float)lr_rng_normal(&r);
  for (size_t i = 0; i < n; i++) {
    y[i] = (int32_t)lr_rng_below(&r, k);
    s[i] = (float)(0.5 + lr_rng_uniform(&r));
    order[i] = (uint32_t)((i * 7919 + 13) % n);
  }
  double scale = 1.0 / sqrt((double)(d + 1));
  for (size_t t = 0; t < np; t++) theta[t] = 1.5 * scale * lr_rng_normal(&r);
  for (size_t t = 0; t < np; t++) v[t] = scale * lr_rng_normal(&r);
  const double pw = sh->binary ? 1.7 : 1.0;
  CHECK(lr_reference_hv(x, y, s, NULL, n, d, k, sh->binary, pw, theta, theta + nw, v, ref) == 0);

  logreg_device_options dopt;
  logreg_device_options_init(&dopt);
  logreg_test_hooks hk = {0, 0, NULL, NULL, 0, 0};
  if (max_alloc) hk.max_alloc = strtoull(max_alloc, NULL, 10);
  dopt.hooks = &hk;

  lr_backend *be = NULL;
  logreg_error err;
  logreg_status st = make_backend("opencl", sh->gemm, d, k, sh->binary, pw, &dopt, &be, &err);
  CHECK(st == LOGREG_OK);
  if (st) {
    fprintf(stderr, "%s\n", err.message);
    goto done;
  }
  lr_eval_out e1, e2;
  st = be->ops->set_data(be, LR_SLOT_TRAIN, x, y, s, n, &err);
  CHECK(st == LOGREG_OK);
  if (st) {
    fprintf(stderr, "%s\n", err.message);
    lr_backend_destroy(be);
    goto done;
  }
  CHECK(be->ops->vec_write(be, LR_VEC_THETA, theta, &err) == LOGREG_OK);
  lr_objective obj;
  lr_objective_init(&obj, be, 0.01);
  CHECK(be->ops->set_order(be, order, &err) == LOGREG_OK);
  CHECK(lr_objective_eval(&obj, LR_SLOT_TRAIN, 0, n, 1, &e1, &err) == LOGREG_OK);
  st = lr_ocl_hv_host(be, v, dev, &err);
  CHECK(st == LOGREG_OK);
  if (st) fprintf(stderr, "%s\n", err.message);
  CHECK(lr_ocl_hv_host(be, v, again, &err) == LOGREG_OK);
  CHECK(lr_objective_eval(&obj, LR_SLOT_TRAIN, 0, n, 1, &e2, &err) == LOGREG_OK);
  CHECK(e1.objective == e2.objective);
  int finite = 1, same = 1;
  for (size_t t = 0; t < np; t++) {
    finite = finite && isfinite(dev[t]);
    same = same && dev[t] == again[t];
  }
  CHECK(finite);
  CHECK(same);
  double rel = rel_norm(dev, ref, np);
  fprintf(stderr, "  n=%zu d=%zu k=%zu%s %s%s%s: Hv rel %.2g\n", n, d, k,
          sh->binary ? " binary" : "", sh->gemm, max_alloc ? " max alloc " : "",
          max_alloc ? max_alloc : "", rel);
  CHECK(rel <= 1e-4);
  lr_backend_destroy(be);
done:
  free(x);
  free(s);
  free(y);
  free(order);
  free(theta);
  free(v);
  free(ref);
  free(dev);
  free(again);
}

int main(void) {
  lr_ocl_device_info *list;
  unsigned count;
  logreg_error err;
  if (lr_ocl_list(&list, &count, &err) != LOGREG_OK || count == 0) SKIP("no OpenCL platform");
  free(list);
  /* The own kernels (own and tiled paths) and the fused one-pass kernel (fused path): K = 13
   * and 37 pad its class chunks, above 32 its class loops are not unrolled; D below 32 (8-wide
   * vectors) and not a multiple of them; N with a last group of 1 to 15 rows and, at 5003,
   * several blocks per work-item count. */
  const shape shapes[] = {
      {1, 1, 2, 0, "own"},         {513, 7, 2, 1, "own"},      {257, 7, 3, 0, "own"},
      {1000, 784, 10, 0, "own"},   {300, 7, 37, 0, "own"},     {1000, 784, 10, 0, "tiled"},
      {513, 1, 2, 1, "tiled"},     {1, 1, 2, 0, "fused"},      {257, 7, 3, 0, "fused"},
      {1000, 784, 10, 0, "fused"}, {777, 784, 2, 1, "fused"},  {299, 19, 2, 0, "fused"},
      {300, 37, 37, 0, "fused"},   {5003, 48, 13, 0, "fused"}, {1201, 64, 2, 1, "fused"},
      {700, 50, 100, 0, "fused"},  {4099, 32, 2, 0, "fused"},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) parity(&shapes[i], 500 + i, NULL);
  /* X split by a limit of 20000 bytes per buffer: 4099 x 3 floats in buffers of 1666 rows, H v's
   * blocks then of 500 rows (10 logits of 4 bytes each per row); binary 4099 x 3 (on the tiled
   * path, whose partials take 10 KiB per group at K = 10, too much for this limit) and 4099 x
   * 9 (8 buffers of 555 rows). */
  const shape split[] = {
      {4099, 3, 10, 0, "fused"}, {4099, 3, 2, 1, "tiled"}, {4099, 9, 2, 1, "fused"}};
  for (size_t i = 0; i < sizeof split / sizeof split[0]; i++) parity(&split[i], 600 + i, "20000");
  return check_report("test_opencl_hv");
}
