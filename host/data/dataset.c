/* dataset.c: the dataset handle: read options, construction from arrays, accessors, row
 * subsets, class names and label encoding.
 *
 * The readers (csv.c, libsvm.c, idx.c) and the splitter build datasets only through
 * lr_dataset_alloc / lr_dataset_subset / lr_encode_labels, so the ownership rules (every
 * pointer in the struct is owned by it and released by logreg_dataset_free) live here.
 */
#include "data/dataset.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/order.h"
#include "util/util.h"

void logreg_read_options_init(logreg_read_options *opt) {
  if (!opt) return;
  /* A compound literal, so every pointer is a real NULL and every count 0. */
  *opt = (logreg_read_options){.format = LOGREG_FORMAT_AUTO,
                               .header = 1,
                               .weight = NULL,
                               .model_header = -1,
                               .max_categories = 100};
}

/* ---- Allocation and release ---- */

/* An empty dataset of n rows and d feature columns, no target column: the part the dense and
 * sparse allocators share. NULL when out of memory. */
static logreg_dataset *dataset_shell(size_t n, size_t d) {
  logreg_dataset *ds = calloc(1, sizeof *ds);
  if (!ds) return NULL;
  ds->n = n;
  ds->d = d;
  ds->n_columns = d;
  ds->target_column = -1;
  return ds;
}

logreg_dataset *lr_dataset_alloc(size_t n, size_t d, int labelled) {
  if (d && n > SIZE_MAX / sizeof(float) / d) return NULL;
  logreg_dataset *ds = dataset_shell(n, d);
  if (!ds) return NULL;
  size_t nx = n * d;
  /* calloc(0) may legally return NULL; always allocating one slot keeps NULL meaning ENOMEM. */
  ds->x = calloc(nx ? nx : 1, sizeof(float));
  lr_advise_huge(ds->x, nx * sizeof(float)); /* before the first touch: on huge pages */
  ds->feature_names = calloc(d ? d : 1, sizeof(char *));
  if (labelled) ds->y = calloc(n ? n : 1, sizeof(int32_t));
  if (!ds->x || !ds->feature_names || (labelled && !ds->y)) {
    logreg_dataset_free(ds);
    return NULL;
  }
  return ds;
}

logreg_dataset *lr_dataset_alloc_csr(size_t n, size_t d, size_t nnz, int labelled) {
  if (n >= SIZE_MAX / sizeof(int64_t) || nnz > SIZE_MAX / sizeof(float)) return NULL;
  logreg_dataset *ds = dataset_shell(n, d);
  if (!ds) return NULL;
  ds->nnz = nnz;
  ds->indptr = calloc(n + 1, sizeof *ds->indptr);
  ds->indices = malloc((nnz ? nnz : 1) * sizeof *ds->indices);
  ds->values = malloc((nnz ? nnz : 1) * sizeof *ds->values);
  if (labelled) ds->y = calloc(n ? n : 1, sizeof(int32_t));
  if (!ds->indptr || !ds->indices || !ds->values || (labelled && !ds->y)) {
    logreg_dataset_free(ds);
    return NULL;
  }
  return ds;
}

logreg_status lr_dataset_check_x(const logreg_dataset *ds, const char *what, logreg_error *err) {
  if (!ds || !ds->x_given) return LOGREG_OK;
  return lr_fail(err, LOGREG_EINVAL,
                 "the %s's features were handed over (to a trainer by consume_x, or to the "
                 "training part by logreg_dataset_split_take): the dataset has none left to read",
                 what);
}

float *lr_dataset_dense(const logreg_dataset *ds) {
  size_t n = ds->n, d = ds->d;
  if (d && n > SIZE_MAX / sizeof(float) / d) return NULL;
  float *x = calloc(n * d > 0 ? n * d : 1, sizeof *x);
  if (!x) return NULL;
  if (!lr_dataset_sparse(ds)) {
    memcpy(x, ds->x, n * d * sizeof *x);
    return x;
  }
  for (size_t i = 0; i < n; i++)
    for (int64_t e = ds->indptr[i]; e < ds->indptr[i + 1]; e++)
      x[i * d + (size_t)ds->indices[e]] = ds->values[e];
  return x;
}

const char *lr_dataset_feature_name(const logreg_dataset *ds, size_t j, char *buf, size_t cap) {
  if (ds->feature_names) return ds->feature_names[j];
  snprintf(buf, cap, "f%zu", j + 1);
  return buf;
}

void logreg_dataset_free(logreg_dataset *ds) {
  if (!ds) return;
  if (!ds->x_borrowed) free(ds->x);
  free(ds->indptr);
  free(ds->indices);
  free(ds->values);
  free(ds->y);
  free(ds->w);
  free(ds->folds);
  lr_free_strings(ds->class_names, ds->k);
  if (ds->feature_names) lr_free_strings(ds->feature_names, ds->d);
  free(ds->feature_columns);
  free(ds->target_name);
  if (ds->ids) lr_free_strings(ds->ids, ds->n);
  if (ds->feature_categories) lr_free_strings(ds->feature_categories, ds->d);
  if (ds->feature_sources) lr_free_strings(ds->feature_sources, ds->d);
  free(ds->unseen);
  lr_free_strings(ds->na_values, ds->n_na);
  free(ds);
}

