/* test_sparse.c: sparse rows (CSR) against the dense reference on the same rows densified here.
 * lr_reference_sums_csr and lr_reference_hv_csr equal lr_reference_sums and lr_reference_hv bit
 * for bit (the absent entries only add zeros), for multinomial and binary (pos_weight) models,
 * over a subset of rows in a shuffled order; the cpu backend fed through set_data_csr gives the
 * sums, gradient sums and Hessian-vector sums of set_data on the dense rows, ranged evaluations
 * included, whatever threads either backend's passes run on (1 to 5 here: the same bits); the
 * sparse scaler is scikit-learn's StandardScaler(with_mean=False) and
 * MaxAbsScaler written out here; a sparse dataset's row subset keeps its rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "check.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "util/util.h"
#include "vecs.h"

enum { N = 31, D = 13, K = 3 }; /* D: a prime, no block size divides it */

/* Random CSR rows: each entry nonzero with probability 1/4, row 4 and row 17 all zeros. */
static size_t make_rows(lr_rng *r, int64_t *indptr, int32_t *indices, float *values, float *dense) {
  size_t nnz = 0;
  memset(dense, 0, sizeof(float) * N * D);
  indptr[0] = 0;
  for (size_t i = 0; i < N; i++) {
    for (size_t j = 0; j < D; j++) {
      if (i == 4 || i == 17 || lr_rng_below(r, 4) != 0) continue;
      float v = (float)lr_rng_normal(r);
      if (v == 0) continue;
      indices[nnz] = (int32_t)j;
      values[nnz++] = v;
      dense[i * D + j] = v;
    }
    indptr[i + 1] = (int64_t)nnz;
  }
  return nnz;
}

static int same_bits(const double *a, const double *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i] && !(isnan(a[i]) && isnan(b[i]))) return 0;
  return 1;
}

static void test_reference(void) {
  lr_rng r;
  lr_rng_seed(&r, 2024);
  int64_t indptr[N + 1];
  int32_t indices[N * D];
  float values[N * D], dense[N * D], s[N];
  int32_t y[N];
  size_t nnz = make_rows(&r, indptr, indices, values, dense);
  CHECK(nnz > 0 && nnz < N * D / 2);
  for (size_t i = 0; i < N; i++) y[i] = (int32_t)lr_rng_below(&r, K), s[i] = (float)(1 + i % 3);
  lr_csr csr = {indptr, indices, values};
  uint32_t rows[20];
  for (size_t t = 0; t < 20; t++) rows[t] = (uint32_t)((t * 7 + 3) % N); /* distinct, shuffled */
  for (int binary = 0; binary <= 1; binary++) {
    size_t kw = binary ? 1 : K, np = (D + 1) * kw;
    int32_t yb[N];
    for (size_t i = 0; i < N; i++) yb[i] = binary ? y[i] % 2 : y[i];
    double pw = binary ? 2.5 : 1.0;
    double w[(D + 1) * K], v[(D + 1) * K];
    for (size_t q = 0; q < np; q++) w[q] = lr_rng_normal(&r), v[q] = lr_rng_normal(&r);
    const double *b = w + D * kw;
    lr_sums a, c;
    double ga[(D + 1) * K], gc[(D + 1) * K], ha[(D + 1) * K], hc[(D + 1) * K];
    for (int subset = 0; subset <= 1; subset++) {
      const uint32_t *rw = subset ? rows : NULL;
      size_t m = subset ? 20 : N;
      CHECK(lr_reference_sums(dense, yb, s, rw, m, D, K, binary, pw, w, b, &a, ga, ga + D * kw) ==
            0);
      CHECK(lr_reference_sums_csr(&csr, yb, s, rw, m, D, K, binary, pw, w, b, &c, gc,
                                  gc + D * kw) == 0);
      CHECK(a.wloss == c.wloss && a.loss == c.loss && a.correct == c.correct && a.s == c.s &&
            a.rows == c.rows);
      CHECK(same_bits(ga, gc, np));
      CHECK(lr_reference_hv(dense, yb, s, rw, m, D, K, binary, pw, w, b, v, ha) == 0);
      CHECK(lr_reference_hv_csr(&csr, yb, s, rw, m, D, K, binary, pw, w, b, v, hc) == 0);
      CHECK(same_bits(ha, hc, np));
    }
  }
}

