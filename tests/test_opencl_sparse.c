/* test_opencl_sparse.c: the opencl backend's sparse path (set_data_csr: lr_csr_logits, the row
 * kernels, lr_csc_grad over the transposed copy) against the cpu backend's CSR reference on the
 * same random rows, weights and parameters:
 *
 *   - multinomial (K = 3 and 10) and binary with pos_weight 1.7; N = 1037 and D = 301 (neither
 *     a multiple of the 256-item work-groups), rows with no nonzeros, one feature no row has;
 *   - the whole slot, then ranges of a shuffled training order (mini-batches), including one
 *     of a single row and one ending at the last row; a second order, then none; the
 *     validation slot;
 *   - Hessian-vector sums; the same evaluation twice gives the same bits.
 *
 * Bounds: the logits and residuals are float (~1e-7 relative each), the sums double (or
 * compensated float pairs): row sums (wloss, loss, s) within 1e-5 relative, correct counts
 * within 2 rows (float and double logits may order two classes differently), the gradient and
 * H v sums within 1e-5 in norm relative to the reference's norm. A row or feature dropped or
 * counted twice is off by ~1e-3. Exits 77 (skip) when there is no OpenCL platform. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "check.h"
#include "logreg_hooks.h"
#include "util/util.h"
#include "vecs.h"

static double rel_norm(const double *a, const double *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

static double rel(double a, double b) { return fabs(a - b) / (fabs(b) > 1e-30 ? fabs(b) : 1.0); }

typedef struct shape {
  size_t n, d, k;
  int binary, no_fp64;
} shape;

static double worst_sum, worst_grad, worst_hv;

static void compare(const lr_sums *a, const lr_sums *b, const double *ga, const double *gb,
                    size_t np, const char *what) {
  double e = fmax(rel(a->wloss, b->wloss), fmax(rel(a->loss, b->loss), rel(a->s, b->s)));
  if (e > worst_sum) worst_sum = e;
  CHECK(e <= 1e-5);
  CHECK(fabs(a->correct - b->correct) <= 2);
  CHECK(a->rows == b->rows);
  double g = ga ? rel_norm(ga, gb, np) : 0;
  if (g > worst_grad) worst_grad = g;
  CHECK(g <= 1e-5);
  if (e > 1e-5 || g > 1e-5) fprintf(stderr, "  %s: sums rel %.3g, gradient rel %.3g\n", what, e, g);
}

/* Random CSR rows: about `per` nonzeros a row, every 7th row empty, feature 5 never set. */
static void make_rows(lr_rng *r, size_t n, size_t d, size_t per, int64_t *indptr, int32_t **indices,
                      float **values) {
  size_t cap = n * (2 * per + 1), nnz = 0;
  *indices = malloc(cap * sizeof **indices);
  *values = malloc(cap * sizeof **values);
  indptr[0] = 0;
  for (size_t i = 0; i < n; i++) {
    if (i % 7 != 3)
      for (size_t j = 0; j < d && nnz < cap; j++) {
        if (j == 5 || lr_rng_below(r, (uint32_t)(d / per)) != 0) continue;
        (*indices)[nnz] = (int32_t)j;
        (*values)[nnz++] = (float)lr_rng_normal(r);
      }
    indptr[i + 1] = (int64_t)nnz;
  }
}