/* Copies n strings; NULL entries (or a NULL array) get `prefix` followed by the index.
 * NULL on ENOMEM. */
static char **copy_names(const char *const *names, size_t n, const char *prefix) {
  char **v = calloc(n ? n : 1, sizeof *v);
  if (!v) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (names && names[i]) {
      v[i] = lr_strdup(names[i]);
    } else {
      char buf[32];
      snprintf(buf, sizeof buf, "%s%zu", prefix, i);
      v[i] = lr_strdup(buf);
    }
    if (!v[i]) {
      lr_free_strings(v, i);
      return NULL;
    }
  }
  return v;
}

int lr_dataset_set_classes(logreg_dataset *ds, size_t k, const char *const *names) {
  /* Copy first, so the dataset is unchanged when memory runs out. */
  char **v = copy_names(names, k, "");
  if (!v) return -1;
  lr_free_strings(ds->class_names, ds->k);
  ds->class_names = v;
  ds->k = k;
  return 0;
}

logreg_status logreg_dataset_from_arrays(size_t n, size_t d, const float *x, const int32_t *y,
                                         size_t k, const char *const *class_names,
                                         const char *const *feature_names, logreg_dataset **out,
                                         logreg_error *err) {
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "logreg_dataset_from_arrays: out is NULL");
  *out = NULL;
  if (d == 0) return lr_fail(err, LOGREG_EINVAL, "logreg_dataset_from_arrays: no features (d = 0)");
  if (n && !x) return lr_fail(err, LOGREG_EINVAL, "logreg_dataset_from_arrays: x is NULL");
  if (y) {
    if (k == 0 || k > INT32_MAX)
      return lr_fail(err, LOGREG_EINVAL,
                     "logreg_dataset_from_arrays: labels given but k = %zu classes", k);
    for (size_t i = 0; i < n; i++)
      if (y[i] < 0 || (size_t)y[i] >= k)
        return lr_fail(err, LOGREG_EINVAL,
                       "logreg_dataset_from_arrays: label %d of row %zu is outside 0..%zu",
                       (int)y[i], i, k - 1);
  }
  logreg_dataset *ds = lr_dataset_alloc(n, d, y != NULL);
  if (!ds) return lr_fail(err, LOGREG_ENOMEM, "out of memory for a %zu x %zu dataset", n, d);
  if (n) memcpy(ds->x, x, n * d * sizeof(float));
  for (size_t i = 0; i < n * d; i++)
    if (isnan(ds->x[i])) ds->missing++;
  free(ds->feature_names);
  ds->feature_names = copy_names(feature_names, d, "x");
  if (!ds->feature_names) {
    ds->d = 0; /* nothing to free name by name */
    logreg_dataset_free(ds);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  if (y) {
    if (n) memcpy(ds->y, y, n * sizeof(int32_t));
    if (lr_dataset_set_classes(ds, k, class_names) != 0) {
      logreg_dataset_free(ds);
      return lr_fail(err, LOGREG_ENOMEM, "out of memory");
    }
  }
  *out = ds;
  return LOGREG_OK;
}

/* Element j of row i of a caller's buffer, as a double (float32 values convert exactly). */
static double buffer_value(const void *x, logreg_dtype type, size_t stride, size_t i, size_t j) {
  return type == LOGREG_FLOAT64 ? ((const double *)x)[i * stride + j]
                                : (double)((const float *)x)[i * stride + j];
}

/* The shape part of lr_check_buffer: d, the type, the stride and X's address. */
static logreg_status check_buffer_shape(const char *fn, size_t n, size_t d, const void *x,
                                        logreg_dtype type, size_t stride, logreg_error *err) {
  if (d == 0) return lr_fail(err, LOGREG_EINVAL, "%s: no features (d = 0)", fn);
  if (type != LOGREG_FLOAT32 && type != LOGREG_FLOAT64)
    return lr_fail(err, LOGREG_EINVAL,
                   "%s: X's type %d is neither LOGREG_FLOAT32 nor LOGREG_FLOAT64", fn, (int)type);
  if (stride < d)
    return lr_fail(err, LOGREG_EINVAL, "%s: row stride %zu is less than the %zu features", fn,
                   stride, d);
  if (n && !x) return lr_fail(err, LOGREG_EINVAL, "%s: X is NULL", fn);
  if (n && stride > (SIZE_MAX / sizeof(double) - d) / n)
    return lr_fail(err, LOGREG_EINVAL, "%s: %zu rows of stride %zu overflow the address space", fn,
                   n, stride);
  return LOGREG_OK;
}