/* The reference backend: set_data_csr against set_data on the densified rows. */
/* The reference on dense rows with td threads and on CSR rows with ts threads (its passes
 * split the rows, then the columns: the same bits at any count). */
static void test_backend(unsigned td, unsigned ts) {
  lr_rng r;
  lr_rng_seed(&r, 77);
  int64_t indptr[N + 1];
  int32_t indices[N * D];
  float values[N * D], dense[N * D], s[N];
  int32_t y[N];
  make_rows(&r, indptr, indices, values, dense);
  for (size_t i = 0; i < N; i++) y[i] = (int32_t)lr_rng_below(&r, K), s[i] = (float)(1 + i % 2);
  lr_backend *bd = NULL, *bs = NULL;
  logreg_error err;
  CHECK(make_backend("reference", NULL, D, K, 0, 1.0, NULL, &bd, &err) == LOGREG_OK);
  CHECK(make_backend("reference", NULL, D, K, 0, 1.0, NULL, &bs, &err) == LOGREG_OK);
  if (!bd || !bs) {
    lr_backend_destroy(bd);
    lr_backend_destroy(bs);
    return;
  }
  lr_backend_threads(bd, td);
  lr_backend_threads(bs, ts);
  CHECK(bs->ops->set_data_csr != NULL);
  CHECK(bd->ops->set_data(bd, LR_SLOT_TRAIN, dense, y, s, N, &err) == LOGREG_OK);
  CHECK(bs->ops->set_data_csr(bs, LR_SLOT_TRAIN, indptr, indices, values, y, s, N, &err) ==
        LOGREG_OK);
  size_t np = bd->nparam;
  double theta[(D + 1) * K], gd[(D + 1) * K], gs[(D + 1) * K];
  for (size_t q = 0; q < np; q++) theta[q] = 0.3 * lr_rng_normal(&r);
  CHECK(bd->ops->vec_write(bd, LR_VEC_THETA, theta, &err) == LOGREG_OK);
  CHECK(bs->ops->vec_write(bs, LR_VEC_THETA, theta, &err) == LOGREG_OK);
  uint32_t order[N];
  for (size_t i = 0; i < N; i++) order[i] = (uint32_t)((i * 11 + 5) % N);
  CHECK(bd->ops->set_order(bd, order, &err) == LOGREG_OK);
  CHECK(bs->ops->set_order(bs, order, &err) == LOGREG_OK);
  /* The whole slot, then a mini-batch range of the order. */
  size_t ranges[2][2] = {{0, N}, {7, 9}};
  for (int q = 0; q < 2; q++) {
    lr_sums a, c;
    int want = LR_WANT_SUMS | LR_WANT_GRAD;
    CHECK(bd->ops->sums(bd, LR_SLOT_TRAIN, ranges[q][0], ranges[q][1], want, &a, &err) ==
          LOGREG_OK);
    CHECK(bs->ops->sums(bs, LR_SLOT_TRAIN, ranges[q][0], ranges[q][1], want, &c, &err) ==
          LOGREG_OK);
    CHECK(a.wloss == c.wloss && a.loss == c.loss && a.correct == c.correct && a.s == c.s);
    CHECK(bd->ops->vec_read(bd, LR_VEC_GSUM, gd, &err) == LOGREG_OK);
    CHECK(bs->ops->vec_read(bs, LR_VEC_GSUM, gs, &err) == LOGREG_OK);
    CHECK(same_bits(gd, gs, np));
  }
  /* Hessian-vector sums along the gradient sums. */
  CHECK(bd->ops->hv(bd, LR_VEC_GSUM, LR_VEC_M1, &err) == LOGREG_OK);
  CHECK(bs->ops->hv(bs, LR_VEC_GSUM, LR_VEC_M1, &err) == LOGREG_OK);
  CHECK(bd->ops->vec_read(bd, LR_VEC_M1, gd, &err) == LOGREG_OK);
  CHECK(bs->ops->vec_read(bs, LR_VEC_M1, gs, &err) == LOGREG_OK);
  CHECK(same_bits(gd, gs, np));
  /* The Hessian's diagonal (Newton-CG's preconditioner). */
  CHECK(bd->ops->hdiag(bd, LR_VEC_M2, &err) == LOGREG_OK);
  CHECK(bs->ops->hdiag(bs, LR_VEC_M2, &err) == LOGREG_OK);
  CHECK(bd->ops->vec_read(bd, LR_VEC_M2, gd, &err) == LOGREG_OK);
  CHECK(bs->ops->vec_read(bs, LR_VEC_M2, gs, &err) == LOGREG_OK);
  CHECK(same_bits(gd, gs, np));
  lr_backend_destroy(bd);
  lr_backend_destroy(bs);
}

