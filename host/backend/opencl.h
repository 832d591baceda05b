/* backend_opencl.h: creating the opencl backend, and what its parity tests read from it. */
#ifndef LOGREG_BACKEND_OPENCL_H
#define LOGREG_BACKEND_OPENCL_H

#include "backend/backend.h"

/* How the opencl backend computes the logits X W and the gradient X^T G. */
typedef enum lr_gemm_mode {
  LR_GEMM_OWN,     /* lr_logits + row kernel + lr_grad_partial (two passes over X) */
  LR_GEMM_CLBLAST, /* CLBlast SGEMM for both products */
  LR_GEMM_FUSED,   /* lr_fused: one pass over X per epoch, shaped for CPU vectors */
  LR_GEMM_TILED    /* lr_tile: one pass over X per epoch in work-group tiles, shaped for GPUs */
} lr_gemm_mode;

/* The opencl backend on the device named by `spec` ("opencl", "opencl:P:D"; see ocl.h). */
logreg_status lr_ocl_backend_create(const char *spec, size_t d, size_t k, int binary,
                                    double pos_weight, const lr_backend_opts *opts,
                                    lr_backend **out, logreg_error *err);

/* The GEMM path the backend runs: the requested one, else (auto) the fastest one measured when
 * the training data was set (the provisional one before that). */
lr_gemm_mode lr_ocl_gemm_mode(const lr_backend *be);

/* The last evaluation's rows x KW logits (X W, before the bias) or, with `residuals`, its
 * residuals s_i (p - y) (raw: not scaled by 1 / sum s). For tests. */
logreg_status lr_ocl_read_rows(lr_backend *be, int residuals, float *out, logreg_error *err);

/* The raw Hessian-vector product at the current parameters along v (both [(d + 1) KW], laid
 * out [W | b]) over the whole training slot, as lr_reference_hv computes it: v is uploaded as
 * floats, the product read back. For tests. */
logreg_status lr_ocl_hv_host(lr_backend *be, const double *v, double *hv, logreg_error *err);

#endif
