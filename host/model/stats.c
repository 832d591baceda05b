/* stats.c: inference statistics of a model on a dataset (logreg_model_stats, logreg.h):
 * standard errors from the observed information matrix, z, p-values, 95% intervals, the
 * log-likelihoods, and the checks that say when there are none (a penalty, weights, collinear
 * features, separation).
 *
 * Coordinates. The coefficients are those logreg.h describes (K - 1 vectors against the first
 * class, reference-coded one-hot columns, in the data's units), but every sum and factorization
 * is done in "u" coordinates: each term centred by its mean over the rows and scaled by its
 * standard deviation (no centring without an intercept, scaled by its root mean square), so that
 * the information matrix is about N times a correlation matrix and its Cholesky factor loses no
 * digits to feature units or offsets (a column of years near 2000 would lose 7 in raw units).
 * The covariance is mapped back to the data's units at the end, exactly: logits are the same
 * affine function of the coefficients either way.
 *
 * Separation is decided by running Newton's method from the model's coefficients: where a finite
 * maximum-likelihood estimate exists it converges in a few steps (from the model's coefficients,
 * usually in one), where it does not the steps keep growing the coefficients along the
 * separating direction while its rows' weights p(1 - p) vanish, until the information matrix is
 * singular in double or the steps run out. The features named are those whose coefficients grew. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "model/linalg.h"
#include "model/model.h"
#include "util/util.h"

#define Z975 1.959963984540054 /* the standard normal's 0.975 quantile (scipy.stats.norm.ppf) */
#define COLLINEAR_FLOOR 1e-10  /* residual variance fraction below which a term is dependent */
#define SINGULAR_FLOOR 1e-13   /* the same for the information matrix during the Newton probe */
#define NEWTON_STEP_TOL 1e-7   /* converged when no coefficient (u units) moves more */
#define INVOLVED_SHARE 0.1     /* a feature is named when it carries this share of the largest */

typedef struct st_ctx {
  const logreg_model *m;
  const logreg_dataset *ds;
  size_t n, d, k, mv, P, nc; /* rows, features, classes, vectors, terms, coefficients */
  int intercept;
  long *term;          /* P: feature of each term, -1 for the intercept */
  size_t *ref;         /* d: the reference feature of j's one-hot column, SIZE_MAX when none */
  unsigned char *use;  /* n: the row takes part (one category in every reference-coded column) */
  size_t used;         /* rows that take part */
  double *mu, *sd;     /* P: u_t = (x_t - mu_t) / sd_t (intercept: 0, 1) */
  double *x, *u, *z;   /* row buffers: d, P, k */
  double *theta0;      /* nc: the model's coefficients in u coordinates */
  double *hess, *grad; /* nc x nc, nc: -Hessian and gradient of the log-likelihood */
  double *gram;        /* P x P: sum of u u^T */
  double *work;        /* nc x nc: a factor (of the unit-diagonal scaling of hess or gram) */
  double *scl;         /* nc: the scaling, 1 / sqrt(diagonal) (0 where the diagonal is 0) */
  double *theta, *step, *dir, *vec; /* nc each: Newton's iterate and step, a direction, scratch */
  unsigned char *dep;               /* nc */
} st_ctx;

static void st_free_ctx(st_ctx *c) {
  free(c->term);
  free(c->ref);
  free(c->use);
  free(c->mu);
  free(c->sd);
  free(c->x);
  free(c->u);
  free(c->z);
  free(c->theta0);
  free(c->hess);
  free(c->grad);
  free(c->gram);
  free(c->work);
  free(c->scl);
  free(c->theta);
  free(c->step);
  free(c->dir);
  free(c->vec);
  free(c->dep);
}

void logreg_stats_free(logreg_stats *s) {
  if (!s) return;
  free(s->term_feature);
  free(s->coef);
  free(s->std_err);
  free(s->z);
  free(s->p_value);
  free(s->ci_low);
  free(s->ci_high);
  free(s->cov);
  free(s->references);
  free(s->involved);
  memset(s, 0, sizeof *s);
}

/* Row i's features with missing values imputed (the model's medians), into c->x. */
static void st_row_x(const st_ctx *c, size_t i) {
  const float *xi = c->ds->x + i * c->d;
  for (size_t j = 0; j < c->d; j++) c->x[j] = isnan(xi[j]) ? c->m->median[j] : (double)xi[j];
}

/* The terms: the intercept, then every feature but the reference categories (with an
 * intercept), and which rows take part. 0, or -1 when out of memory. */