/* The checks of a caller's feature buffer shared by logreg_dataset_from_buffer and the
 * predictions from buffers: the shape and stride, then every value. NaN is a missing value (as
 * an empty field of a CSV); an infinity, or a float64 beyond float32's range (the dataset and the
 * model read float32 values), is an error naming the row and column. `fn` names the caller. */
logreg_status lr_check_buffer(const char *fn, size_t n, size_t d, const void *x, logreg_dtype type,
                              size_t stride, logreg_error *err) {
  logreg_status st = check_buffer_shape(fn, n, d, x, type, stride, err);
  if (st != LOGREG_OK) return st;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) {
      double v = buffer_value(x, type, stride, i, j);
      if (isinf(v))
        return lr_fail(err, LOGREG_EINVAL,
                       "%s: X[%zu, %zu] (row %zu, column %zu) is %s: features must be finite "
                       "(NaN marks a missing value)",
                       fn, i, j, i, j, v > 0 ? "inf" : "-inf");
      if (!isnan(v) && fabs(v) > FLT_MAX)
        return lr_fail(err, LOGREG_EINVAL,
                       "%s: X[%zu, %zu] (row %zu, column %zu) = %g is beyond float32's range", fn,
                       i, j, i, j, v);
    }
  return LOGREG_OK;
}

/* Row i of a checked buffer as float32: the caller's own row when it is float32, else `tmp`
 * (d floats) filled with the rounded values. */
const float *lr_buffer_row(const void *x, logreg_dtype type, size_t stride, size_t d, size_t i,
                           float *tmp) {
  if (type == LOGREG_FLOAT32) return (const float *)x + i * stride;
  const double *r = (const double *)x + i * stride;
  for (size_t j = 0; j < d; j++) tmp[j] = (float)r[j];
  return tmp;
}

/* The labels (0..k-1) and sample weights (finite, >= 0) of the array builders. */
static logreg_status check_labels(const char *fn, size_t n, const int32_t *y, size_t k,
                                  const double *sample_weight, logreg_error *err) {
  if (y) {
    if (k == 0 || k > INT32_MAX)
      return lr_fail(err, LOGREG_EINVAL, "%s: labels given but k = %zu classes", fn, k);
    for (size_t i = 0; i < n; i++)
      if (y[i] < 0 || (size_t)y[i] >= k)
        return lr_fail(err, LOGREG_EINVAL, "%s: label %d of row %zu is outside 0..%zu", fn,
                       (int)y[i], i, k - 1);
  }
  if (sample_weight)
    for (size_t i = 0; i < n; i++) {
      double v = sample_weight[i];
      if (!isfinite(v) || v > FLT_MAX)
        return lr_fail(err, LOGREG_EINVAL,
                       "%s: sample weight %g of row %zu is not finite: weights must be finite "
                       "numbers >= 0",
                       fn, v, i);
      if (v < 0)
        return lr_fail(err, LOGREG_EINVAL,
                       "%s: sample weight %g of row %zu is negative: weights must be >= 0", fn, v,
                       i);
    }
  return LOGREG_OK;
}

/* Copies labels and weights (-0 read as 0, as in a CSV's weight column) into ds, row i from
 * input row order[i] (order NULL: row i), and its class names; -1 when out of memory. */
static int set_labels(logreg_dataset *ds, size_t n, const int32_t *y, size_t k,
                      const double *sample_weight, const char *const *class_names,
                      const size_t *order) {
  if (y && !ds->y && !(ds->y = malloc((n ? n : 1) * sizeof(int32_t)))) return -1;
  if (sample_weight && !(ds->w = malloc((n ? n : 1) * sizeof(float)))) return -1;
  if (y && lr_dataset_set_classes(ds, k, class_names) != 0) return -1;
  for (size_t i = 0; y && i < n; i++) ds->y[i] = y[order ? order[i] : i];
  for (size_t i = 0; sample_weight && i < n; i++) {
    float v = (float)sample_weight[order ? order[i] : i];
    ds->w[i] = v == 0 ? 0.0f : v;
  }
  return 0;
}

/* Copies a checked buffer's rows into ds->x as float32, row i from input row order[i] (NULL:
 * row i), and counts the missing values; rows split over threads (lr_parallel). */
typedef struct copy_job {
  logreg_dataset *ds;
  const void *x;
  logreg_dtype type;
  size_t stride;
  const size_t *order;
  size_t missing[16];
} copy_job;

/* A gathered copy (order) prefetches the row it will copy COPY_AHEAD rows later, a 64-byte
 * cache line at a time: the rows come from all over X, where the hardware's prefetcher cannot
 * guess them; it halves the copy's time (bench/RESULTS.md, "GridSearchCV over the Python
 * estimator"). */
#define COPY_AHEAD 8

