/* vec_map.cl: the frame of the element-wise maps (host/backend/backend.h, lr_vec_map): the
 * optimizers' steps, which their own files write as a few OpenCL C statements, so that this
 * folder and the backend know no optimizer. The opencl backend builds one small program per
 * map at its first use, with logreg.cl's build options: this text, then a kernel it writes
 *
 *   __kernel void NAME(__global float *v0, ..., const float c0, ..., const uint n,
 *                      __global float *Wt, const uint wt_d)
 *
 * that runs the map's statements for element i < n and then keep_wt(Wt, wt_d, i, v0[i]): with
 * wt_d > 0 (v0 is theta, on a one-pass path) the transposed weights stay current, as after
 * logreg.cl's vector kernels. */

#include "layout.h"

static void keep_wt(__global float *Wt, const uint wt_d, const uint i, const float v) {
  if (i < wt_d * LR_KW) Wt[LR_WT_AT(i, LR_KW, wt_d)] = v;
}