static int st_terms(st_ctx *c, logreg_stats *out) {
  const logreg_model *m = c->m;
  if (!(c->ref = malloc((c->d ? c->d : 1) * sizeof *c->ref)) ||
      !(c->term = malloc((c->d + 1) * sizeof *c->term)) ||
      !(out->references = malloc((c->d ? c->d : 1) * sizeof *out->references)))
    return -1;
  size_t P = 0, cur = SIZE_MAX;
  if (c->intercept) c->term[P++] = -1;
  for (size_t j = 0; j < c->d; j++) {
    if (!m->feature_categories || !m->feature_categories[j])
      cur = SIZE_MAX;
    else if (lr_model_category_starts(m, j))
      cur = j;
    c->ref[j] = c->intercept ? cur : SIZE_MAX;
    if (c->ref[j] == j)
      out->references[out->n_references++] = j;
    else
      c->term[P++] = (long)j;
  }
  c->P = P;
  c->nc = c->mv * P;
  if (!(out->term_feature = malloc(P * sizeof *out->term_feature))) return -1;
  memcpy(out->term_feature, c->term, P * sizeof *c->term);
  if (!(c->use = malloc(c->n ? c->n : 1))) return -1;
  c->used = 0;
  for (size_t i = 0; i < c->n; i++) {
    /* A reference-coded column must hold one category: a row with none (a category the model
     * does not know encodes as zeros) would read as the reference. */
    int ok = 1;
    const float *xi = c->ds->x + i * c->d;
    for (size_t j = 0; ok && j < c->d; j++) {
      if (c->ref[j] != j) continue;
      double s = 0;
      for (size_t q = j; q < c->d && c->ref[q] == j; q++) s += xi[q];
      ok = s > 0.5;
    }
    c->use[i] = (unsigned char)ok;
    c->used += (size_t)ok;
  }
  return 0;
}

/* Feature j's raw weight for weight column hi, against class 0's for a softmax model. */
static double rel_weight(const logreg_model *m, const double *wr, size_t hi, size_t j) {
  size_t kw = lr_model_kw(m);
  return wr[j * kw + hi] - (m->binary ? 0.0 : wr[j * kw]);
}

/* The model's coefficients as logreg.h lays them out (vectors against class 0, references
 * folded into the intercept), in the data's units, into out->coef. */
static int st_coefficients(st_ctx *c, logreg_stats *out) {
  const logreg_model *m = c->m;
  size_t kw = lr_model_kw(m), d = c->d;
  double *wr = malloc((d ? d : 1) * kw * sizeof *wr), *br = malloc(kw * sizeof *br);
  if (!wr || !br || !(out->coef = calloc(c->nc, sizeof *out->coef))) {
    free(wr);
    free(br);
    return -1;
  }
  lr_model_raw_weights(m, wr, br);
  for (size_t v = 0; v < c->mv; v++) {
    size_t hi = m->binary ? 0 : v + 1;
    double lo_b = m->binary ? 0.0 : br[0];
    double *cv = out->coef + v * c->P;
    for (size_t t = 0; t < c->P; t++) {
      if (c->term[t] < 0) {
        cv[t] = br[hi] - lo_b;
        for (size_t r = 0; r < out->n_references; r++)
          cv[t] += rel_weight(m, wr, hi, out->references[r]);
      } else {
        size_t j = (size_t)c->term[t];
        cv[t] = rel_weight(m, wr, hi, j) -
                (c->ref[j] != SIZE_MAX ? rel_weight(m, wr, hi, c->ref[j]) : 0.0);
      }
    }
  }
  free(wr);
  free(br);
  return 0;
}

/* Row i's terms in u coordinates into c->u (c->x must hold the row). */
static void st_row_u(const st_ctx *c) {
  for (size_t t = 0; t < c->P; t++)
    c->u[t] = c->term[t] < 0 ? 1.0 : (c->x[c->term[t]] - c->mu[t]) / c->sd[t];
}

/* The centring and scaling of each term over the rows that take part, and the model's
 * coefficients in u coordinates (theta0). */