static void copy_part(void *ctx, unsigned t, unsigned nt) {
  copy_job *job = ctx;
  size_t n = job->ds->n, d = job->ds->d, missing = 0;
  size_t elem = job->type == LOGREG_FLOAT32 ? sizeof(float) : sizeof(double);
  for (size_t i = n * t / nt; i < n * (t + 1) / nt; i++) {
    size_t src = job->order ? job->order[i] : i;
    if (job->order && i + COPY_AHEAD < n) {
      const char *ahead = (const char *)job->x + job->order[i + COPY_AHEAD] * job->stride * elem;
      for (size_t b = 0; b < d * elem; b += 64) LR_PREFETCH(ahead + b);
    }
    float *o = job->ds->x + i * d;
    if (job->type == LOGREG_FLOAT32)
      memcpy(o, (const float *)job->x + src * job->stride, d * sizeof *o);
    else
      for (size_t j = 0; j < d; j++) o[j] = (float)((const double *)job->x)[src * job->stride + j];
    for (size_t j = 0; j < d; j++) missing += isnan(o[j]) ? 1 : 0;
  }
  job->missing[t] = missing;
}

static void copy_rows(logreg_dataset *ds, const void *x, logreg_dtype type, size_t stride,
                      const size_t *order) {
  copy_job job = {.ds = ds, .x = x, .type = type, .stride = stride, .order = order};
  unsigned nt = lr_threads_for(ds->n * ds->d, 0);
  if (nt > ds->n) nt = ds->n ? (unsigned)ds->n : 1;
  lr_parallel(nt, copy_part, &job);
  ds->missing = 0;
  for (unsigned t = 0; t < nt; t++) ds->missing += job.missing[t];
}

/* logreg_dataset_from_buffer's checks of X: the shape, then every value. With `canonical`
 * (and more than one row) the values are checked while their canonical order is made, in one
 * pass over X, and *order receives it (n entries, the caller frees them); else *order is NULL. */
static logreg_status check_x(const char *fn, size_t n, size_t d, const void *x, logreg_dtype type,
                             size_t stride, const int32_t *y, const double *sample_weight,
                             int canonical, size_t **order, logreg_error *err) {
  *order = NULL;
  if (!canonical || n < 2) return lr_check_buffer(fn, n, d, x, type, stride, err);
  logreg_status st = check_buffer_shape(fn, n, d, x, type, stride, err);
  if (st != LOGREG_OK) return st;
  size_t *o = malloc(n * sizeof *o);
  int rc = o ? lr_buffer_order(n, d, x, type, stride, y, sample_weight, 0, o) : -1;
  if (rc == 0) {
    *order = o;
    return LOGREG_OK;
  }
  free(o);
  if (rc < 0) return lr_fail(err, LOGREG_ENOMEM, "out of memory ordering %zu rows", n);
  return lr_check_buffer(fn, n, d, x, type, stride, err); /* it names the bad value */
}

logreg_status logreg_dataset_from_buffer(size_t n, size_t d, const void *x, logreg_dtype x_type,
                                         size_t row_stride, const int32_t *y, size_t k,
                                         const double *sample_weight,
                                         const char *const *class_names,
                                         const char *const *feature_names, unsigned flags,
                                         logreg_dataset **out, logreg_error *err) {
  static const char fn[] = "logreg_dataset_from_buffer";
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "%s: out is NULL", fn);
  *out = NULL;
  if (flags & ~(LOGREG_BUFFER_BORROW | LOGREG_BUFFER_CANONICAL_ORDER))
    return lr_fail(err, LOGREG_EINVAL, "%s: unknown flags 0x%x", fn,
                   flags & ~(LOGREG_BUFFER_BORROW | LOGREG_BUFFER_CANONICAL_ORDER));
  if (row_stride == 0) row_stride = d;
  size_t *order;
  logreg_status st = check_x(fn, n, d, x, x_type, row_stride, y, sample_weight,
                             (flags & LOGREG_BUFFER_CANONICAL_ORDER) != 0, &order, err);
  if (st == LOGREG_OK) st = check_labels(fn, n, y, k, sample_weight, err);
  if (st != LOGREG_OK) {
    free(order);
    return st;
  }
  int borrow = (flags & LOGREG_BUFFER_BORROW) && x_type == LOGREG_FLOAT32 &&
               (row_stride == d || n <= 1) && n > 0 && !order;
  /* A borrowed X needs no buffer of its own: allocate an empty one and swap it out. */
  logreg_dataset *ds = lr_dataset_alloc(borrow ? 0 : n, d, 0);
  char **names = ds ? copy_names(feature_names, d, "x") : NULL;
  if (!ds || !names || set_labels(ds, n, y, k, sample_weight, class_names, order) != 0) {
    free(order);
    if (names) lr_free_strings(names, d);
    logreg_dataset_free(ds);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory for a %zu x %zu dataset", n, d);
  }
  ds->n = n;
  free(ds->feature_names);
  ds->feature_names = names;
  if (borrow) {
    free(ds->x);
    ds->x = (float *)(uintptr_t)x; /* const by contract: x_borrowed data is only read */
    ds->x_borrowed = 1;
    for (size_t i = 0; i < n * d; i++)
      if (isnan(ds->x[i])) ds->missing++;
  } else {
    copy_rows(ds, x, x_type, row_stride, order);
  }
  free(order);
  *out = ds;
  return LOGREG_OK;
}

