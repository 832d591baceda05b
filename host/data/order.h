/* order.h: the canonical order of a caller's rows (logreg_dataset_from_buffer's
 * LOGREG_BUFFER_CANONICAL_ORDER): an order that depends on the rows' contents only, so that the
 * same rows given in any order become the same dataset, bit for bit. Apart from dataset.c because
 * it is a computation of its own (a projection, a radix sort, ties settled by content) that the
 * tests check against a reference sort. */
#ifndef LOGREG_ORDER_H
#define LOGREG_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "logreg.h"

/* The fixed random coefficients of the rows' sort key: 2 d + 2 values in [-1, 1), the same on
 * every platform for a given d: r[j] multiplies feature j, r[d + j] stands in for feature j when
 * it is missing (NaN), r[2 d] multiplies the label and r[2 d + 1] the weight. */
void lr_order_projection(size_t d, double *r);

/* A row's sort key, from its values as the dataset stores them: f[0..d) the float32 features,
 * label y (0 when unlabelled) and weight w (1 when none). Four partial sums over the features
 * j = q mod 4, each in increasing j, added as (s0 + s1) + (s2 + s3), then the label's and the
 * weight's terms: the same bits for the same row wherever it stands. */
double lr_order_key(const double *r, size_t d, const float *f, int32_t y, float w);

/* The canonical order of rows 0..n-1 of the buffer x (float32 or float64 as `type`, row i at
 * element i * stride, shape already checked: d > 0, stride >= d, x not NULL when n > 0), with
 * labels y (NULL: none) and weights w (NULL: all 1): order[r] is the input row that comes r-th.
 * Rows are sorted by lr_order_key of their stored values (float64 rounded to float32; a weight
 * rounded to float32, -0 read as 0), and rows with equal keys by their stored bits (features,
 * then label, then weight), so the order is a function of the multiset of rows; rows that tie on
 * everything are equal as stored, and their order does not matter. Runs on `threads` threads
 * (lr_threads_for; the result does not depend on the count). Returns 0; 1 when a value of x is
 * infinite or beyond float32's range (order is then not set: lr_check_buffer names the value);
 * -1 when out of memory. Labels and weights are not checked here. */
int lr_buffer_order(size_t n, size_t d, const void *x, logreg_dtype type, size_t stride,
                    const int32_t *y, const double *w, unsigned threads, size_t *order);

#endif