static void st_scales(st_ctx *c, const logreg_stats *out) {
  size_t P = c->P;
  double *s1 = c->mu, *s2 = c->sd;
  for (size_t t = 0; t < P; t++) s1[t] = s2[t] = 0.0;
  for (size_t i = 0; i < c->n; i++) {
    if (!c->use[i]) continue;
    st_row_x(c, i);
    for (size_t t = 0; t < P; t++)
      if (c->term[t] >= 0) s1[t] += c->x[c->term[t]];
  }
  for (size_t t = 0; t < P; t++) s1[t] = c->intercept && c->used ? s1[t] / (double)c->used : 0.0;
  for (size_t i = 0; i < c->n; i++) { /* two passes: the spread about the mean, not E[x^2] - mu^2 */
    if (!c->use[i]) continue;
    st_row_x(c, i);
    for (size_t t = 0; t < P; t++) {
      if (c->term[t] < 0) continue;
      double e = c->x[c->term[t]] - s1[t];
      s2[t] += e * e;
    }
  }
  for (size_t t = 0; t < P; t++) {
    double s = c->used ? sqrt(s2[t] / (double)c->used) : 0.0;
    c->sd[t] = c->term[t] < 0 || !(s > 0) ? 1.0 : s;
    if (c->term[t] < 0) c->mu[t] = 0.0;
  }
  /* theta_u gives the same logits: z = b + sum beta_t x_t
   *                                    = (b + sum beta_t mu_t) + sum beta_t sd_t u_t. */
  for (size_t v = 0; v < c->mv; v++) {
    const double *b = out->coef + v * P;
    double *th = c->theta0 + v * P, shift = 0.0;
    for (size_t t = 0; t < P; t++) {
      th[t] = c->term[t] < 0 ? b[t] : b[t] * c->sd[t];
      if (c->term[t] >= 0) shift += b[t] * c->mu[t];
    }
    for (size_t t = 0; t < P; t++)
      if (c->term[t] < 0) th[t] += shift;
  }
}

/* One pass over the rows at theta (u coordinates): the log-likelihood, and when asked its
 * gradient (c->grad), minus its Hessian (c->hess, the observed information) and the Gram
 * matrix sum u u^T (c->gram). The rows' probabilities are the softmax over (0, z_1 .. z_m)
 * (for two classes the sigmoid of z_1). */
static double st_pass(st_ctx *c, const double *theta, int want_hess, int want_gram) {
  size_t P = c->P, nc = c->nc, mv = c->mv;
  const int32_t *y = c->ds->y;
  double ll = 0.0, *p = c->z;
  if (want_hess) {
    memset(c->grad, 0, nc * sizeof *c->grad);
    memset(c->hess, 0, nc * nc * sizeof *c->hess);
  }
  if (want_gram) memset(c->gram, 0, P * P * sizeof *c->gram);
  for (size_t i = 0; i < c->n; i++) {
    if (!c->use[i]) continue;
    st_row_x(c, i);
    st_row_u(c);
    const double *u = c->u;
    double zmax = 0.0;
    p[0] = 0.0;
    for (size_t v = 0; v < mv; v++) {
      double s = 0.0;
      for (size_t t = 0; t < P; t++) s += theta[v * P + t] * u[t];
      p[v + 1] = s;
      if (s > zmax) zmax = s;
    }
    double sum = 0.0;
    for (size_t q = 0; q <= mv; q++) sum += exp(p[q] - zmax);
    double lse = zmax + log(sum);
    ll += p[y[i]] - lse;
    for (size_t q = 0; q <= mv; q++) p[q] = exp(p[q] - lse);
    if (want_gram)
      for (size_t a = 0; a < P; a++)
        for (size_t b = 0; b <= a; b++) c->gram[a * P + b] += u[a] * u[b];
    if (!want_hess) continue;
    for (size_t v = 0; v < mv; v++) {
      double r = ((size_t)y[i] == v + 1 ? 1.0 : 0.0) - p[v + 1];
      for (size_t t = 0; t < P; t++) c->grad[v * P + t] += r * u[t];
      for (size_t w = 0; w <= v; w++) { /* block (v, w): p_v (delta_vw - p_w) u u^T */
        double h = p[v + 1] * ((v == w ? 1.0 : 0.0) - p[w + 1]);
        double *blk = c->hess + v * P * nc + w * P;
        for (size_t a = 0; a < P; a++) {
          double ha = h * u[a];
          for (size_t b = 0; b < P; b++) blk[a * nc + b] += ha * u[b];
        }
      }
    }
  }
  if (want_gram)
    for (size_t a = 0; a < P; a++)
      for (size_t b = 0; b < a; b++) c->gram[b * P + a] = c->gram[a * P + b];
  if (want_hess) /* the upper blocks from the lower */
    for (size_t r = 0; r < nc; r++)
      for (size_t q = r + 1; q < nc; q++)
        if (q / P > r / P) c->hess[r * nc + q] = c->hess[q * nc + r];
  return ll;
}

/* Factors the n x n matrix `a` scaled to unit diagonal (c->scl, c->work, c->dep); returns the
 * number of dependent columns, those whose residual is below `floor` of their spread. */
static size_t st_factor(st_ctx *c, const double *a, size_t n, double floor) {
  for (size_t i = 0; i < n; i++) c->scl[i] = a[i * n + i] > 0 ? 1.0 / sqrt(a[i * n + i]) : 0.0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) c->work[i * n + j] = a[i * n + j] * c->scl[i] * c->scl[j];
  return lr_chol(c->work, n, floor, c->dep);
}

