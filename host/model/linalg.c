/* linalg.c: Cholesky factorization with dependent columns marked, solves, the inverse, and the
 * normal and chi-squared tails, in double (linalg.h). Separate from stats.c so that the
 * statistics read as statistics. */
#include "model/linalg.h"

#include <math.h>
#include <string.h>

size_t lr_chol(double *a, size_t n, double floor, unsigned char *dep) {
  size_t ndep = 0;
  for (size_t j = 0; j < n; j++) {
    double *rj = a + j * n;
    double diag = rj[j], s = diag;
    for (size_t k = 0; k < j; k++) s -= rj[k] * rj[k];
    dep[j] = !(diag > 0) || !(s > floor * diag);
    if (dep[j]) {
      ndep++;
      for (size_t i = j; i < n; i++) a[i * n + j] = 0.0;
    } else {
      double ljj = sqrt(s);
      rj[j] = ljj;
      for (size_t i = j + 1; i < n; i++) {
        double *ri = a + i * n, t = ri[j];
        for (size_t k = 0; k < j; k++) t -= ri[k] * rj[k];
        ri[j] = t / ljj;
      }
    }
    for (size_t k = j + 1; k < n; k++) rj[k] = 0.0;
  }
  return ndep;
}

void lr_chol_solve(const double *l, size_t ld, size_t n, const unsigned char *dep, double *b) {
  for (size_t i = 0; i < n; i++) { /* L y = b */
    if (dep[i]) {
      b[i] = 0.0;
      continue;
    }
    double t = b[i];
    for (size_t k = 0; k < i; k++) t -= l[i * ld + k] * b[k];
    b[i] = t / l[i * ld + i];
  }
  for (size_t i = n; i-- > 0;) { /* L^T x = y */
    if (dep[i]) continue;
    double t = b[i];
    for (size_t k = i + 1; k < n; k++) t -= l[k * ld + i] * b[k];
    b[i] = t / l[i * ld + i];
  }
}

void lr_chol_inverse(const double *l, size_t n, const unsigned char *dep, double *out,
                     double *work) {
  for (size_t j = 0; j < n; j++) {
    memset(work, 0, n * sizeof *work);
    work[j] = dep[j] ? 0.0 : 1.0;
    lr_chol_solve(l, n, n, dep, work);
    for (size_t i = 0; i < n; i++) out[i * n + j] = work[i];
  }
  for (size_t i = 0; i < n; i++) /* the two triangles agree to rounding: make them equal */
    for (size_t j = 0; j < i; j++)
      out[j * n + i] = out[i * n + j] = 0.5 * (out[i * n + j] + out[j * n + i]);
}

double lr_normal_two_sided(double z) { return erfc(fabs(z) / sqrt(2.0)); }

/* The series of the lower regularized gamma P(a, x) (x < a + 1). */
static double gamma_p_series(double a, double x) {
  double term = 1.0 / a, sum = term;
  for (int n = 1; n < 1000; n++) {
    term *= x / (a + n);
    sum += term;
    if (fabs(term) < fabs(sum) * 1e-16) break;
  }
  return sum * exp(-x + a * log(x) - lgamma(a));
}

/* The continued fraction of the upper regularized gamma Q(a, x) (x >= a + 1), by modified
 * Lentz's method. */
static double gamma_q_fraction(double a, double x) {
  const double tiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 1000; i++) {
    double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    double delta = d * c;
    h *= delta;
    if (fabs(delta - 1.0) < 1e-16) break;
  }
  return exp(-x + a * log(x) - lgamma(a)) * h;
}

double lr_chi2_sf(double x, double df) {
  double a = 0.5 * df, h = 0.5 * x;
  if (!(h > 0)) return 1.0;
  return h < a + 1.0 ? 1.0 - gamma_p_series(a, h) : gamma_q_fraction(a, h);
}
