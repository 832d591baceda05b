/* devices.c: the public device API of logreg.h: every backend and device with its
 * capabilities, device specs and selectors, and which device a spec (auto among them) picks and
 * why. The OpenCL side is ocl.c's; this file turns it into the public descriptions, with the
 * cpu reference listed beside the OpenCL devices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/ocl.h"
#include "util/util.h"

void logreg_device_options_init(logreg_device_options *opt) { memset(opt, 0, sizeof *opt); }

const char *logreg_device_type_name(logreg_device_type type) {
  switch (type) {
  case LOGREG_DEVICE_CPU:
    return "CPU";
  case LOGREG_DEVICE_GPU:
    return "GPU";
  case LOGREG_DEVICE_ACCELERATOR:
    return "accelerator";
  default:
    return "other";
  }
}

static void cpu_info(logreg_device_info *out) {
  memset(out, 0, sizeof *out);
  out->backend = LOGREG_BACKEND_CPU;
  snprintf(out->spec, sizeof out->spec, "cpu");
  snprintf(out->name, sizeof out->name, "reference");
  out->type = LOGREG_DEVICE_CPU;
  out->compute_units = 1;
  out->max_work_group = 1;
  out->fp64 = 1;
}

static void opencl_info(const lr_ocl_device_info *d, logreg_device_info *out) {
  memset(out, 0, sizeof *out);
  out->backend = LOGREG_BACKEND_OPENCL;
  snprintf(out->spec, sizeof out->spec, "opencl:%u:%u", d->platform, d->device);
  out->platform = d->platform;
  out->index = d->device;
  snprintf(out->platform_name, sizeof out->platform_name, "%s", d->platform_name);
  snprintf(out->platform_version, sizeof out->platform_version, "%s", d->platform_version);
  snprintf(out->name, sizeof out->name, "%s", d->name);
  snprintf(out->vendor, sizeof out->vendor, "%s", d->vendor);
  snprintf(out->driver, sizeof out->driver, "%s", d->driver);
  snprintf(out->c_version, sizeof out->c_version, "%s", d->c_version);
  out->type = (d->type & CL_DEVICE_TYPE_GPU)           ? LOGREG_DEVICE_GPU
              : (d->type & CL_DEVICE_TYPE_CPU)         ? LOGREG_DEVICE_CPU
              : (d->type & CL_DEVICE_TYPE_ACCELERATOR) ? LOGREG_DEVICE_ACCELERATOR
                                                       : LOGREG_DEVICE_OTHER;
  out->compute_units = d->compute_units;
  out->global_mem = d->global_mem;
  out->max_alloc = d->max_alloc;
  out->local_mem = d->local_mem;
  out->max_work_group = d->max_wg;
  out->fp64 = d->fp64;
}

logreg_status logreg_devices_list(const logreg_device_options *opt, logreg_device_info **out,
                                  size_t *count, logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  *count = 0;
  lr_ocl_device_info *cl = NULL;
  unsigned n = 0;
  logreg_status st = lr_ocl_list(&cl, &n, err);
  if (st) return st;
  logreg_device_info *list = calloc((size_t)n + 1, sizeof *list);
  if (!list) {
    free(cl);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  cpu_info(&list[0]);
  for (unsigned i = 0; i < n; i++) {
    lr_ocl_apply_options(&cl[i], opt);
    opencl_info(&cl[i], &list[i + 1]);
  }
  free(cl);
  *out = list;
  *count = (size_t)n + 1;
  return LOGREG_OK;
}

void logreg_devices_free(logreg_device_info *list) { free(list); }

logreg_status logreg_device_parse(const char *spec, logreg_device_selector *out,
                                  logreg_error *err) {
  memset(out, 0, sizeof *out);
  if (!spec) return lr_fail(err, LOGREG_EINVAL, "--device: no device given");
  if (strcmp(spec, "auto") == 0) {
    out->pick = LOGREG_PICK_AUTO;
  } else if (strcmp(spec, "cpu") == 0) {
    out->pick = LOGREG_PICK_CPU;
  } else if (strcmp(spec, "opencl") == 0) {
    out->pick = LOGREG_PICK_OPENCL;
  } else if (strncmp(spec, "opencl:", 7) == 0) {
    unsigned P, D;
    char tail;
    if (sscanf(spec + 7, "%u:%u%c", &P, &D, &tail) != 2)
      return lr_fail(err, LOGREG_EINVAL,
                     "--device: \"%s\" is not opencl:PLATFORM:DEVICE (indices, see 'logreg "
                     "devices')",
                     spec);
    out->pick = LOGREG_PICK_INDEX;
    out->platform = P;
    out->device = D;
  } else {
    return lr_fail(err, LOGREG_EINVAL,
                   "--device: unknown device \"%s\" (auto, cpu, opencl, opencl:P:D)", spec);
  }
  return LOGREG_OK;
}

logreg_status logreg_device_select(const logreg_device_selector *sel,
                                   const logreg_device_options *opt, logreg_device_info *out,
                                   char *why, size_t why_cap, logreg_error *err) {
  lr_error_clear(err);
  char text[512];
  if ((unsigned)sel->pick > LOGREG_PICK_INDEX)
    return lr_fail(err, LOGREG_EINVAL, "--device: unknown selector %d", (int)sel->pick);
  lr_ocl_device_info info;
  int found = 0;
  logreg_status st = lr_ocl_select(sel, opt, &info, &found, text, sizeof text, err);
  if (st) return st;
  if (found)
    opencl_info(&info, out);
  else
    cpu_info(out);
  if (why && why_cap) snprintf(why, why_cap, "%s", text);
  return LOGREG_OK;
}

logreg_status logreg_device_choose(const char *spec, const logreg_device_options *opt,
                                   logreg_device_info *out, char *why, size_t why_cap,
                                   logreg_error *err) {
  logreg_device_selector sel;
  logreg_status st = logreg_device_parse(spec, &sel, err);
  return st ? st : logreg_device_select(&sel, opt, out, why, why_cap, err);
}