/* The scalers and the row subset of a sparse dataset. */
static void test_scaler_subset(void) {
  lr_rng r;
  lr_rng_seed(&r, 5);
  int64_t indptr[N + 1];
  int32_t indices[N * D];
  float values[N * D], dense[N * D];
  size_t nnz = make_rows(&r, indptr, indices, values, dense);
  logreg_dataset *ds = lr_dataset_alloc_csr(N, D, nnz, 1);
  CHECK(ds != NULL);
  if (!ds) return;
  memcpy(ds->indptr, indptr, sizeof indptr);
  memcpy(ds->indices, indices, nnz * sizeof *indices);
  memcpy(ds->values, values, nnz * sizeof *values);
  for (size_t i = 0; i < N; i++) ds->y[i] = (int32_t)(i % K);
  double mean[D], sd[D];
  lr_column_scale_other(ds, LOGREG_SCALE_STD, NULL, mean, sd);
  for (size_t j = 0; j < D; j++) {
    double mu = 0, var = 0, amax = 0;
    for (size_t i = 0; i < N; i++) mu += dense[i * D + j];
    mu /= N;
    for (size_t i = 0; i < N; i++) {
      var += (dense[i * D + j] - mu) * (dense[i * D + j] - mu);
      amax = fmax(amax, fabs((double)dense[i * D + j]));
    }
    double want = sqrt(var / N);
    CHECK(mean[j] == 0);
    CHECK_CLOSE(sd[j], want > 0 ? want : 1.0, 1e-14);
    double mx[D], ax[D];
    lr_column_scale_other(ds, LOGREG_SCALE_MAXABS, NULL, mx, ax);
    CHECK(mx[j] == 0 && ax[j] == (amax > 0 ? amax : 1.0));
  }
  lr_column_scale_other(ds, LOGREG_SCALE_NONE, NULL, mean, sd);
  for (size_t j = 0; j < D; j++) CHECK(mean[j] == 0 && sd[j] == 1);

  size_t idx[3] = {17, 2, 30};
  logreg_dataset *sub = lr_dataset_subset(ds, idx, 3);
  CHECK(sub && lr_dataset_sparse(sub) && sub->n == 3 && sub->d == D);
  float *x = sub ? lr_dataset_dense(sub) : NULL;
  CHECK(x != NULL);
  for (size_t t = 0; x && t < 3; t++) {
    CHECK(memcmp(x + t * D, dense + idx[t] * D, D * sizeof *x) == 0);
    CHECK(sub->y[t] == (int32_t)(idx[t] % K));
  }
  if (sub) CHECK(sub->indptr[1] == 0 && sub->nnz == (size_t)sub->indptr[3]);
  free(x);
  logreg_dataset_free(sub);
  logreg_dataset_free(ds);
}

/* Rows for test_unused_columns: k classes; training rows use only the columns j < 30 with
 * j % 3 != 2 (`train`), validation rows any of the 40; each entry nonzero with probability
 * 1/2, shifted by the class so that the classes are learnable. */