logreg_status logreg_dataset_from_csr(size_t n, size_t d, const int64_t *indptr,
                                      const int32_t *indices, const void *values,
                                      logreg_dtype x_type, const int32_t *y, size_t k,
                                      const double *sample_weight, const char *const *class_names,
                                      logreg_dataset **out, logreg_error *err) {
  static const char fn[] = "logreg_dataset_from_csr";
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "%s: out is NULL", fn);
  *out = NULL;
  if (!indptr) return lr_fail(err, LOGREG_EINVAL, "%s: indptr is NULL", fn);
  if (x_type != LOGREG_FLOAT32 && x_type != LOGREG_FLOAT64)
    return lr_fail(err, LOGREG_EINVAL, "%s: x_type %d is neither float32 nor float64", fn,
                   (int)x_type);
  if (d == 0 || d > INT32_MAX)
    return lr_fail(err, LOGREG_EINVAL, "%s: %zu features (1 .. 2147483647)", fn, d);
  if (indptr[0] != 0) return lr_fail(err, LOGREG_EINVAL, "%s: indptr[0] is not 0", fn);
  for (size_t i = 0; i < n; i++)
    if (indptr[i + 1] < indptr[i])
      return lr_fail(err, LOGREG_EINVAL, "%s: indptr decreases at row %zu", fn, i);
  size_t nnz = (size_t)indptr[n];
  if (nnz && (!indices || !values))
    return lr_fail(err, LOGREG_EINVAL, "%s: %zu nonzeros but no indices or values", fn, nnz);
  for (size_t i = 0; i < n; i++)
    for (int64_t e = indptr[i]; e < indptr[i + 1]; e++) {
      int32_t j = indices[e];
      if (j < 0 || (size_t)j >= d)
        return lr_fail(err, LOGREG_EINVAL, "%s: row %zu, entry %lld: column %d outside 0..%zu", fn,
                       i, (long long)(e - indptr[i]), (int)j, d - 1);
      if (e > indptr[i] && j <= indices[e - 1])
        return lr_fail(err, LOGREG_EINVAL,
                       "%s: row %zu, entry %lld: column %d after %d (columns must increase "
                       "within a row, without duplicates)",
                       fn, i, (long long)(e - indptr[i]), (int)j, (int)indices[e - 1]);
      double v = x_type == LOGREG_FLOAT32 ? (double)((const float *)values)[e]
                                          : ((const double *)values)[e];
      if (!isfinite(v) || fabs(v) > FLT_MAX)
        return lr_fail(err, LOGREG_EINVAL,
                       "%s: row %zu, column %d: value %g is not a finite float32 number", fn, i,
                       (int)j, v);
    }
  logreg_status st = check_labels(fn, n, y, k, sample_weight, err);
  if (st) return st;
  logreg_dataset *ds = lr_dataset_alloc_csr(n, d, nnz, y != NULL);
  if (!ds || set_labels(ds, n, y, k, sample_weight, class_names, NULL) != 0) {
    logreg_dataset_free(ds);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory for %zu rows, %zu nonzeros", n, nnz);
  }
  memcpy(ds->indptr, indptr, (n + 1) * sizeof *indptr);
  if (nnz) memcpy(ds->indices, indices, nnz * sizeof *indices);
  for (size_t e = 0; e < nnz; e++)
    ds->values[e] =
        x_type == LOGREG_FLOAT32 ? ((const float *)values)[e] : (float)((const double *)values)[e];
  *out = ds;
  return LOGREG_OK;
}

/* The sparse part of lr_dataset_subset: rows idx[0..m) of src's CSR arrays. */
static logreg_dataset *subset_csr(const logreg_dataset *src, const size_t *idx, size_t m) {
  size_t nnz = 0;
  for (size_t r = 0; r < m; r++) nnz += (size_t)(src->indptr[idx[r] + 1] - src->indptr[idx[r]]);
  logreg_dataset *ds = lr_dataset_alloc_csr(m, src->d, nnz, src->y != NULL);
  if (!ds) return NULL;
  size_t o = 0;
  for (size_t r = 0; r < m; r++) {
    size_t a = (size_t)src->indptr[idx[r]], len = (size_t)src->indptr[idx[r] + 1] - a;
    memcpy(ds->indices + o, src->indices + a, len * sizeof *ds->indices);
    memcpy(ds->values + o, src->values + a, len * sizeof *ds->values);
    o += len;
    ds->indptr[r + 1] = (int64_t)o;
    if (src->y) ds->y[r] = src->y[idx[r]];
  }
  return ds;
}

