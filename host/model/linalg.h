/* linalg.h: the little dense linear algebra in double that the inference statistics (stats.c)
 * need: a Cholesky factorization that marks dependent columns instead of failing, solves with
 * it, and the normal and chi-squared tail probabilities. The matrices are the model's
 * coefficients square (at most LOGREG_STATS_MAX_COEF on a side), so plain loops do; no BLAS or
 * LAPACK is linked for them. */
#ifndef LOGREG_MODEL_LINALG_H
#define LOGREG_MODEL_LINALG_H

#include <stddef.h>

/* Factors the n x n symmetric matrix `a` (row-major; its lower triangle is read) into L L^T in
 * place: L in the lower triangle, the strict upper triangle zeroed. Column j is dependent when
 * its pivot (the squared residual of column j after the columns before it) is at most `floor`
 * times its own diagonal entry (a diagonal entry <= 0 included): its column of L is then 0 and
 * dep[j] = 1 (else 0), so that the other columns factor as if it were absent. Returns the
 * number of dependent columns. */
size_t lr_chol(double *a, size_t n, double floor, unsigned char *dep);

/* Solves L L^T x = b in place (b in, x out) with the leading n x n block of a factor from
 * lr_chol whose rows are `ld` apart (ld = n: the whole factor; a leading block of a factor is
 * the factor of the leading block); x is 0 at the dependent columns. */
void lr_chol_solve(const double *l, size_t ld, size_t n, const unsigned char *dep, double *b);

/* The inverse of the factored matrix into `out` (n x n, row-major, symmetric), column by column
 * through lr_chol_solve; rows and columns of dependent columns are 0. `work` has n doubles. */
void lr_chol_inverse(const double *l, size_t n, const unsigned char *dep, double *out,
                     double *work);

/* P(|Z| > |z|) for a standard normal Z: the two-sided p-value of a z statistic. */
double lr_normal_two_sided(double z);

/* P(X > x) for X chi-squared with `df` degrees of freedom (df > 0, x >= 0): the regularized upper
 * incomplete gamma function Q(df / 2, x / 2), by its series below df / 2 + 1 and its continued
 * fraction above, to about 1e-14 relative. */
double lr_chi2_sf(double x, double df);

#endif