static void parity(const shape *sh, uint64_t seed) {
  size_t n = sh->n, d = sh->d, k = sh->k, kw = sh->binary ? 1 : k, np = (d + 1) * kw;
  size_t nv = n / 3 + 1;
  lr_rng r;
  lr_rng_seed(&r, seed);
  int64_t *indptr = malloc((n + 1) * sizeof *indptr), *vptr = malloc((nv + 1) * sizeof *vptr);
  int32_t *indices, *vind, *y = malloc(n * sizeof *y), *yv = malloc(nv * sizeof *yv);
  float *values, *vval, *s = malloc(n * sizeof *s);
  make_rows(&r, n, d, 12, indptr, &indices, &values);
  make_rows(&r, nv, d, 12, vptr, &vind, &vval);
  for (size_t i = 0; i < n; i++) {
    y[i] = (int32_t)lr_rng_below(&r, (uint32_t)k);
    s[i] = i % 11 == 3 ? 0.0f : (float)(0.5 + lr_rng_uniform(&r));
  }
  for (size_t i = 0; i < nv; i++) yv[i] = (int32_t)lr_rng_below(&r, (uint32_t)k);
  double *theta = malloc(np * sizeof *theta), *ga = malloc(np * sizeof *ga),
         *gb = malloc(np * sizeof *gb), *g2 = malloc(np * sizeof *g2);
  for (size_t t = 0; t < np; t++) theta[t] = 0.5 * lr_rng_normal(&r);
  uint32_t *order = malloc(n * sizeof *order);
  for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
  for (size_t i = n; i > 1; i--) {
    size_t j = lr_rng_below(&r, (uint32_t)i), t = order[i - 1];
    order[i - 1] = order[j];
    order[j] = (uint32_t)t;
  }
  const double pw = sh->binary ? 1.7 : 1.0;
  logreg_error err;
  lr_backend *cpu = NULL, *be = NULL;
  CHECK(lr_reference_backend_create(d, k, sh->binary, pw, &cpu, &err) == LOGREG_OK);
  CHECK(cpu->ops->set_data_csr(cpu, LR_SLOT_TRAIN, indptr, indices, values, y, s, n, &err) ==
        LOGREG_OK);
  CHECK(cpu->ops->set_data_csr(cpu, LR_SLOT_VAL, vptr, vind, vval, yv, NULL, nv, &err) ==
        LOGREG_OK);
  CHECK(cpu->ops->vec_write(cpu, LR_VEC_THETA, theta, &err) == LOGREG_OK);

  logreg_device_options dopt;
  logreg_device_options_init(&dopt);
  logreg_test_hooks hk = {0, sh->no_fp64, NULL, NULL, 0, 0};
  dopt.hooks = &hk;
  logreg_status st = make_backend("opencl", NULL, d, k, sh->binary, pw, &dopt, &be, &err);
  CHECK(st == LOGREG_OK);
  if (!st) CHECK(be->ops->set_data_csr != NULL);
  if (!st) st = be->ops->set_data_csr(be, LR_SLOT_TRAIN, indptr, indices, values, y, s, n, &err);
  if (!st) st = be->ops->set_data_csr(be, LR_SLOT_VAL, vptr, vind, vval, yv, NULL, nv, &err);
  if (!st) st = be->ops->vec_write(be, LR_VEC_THETA, theta, &err);
  CHECK(st == LOGREG_OK);
  if (st) {
    fprintf(stderr, "%s\n", err.message);
    goto done;
  }
  const int want = LR_WANT_SUMS | LR_WANT_GRAD;
  lr_sums a, b, a2;
  /* The whole slot in file order, twice: the same bits. */
  CHECK(cpu->ops->sums(cpu, LR_SLOT_TRAIN, 0, n, want, &b, &err) == LOGREG_OK);
  CHECK(cpu->ops->vec_read(cpu, LR_VEC_GSUM, gb, &err) == LOGREG_OK);
  CHECK(be->ops->sums(be, LR_SLOT_TRAIN, 0, n, want, &a, &err) == LOGREG_OK);
  CHECK(be->ops->vec_read(be, LR_VEC_GSUM, ga, &err) == LOGREG_OK);
  compare(&a, &b, ga, gb, np, "whole slot");
  CHECK(be->ops->sums(be, LR_SLOT_TRAIN, 0, n, want, &a2, &err) == LOGREG_OK);
  CHECK(be->ops->vec_read(be, LR_VEC_GSUM, g2, &err) == LOGREG_OK);
  CHECK(memcmp(&a, &a2, sizeof a) == 0 && memcmp(ga, g2, np * sizeof *ga) == 0);
  /* The validation slot, sums only. */
  CHECK(cpu->ops->sums(cpu, LR_SLOT_VAL, 0, nv, LR_WANT_SUMS, &b, &err) == LOGREG_OK);
  CHECK(be->ops->sums(be, LR_SLOT_VAL, 0, nv, LR_WANT_SUMS, &a, &err) == LOGREG_OK);
  compare(&a, &b, NULL, NULL, np, "validation slot");
  /* Ranges of a shuffled order. */
  CHECK(cpu->ops->set_order(cpu, order, &err) == LOGREG_OK);
  CHECK(be->ops->set_order(be, order, &err) == LOGREG_OK);
  size_t ranges[][2] = {{0, n}, {0, 256}, {300, 77}, {n - 1, 1}, {n - 200, 200}};
  for (size_t q = 0; q < sizeof ranges / sizeof ranges[0]; q++) {
    CHECK(cpu->ops->sums(cpu, LR_SLOT_TRAIN, ranges[q][0], ranges[q][1], want, &b, &err) ==
          LOGREG_OK);
    CHECK(cpu->ops->vec_read(cpu, LR_VEC_GSUM, gb, &err) == LOGREG_OK);
    CHECK(be->ops->sums(be, LR_SLOT_TRAIN, ranges[q][0], ranges[q][1], want, &a, &err) ==
          LOGREG_OK);
    CHECK(be->ops->vec_read(be, LR_VEC_GSUM, ga, &err) == LOGREG_OK);
    char what[64];
    snprintf(what, sizeof what, "range %zu+%zu", ranges[q][0], ranges[q][1]);
    compare(&a, &b, ga, gb, np, what);
  }
  /* A second order (reversed), then none again: each range against the reference. */
  for (size_t i = 0; i < n / 2; i++) {
    uint32_t t = order[i];
    order[i] = order[n - 1 - i];
    order[n - 1 - i] = t;
  }
  for (int q = 0; q < 2; q++) {
    CHECK(cpu->ops->set_order(cpu, q ? NULL : order, &err) == LOGREG_OK);
    CHECK(be->ops->set_order(be, q ? NULL : order, &err) == LOGREG_OK);
    CHECK(cpu->ops->sums(cpu, LR_SLOT_TRAIN, 100, 333, want, &b, &err) == LOGREG_OK);
    CHECK(cpu->ops->vec_read(cpu, LR_VEC_GSUM, gb, &err) == LOGREG_OK);
    CHECK(be->ops->sums(be, LR_SLOT_TRAIN, 100, 333, want, &a, &err) == LOGREG_OK);
    CHECK(be->ops->vec_read(be, LR_VEC_GSUM, ga, &err) == LOGREG_OK);
    compare(&a, &b, ga, gb, np, q ? "range 100+333, file order" : "range 100+333, reversed");
  }
  /* Hessian-vector sums along a random direction (whole slot, file order). */
  double *v = malloc(np * sizeof *v);
  for (size_t t = 0; t < np; t++) v[t] = lr_rng_normal(&r);
  CHECK(cpu->ops->vec_write(cpu, LR_VEC_M1, v, &err) == LOGREG_OK);
  CHECK(be->ops->vec_write(be, LR_VEC_M1, v, &err) == LOGREG_OK);
  CHECK(be->ops->hv != NULL);
  CHECK(cpu->ops->hv(cpu, LR_VEC_M1, LR_VEC_M2, &err) == LOGREG_OK);
  st = be->ops->hv(be, LR_VEC_M1, LR_VEC_M2, &err);
  CHECK(st == LOGREG_OK);
  if (st) fprintf(stderr, "%s\n", err.message);
  CHECK(cpu->ops->vec_read(cpu, LR_VEC_M2, gb, &err) == LOGREG_OK);
  CHECK(be->ops->vec_read(be, LR_VEC_M2, ga, &err) == LOGREG_OK);
  double h = rel_norm(ga, gb, np);
  if (h > worst_hv) worst_hv = h;
  CHECK(h <= 1e-5);
  free(v);
  fprintf(stderr, "  n=%zu d=%zu k=%zu%s%s: nnz %lld\n", n, d, k, sh->binary ? " binary" : "",
          sh->no_fp64 ? " no-fp64" : "", (long long)indptr[n]);
done:
  lr_backend_destroy(be);
  lr_backend_destroy(cpu);
  free(indptr);
  free(vptr);
  free(indices);
  free(vind);
  free(values);
  free(vval);
  free(y);
  free(yv);
  free(s);
  free(theta);
  free(ga);
  free(gb);
  free(g2);
  free(order);
}

int main(void) {
  lr_ocl_device_info *list;
  unsigned count;
  logreg_error err;
  if (lr_ocl_list(&list, &count, &err) != LOGREG_OK || count == 0) SKIP("no OpenCL platform");
  free(list);
  const shape shapes[] = {
      {1037, 301, 3, 0, 0},
      {1037, 301, 2, 1, 0},
      {1037, 301, 10, 0, 1},
      {1037, 301, 2, 1, 1},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) parity(&shapes[i], 900 + i);
  fprintf(stderr, "  worst: sums rel %.3g, gradient rel %.3g, H v rel %.3g\n", worst_sum,
          worst_grad, worst_hv);
  return check_report("test_opencl_sparse");
}