/* The direction in which the factored (scaled) matrix `a` is flat at its dependent column t:
 * u_t minus its combination of the columns before it, in the scaled units, into c->dir (n). */
static void st_null_direction(st_ctx *c, const double *a, size_t n, size_t t) {
  for (size_t k = 0; k < t; k++) c->dir[k] = a[t * n + k] * c->scl[t] * c->scl[k];
  lr_chol_solve(c->work, n, t, c->dep, c->dir);
  for (size_t k = 0; k < t; k++) c->dir[k] = -c->dir[k];
  c->dir[t] = 1.0;
  for (size_t k = t + 1; k < n; k++) c->dir[k] = 0.0;
}

/* Appends `s` (quoted when `quote`) to buf after `sep`, or "..." once it no longer fits. */
static void st_append(char *buf, size_t cap, const char *sep, const char *s, int quote) {
  size_t len = strlen(buf);
  if (len + 4 >= cap || (len >= 3 && strcmp(buf + len - 3, "...") == 0)) return;
  int w = snprintf(buf + len, cap - len, "%s%s%s%s", sep, quote ? "\"" : "", s, quote ? "\"" : "");
  if (w < 0 || (size_t)w >= cap - len) snprintf(buf + len, cap - len, "%s...", sep);
}

/* The features (appended to out->involved) whose share of `dir` (nc entries, u coordinates; one
 * vector of P entries when `one`) is at least `share` of the largest, their names into names. */
static void st_involved(st_ctx *c, const double *dir, int one, double share, logreg_stats *out,
                        char *names, size_t cap) {
  size_t P = c->P, mv = one ? 1 : c->mv;
  double top = 0.0;
  for (size_t pass = 0; pass < 2; pass++)
    for (size_t t = 0; t < P; t++) {
      if (c->term[t] < 0) continue;
      double s = 0.0;
      for (size_t v = 0; v < mv; v++) s += dir[v * P + t] * dir[v * P + t];
      s = sqrt(s);
      if (pass == 0 && s > top) top = s;
      if (pass == 1 && s >= share * top && top > 0) {
        out->involved[out->n_involved++] = (size_t)c->term[t];
        st_append(names, cap, names[0] ? ", " : "", c->m->feature_names[c->term[t]], 1);
      }
    }
}

/* COLLINEAR when a term is constant or a combination of others over the rows (the Gram matrix
 * of the u's is singular there): out->involved and the message name them. Returns 1 when
 * collinear, 0 when not. */
static int st_collinear(st_ctx *c, logreg_stats *out) {
  size_t P = c->P;
  if (!st_factor(c, c->gram, P, COLLINEAR_FLOOR)) return 0;
  char names[400] = "", consts[400] = "";
  size_t first = SIZE_MAX;
  for (size_t t = 0; t < P; t++) {
    if (!c->dep[t] || c->term[t] < 0) continue;
    const char *name = c->m->feature_names[c->term[t]];
    if (!(c->gram[t * P + t] > 0)) { /* centred to 0: the same value on every row */
      out->involved[out->n_involved++] = (size_t)c->term[t];
      st_append(consts, sizeof consts, consts[0] ? ", " : "", name, 1);
    } else if (first == SIZE_MAX) {
      first = t;
    }
  }
  if (first != SIZE_MAX) {
    st_null_direction(c, c->gram, P, first);
    for (size_t k = 0; k < P; k++) c->dir[k] *= c->scl[k]; /* scaled units to u units */
    st_involved(c, c->dir, 1, 1e-4, out, names, sizeof names);
  }
  int n = 0;
  if (consts[0])
    n = snprintf(out->message, sizeof out->message,
                 "collinear: %s %s the same value on every row, so %s coefficient is not "
                 "identified (the intercept holds it): drop %s",
                 consts, strchr(consts, ',') ? "have" : "has",
                 strchr(consts, ',') ? "their" : "its", strchr(consts, ',') ? "them" : "it");
  if (names[0] && n >= 0 && (size_t)n < sizeof out->message)
    snprintf(out->message + n, sizeof out->message - (size_t)n,
             "%scollinear: the features %s are linearly dependent on these rows (\"%s\" is a "
             "combination of the others), so their coefficients are not identified: drop one "
             "of them",
             n ? "; " : "", names, c->m->feature_names[c->term[first]]);
  out->verdict = LOGREG_STATS_COLLINEAR;
  return 1;
}

/* Newton's method on the log-likelihood from the model's coefficients (c->hess and c->grad
 * hold them at theta0, ll0 its log-likelihood). 1 when it converges (a finite estimate
 * exists); 0 when it does not, with the direction the coefficients grew in into c->dir. */
