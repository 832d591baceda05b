/* preprocess.c: the stratified split, imputation medians, the scaler, and the transform that
 * applies them. Statistics are accumulated in double so that values near FLT_MAX do not
 * overflow and small variances are not lost. */
#include "preprocess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* k-th smallest of v[0..n) (0-based), reordering v so that every value before index kth is
 * <= the result. Quickselect with a three-way partition, so long runs of equal values (pixel
 * columns full of zeros) cost one pass. */
static double select_kth(double *v, size_t n, size_t kth) {
  size_t lo = 0, hi = n; /* the answer's index lies in [lo, hi) */
  while (hi - lo > 1) {
    double pivot = v[lo + (hi - lo) / 2];
    size_t lt = lo, i = lo, gt = hi;
    while (i < gt) {
      double t = v[i];
      if (t < pivot) {
        v[i++] = v[lt];
        v[lt++] = t;
      } else if (t > pivot) {
        v[i] = v[--gt];
        v[gt] = t;
      } else {
        i++;
      }
    }
    if (kth < lt)
      hi = lt;
    else if (kth >= gt)
      lo = gt;
    else
      return pivot;
  }
  return v[kth];
}

int lr_column_medians(const logreg_dataset *ds, double *median) {
  double *v = malloc((ds->n ? ds->n : 1) * sizeof *v);
  if (!v) return -1;
  for (size_t j = 0; j < ds->d; j++) {
    size_t m = 0;
    for (size_t i = 0; i < ds->n; i++) {
      float x = ds->x[i * ds->d + j];
      if (!isnan(x)) v[m++] = x;
    }
    if (m == 0) {
      median[j] = 0.0;
      continue;
    }
    double hi = select_kth(v, m, m / 2);
    if (m % 2) {
      median[j] = hi;
    } else {
      /* After selecting m/2, every value below index m/2 is <= hi: the lower middle is
       * their maximum. */
      double lo = v[0];
      for (size_t i = 1; i < m / 2; i++) lo = fmax(lo, v[i]);
      median[j] = 0.5 * (lo + hi);
    }
  }
  free(v);
  return 0;
}

void lr_column_scaler(const logreg_dataset *ds, const double *median, double *mean, double *std) {
  size_t n = ds->n, d = ds->d;
  for (size_t j = 0; j < d; j++) mean[j] = std[j] = 0.0;
  if (n == 0) {
    for (size_t j = 0; j < d; j++) std[j] = 1.0;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const float *xr = ds->x + i * d;
    for (size_t j = 0; j < d; j++) mean[j] += isnan(xr[j]) ? median[j] : (double)xr[j];
  }
  for (size_t j = 0; j < d; j++) mean[j] /= (double)n;
  /* Second pass over deviations: exact enough where the one-pass formula cancels. */
  for (size_t i = 0; i < n; i++) {
    const float *xr = ds->x + i * d;
    for (size_t j = 0; j < d; j++) {
      double dv = (isnan(xr[j]) ? median[j] : (double)xr[j]) - mean[j];
      std[j] += dv * dv;
    }
  }
  for (size_t j = 0; j < d; j++) {
    double s = sqrt(std[j] / (double)n);
    /* A constant column (or one whose spread vanishes against its magnitude) is only
     * centred: dividing by a rounding residue would blow noise up to unit scale. */
    std[j] = (s > 0 && s > 1e-12 * fabs(mean[j]) && isfinite(s)) ? s : 1.0;
  }
}

size_t lr_transform(const logreg_model *m, const logreg_dataset *ds, float *out) {
  size_t n = ds->n, d = m->d, filled = 0;
  for (size_t i = 0; i < n; i++) {
    const float *xr = ds->x + i * d;
    float *o = out + i * d;
    for (size_t j = 0; j < d; j++) {
      double v = xr[j];
      if (isnan(xr[j])) {
        v = m->median[j];
        filled++;
      }
      o[j] = (float)((v - m->mean[j]) / m->std[j]);
    }
  }
  return filled;
}