/* lr_dataset_subset; a dense subset's X is `taken` (rows already in place) when not NULL. */
static logreg_dataset *subset_of(const logreg_dataset *src, const size_t *idx, size_t m,
                                 float *taken) {
  size_t d = src->d;
  logreg_dataset *ds;
  if (lr_dataset_sparse(src)) {
    if (!(ds = subset_csr(src, idx, m))) return NULL;
    if (src->feature_names) {
      free(ds->feature_names);
      if (!(ds->feature_names = calloc(d ? d : 1, sizeof(char *)))) goto oom;
    }
  } else {
    if (!(ds = lr_dataset_alloc(m, d, src->y != NULL))) {
      free(taken);
      return NULL;
    }
    if (taken) { /* the zeroed X was never touched: freeing it costs no memory */
      free(ds->x);
      ds->x = taken;
    }
    for (size_t r = 0; r < m; r++) {
      if (!taken) memcpy(ds->x + r * d, src->x + idx[r] * d, d * sizeof(float));
      if (src->y) ds->y[r] = src->y[idx[r]];
    }
    /* The subset holds the missing values of its own rows. */
    for (size_t i = 0; i < m * d; i++)
      if (isnan(ds->x[i])) ds->missing++;
  }
  if (src->w) {
    ds->w = malloc((m ? m : 1) * sizeof(float));
    if (!ds->w) goto oom;
    for (size_t r = 0; r < m; r++) ds->w[r] = src->w[idx[r]];
  }
  if (src->folds) {
    ds->folds = malloc((m ? m : 1) * sizeof *ds->folds);
    if (!ds->folds) goto oom;
    for (size_t r = 0; r < m; r++) ds->folds[r] = src->folds[idx[r]];
  }
  for (size_t j = 0; src->feature_names && j < d; j++) {
    if (src->feature_names[j] && !(ds->feature_names[j] = lr_strdup(src->feature_names[j])))
      goto oom;
  }
  if (src->class_names && lr_dataset_set_classes(ds, src->k, (const char *const *)src->class_names))
    goto oom;
  ds->k = src->k;
  ds->n_columns = src->n_columns;
  ds->target_column = src->target_column;
  if (src->target_name && !(ds->target_name = lr_strdup(src->target_name))) goto oom;
  ds->format = src->format;
  ds->header = src->header;
  ds->delimiter = src->delimiter;
  ds->decimal = src->decimal;
  if (src->na_values) {
    if (!(ds->na_values = calloc(src->n_na, sizeof *ds->na_values))) goto oom;
    ds->n_na = src->n_na;
    for (size_t i = 0; i < src->n_na; i++)
      if (!(ds->na_values[i] = lr_strdup(src->na_values[i]))) goto oom;
  }
  if (src->feature_columns) {
    ds->feature_columns = malloc((d ? d : 1) * sizeof(size_t));
    if (!ds->feature_columns) goto oom;
    memcpy(ds->feature_columns, src->feature_columns, d * sizeof(size_t));
  }
  ds->n_categorical = src->n_categorical;
  ds->n_grouped = src->n_grouped;
  ds->n_dropped = src->n_dropped;
  if (src->feature_categories) {
    ds->feature_categories = calloc(d ? d : 1, sizeof(char *));
    ds->feature_sources = calloc(d ? d : 1, sizeof(char *));
    if (!ds->feature_categories || !ds->feature_sources) goto oom;
    for (size_t j = 0; j < d; j++) {
      const char *c = src->feature_categories[j], *so = src->feature_sources[j];
      if ((c && !(ds->feature_categories[j] = lr_strdup(c))) ||
          (so && !(ds->feature_sources[j] = lr_strdup(so))))
        goto oom;
    }
  }
  return ds;
oom:
  logreg_dataset_free(ds);
  return NULL;
}

logreg_dataset *lr_dataset_subset(const logreg_dataset *src, const size_t *idx, size_t m) {
  return subset_of(src, idx, m, NULL);
}

logreg_dataset *lr_dataset_subset_take(logreg_dataset *src, const size_t *idx, size_t m) {
  if (lr_dataset_sparse(src) || src->x_borrowed || !src->x) return lr_dataset_subset(src, idx, m);
  size_t d = src->d;
  float *x = src->x;
  /* idx increases and idx[r] >= r: row idx[r] is still where it was when it moves to r. */
  for (size_t r = 0; r < m; r++)
    if (idx[r] != r) memmove(x + r * d, x + idx[r] * d, d * sizeof *x);
  size_t keep = m * d > 0 ? m * d : 1;
  float *shrunk = realloc(x, keep * sizeof *x); /* the rest given back */
  src->x = NULL;
  src->x_given = 1;
  return subset_of(src, idx, m, shrunk ? shrunk : x);
}

