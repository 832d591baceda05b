/* backend.c: choosing a backend from a device spec (see backend.h). Kept apart from the
 * backends so that neither knows about the other. */
#include <stdio.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl.h"
#include "util/util.h"

logreg_status lr_backend_create(const char *name, size_t d, size_t k, int binary, double pos_weight,
                                const lr_backend_opts *opts, lr_backend **out, logreg_error *err) {
  *out = NULL;
  logreg_device_selector sel;
  logreg_status st = logreg_device_parse(name ? name : "cpu", &sel, err);
  if (st) return st;
  if (sel.pick == LOGREG_PICK_CPU) return lr_cpu_backend_create(d, k, binary, pos_weight, out, err);
  if (sel.pick == LOGREG_PICK_AUTO) {
    lr_ocl_device_info info;
    int found = 0;
    char why[512];
    st = lr_ocl_select(&sel, opts ? opts->device : NULL, &info, &found, why, sizeof why, err);
    if (st) return st;
    if (!found) return lr_cpu_backend_create(d, k, binary, pos_weight, out, err);
    char spec[64];
    snprintf(spec, sizeof spec, "opencl:%u:%u", info.platform, info.device);
    return lr_ocl_backend_create(spec, d, k, binary, pos_weight, opts, out, err);
  }
  return lr_ocl_backend_create(name, d, k, binary, pos_weight, opts, out, err);
}

void lr_backend_destroy(lr_backend *be) {
  if (be) be->ops->destroy(be);
}
