/* gen.c: synthetic datasets: behind `logreg gen`, Gaussian blobs like scikit-learn's
 * make_blobs, two-feature data shaped like the tumors teaching set, and sparse LIBSVM data; behind
 * `logreg bench`, large Gaussian data made in memory on several threads.
 *
 * Every random number comes from lr_rng seeded with the caller's seed, drawn in a fixed order,
 * so a seed gives the same bytes on every platform. Files are written atomically: a failed run
 * never leaves a partial CSV behind. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/dataset.h"
#include "logreg.h"
#include "util/util.h"

/* Per-class statistics of ../shared/data/tumors.csv (1000 rows), computed once with numpy:
 * mean, population std and Pearson correlation of (leukocyte_count, blood_pressure) per class.
 *   malignant: 611 rows, mean (13.2024, 15.7415), std (2.0796, 0.9559), corr 0.2331
 *   benign:    389 rows, mean (17.6997, 14.7264), std (1.7695, 0.9817), corr 0.4164
 * In that file malignant tumours come with the LOWER leukocyte count and the HIGHER blood
 * pressure; the generator follows the data. */
typedef struct tumor_class_stats {
  const char *name;
  double mean[2], std[2], corr;
} tumor_class_stats;

static const tumor_class_stats tumor_stats[2] = {
    {"benign", {17.69965961, 14.72639741}, {1.76948961, 0.98174009}, 0.41639713},
    {"malignant", {13.20237883, 15.74145781}, {2.07962785, 0.95585603}, 0.23313635},
};
#define TUMOR_MALIGNANT_FRACTION 0.611 /* 611 of 1000 rows */

/* Labels 0..k-1 with counts[c] rows each, in an order shuffled by `rng`. NULL on ENOMEM. */
static size_t *shuffled_labels(lr_rng *rng, const size_t *counts, size_t k, size_t n) {
  size_t *labels = malloc(n * sizeof *labels);
  if (!labels) return NULL;
  size_t i = 0;
  for (size_t c = 0; c < k; c++)
    for (size_t r = 0; r < counts[c]; r++) labels[i++] = c;
  lr_shuffle_size(rng, labels, n);
  return labels;
}

