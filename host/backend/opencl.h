/* backend_opencl.h: creating the opencl backend, and what its parity tests read from it. */
#ifndef LOGREG_BACKEND_OPENCL_H
#define LOGREG_BACKEND_OPENCL_H

#include "backend/backend.h"

/* The opencl backend on OpenCL device `dev` (as logreg_devices_list or logreg_device_choose
 * describe it), on opts->path (device.h's rows of the backend table create it). */
logreg_status lr_ocl_backend_create(const logreg_device_info *dev, size_t d, size_t k, int binary,
                                    double pos_weight, const lr_backend_opts *opts,
                                    lr_backend **out, logreg_error *err);

/* The last evaluation's rows x KW logits (X W, before the bias) or, with `residuals`, its
 * residuals s_i (p - y) (raw: not scaled by 1 / sum s). For tests. */
logreg_status lr_ocl_read_rows(lr_backend *be, int residuals, float *out, logreg_error *err);

/* The raw Hessian-vector product at the current parameters along v (both [(d + 1) KW], laid
 * out [W | b]) over the whole training slot, as lr_reference_hv computes it: v is uploaded as
 * floats, the product read back. For tests. */
logreg_status lr_ocl_hv_host(lr_backend *be, const double *v, double *hv, logreg_error *err);

#endif