static int st_newton(st_ctx *c, double ll0) {
  size_t nc = c->nc;
  double ll = ll0;
  memcpy(c->theta, c->theta0, nc * sizeof *c->theta);
  for (int it = 0; it < LOGREG_STATS_NEWTON; it++) {
    if (st_factor(c, c->hess, nc, SINGULAR_FLOOR)) { /* no curvature left in some direction */
      size_t t = 0;
      while (!c->dep[t]) t++;
      if (it == 0) {
        st_null_direction(c, c->hess, nc, t);
        for (size_t q = 0; q < nc; q++) c->dir[q] *= c->scl[q]; /* scaled units to u units */
      } else {
        for (size_t q = 0; q < nc; q++) c->dir[q] = c->theta[q] - c->theta0[q];
      }
      return 0;
    }
    double big = 0.0;
    for (size_t q = 0; q < nc; q++) c->step[q] = c->grad[q] * c->scl[q];
    lr_chol_solve(c->work, nc, nc, c->dep, c->step);
    for (size_t q = 0; q < nc; q++) {
      c->step[q] *= c->scl[q];
      if (fabs(c->step[q]) > big) big = fabs(c->step[q]);
    }
    if (big <= NEWTON_STEP_TOL) return 1;
    double alpha = 1.0, lt = -INFINITY;
    for (int h = 0; h < 40; h++, alpha *= 0.5) {
      for (size_t q = 0; q < nc; q++) c->vec[q] = c->theta[q] + alpha * c->step[q];
      lt = st_pass(c, c->vec, 1, 0);
      if (lt >= ll - 1e-12 * fabs(ll)) break;
    }
    if (!(lt >= ll - 1e-12 * fabs(ll))) return 1; /* no step gains: the top, to rounding */
    memcpy(c->theta, c->vec, nc * sizeof *c->theta);
    ll = lt;
  }
  for (size_t q = 0; q < nc; q++) c->dir[q] = c->theta[q] - c->theta0[q];
  return 0;
}

/* The logits along the feature terms of `dir` (u coordinates) of the rows, s_0 = 0 and
 * s_{v+1} = dir_v . u, into c->z for row i (c->x, c->u filled). */
static void st_direction_logits(st_ctx *c, size_t i, const double *dir) {
  size_t P = c->P;
  st_row_x(c, i);
  st_row_u(c);
  c->z[0] = 0.0;
  for (size_t v = 0; v < c->mv; v++) {
    double t = 0.0;
    for (size_t a = 0; a < P; a++)
      if (c->term[a] >= 0) t += dir[v * P + a] * c->u[a];
    c->z[v + 1] = t;
  }
}

/* Whether the feature terms of `dir` (u coordinates) are a separating direction of the rows:
 * there are intercepts b with which every row's own class has the largest logit s + b along it
 * (ties allowed, to 1e-9 of the logits' range), so that moving the coefficients along it never
 * lowers the likelihood and no finite estimate exists. Such b exist unless the difference
 * constraints b_k - b_y <= -max over rows of class y of (s_k - s_y) have a negative cycle
 * (Floyd-Warshall over the classes); its shortest distances give b. With such b, certain[k]
 * (K entries, when not NULL) counts the rows of class k that it predicts with certainty (their
 * own logit strictly the largest). 1 when it separates, 0 when not, -1 out of memory. */
static int st_separates(st_ctx *c, const double *dir, size_t *certain) {
  size_t K = c->k;
  double *m = malloc(K * K * sizeof *m), range = 0.0;
  if (!m) return -1;
  for (size_t q = 0; q < K * K; q++) m[q] = -INFINITY;
  for (size_t i = 0; i < c->n; i++) {
    if (!c->use[i]) continue;
    st_direction_logits(c, i, dir);
    size_t y = (size_t)c->ds->y[i];
    for (size_t k = 0; k < K; k++) {
      double d = c->z[k] - c->z[y];
      if (fabs(d) > range) range = fabs(d);
      if (k != y && d > m[y * K + k]) m[y * K + k] = d;
    }
  }
  double tol = 1e-9 * range;
  for (size_t y = 0; y < K; y++) /* edge y -> k of weight -m[y][k] (+ tol) */
    for (size_t k = 0; k < K; k++) m[y * K + k] = y == k ? 0.0 : -m[y * K + k] + tol;
  for (size_t w = 0; w < K; w++)
    for (size_t y = 0; y < K; y++)
      for (size_t k = 0; k < K; k++)
        if (m[y * K + w] + m[w * K + k] < m[y * K + k]) m[y * K + k] = m[y * K + w] + m[w * K + k];
  int ok = range > 0;
  for (size_t y = 0; y < K; y++) ok = ok && m[y * K + y] >= 0.0;
  if (ok && certain) {
    for (size_t k = 0; k < K; k++) { /* b_k: the shortest distance to k from any class */
      double b = 0.0;
      for (size_t y = 0; y < K; y++) b = fmin(b, m[y * K + k]);
      m[k] = b; /* row 0 of m is no longer needed */
      certain[k] = 0;
    }
    for (size_t i = 0; i < c->n; i++) {
      if (!c->use[i]) continue;
      st_direction_logits(c, i, dir);
      size_t y = (size_t)c->ds->y[i];
      double margin = INFINITY;
      for (size_t k = 0; k < K; k++)
        if (k != y) margin = fmin(margin, c->z[y] + m[y] - c->z[k] - m[k]);
      certain[y] += margin > 2 * tol;
    }
  }
  free(m);
  return ok;
}