logreg_status logreg_gen_blobs(const char *path, size_t n, size_t d, size_t k, double spread,
                               uint64_t seed, logreg_error *err) {
  lr_error_clear(err);
  if (!path) return lr_fail(err, LOGREG_EINVAL, "gen: no output path");
  if (n < 1) return lr_fail(err, LOGREG_EINVAL, "'n' must be >= 1");
  if (d < 1) return lr_fail(err, LOGREG_EINVAL, "'d' must be >= 1");
  if (k < 2) return lr_fail(err, LOGREG_EINVAL, "'k' must be >= 2");
  if (n < k) return lr_fail(err, LOGREG_EINVAL, "'n' (%zu) must be >= 'k' (%zu)", n, k);
  if (!(spread > 0) || !isfinite(spread))
    return lr_fail(err, LOGREG_EINVAL, "'spread' must be a finite number > 0");
  if (d > SIZE_MAX / sizeof(double) / k || n > SIZE_MAX / sizeof(size_t))
    return lr_fail(err, LOGREG_EINVAL, "'d' x 'k' is too large");

  double *centres = malloc(k * d * sizeof *centres);
  size_t *counts = malloc(k * sizeof *counts);
  if (!centres || !counts) {
    free(centres);
    free(counts);
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  }
  lr_rng rng;
  lr_rng_seed(&rng, seed);
  /* Draw order is part of the output contract: centres, then the row order, then the noise. */
  for (size_t i = 0; i < k * d; i++) centres[i] = -10.0 + 20.0 * lr_rng_uniform(&rng);
  for (size_t c = 0; c < k; c++) counts[c] = n / k + (c < n % k ? 1 : 0);
  size_t *labels = shuffled_labels(&rng, counts, k, n);
  free(counts);
  if (!labels) {
    free(centres);
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  }

  lr_atomic_file af;
  logreg_status st = lr_atomic_open(&af, path, err);
  if (st) {
    free(centres);
    free(labels);
    return st;
  }
  for (size_t j = 0; j < d; j++) fprintf(af.f, "x%zu,", j);
  fputs("label\n", af.f);
  for (size_t i = 0; i < n && !ferror(af.f); i++) {
    const double *centre = centres + labels[i] * d;
    for (size_t j = 0; j < d; j++) fprintf(af.f, "%.9g,", centre[j] + spread * lr_rng_normal(&rng));
    fprintf(af.f, "%zu\n", labels[i]);
  }
  free(centres);
  free(labels);
  /* Commit checks the stream's error flag, so a write that failed above is reported there. */
  return lr_atomic_commit(&af, err);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The class signal of sparse data: +1 or -1 for (class, feature), from a hash (SplitMix64's
 * finalizer) rather than a stored k x d table, so D may be in the billions. */
static double sparse_sign(uint64_t seed, size_t c, size_t j) {
  uint64_t z = seed ^ ((uint64_t)c * 0x9e3779b97f4a7c15u) ^ ((uint64_t)j * 0xbf58476d1ce4e5b9u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return (z & 1) ? 1.0 : -1.0;
}

logreg_status logreg_gen_sparse(const char *path, size_t n, size_t d, double density, size_t k,
                                uint64_t seed, logreg_error *err) {
  lr_error_clear(err);
  if (!path) return lr_fail(err, LOGREG_EINVAL, "gen: no output path");
  if (n < 1) return lr_fail(err, LOGREG_EINVAL, "'n' must be >= 1");
  if (d < 1 || d > INT32_MAX) return lr_fail(err, LOGREG_EINVAL, "'d' must be in 1..2147483647");
  if (k < 2) return lr_fail(err, LOGREG_EINVAL, "'k' must be >= 2");
  if (n < k) return lr_fail(err, LOGREG_EINVAL, "'n' (%zu) must be >= 'k' (%zu)", n, k);
  if (!(density > 0 && density <= 1))
    return lr_fail(err, LOGREG_EINVAL, "'density' must be a number in (0, 1]");
  if (n > SIZE_MAX / sizeof(size_t)) return lr_fail(err, LOGREG_EINVAL, "'n' is too large");
  /* Nonzeros per row: uniform in 0..2m, m = density d rounded (so the mean is about m and some
   * rows may be all zeros). */
  double mean_nnz = density * (double)d;
  uint64_t span = (uint64_t)(2.0 * mean_nnz + 0.5);
  if (span > d) span = d;
  uint64_t *cols = malloc((span ? span : 1) * sizeof *cols);
  size_t *counts = malloc(k * sizeof *counts);
  if (!cols || !counts) {
    free(cols);
    free(counts);
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  }
  lr_rng rng;
  lr_rng_seed(&rng, seed);
  for (size_t c = 0; c < k; c++) counts[c] = n / k + (c < n % k ? 1 : 0);
  size_t *labels = shuffled_labels(&rng, counts, k, n);
  free(counts);
  lr_atomic_file af;
  logreg_status st = labels ? lr_atomic_open(&af, path, err)
                            : lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  if (st) {
    free(cols);
    free(labels);
    return st;
  }
  for (size_t i = 0; i < n && !ferror(af.f); i++) {
    /* Draw order: the row's count, its columns (with repeats, then sorted and made unique),
     * then one noise value per nonzero. */
    uint64_t m = lr_rng_below(&rng, span + 1);
    for (uint64_t e = 0; e < m; e++) cols[e] = lr_rng_below(&rng, d);
    qsort(cols, m, sizeof *cols, cmp_u64);
    fprintf(af.f, "%zu", labels[i]);
    for (uint64_t e = 0; e < m; e++) {
      if (e && cols[e] == cols[e - 1]) continue;
      double v = sparse_sign(seed, labels[i], cols[e]) + 0.75 * lr_rng_normal(&rng);
      if (v == 0) v = 1e-3; /* a written pair is a nonzero */
      fprintf(af.f, " %llu:%.6g", (unsigned long long)cols[e] + 1, v);
    }
    fputc('\n', af.f);
  }
  free(cols);
  free(labels);
  return lr_atomic_commit(&af, err);
}

logreg_status logreg_gen_tumors(const char *path, size_t n, uint64_t seed, logreg_error *err) {
  lr_error_clear(err);
  if (!path) return lr_fail(err, LOGREG_EINVAL, "gen: no output path");
  if (n < 1) return lr_fail(err, LOGREG_EINVAL, "'n' must be >= 1");
  if (n > SIZE_MAX / sizeof(size_t)) return lr_fail(err, LOGREG_EINVAL, "'n' is too large");

  /* An exact malignant count (rounded) instead of a coin per row keeps small files close to
   * the real proportion. */
  size_t counts[2];
  counts[1] = (size_t)floor(TUMOR_MALIGNANT_FRACTION * (double)n + 0.5);
  if (counts[1] > n) counts[1] = n;
  counts[0] = n - counts[1];

  lr_rng rng;
  lr_rng_seed(&rng, seed);
  size_t *labels = shuffled_labels(&rng, counts, 2, n);
  if (!labels) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);

  lr_atomic_file af;
  logreg_status st = lr_atomic_open(&af, path, err);
  if (st) {
    free(labels);
    return st;
  }
  fputs("leukocyte_count,blood_pressure,tumor_class\n", af.f);
  for (size_t i = 0; i < n && !ferror(af.f); i++) {
    const tumor_class_stats *s = &tumor_stats[labels[i]];
    /* Correlated pair from two independent normals (2x2 Cholesky factor). */
    double z1 = lr_rng_normal(&rng), z2 = lr_rng_normal(&rng);
    double x1 = s->mean[0] + s->std[0] * z1;
    double x2 = s->mean[1] + s->std[1] * (s->corr * z1 + sqrt(1.0 - s->corr * s->corr) * z2);
    fprintf(af.f, "%.9g,%.9g,%s\n", x1, x2, s->name);
  }
  free(labels);
  return lr_atomic_commit(&af, err);
}

/* logreg_gen_gaussian draws rows in blocks of GAUSS_BLOCK, each from its own stream seeded by
 * (seed, block), on up to 16 threads: the data depend on the seed alone, and the big shapes of
 * the benchmarks (1.6e9 values at 50M x 32) take seconds, not the minutes of one stream. */
#define GAUSS_BLOCK 4096

typedef struct gauss_job {
  size_t rows, d, k;
  uint64_t seed;
  float *x;
  int32_t *y;
} gauss_job;

/* splitmix64's finalizer: a block index and the seed into one well-mixed stream seed. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void gauss_part(void *ctx, unsigned t, unsigned nt) {
  const gauss_job *j = ctx;
  size_t nb = (j->rows + GAUSS_BLOCK - 1) / GAUSS_BLOCK;
  for (size_t b = nb * t / nt; b < nb * (t + 1) / nt; b++) {
    lr_rng rng;
    lr_rng_seed(&rng, mix64(j->seed ^ mix64((uint64_t)b + 1)));
    size_t hi = (b + 1) * GAUSS_BLOCK < j->rows ? (b + 1) * GAUSS_BLOCK : j->rows;
    for (size_t i = b * GAUSS_BLOCK; i < hi; i++) {
      j->y[i] = (int32_t)lr_rng_below(&rng, j->k);
      float *xi = j->x + i * j->d;
      for (size_t c = 0; c < j->d; c++)
        xi[c] = (float)(lr_rng_normal(&rng) + (c % j->k == (size_t)j->y[i]));
    }
  }
}

logreg_status logreg_gen_gaussian(size_t n, size_t d, size_t k, uint64_t seed, unsigned threads,
                                  logreg_dataset **out, logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  if (n < 1) return lr_fail(err, LOGREG_EINVAL, "'n' must be >= 1");
  if (d < 1) return lr_fail(err, LOGREG_EINVAL, "'d' must be >= 1");
  if (k < 2 || k > INT32_MAX) return lr_fail(err, LOGREG_EINVAL, "'k' must be >= 2");
  logreg_dataset *ds = lr_dataset_alloc(n, d, 1);
  if (!ds || lr_dataset_set_classes(ds, k, NULL) != 0) {
    logreg_dataset_free(ds);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory for %zu x %zu floats", n, d);
  }
  for (size_t j = 0; j < d; j++) {
    char name[32];
    snprintf(name, sizeof name, "x%zu", j);
    if (!(ds->feature_names[j] = lr_strdup(name))) {
      logreg_dataset_free(ds);
      return lr_fail(err, LOGREG_ENOMEM, "out of memory");
    }
  }
  gauss_job job = {n, d, k, seed, ds->x, ds->y};
  lr_parallel(lr_threads_for(n * d, threads), gauss_part, &job);
  *out = ds;
  return LOGREG_OK;
}
