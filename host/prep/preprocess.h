/* preprocess.h: what happens between reading and training: the stratified split, the
 * imputation medians, the standardizing scaler, and applying a model's preprocessing to new
 * rows. All statistics are fitted on the training split only. */
#ifndef LOGREG_PREPROCESS_H
#define LOGREG_PREPROCESS_H

#include "data/dataset.h"
#include "model/model.h"

/* The passes below run on `threads` host threads (logreg_params.threads: 0 = by the amount of
 * work, lr_threads_for); their results are the same bits at any count. */

/* Per-column medians of the non-missing values (NaN = missing), like numpy.median: the mean
 * of the two middle values for an even count; 0 for a column with no values at all.
 * Returns 0, or -1 when out of memory. */
int lr_column_medians(const logreg_dataset *ds, double *median, unsigned threads);

/* Mean and population std (ddof 0) per column in double, after filling missing values with
 * `median`; a std of 0 becomes 1 (the column is only centred). */
void lr_column_scaler(const logreg_dataset *ds, const double *median, double *mean, double *std,
                      unsigned threads);

/* The other scalings (--scale): mean 0 for every column and std the scale: MAXABS the largest
 * |value| (missing values read as `median`; may be NULL for sparse data), NONE 1. A scale of 0
 * becomes 1. Sparse data (CSR) with STD: the population std over all n rows, zeros counted,
 * without centring (scikit-learn's StandardScaler(with_mean=False)). Dense data with STD is
 * lr_column_scaler. All in double. */
void lr_column_scale_other(const logreg_dataset *ds, logreg_scale scale, const double *median,
                           double *mean, double *std);

/* Sparse rows through a model whose mean is 0 (lr_column_scale_other): out[e] = values[e] /
 * std[indices[e]] in double, stored as float (nnz of them; the structure stays ds's). */
void lr_transform_csr(const logreg_model *m, const logreg_dataset *ds, float *out);

/* Applies a model's preprocessing to ds: out[i*d+j] = (fill(x) - mean_j) / std_j in double,
 * stored as float. Returns the number of missing values filled. */
size_t lr_transform(const logreg_model *m, const logreg_dataset *ds, float *out, unsigned threads);
/* The same for one row of m->d values, kept in double (prediction): out[j] = (fill(x_j) -
 * mean_j) / std_j. Returns the number of missing values filled. */
size_t lr_transform_row(const logreg_model *m, const float *x, double *out);

/* The preprocessing of a training run fitted on ds into m (medians, mean, std), as training and
 * cross-validation fit it: dense rows get their medians and `scale`'s scaler; sparse rows are
 * scaled only, never centred; without an intercept (no_intercept) nothing is centred, so that
 * x W_raw is the whole model. Returns 0, or -1 when out of memory. */
int lr_fit_preprocessing(const logreg_dataset *ds, logreg_scale scale, int no_intercept,
                         unsigned threads, logreg_model *m);
/* ds's values through m's preprocessing into out (n x d for dense rows: lr_transform; the nnz
 * values for sparse ones: lr_transform_csr). Returns the missing values filled. */
size_t lr_transform_values(const logreg_model *m, const logreg_dataset *ds, float *out,
                           unsigned threads);

/* Class weights: with `balanced`, weight_k = n / (k count_k) (scikit-learn's rule; a class
 * with no rows gets 1), else 1. Returns 0, or -1 when out of memory. */
int lr_class_weights(const int32_t *y, size_t n, size_t k, int balanced, double *weight);

/* Row weights s_i: the class weight of the row's label (lr_class_weights) times its sample
 * weight. A new array of ds->n, or NULL when out of memory. */
float *lr_row_weights(const logreg_dataset *ds, int balanced);

#endif