enum { UN = 60, UD = 40, UK = 3 };
static void unused_rows(lr_rng *r, int train, size_t k, int64_t *indptr, int32_t *indices,
                        float *values, float *dense, int32_t *y) {
  size_t nnz = 0;
  memset(dense, 0, sizeof(float) * UN * UD);
  indptr[0] = 0;
  for (size_t i = 0; i < UN; i++) {
    y[i] = (int32_t)lr_rng_below(r, k);
    for (size_t j = 0; j < UD; j++) {
      if ((train && (j >= 30 || j % 3 == 2)) || lr_rng_below(r, 2) != 0) continue;
      float v = (float)(lr_rng_normal(r) + (double)y[i] * (j % 2 ? 0.5 : -0.5));
      if (v == 0) continue;
      indices[nnz] = (int32_t)j;
      values[nnz++] = v;
      dense[i * UD + j] = v;
    }
    indptr[i + 1] = (int64_t)nnz;
  }
}

/* Sparse training renumbers the columns that training rows use (train.c compact_columns: the
 * backend sees 20 of 40 here) and drops the validation entries in the others. The result must
 * be the dense path's on the same rows densified (every column kept there): the objective, the
 * validation loss, the raw weights (0 in every unused column, exactly), for L-BFGS and
 * Newton-CG, binary and multinomial, with the raw-weight penalty and without an intercept (the
 * penalty and mask arrays are renumbered too). MaxAbs scaling: the same scaler on both. The
 * two agree bit for bit here (the sums skip or add the same zeros in the same order), but the
 * check allows rounding. */
static void test_unused_columns(void) {
  lr_rng r;
  lr_rng_seed(&r, 7);
  static int64_t tp[UN + 1], vp[UN + 1];
  static int32_t ti[UN * UD], vi[UN * UD], ty[UN], vy[UN];
  static float tx[UN * UD], vx[UN * UD], td[UN * UD], vd[UN * UD];
  for (int binary = 0; binary < 2; binary++) {
    size_t k = binary ? 2 : UK, kw = binary ? 1 : UK;
    unused_rows(&r, 1, k, tp, ti, tx, td, ty);
    unused_rows(&r, 0, k, vp, vi, vx, vd, vy);
    logreg_error err;
    logreg_dataset *ts = NULL, *vs = NULL, *tdn = NULL, *vdn = NULL;
    CHECK(logreg_dataset_from_csr(UN, UD, tp, ti, tx, LOGREG_FLOAT32, ty, k, NULL, NULL, &ts,
                                  &err) == LOGREG_OK);
    CHECK(logreg_dataset_from_csr(UN, UD, vp, vi, vx, LOGREG_FLOAT32, vy, k, NULL, NULL, &vs,
                                  &err) == LOGREG_OK);
    CHECK(logreg_dataset_from_arrays(UN, UD, td, ty, k, NULL, NULL, &tdn, &err) == LOGREG_OK);
    CHECK(logreg_dataset_from_arrays(UN, UD, vd, vy, k, NULL, NULL, &vdn, &err) == LOGREG_OK);
    for (int c = 0; ts && vs && tdn && vdn && c < 4; c++) {
      logreg_params p;
      logreg_params_init(&p);
      p.optimizer = c & 1 ? LOGREG_OPTIMIZER_NEWTON : LOGREG_OPTIMIZER_LBFGS;
      p.binary = binary;
      p.raw_penalty = c >= 2;
      p.no_intercept = c == 3;
      p.scale = LOGREG_SCALE_MAXABS;
      p.device = "cpu";
      p.C = 1.0;
      p.tol = 1e-11;
      p.epochs = 500;
      logreg_model *ms = NULL, *md = NULL;
      logreg_train_result rs, rd;
      CHECK(logreg_train(ts, vs, &p, &ms, &rs, &err) == LOGREG_OK);
      CHECK(logreg_train(tdn, vdn, &p, &md, &rd, &err) == LOGREG_OK);
      if (!ms || !md) {
        fprintf(stderr, "unused columns, binary %d, case %d: %s\n", binary, c, err.message);
        logreg_model_free(ms);
        logreg_model_free(md);
        continue;
      }
      double ws[UD * UK], bs[UK], wd[UD * UK], bd[UK], dw = 0, zero = 0;
      logreg_model_raw_weights(ms, ws, bs);
      logreg_model_raw_weights(md, wd, bd);
      for (size_t q = 0; q < UD * kw; q++) {
        dw = fmax(dw, fabs(ws[q] - wd[q]));
        size_t j = q / kw;
        if (j >= 30 || j % 3 == 2) zero = fmax(zero, fabs(ws[q]) + fabs(wd[q]));
      }
      for (size_t q = 0; q < kw; q++) dw = fmax(dw, fabs(bs[q] - bd[q]));
      double dj = fabs(rs.objective - rd.objective) / rd.objective;
      double dv = fabs(rs.val_loss - rd.val_loss) / rd.val_loss;
      if (!(dj < 1e-12 && dv < 1e-9 && dw < 1e-6 && zero == 0 && rs.epochs_run > 2)) {
        fprintf(stderr,
                "unused columns, binary %d, case %d: J %.3g, val loss %.3g, weights %.3g apart; "
                "unused %.3g; %d iterations\n",
                binary, c, dj, dv, dw, zero, rs.epochs_run);
        check_failures_++;
      }
      logreg_model_free(ms);
      logreg_model_free(md);
    }
    logreg_dataset_free(ts);
    logreg_dataset_free(vs);
    logreg_dataset_free(tdn);
    logreg_dataset_free(vdn);
  }
}