/* A small set of features that separates by itself: the fewest of those with the largest
 * shares of `from` (at most 32) along which the rows separate (st_separates), as a direction
 * in c->vec, with the rows it predicts with certainty per class in `certain`. 1 when found, 0
 * when not, -1 out of memory. */
static int st_separating_set(st_ctx *c, const double *from, size_t *certain) {
  size_t P = c->P, nf = 0;
  double *share = malloc(P * sizeof *share);
  if (!share) return -1;
  for (size_t t = 0; t < P; t++) {
    share[t] = 0.0;
    for (size_t v = 0; v < c->mv && c->term[t] >= 0; v++)
      share[t] += from[v * P + t] * from[v * P + t];
    nf += share[t] > 0;
  }
  memset(c->vec, 0, c->nc * sizeof *c->vec);
  int found = 0;
  for (size_t k = 0; k < nf && k < 32 && found == 0; k++) {
    size_t best = 0; /* the largest share not yet taken */
    for (size_t t = 1; t < P; t++)
      if (share[t] > share[best]) best = t;
    share[best] = -1.0;
    for (size_t v = 0; v < c->mv; v++) c->vec[v * P + best] = from[v * P + best];
    found = st_separates(c, c->vec, certain);
  }
  free(share);
  return found;
}

/* SEPARATION: out->involved and the message name the features that separate by themselves
 * (st_separating_set, from the direction the coefficients grew in, else from the model's own
 * coefficients, which have grown along it in training), else those whose coefficients grew
 * most; for a multinomial model, the classes of the rows predicted with certainty. 0, or -1
 * when out of memory. */
static int st_separation(st_ctx *c, logreg_stats *out) {
  char names[400] = "", classes[300] = "";
  size_t *certain = calloc(c->k, sizeof *certain);
  if (!certain) return -1;
  int set = st_separating_set(c, c->dir, certain);
  if (set == 0) set = st_separating_set(c, c->theta0, certain);
  if (set < 0) {
    free(certain);
    return -1;
  }
  st_involved(c, set ? c->vec : c->dir, 0, set ? 1e-300 : INVOLVED_SHARE, out, names, sizeof names);
  for (size_t k = 0; set && !c->m->binary && c->k > 2 && k < c->k; k++)
    if (certain[k])
      st_append(classes, sizeof classes, classes[0] ? ", " : "", c->m->class_names[k], 1);
  free(certain);
  int many = strchr(names, ',') != NULL;
  char what[400] = "some rows";
  if (classes[0])
    snprintf(what, sizeof what, "class%s %s on some rows", strchr(classes, ',') ? "es" : "",
             classes);
  if (names[0])
    snprintf(out->message, sizeof out->message,
             "separation: no finite maximum-likelihood estimate exists on these rows: Newton's "
             "method from the model's coefficients does not converge but grows the coefficients "
             "of %s without bound, as %s predict%s %s with certainty; drop or merge %s, or fit "
             "with a penalty ('C' 1)",
             names, many ? "they" : "it", many ? "" : "s", what, many ? "them" : "it");
  else
    snprintf(out->message, sizeof out->message,
             "separation: no finite maximum-likelihood estimate exists on these rows: Newton's "
             "method from the model's coefficients grows the intercepts without bound");
  out->verdict = LOGREG_STATS_SEPARATION;
  return 0;
}

/* SEPARATION when a class has no row (its intercept has no finite estimate). 1 when so. */
static int st_empty_class(st_ctx *c, logreg_stats *out) {
  for (size_t k = 0; k < c->k; k++) {
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) n += c->use[i] && (size_t)c->ds->y[i] == k;
    if (n) continue;
    snprintf(out->message, sizeof out->message,
             "separation: class \"%s\" has no row here, so no finite maximum-likelihood estimate "
             "exists (its probability goes to 0)",
             c->m->class_names[k]);
    out->verdict = LOGREG_STATS_SEPARATION;
    return 1;
  }
  return 0;
}

