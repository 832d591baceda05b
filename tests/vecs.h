/* vecs.h: for the tests that drive a backend directly: parameters and gradients as separate W
 * (d x kw) and b (kw) arrays to and from the backend's [W | b] vectors. */
#ifndef LOGREG_TEST_VECS_H
#define LOGREG_TEST_VECS_H

#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/device.h"

/* The backend that training creates for device spec `spec` ("cpu", "opencl", "opencl:P:D") and
 * evaluation path `gemm` (NULL, "auto", "tiled", "fused", "own", "clblast"), through the device
 * module; `opt` may be NULL. */
static inline logreg_status make_backend(const char *spec, const char *gemm, size_t d, size_t k,
                                         int binary, double pos_weight,
                                         const logreg_device_options *opt, lr_backend **out,
                                         logreg_error *err) {
  logreg_params p;
  logreg_params_init(&p);
  p.device = spec;
  p.gemm = gemm;
  if (opt) p.device_options = *opt;
  lr_device dev;
  logreg_status st = lr_device_from_params(&p, &dev, err);
  return st ? st : lr_device_backend(&dev, d, k, binary, pos_weight, NULL, 0, out, err);
}

/* Reads vector v into w and b (either may be NULL). */
static inline logreg_status vec_get_wb(lr_backend *be, int v, double *w, double *b,
                                       logreg_error *err) {
  size_t nw = be->d * be->kw;
  double *t = malloc(be->nparam * sizeof *t);
  if (!t) return LOGREG_ENOMEM;
  logreg_status st = be->ops->vec_read(be, v, t, err);
  if (!st && w) memcpy(w, t, nw * sizeof *w);
  if (!st && b) memcpy(b, t + nw, be->kw * sizeof *b);
  free(t);
  return st;
}

/* Writes w and b into vector v. */
static inline logreg_status vec_set_wb(lr_backend *be, int v, const double *w, const double *b,
                                       logreg_error *err) {
  size_t nw = be->d * be->kw;
  double *t = malloc(be->nparam * sizeof *t);
  if (!t) return LOGREG_ENOMEM;
  memcpy(t, w, nw * sizeof *w);
  memcpy(t + nw, b, be->kw * sizeof *b);
  logreg_status st = be->ops->vec_write(be, v, t, err);
  free(t);
  return st;
}

#endif
