/* ocl.h: OpenCL plumbing shared by the opencl backend, the device module (device.c) and
 * the memory floors (floor.c): finding platforms and devices, choosing one (a selector and the
 * logreg_device_options), naming error codes, and building programs with their build log on
 * failure. */
#ifndef LOGREG_OCL_H
#define LOGREG_OCL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "logreg.h"
#include "logreg_hooks.h"

/* What `logreg devices` shows for one device. */
typedef struct lr_ocl_device_info {
  unsigned platform, device; /* indices */
  cl_platform_id pid;
  cl_device_id did;
  char platform_name[128], platform_version[128];
  char name[128], vendor[128], c_version[64], driver[64];
  cl_device_type type;
  unsigned compute_units;
  unsigned long long global_mem, max_alloc, local_mem;
  size_t max_wg;
  int fp64;
  int host_unified; /* CL_DEVICE_HOST_UNIFIED_MEMORY: the device's memory is the host's */
} lr_ocl_device_info;

/* All devices of all platforms, in platform then device order. *count = 0 (and LOGREG_OK)
 * when there is no platform. The caller frees *out. */
logreg_status lr_ocl_list(lr_ocl_device_info **out, unsigned *count, logreg_error *err);

/* Resolves a selector (logreg.h) among the OpenCL devices: LOGREG_PICK_INDEX by indices,
 * LOGREG_PICK_OPENCL the options' platform/device match, else the first GPU, else the first
 * device (under LOGREG_PICK_AUTO, the sel->local_rank-th GPU mod the GPUs); LOGREG_PICK_AUTO the
 * same, with *found = 0 (and LOGREG_OK) when there is no OpenCL
 * device, so that the caller falls back to cpu; the host picks (cpu, reference) always *found = 0.
 * `opt` may be NULL; its max_alloc and no_fp64 are applied to *out (lr_ocl_apply_options). `why`
 * (cap bytes) receives a sentence saying what was chosen and why. */
logreg_status lr_ocl_select(const logreg_device_selector *sel, const logreg_device_options *opt,
                            lr_ocl_device_info *out, int *found, char *why, size_t cap,
                            logreg_error *err);

/* Device `device` of platform `platform`, with the options applied (LOGREG_EBACKEND when it
 * is not there any more). */
logreg_status lr_ocl_find(unsigned platform, unsigned device, const logreg_device_options *opt,
                          lr_ocl_device_info *out, logreg_error *err);

/* The options' test hooks (logreg_hooks.h), or all of them off when there are none. */
const logreg_test_hooks *lr_ocl_hooks(const logreg_device_options *opt);

/* Applies the options' allocation limit and fp64 switch to a device's description, so that
 * everything downstream (the backend, `logreg devices`) sees the device as training will. */
void lr_ocl_apply_options(lr_ocl_device_info *info, const logreg_device_options *opt);

/* "CL_OUT_OF_RESOURCES" for -5, ...; "unknown OpenCL error" otherwise. */
const char *lr_ocl_error_name(cl_int code);

/* "GPU", "CPU", "accelerator", ... */
const char *lr_ocl_type_name(cl_device_type t);

/* Kernel source: <dir>/<name> when `dir` is set (logreg_test_hooks.kernel_dir: kernel
 * development), else the copy embedded at build time, with its #include "HEADER" lines
 * replaced by the header's text from the same place (kernels/layout.h). *owned is set when the
 * caller must free the text. */
const char *lr_ocl_kernel_source(const char *name, const char *dir, int *owned, logreg_error *err);

/* Builds `src` for `dev` with `options`; on failure the error names the options and carries
 * the compiler's log (flattened to one line), and *log (when not NULL) receives the full log
 * (caller frees). The log is read through the OpenCL API; stderr is left alone (see ocl.c for
 * what PoCL prints there). */
logreg_status lr_ocl_build(cl_context ctx, cl_device_id dev, const char *src, const char *options,
                           cl_program *out, char **log, logreg_error *err);

#endif