/* Cross-validation of sparse rows (the cpu backend's CSR grid: model by model, in row order)
 * against the dense grid (blocks of rows, every model in one pass) on the same rows
 * densified, for --scale maxabs and none (neither centres, so both see the same numbers):
 * every fold model's objective, validation loss and accuracy, and the folds drawn. */
static void test_cv(void) {
  lr_rng r;
  lr_rng_seed(&r, 11);
  static int64_t tp[UN + 1];
  static int32_t ti[UN * UD], ty[UN], fs[UN], fd[UN];
  static float tx[UN * UD], td[UN * UD];
  unused_rows(&r, 0, UK, tp, ti, tx, td, ty);
  logreg_error err;
  logreg_dataset *ts = NULL, *tdn = NULL;
  CHECK(logreg_dataset_from_csr(UN, UD, tp, ti, tx, LOGREG_FLOAT32, ty, UK, NULL, NULL, &ts,
                                &err) == LOGREG_OK);
  CHECK(logreg_dataset_from_arrays(UN, UD, td, ty, UK, NULL, NULL, &tdn, &err) == LOGREG_OK);
  const double Cs[3] = {0.1, 1.0, 10.0};
  enum { G = 3, F = 4 };
  for (int scale = 0; ts && tdn && scale < 2; scale++) {
    logreg_params p;
    logreg_params_init(&p);
    p.device = "cpu";
    p.scale = scale ? LOGREG_SCALE_NONE : LOGREG_SCALE_MAXABS;
    p.tol = 1e-9;
    p.epochs = 1000;
    logreg_cv_options o = {Cs, G, 1, F, NULL, 0, 0, 0, NULL, NULL};
    logreg_cv_model ms[G * F], md[G * F];
    logreg_cv_result rs, rd;
    CHECK(logreg_cv(ts, &p, &o, ms, fs, &rs, &err) == LOGREG_OK);
    CHECK(logreg_cv(tdn, &p, &o, md, fd, &rd, &err) == LOGREG_OK);
    CHECK(memcmp(fs, fd, sizeof fs) == 0);
    double dj = 0, dv = 0, da = 0;
    for (size_t q = 0; q < G * F; q++) {
      dj = fmax(dj, fabs(ms[q].objective - md[q].objective) / md[q].objective);
      dv = fmax(dv, fabs(ms[q].val_loss - md[q].val_loss) / md[q].val_loss);
      da = fmax(da, fabs(ms[q].val_accuracy - md[q].val_accuracy));
    }
    if (!(dj < 1e-9 && dv < 1e-6 && da == 0 && rs.passes > 10)) {
      fprintf(stderr,
              "cv, scale %d: objectives %.3g, val losses %.3g, accuracies %.3g apart; %ld passes\n",
              scale, dj, dv, da, rs.passes);
      check_failures_++;
    }
  }
  logreg_dataset_free(ts);
  logreg_dataset_free(tdn);
}

int main(void) {
  test_reference();
  test_backend(1, 3);
  test_backend(4, 1);
  test_backend(2, 5);
  test_scaler_subset();
  test_unused_columns();
  test_cv();
  return check_report("test_sparse");
}
