/* test_stats.c: the inference statistics' algebra and their invariants (logreg_model_stats).
 * - linalg.c: a Cholesky factor reproduces its matrix, solves and inverts it; a dependent
 *   column is marked and the rest factor as without it; the normal and chi-squared tails match
 *   scipy's (norm.sf, chi2.sf) to 1e-12 relative, 1e-240 included.
 * - logreg_model_stats on an unpenalized fit: the standard errors are the square roots of the
 *   covariance's diagonal; z = coef / std_err; the interval is coef -+ 1.96 std_err; rescaling
 *   a feature (x -> 10 x + 3) rescales its coefficient and standard error by 1/10 and leaves the
 *   features' z and p-values and the log-likelihood as they were, to the float32 rounding of the
 *   rescaled column (the statistics live in the data's units; the intercept's move with the
 *   offset); a duplicated feature is COLLINEAR and names both,
 *   a penalized fit PENALIZED with no arrays; unlabelled or mismatched data is an error.
 * The agreement with statsmodels itself is tests/cli_show.sh's. */
#include "check.h"
#include "model/linalg.h"

static void test_linalg(void) {
  /* A = B B^T + I for a fixed B: symmetric positive definite. */
  enum { N = 5 };
  double a[N * N], l[N * N], inv[N * N], work[N], x[N];
  unsigned char dep[N];
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double s = i == j ? 1.0 : 0.0;
      for (int k = 0; k < 3; k++) s += sin(1.0 + i + 3.0 * k) * sin(1.0 + j + 3.0 * k);
      a[i * N + j] = s;
    }
  memcpy(l, a, sizeof a);
  CHECK(lr_chol(l, N, 1e-12, dep) == 0);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double s = 0.0;
      for (int k = 0; k < N; k++) s += l[i * N + k] * l[j * N + k];
      CHECK_CLOSE(s, a[i * N + j], 1e-14);
      if (j > i) CHECK(l[i * N + j] == 0.0);
    }
  for (int i = 0; i < N; i++) x[i] = i + 1.0;
  lr_chol_solve(l, N, N, dep, x);
  for (int i = 0; i < N; i++) {
    double s = 0.0;
    for (int k = 0; k < N; k++) s += a[i * N + k] * x[k];
    CHECK_CLOSE(s, i + 1.0, 1e-13);
  }
  lr_chol_inverse(l, N, dep, inv, work);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double s = 0.0;
      for (int k = 0; k < N; k++) s += a[i * N + k] * inv[k * N + j];
      CHECK_CLOSE(s, i == j ? 1.0 : 0.0, 1e-13);
    }
  /* Column 3 := column 1 + 2 column 2 (and the row likewise): dependent, the others factor. */
  double b[N * N];
  memcpy(b, a, sizeof a);
  for (int i = 0; i < N; i++) b[i * N + 3] = a[i * N + 1] + 2 * a[i * N + 2];
  for (int j = 0; j < N; j++) b[3 * N + j] = b[1 * N + j] + 2 * b[2 * N + j];
  CHECK(lr_chol(b, N, 1e-10, dep) == 1);
  CHECK(dep[3] == 1 && dep[0] == 0 && dep[4] == 0);
  for (int i = 0; i < N; i++) CHECK(b[i * N + 3] == 0.0);
  /* scipy.stats: 2 norm.sf(z), chi2.sf(x, df). */
  CHECK_CLOSE(lr_normal_two_sided(1.959963984540054), 0.05, 1e-14);
  CHECK_CLOSE(lr_normal_two_sided(-13.26) / 3.948957728766948e-40, 1.0, 1e-12);
  static const double chi[][3] = {{3.84145882069412, 1, 0.05000000000000028},
                                  {10, 4, 0.04042768199451279},
                                  {0.5, 7, 0.9994464813904249},
                                  {1300, 48, 1.0202815399268212e-240},
                                  {2.0, 2, 0.36787944117144245},
                                  {60, 60, 0.4757169861063199}};
  for (size_t i = 0; i < sizeof chi / sizeof chi[0]; i++)
    CHECK_CLOSE(lr_chi2_sf(chi[i][0], chi[i][1]) / chi[i][2], 1.0, 1e-12);
  CHECK(lr_chi2_sf(0.0, 3) == 1.0);
}

/* Two overlapping classes on 3 features (the third, when `scaled`, is 10 x + 3; when `dup`, a
 * fourth column repeats the first). */
static logreg_dataset *make_data(int scaled, int dup) {
  enum { N = 400 };
  const size_t n = N;
  size_t d = dup ? 4 : 3;
  float *x = malloc(N * d * sizeof *x);
  int32_t y[N];
  uint64_t s = 12345;
  for (size_t i = 0; i < n; i++) {
    double v[3];
    for (int j = 0; j < 3; j++) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      v[j] = (double)(s >> 11) / 9007199254740992.0 * 4.0 - 2.0;
    }
    y[i] = (int32_t)(v[0] - 0.5 * v[1] + 0.3 * v[2] + sin(7.0 * (double)i) > 0);
    x[i * d + 0] = (float)v[0];
    x[i * d + 1] = (float)v[1];
    x[i * d + 2] = (float)(scaled ? 10.0 * v[2] + 3.0 : v[2]);
    if (dup) x[i * d + 3] = (float)v[0];
  }
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(n, d, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
  free(x);
  return ds;
}