int lr_dataset_keep_features(logreg_dataset *ds, const unsigned char *keep) {
  if (lr_dataset_sparse(ds)) return -1; /* one-hot features come from CSV only */
  size_t d = ds->d, m = 0;
  for (size_t j = 0; j < d; j++) m += keep[j] != 0;
  if (m == d) return 0;
  float *x = malloc((ds->n * m > 0 ? ds->n * m : 1) * sizeof *x);
  if (!x) return -1;
  for (size_t i = 0; i < ds->n; i++)
    for (size_t j = 0, o = 0; j < d; j++)
      if (keep[j]) x[i * m + o++] = ds->x[i * d + j];
  free(ds->x);
  ds->x = x;
  /* The per-feature arrays shrink in place; what is not kept is released. */
  char **lists[3] = {ds->feature_names, ds->feature_categories, ds->feature_sources};
  for (int a = 0; a < 3; a++) {
    if (!lists[a]) continue;
    for (size_t j = 0, o = 0; j < d; j++) {
      if (keep[j])
        lists[a][o++] = lists[a][j];
      else
        free(lists[a][j]);
    }
  }
  for (size_t j = 0, o = 0; j < d; j++) {
    if (!keep[j]) continue;
    if (ds->feature_columns) ds->feature_columns[o] = ds->feature_columns[j];
    if (ds->unseen) ds->unseen[o] = ds->unseen[j];
    o++;
  }
  ds->d = m;
  return 0;
}

/* ---- Label encoding ---- */

typedef struct label_key {
  double v;      /* numeric value (numeric mode only) */
  const char *s; /* the label as written */
  size_t row;
} label_key;

/* Ties broken by row, so each group of equal labels starts with its first occurrence and the
 * class keeps the first spelling seen (qsort is not stable). */
static int cmp_numeric(const void *pa, const void *pb) {
  const label_key *a = pa, *b = pb;
  if (a->v < b->v) return -1;
  if (a->v > b->v) return 1;
  return (a->row > b->row) - (a->row < b->row);
}

static int cmp_string(const void *pa, const void *pb) {
  const label_key *a = pa, *b = pb;
  int c = strcmp(a->s, b->s);
  if (c) return c;
  return (a->row > b->row) - (a->row < b->row);
}

/* The class a label belongs to when the model's classes are given: the class with the same
 * string, else the class with the same numeric value ("2.0" finds "2"). -1 when none. */
static long find_class(const char *label, const char *const *classes, size_t n_classes) {
  for (size_t c = 0; c < n_classes; c++)
    if (classes[c] && strcmp(label, classes[c]) == 0) return (long)c;
  double v, w;
  if (lr_parse_double(label, &v) != 0) return -1;
  for (size_t c = 0; c < n_classes; c++)
    if (classes[c] && lr_parse_double(classes[c], &w) == 0 && v == w) return (long)c;
  return -1;
}

int lr_encode_labels(logreg_dataset *ds, char *const *labels, const char *const *classes,
                     size_t n_classes, size_t *bad_row) {
  size_t n = ds->n;
  if (classes && n_classes > INT32_MAX) return -1;
  if (!ds->y) {
    ds->y = malloc((n ? n : 1) * sizeof(int32_t));
    if (!ds->y) return -1;
  }
  label_key *keys = malloc((n ? n : 1) * sizeof *keys);
  if (!keys) return -1;
  /* Numeric order only when every label is a number; with the model's classes given, group
   * identical strings (the lookup handles numeric equality). */
  int numeric = !classes;
  for (size_t i = 0; i < n; i++) {
    keys[i].s = labels[i];
    keys[i].row = i;
    keys[i].v = 0;
    if (numeric && lr_parse_double(labels[i], &keys[i].v) != 0) numeric = 0;
  }
  qsort(keys, n, sizeof *keys, numeric ? cmp_numeric : cmp_string);

  int rc = 0;
  if (classes) {
    size_t bad = SIZE_MAX;
    long cls = -1;
    for (size_t i = 0; i < n; i++) {
      if (i == 0 || strcmp(keys[i].s, keys[i - 1].s) != 0)
        cls = find_class(keys[i].s, classes, n_classes);
      if (cls < 0) {
        if (keys[i].row < bad) bad = keys[i].row;
        continue;
      }
      ds->y[keys[i].row] = (int32_t)cls;
    }
    if (bad != SIZE_MAX) {
      if (bad_row) *bad_row = bad;
      rc = 1;
    } else if (lr_dataset_set_classes(ds, n_classes, classes) != 0) {
      rc = -1;
    }
    free(keys);
    return rc;
  }

  /* Distinct labels, in sorted order; names point at the first spelling of each. */
  const char **names = malloc((n ? n : 1) * sizeof *names);
  if (!names) {
    free(keys);
    return -1;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int is_new =
        i == 0 || (numeric ? keys[i].v != keys[i - 1].v : strcmp(keys[i].s, keys[i - 1].s) != 0);
    if (is_new) {
      if (k == INT32_MAX) {
        rc = -1;
        break;
      }
      names[k++] = keys[i].s;
    }
    ds->y[keys[i].row] = (int32_t)(k - 1);
  }
  if (rc == 0 && lr_dataset_set_classes(ds, k, names) != 0) rc = -1;
  free(names);
  free(keys);
  return rc;
}