/* Maps the rows of the nc x nc matrix `a` from u coordinates to the data's units:
 * beta_t = theta_t / sd_t, beta_0 = theta_0 - sum_t mu_t theta_t / sd_t. */
static void st_rows_to_raw(const st_ctx *c, double *a) {
  size_t P = c->P, nc = c->nc;
  for (size_t v = 0; v < c->mv; v++)
    for (size_t q = 0; q < nc; q++) {
      double shift = 0.0;
      for (size_t t = 0; t < P; t++) {
        if (c->term[t] < 0) continue;
        double *e = a + (v * P + t) * nc + q;
        *e /= c->sd[t];
        shift += c->mu[t] * *e;
      }
      if (c->intercept) a[(v * P) * nc + q] -= shift; /* the intercept is term 0 */
    }
}

/* The covariance (the inverse of the observed information at the model's coefficients, in the
 * data's units) and from it the standard errors, z, p-values and intervals. 0, or -1 when out
 * of memory. */
static int st_covariance(st_ctx *c, logreg_stats *out) {
  size_t nc = c->nc;
  double **arr[] = {&out->cov, &out->std_err, &out->z, &out->p_value, &out->ci_low, &out->ci_high};
  for (size_t a = 0; a < sizeof arr / sizeof arr[0]; a++)
    if (!(*arr[a] = malloc((a == 0 ? nc * nc : nc) * sizeof(double)))) return -1;
  st_factor(c, c->hess, nc, SINGULAR_FLOOR);
  lr_chol_inverse(c->work, nc, c->dep, out->cov, c->vec);
  for (size_t r = 0; r < nc; r++) /* undo the unit-diagonal scaling */
    for (size_t q = 0; q < nc; q++) out->cov[r * nc + q] *= c->scl[r] * c->scl[q];
  st_rows_to_raw(c, out->cov);
  for (size_t r = 0; r < nc; r++) /* B C B^T: the columns as the rows, by symmetry */
    for (size_t q = 0; q < r; q++) {
      double t = out->cov[r * nc + q];
      out->cov[r * nc + q] = out->cov[q * nc + r];
      out->cov[q * nc + r] = t;
    }
  st_rows_to_raw(c, out->cov);
  for (size_t q = 0; q < nc; q++) {
    double se = sqrt(out->cov[q * nc + q]), b = out->coef[q];
    out->std_err[q] = se;
    out->z[q] = b / se;
    out->p_value[q] = lr_normal_two_sided(out->z[q]);
    out->ci_low[q] = b - Z975 * se;
    out->ci_high[q] = b + Z975 * se;
  }
  return 0;
}

/* The log-likelihoods, the likelihood-ratio test and the gradient at the model's coefficients. */
static void st_summary(st_ctx *c, double ll, logreg_stats *out) {
  out->log_likelihood = ll;
  out->df_model = c->mv * (c->P - (c->intercept ? 1 : 0));
  double g = 0.0;
  for (size_t q = 0; q < c->nc; q++)
    if (fabs(c->grad[q]) > g) g = fabs(c->grad[q]);
  out->max_gradient = g / (double)c->used;
  out->ll_null = out->pseudo_r2 = out->llr_p_value = NAN;
  if (!c->intercept) return;
  double l0 = 0.0;
  for (size_t k = 0; k < c->k; k++) {
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) n += c->use[i] && (size_t)c->ds->y[i] == k;
    if (n) l0 += (double)n * log((double)n / (double)c->used);
  }
  out->ll_null = l0;
  out->pseudo_r2 = 1.0 - ll / l0;
  out->llr_p_value = out->df_model ? lr_chi2_sf(2.0 * (ll - l0), (double)out->df_model) : NAN;
}

/* PENALIZED or WEIGHTED with its message when the model is not a maximum-likelihood fit of
 * unweighted rows; 1 when so. */
static int st_not_mle(const st_ctx *c, logreg_stats *out) {
  const lr_model_options *o = &c->m->options;
  int row_weights = 0;
  for (size_t i = 0; c->ds->w && i < c->n && !row_weights; i++) row_weights = c->ds->w[i] != 1.0f;
  if (o->l2 > 0) {
    out->verdict = LOGREG_STATS_PENALIZED;
    snprintf(out->message, sizeof out->message,
             "the model was trained with an L2 penalty (lambda %.6g), so its coefficients are not "
             "maximum-likelihood estimates and likelihood-based standard errors, p-values and "
             "intervals would not be valid for them; train with 'C' inf (no penalty) for those",
             o->l2);
  } else if (o->class_weight_balanced || o->pos_weight != 1.0 || row_weights) {
    out->verdict = LOGREG_STATS_WEIGHTED;
    snprintf(out->message, sizeof out->message,
             "the model maximizes a weighted likelihood (%s), so standard errors from the "
             "unweighted information matrix would not be valid for it",
             o->class_weight_balanced ? "class weights"
             : o->pos_weight != 1.0   ? "'pos_weight'"
                                      : "row weights");
  }
  return out->verdict != LOGREG_STATS_VALID;
}

