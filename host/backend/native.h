/* native.h: the native CPU backend (native.c) and its dense block kernels (native_kern.c).
 *
 * The backend of kind LOGREG_BACKEND_CPU (`--device cpu`): the same raw sums as the reference
 * backend, for speed: one pass over X per evaluation in row blocks that stay in cache, the
 * blocks' products in vector units chosen at run time, threads over fixed parts of the rows.
 * device.c creates it; the tests reach its kernel variants through this header. */
#ifndef LOGREG_BACKEND_NATIVE_H
#define LOGREG_BACKEND_NATIVE_H

#include <stddef.h>

#include "backend/backend.h"

/* The backend for this shape, parameters at zero. */
logreg_status lr_native_backend_create(size_t d, size_t k, int binary, double pos_weight,
                                       lr_backend **out, logreg_error *err);

/* Kernels over a block of dense rows (row q at xr[q], d floats each, products and sums in
 * double). Weights and gradients are held transposed: column c of W is wt[c ldw .. c ldw + d),
 * with ldw a multiple of 8 and zeros from d to ldw. Every variant adds the same terms; the
 * order of the additions (vector lanes) is each variant's own and fixed. */
typedef struct lr_native_kern {
  const char *isa; /* "AVX-512", "AVX2", "generic C" */
  /* z[q kz + c] = (sum_j xr[q][j] wt[c ldw + j]) + b[c] for q < nrow, c < kw. */
  void (*logits)(const float *const *xr, size_t nrow, size_t d, const double *wt, size_t ldw,
                 size_t kw, const double *b, double *z, size_t kz);
  /* gt[c ldw + j] += sum_q x r[q kw + c] for j < d, c < kw, with x = xr[q][j] (its square when
   * sq), the rows added in order q = 0, 1, ... Meanwhile the npf rows pf[i] (d floats each; the
   * next block's) are asked for, a few after each strip of features, so that they are in L2
   * when the next block's logits read them (variants may ignore them). */
  void (*scatter)(const float *const *xr, size_t nrow, size_t d, const double *r, size_t kw, int sq,
                  double *gt, size_t ldw, const float *const *pf, size_t npf);
  /* v[i] = exp(v[i]) for v[i] <= 0 (the rows' exponentials: z - max z, -|z|), and
   * v[i] = log1p(v[i]) for v[i] >= 0, within 2 ulp of libm's (generic C: libm's); NaN
   * stays NaN. */
  void (*vexp)(double *v, size_t n);
  void (*vlog1p)(double *v, size_t n);
  /* Binary rows q < m from their logits z (bias included), labels yv (0 or 1) and weights sv:
   * r[q] = s_q dl_q/dz (+0 for the rows with held[q]; held NULL: none) and, with want_loss,
   * the rows' loss, s loss, right (1 or 0) and s added to *acc (the held rows': *hacc), by
   * reference.c row_loss's formulas from e = exp(-|z|) (this variant's vexp and vlog1p). */
  void (*binrows)(size_t m, const double *z, const double *sv, const int32_t *yv, double pw,
                  const unsigned char *held, int want_loss, double *r, lr_sums *acc, lr_sums *hacc);
  /* Optional (NULL: logits, binrows and scatter do the same): binary rows q < nrow in one
   * sweep: their logits against w (zeros from d to a multiple of 8) plus b, their terms as
   * binrows' (none held; the sums into *acc with want_loss), and with want_grad
   * g[j] += sum_q x_qj r_q for j < d and *gb += sum_q r_q. */
  void (*binary)(const float *const *xr, size_t nrow, size_t d, const double *w, double b,
                 const double *sv, const int32_t *yv, double pw, int want_loss, int want_grad,
                 double *g, double *gb, lr_sums *acc);
} lr_native_kern;

enum { LR_NATIVE_GENERIC = 0, LR_NATIVE_AVX2, LR_NATIVE_AVX512, LR_NATIVE_VARIANTS };

/* The kernels of variant v (LR_NATIVE_*), or NULL when this build or this CPU lacks them. */
const lr_native_kern *lr_native_kern_get(int v);
/* The fastest variant this CPU runs (AVX-512, else AVX2 with FMA, else generic C). */
const lr_native_kern *lr_native_kern_best(void);
/* For tests: the native backend `be` evaluates with variant v from now on (LOGREG_EUNSUPPORTED
 * when this CPU lacks it, LOGREG_EINVAL when be is not native). */
logreg_status lr_native_use_kern(lr_backend *be, int v, logreg_error *err);

#endif