/* ---- Accessors ---- */

size_t logreg_dataset_rows(const logreg_dataset *ds) { return ds ? ds->n : 0; }
size_t logreg_dataset_features(const logreg_dataset *ds) { return ds ? ds->d : 0; }
size_t logreg_dataset_classes(const logreg_dataset *ds) { return ds && ds->y ? ds->k : 0; }
const float *logreg_dataset_x(const logreg_dataset *ds) { return ds ? ds->x : NULL; }
int logreg_dataset_is_sparse(const logreg_dataset *ds) { return ds && lr_dataset_sparse(ds); }
size_t logreg_dataset_nnz(const logreg_dataset *ds) {
  if (!ds || ds->x_given) return 0;
  if (lr_dataset_sparse(ds)) return ds->nnz;
  size_t nnz = 0;
  for (size_t i = 0; i < ds->n * ds->d; i++) nnz += ds->x[i] != 0;
  return nnz;
}
const int32_t *logreg_dataset_y(const logreg_dataset *ds) { return ds ? ds->y : NULL; }
const float *logreg_dataset_weights(const logreg_dataset *ds) { return ds ? ds->w : NULL; }
size_t logreg_dataset_missing(const logreg_dataset *ds) { return ds ? ds->missing : 0; }

const char *logreg_dataset_class_name(const logreg_dataset *ds, size_t k) {
  if (!ds || !ds->class_names || k >= ds->k) return NULL;
  return ds->class_names[k];
}

const char *const *logreg_dataset_class_names(const logreg_dataset *ds) {
  return ds && ds->y ? (const char *const *)ds->class_names : NULL;
}

const char *logreg_dataset_feature_name(const logreg_dataset *ds, size_t j) {
  if (!ds || j >= ds->d) return NULL;
  if (!ds->feature_names) {
    if (!lr_dataset_sparse(ds)) return NULL;
    /* Sparse data names its features "f1".."fD" on demand: D may be in the millions. */
    static _Thread_local char name[32];
    return lr_dataset_feature_name(ds, j, name, sizeof name);
  }
  return ds->feature_names[j];
}

const int32_t *logreg_dataset_folds(const logreg_dataset *ds) { return ds ? ds->folds : NULL; }

const char *logreg_dataset_id(const logreg_dataset *ds, size_t i) {
  return ds && ds->ids && i < ds->n ? ds->ids[i] : NULL;
}

const char *logreg_dataset_target_name(const logreg_dataset *ds) {
  return ds ? ds->target_name : NULL;
}

long logreg_dataset_target_column(const logreg_dataset *ds) { return ds ? ds->target_column : -1; }

int logreg_dataset_header_numeric(const logreg_dataset *ds) { return ds ? ds->header_numeric : 0; }
int logreg_dataset_delimiter(const logreg_dataset *ds) { return ds ? ds->delimiter : 0; }
int logreg_dataset_decimal(const logreg_dataset *ds) { return ds ? ds->decimal : 0; }
size_t logreg_dataset_skipped_rows(const logreg_dataset *ds) { return ds ? ds->skipped : 0; }

const char *logreg_dataset_feature_category(const logreg_dataset *ds, size_t j) {
  if (!ds || !ds->feature_categories || j >= ds->d) return NULL;
  return ds->feature_categories[j];
}

const char *logreg_dataset_feature_source(const logreg_dataset *ds, size_t j) {
  if (!ds || j >= ds->d) return NULL;
  if (ds->feature_sources && ds->feature_sources[j]) return ds->feature_sources[j];
  return logreg_dataset_feature_name(ds, j);
}

size_t logreg_dataset_categorical_columns(const logreg_dataset *ds) {
  return ds ? ds->n_categorical : 0;
}
size_t logreg_dataset_grouped_categories(const logreg_dataset *ds) {
  return ds ? ds->n_grouped : 0;
}
size_t logreg_dataset_dropped_columns(const logreg_dataset *ds) { return ds ? ds->n_dropped : 0; }
size_t logreg_dataset_unseen_rows(const logreg_dataset *ds) { return ds ? ds->unseen_rows : 0; }
size_t logreg_dataset_unseen(const logreg_dataset *ds, size_t j) {
  return ds && ds->unseen && j < ds->d ? ds->unseen[j] : 0;
}
size_t logreg_dataset_source_columns(const logreg_dataset *ds) { return ds ? ds->n_columns : 0; }
const size_t *logreg_dataset_feature_columns(const logreg_dataset *ds) {
  return ds ? ds->feature_columns : NULL;
}