int lr_class_weights(const int32_t *y, size_t n, size_t k, int balanced, double *weight) {
  size_t *count = calloc(k ? k : 1, sizeof *count);
  if (!count) return -1;
  for (size_t i = 0; i < n; i++) count[y[i]]++;
  for (size_t c = 0; c < k; c++)
    weight[c] = balanced && count[c] ? (double)n / ((double)k * (double)count[c]) : 1.0;
  free(count);
  return 0;
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

logreg_status logreg_dataset_split(const logreg_dataset *ds, double train, double val, double test,
                                   uint64_t seed, logreg_dataset **train_out,
                                   logreg_dataset **val_out, logreg_dataset **test_out,
                                   logreg_error *err) {
  *train_out = *val_out = *test_out = NULL;
  if (!(train > 0) || !(val >= 0) || !(test >= 0) || fabs(train + val + test - 1.0) > 1e-6)
    return lr_fail(err, LOGREG_EINVAL,
                   "--split: fractions must be >= 0, train > 0, and sum to 1 (got %g,%g,%g)", train,
                   val, test);
  if (!ds->y) return lr_fail(err, LOGREG_EINVAL, "cannot split unlabelled data (stratified split)");
  size_t n = ds->n, k = ds->k;
  size_t *count = calloc(k + 1, sizeof *count);
  size_t *idx = malloc((n ? n : 1) * sizeof *idx);
  size_t *part[3] = {malloc((n ? n : 1) * sizeof(size_t)), malloc((n ? n : 1) * sizeof(size_t)),
                     malloc((n ? n : 1) * sizeof(size_t))};
  size_t np[3] = {0, 0, 0};
  logreg_status st = LOGREG_OK;
  if (!count || !idx || !part[0] || !part[1] || !part[2]) {
    st = lr_fail(err, LOGREG_ENOMEM, "split: out of memory");
    goto done;
  }
  /* Group row indices by class (counting sort keeps file order within a class). */
  for (size_t i = 0; i < n; i++) count[ds->y[i] + 1]++;
  for (size_t c = 0; c < k; c++) count[c + 1] += count[c];
  {
    size_t *pos = malloc((k ? k : 1) * sizeof *pos);
    if (!pos) {
      st = lr_fail(err, LOGREG_ENOMEM, "split: out of memory");
      goto done;
    }
    memcpy(pos, count, k * sizeof *pos);
    for (size_t i = 0; i < n; i++) idx[pos[ds->y[i]]++] = i;
    free(pos);
  }
  lr_rng rng;
  lr_rng_seed(&rng, seed);
  for (size_t c = 0; c < k; c++) {
    size_t *cls = idx + count[c], nc = count[c + 1] - count[c];
    lr_shuffle_size(&rng, cls, nc);
    size_t cut1 = (size_t)llround((double)nc * train);
    size_t cut2 = (size_t)llround((double)nc * (train + val));
    if (cut1 > nc) cut1 = nc;
    if (cut2 > nc) cut2 = nc;
    if (test == 0) cut2 = nc;
    if (val == 0 && test == 0) cut1 = nc;
    for (size_t i = 0; i < nc; i++) {
      int p = i < cut1 ? 0 : i < cut2 ? 1 : 2;
      part[p][np[p]++] = cls[i];
    }
  }
  if (np[0] == 0) {
    st = lr_fail(err, LOGREG_EINVAL, "--split: the training part of %zu rows is empty", n);
    goto done;
  }
  logreg_dataset **outs[3] = {train_out, val_out, test_out};
  for (int p = 0; p < 3; p++) {
    if (np[p] == 0) continue;
    /* File order within each part: reproducible and independent of the class layout. */
    qsort(part[p], np[p], sizeof(size_t), cmp_size);
    *outs[p] = lr_dataset_subset(ds, part[p], np[p]);
    if (!*outs[p]) {
      st = lr_fail(err, LOGREG_ENOMEM, "split: out of memory");
      for (int q = 0; q < 3; q++) {
        logreg_dataset_free(*outs[q]);
        *outs[q] = NULL;
      }
      goto done;
    }
  }
done:
  free(count);
  free(idx);
  for (int p = 0; p < 3; p++) free(part[p]);
  return st;
}
