/* gen.h: synthetic dataset generators behind `logreg gen`. */
#ifndef LOGREG_GEN_H
#define LOGREG_GEN_H

#include <stdint.h>

#include "logreg.h"

/* Gaussian blobs like scikit-learn's make_blobs: k centres drawn uniformly in [-10, 10]^d,
 * rows spread evenly over the classes (the first n % k classes get one more), each row its
 * centre plus N(0, spread^2) noise per feature, rows in shuffled order. Writes a CSV with header
 * x0..x{d-1},label (labels 0..k-1) atomically to `path`. */
logreg_status lr_gen_blobs(const char *path, size_t n, size_t d, size_t k, double spread,
                           uint64_t seed, logreg_error *err);

/* Two features (leukocyte_count, blood_pressure) and tumor_class benign/malignant, shaped like
 * the tumors teaching data: malignant about 61% with a lower leukocyte count and a higher
 * blood pressure than benign (per-class Gaussians fitted to tumors.csv), overlapping a little.
 * Writes a CSV with that header atomically. */
logreg_status lr_gen_tumors(const char *path, size_t n, uint64_t seed, logreg_error *err);

#endif