/* The arguments: a labelled dense dataset with the model's features and classes. */
static logreg_status st_check(const logreg_model *m, const logreg_dataset *ds, logreg_error *err) {
  if (!m || !ds) return lr_fail(err, LOGREG_EINVAL, "logreg_model_stats: NULL argument");
  if (!ds->y) return lr_fail(err, LOGREG_EINVAL, "the statistics need labelled rows");
  if (!ds->x && ds->indptr)
    return lr_fail(err, LOGREG_EINVAL, "the statistics need dense rows, not sparse (LIBSVM) ones");
  logreg_status st = lr_dataset_check_x(ds, "statistics data", err);
  if (st) return st;
  if (ds->d != m->d || ds->k != m->k)
    return lr_fail(err, LOGREG_EINVAL,
                   "the data have %zu features and %zu classes, the model %zu and %zu", ds->d,
                   ds->k, m->d, m->k);
  return LOGREG_OK;
}

static int st_alloc(st_ctx *c) {
  size_t nc = c->nc, P = c->P;
  return (c->mu = malloc(P * sizeof *c->mu)) && (c->sd = malloc(P * sizeof *c->sd)) &&
         (c->x = malloc((c->d ? c->d : 1) * sizeof *c->x)) && (c->u = malloc(P * sizeof *c->u)) &&
         (c->z = malloc(c->k * sizeof *c->z)) && (c->theta0 = malloc(nc * sizeof(double))) &&
         (c->hess = malloc(nc * nc * sizeof(double))) && (c->grad = malloc(nc * sizeof(double))) &&
         (c->gram = malloc(P * P * sizeof(double))) &&
         (c->work = malloc(nc * nc * sizeof(double))) && (c->scl = malloc(nc * sizeof(double))) &&
         (c->theta = malloc(nc * sizeof(double))) && (c->step = malloc(nc * sizeof(double))) &&
         (c->dir = malloc(nc * sizeof(double))) && (c->vec = malloc(nc * sizeof(double))) &&
         (c->dep = malloc(nc));
}

logreg_status logreg_model_stats(const logreg_model *m, const logreg_dataset *ds, logreg_stats *out,
                                 logreg_error *err) {
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "logreg_model_stats: NULL argument");
  memset(out, 0, sizeof *out);
  logreg_status st = st_check(m, ds, err);
  if (st) return st;
  st_ctx c = {.m = m, .ds = ds, .n = ds->n, .d = m->d, .k = m->k, .mv = m->k - 1};
  c.intercept = !m->options.no_intercept;
  out->rows = ds->n;
  out->vectors = c.mv;
  if (st_terms(&c, out) != 0) goto oom;
  out->terms = c.P;
  if (c.nc > LOGREG_STATS_MAX_COEF) {
    st_free_ctx(&c);
    return lr_fail(err, LOGREG_EINVAL,
                   "the statistics handle at most %d coefficients; this model has %zu (%zu "
                   "vectors of %zu)",
                   LOGREG_STATS_MAX_COEF, c.nc, c.mv, c.P);
  }
  if (!c.used) {
    st_free_ctx(&c);
    return lr_fail(err, LOGREG_EINVAL, "the statistics need at least one row");
  }
  out->rows_used = c.used;
  if (!(out->involved = malloc((c.d ? c.d : 1) * sizeof *out->involved)) || !st_alloc(&c) ||
      st_coefficients(&c, out) != 0)
    goto oom;
  st_scales(&c, out);
  double ll = st_pass(&c, c.theta0, 1, 1);
  st_summary(&c, ll, out);
  if (st_not_mle(&c, out) || st_empty_class(&c, out) || st_collinear(&c, out)) goto done;
  if (!st_newton(&c, ll)) {
    if (st_separation(&c, out) != 0) goto oom;
    goto done;
  }
  st_pass(&c, c.theta0, 1, 0); /* the information at the model's coefficients again */
  if (st_covariance(&c, out) != 0) goto oom;
done:
  st_free_ctx(&c);
  return LOGREG_OK;
oom:
  st_free_ctx(&c);
  return lr_fail(err, LOGREG_ENOMEM, "the statistics: out of memory");
}