static logreg_model *fit(const logreg_dataset *ds, double C) {
  logreg_params p;
  logreg_params_init(&p);
  p.binary = 1;
  p.C = C;
  p.tol = 1e-11;
  p.epochs = 10000;
  p.device = "cpu";
  logreg_model *m = NULL;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  return m;
}

static void test_stats(void) {
  logreg_dataset *a = make_data(0, 0), *b = make_data(1, 0), *c = make_data(0, 1);
  logreg_model *ma = fit(a, INFINITY), *mb = fit(b, INFINITY), *mc = fit(c, INFINITY);
  logreg_model *mp = fit(a, 1.0);
  logreg_stats sa, sb, sc, sp;
  logreg_error err;
  CHECK(logreg_model_stats(ma, a, &sa, &err) == LOGREG_OK && sa.verdict == LOGREG_STATS_VALID);
  CHECK(logreg_model_stats(mb, b, &sb, &err) == LOGREG_OK && sb.verdict == LOGREG_STATS_VALID);
  CHECK(sa.vectors == 1 && sa.terms == 4 && sa.term_feature[0] == -1 && sa.term_feature[3] == 2);
  CHECK(sa.rows == 400 && sa.rows_used == 400 && sa.df_model == 3 && sa.max_gradient < 1e-8);
  for (size_t q = 0; sa.std_err && sb.std_err && q < 4; q++) {
    CHECK_CLOSE(sa.std_err[q], sqrt(sa.cov[q * 4 + q]), 1e-15);
    CHECK_CLOSE(sa.z[q], sa.coef[q] / sa.std_err[q], 1e-15);
    CHECK_CLOSE(sa.ci_low[q], sa.coef[q] - 1.959963984540054 * sa.std_err[q], 1e-14);
    CHECK_CLOSE(sa.ci_high[q], sa.coef[q] + 1.959963984540054 * sa.std_err[q], 1e-14);
    if (q == 0) continue; /* the intercept moves with the offset */
    CHECK_CLOSE(sb.z[q] / sa.z[q], 1.0, 1e-6);
    CHECK_CLOSE(sb.p_value[q] / sa.p_value[q], 1.0, 1e-5);
  }
  if (sa.std_err && sb.std_err) {
    CHECK_CLOSE(sb.coef[3] * 10.0 / sa.coef[3], 1.0, 1e-6);
    CHECK_CLOSE(sb.std_err[3] * 10.0 / sa.std_err[3], 1.0, 1e-6);
    CHECK_CLOSE(sb.log_likelihood / sa.log_likelihood, 1.0, 1e-8);
    CHECK(sa.ll_null < sa.log_likelihood && sa.pseudo_r2 > 0 && sa.pseudo_r2 < 1);
  }
  CHECK(logreg_model_stats(mc, c, &sc, &err) == LOGREG_OK && sc.verdict == LOGREG_STATS_COLLINEAR);
  CHECK(sc.n_involved == 2 && sc.involved[0] == 0 && sc.involved[1] == 3 && !sc.std_err);
  CHECK(strstr(sc.message, "\"x0\", \"x3\"") != NULL);
  CHECK(logreg_model_stats(mp, a, &sp, &err) == LOGREG_OK && sp.verdict == LOGREG_STATS_PENALIZED);
  CHECK(!sp.std_err && !sp.cov && sp.coef && strstr(sp.message, "'C' inf"));
  /* Errors: the model's features and classes, labels. */
  logreg_stats se;
  CHECK(logreg_model_stats(ma, c, &se, &err) == LOGREG_EINVAL);
  CHECK(strstr(err.message, "4 features") != NULL);
  logreg_stats_free(&se);
  logreg_dataset *u = NULL;
  float x1[3] = {1, 2, 3};
  CHECK(logreg_dataset_from_arrays(1, 3, x1, NULL, 0, NULL, NULL, &u, &err) == LOGREG_OK);
  CHECK(logreg_model_stats(ma, u, &se, &err) == LOGREG_EINVAL);
  CHECK(strstr(err.message, "labelled") != NULL);
  logreg_stats_free(&se);
  logreg_stats_free(&sa);
  logreg_stats_free(&sb);
  logreg_stats_free(&sc);
  logreg_stats_free(&sp);
  logreg_dataset_free(u);
  logreg_model_free(ma);
  logreg_model_free(mb);
  logreg_model_free(mc);
  logreg_model_free(mp);
  logreg_dataset_free(a);
  logreg_dataset_free(b);
  logreg_dataset_free(c);
}

int main(void) {
  test_linalg();
  test_stats();
  return check_report("test_stats");
}
