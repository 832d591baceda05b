/* test_devices.c: the public device API (logreg.h "Devices"): the list (cpu first, reference, then
 * every OpenCL device with its capabilities), specs and typed selectors, what auto picks and why,
 * errors that name the option at fault, and device options that reach both the capabilities
 * and the backend (an allocation limit, no fp64, build options, a kernel folder). The OpenCL
 * parts run where there is an OpenCL device; the rest runs everywhere. */
#include <stdint.h>
#include <sys/stat.h>

#include "check.h"
#include "logreg.h"
#include "logreg_bench.h"
#include "logreg_hooks.h"

/* The list: cpu, reference, then the OpenCL devices from this index on. */
#define OCL0 2

/* The floor a device is held against (logreg_bench.h): the host backends and CPU OpenCL devices
 * read X from host memory, GPUs their own under auto; --floor host and device force it. */
static void floor_rule(void) {
  logreg_device_info d;
  memset(&d, 0, sizeof d);
  d.backend = LOGREG_BACKEND_CPU;
  for (int c = LOGREG_FLOOR_AUTO; c <= LOGREG_FLOOR_DEVICE; c++)
    CHECK(logreg_floor_is_device(&d, (logreg_floor_choice)c) == 0);
  d.backend = LOGREG_BACKEND_REFERENCE; /* X in host memory too */
  for (int c = LOGREG_FLOOR_AUTO; c <= LOGREG_FLOOR_DEVICE; c++)
    CHECK(logreg_floor_is_device(&d, (logreg_floor_choice)c) == 0);
  d.backend = LOGREG_BACKEND_OPENCL;
  d.type = LOGREG_DEVICE_CPU;
  CHECK(logreg_floor_is_device(&d, LOGREG_FLOOR_AUTO) == 0);
  CHECK(logreg_floor_is_device(&d, LOGREG_FLOOR_HOST) == 0);
  CHECK(logreg_floor_is_device(&d, LOGREG_FLOOR_DEVICE) == 1);
  d.type = LOGREG_DEVICE_GPU;
  CHECK(logreg_floor_is_device(&d, LOGREG_FLOOR_AUTO) == 1);
  CHECK(logreg_floor_is_device(&d, LOGREG_FLOOR_HOST) == 0);
  CHECK(logreg_floor_is_device(&d, LOGREG_FLOOR_DEVICE) == 1);
}

static void parse_specs(void) {
  logreg_device_selector sel;
  logreg_error err;
  CHECK(logreg_device_parse("auto", &sel, &err) == LOGREG_OK && sel.pick == LOGREG_PICK_AUTO);
  CHECK(logreg_device_parse("cpu", &sel, &err) == LOGREG_OK && sel.pick == LOGREG_PICK_CPU);
  CHECK(logreg_device_parse("opencl", &sel, &err) == LOGREG_OK && sel.pick == LOGREG_PICK_OPENCL);
  CHECK(logreg_device_parse("reference", &sel, &err) == LOGREG_OK &&
        sel.pick == LOGREG_PICK_REFERENCE);
  CHECK(logreg_device_parse("opencl:1:2", &sel, &err) == LOGREG_OK);
  CHECK(sel.pick == LOGREG_PICK_INDEX && sel.platform == 1 && sel.device == 2);
  /* Bad specs: LOGREG_EINVAL and a message naming --device. */
  static const char *const bad[] = {"quantum", "opencl:x", "opencl:1", "opencl:1:2:3",
                                    "",        "GPU",      "native"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(logreg_device_parse(bad[i], &sel, &err) == LOGREG_EINVAL);
    CHECK(err.status == LOGREG_EINVAL);
    CHECK_STR_CONTAINS(err.message, "'device'");
  }
  logreg_device_info info;
  CHECK(logreg_device_choose("opencl:x", NULL, &info, NULL, 0, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'device': \"opencl:x\" is not opencl:PLATFORM:DEVICE");
}

/* A host backend: list[i], of this kind and spec, chosen by its spec and its selector without
 * any OpenCL enumeration, a CPU with doubles and no device floor. */
static void host_device(const logreg_device_info *list, size_t n, size_t i,
                        logreg_backend_kind kind, const char *spec, logreg_device_pick pick,
                        const char *name_has) {
  CHECK(n > i);
  if (n <= i) return;
  const logreg_device_info *d = &list[i];
  CHECK(d->backend == kind && strcmp(d->spec, spec) == 0);
  CHECK(d->type == LOGREG_DEVICE_CPU && d->fp64 == 1 && d->compute_units >= 1);
  CHECK_STR_CONTAINS(d->name, name_has);
  logreg_device_info info;
  char why[256];
  logreg_error err;
  CHECK(logreg_device_choose(spec, NULL, &info, why, sizeof why, &err) == LOGREG_OK);
  CHECK(memcmp(&info, d, sizeof info) == 0);
  CHECK_STR_CONTAINS(why, spec);
  logreg_device_selector sel = {.pick = pick};
  CHECK(logreg_device_select(&sel, NULL, &info, NULL, 0, &err) == LOGREG_OK);
  CHECK(info.backend == kind);
  /* The floors on a device that is not OpenCL: an argument error, no crash. */
  logreg_floor f;
  CHECK(logreg_floor_device_read(d, NULL, 4096, &f, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "not an OpenCL device");
}

/* The cpu backend first (the native one: its kernels named), the reference second. */
static void host_devices(const logreg_device_info *list, size_t n) {
  host_device(list, n, 0, LOGREG_BACKEND_CPU, "cpu", LOGREG_PICK_CPU, "kernels");
  host_device(list, n, 1, LOGREG_BACKEND_REFERENCE, "reference", LOGREG_PICK_REFERENCE,
              "plain C loops");
}

/* Each listed OpenCL device is chosen by its own spec and by the typed selector, with the same
 * description; auto picks the first GPU, else the first device, and says so. */
static void opencl_devices(const logreg_device_info *list, size_t n) {
  logreg_error err;
  char why[512];
  size_t first_gpu = 0;
  for (size_t i = OCL0; i < n; i++) {
    const logreg_device_info *d = &list[i];
    CHECK(d->backend == LOGREG_BACKEND_OPENCL);
    char spec[32];
    snprintf(spec, sizeof spec, "opencl:%u:%u", d->platform, d->index);
    CHECK(strcmp(d->spec, spec) == 0);
    CHECK(d->name[0] != '\0' && d->platform_name[0] != '\0' && d->c_version[0] != '\0');
    CHECK(d->compute_units >= 1 && d->global_mem > 0 && d->max_alloc > 0 && d->local_mem > 0);
    CHECK(d->max_alloc <= d->global_mem && d->max_work_group >= 1);
    CHECK(d->fp64 == 0 || d->fp64 == 1);
    CHECK(strcmp(logreg_device_type_name(d->type), "other") != 0 || d->type == LOGREG_DEVICE_OTHER);
    if (!first_gpu && d->type == LOGREG_DEVICE_GPU) first_gpu = i;
    logreg_device_info c;
    CHECK(logreg_device_choose(d->spec, NULL, &c, why, sizeof why, &err) == LOGREG_OK);
    CHECK(memcmp(&c, d, sizeof c) == 0);
    CHECK_STR_CONTAINS(why, "(as asked)");
    logreg_device_selector sel = {
        .pick = LOGREG_PICK_INDEX, .platform = d->platform, .device = d->index};
    CHECK(logreg_device_select(&sel, NULL, &c, NULL, 0, &err) == LOGREG_OK);
    CHECK(memcmp(&c, d, sizeof c) == 0);
  }
  const logreg_device_info *want = &list[first_gpu ? first_gpu : OCL0];
  logreg_device_info a;
  CHECK(logreg_device_choose("auto", NULL, &a, why, sizeof why, &err) == LOGREG_OK);
  CHECK(strcmp(a.spec, want->spec) == 0);
  char head[64];
  snprintf(head, sizeof head, "auto -> %s: ", want->spec);
  CHECK(strncmp(why, head, strlen(head)) == 0);
  CHECK_STR_CONTAINS(why,
                     first_gpu ? "(the first GPU)" : "(no GPU found; the first OpenCL device)");
  CHECK(logreg_device_choose("opencl", NULL, &a, NULL, 0, &err) == LOGREG_OK);
  CHECK(strcmp(a.spec, want->spec) == 0);

  /* Indices that name no device: the error names them and --device. */
  CHECK(logreg_device_choose("opencl:9:9", NULL, &a, why, sizeof why, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'device': no device 9 on platform 9");
}

/* The options choose the device (platform and device by index or name substring) and shape
 * its capabilities as training will see them. */
static void options_choose(const logreg_device_info *list, size_t n) {
  logreg_error err;
  char why[512];
  const logreg_device_info *last = &list[n - 1];
  logreg_device_options opt;
  logreg_device_options_init(&opt);
  char pidx[16];
  snprintf(pidx, sizeof pidx, "%u", last->platform);
  opt.opencl_platform = pidx;
  opt.opencl_device = last->name + strlen(last->name) / 2; /* a substring of its name */
  logreg_device_info c;
  CHECK(logreg_device_choose("auto", &opt, &c, why, sizeof why, &err) == LOGREG_OK);
  CHECK(c.platform == last->platform && strstr(last->name, opt.opencl_device) != NULL);
  CHECK_STR_CONTAINS(why, "chosen by 'opencl_platform'/'opencl_device'");
  /* A spec by indices is not affected by the matches. */
  CHECK(logreg_device_choose(list[OCL0].spec, &opt, &c, NULL, 0, &err) == LOGREG_OK);
  CHECK(strcmp(c.spec, list[OCL0].spec) == 0);

  logreg_device_options_init(&opt);
  opt.opencl_device = "no-such-device";
  CHECK(logreg_device_choose("opencl", &opt, &c, why, sizeof why, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'opencl_device' \"no-such-device\"");
  CHECK_STR_CONTAINS(err.message, "match no device");
  CHECK(strstr(err.message, "'opencl_platform'") == NULL);

  /* The allocation limit and fp64 switch show in the queried capabilities. */
  logreg_device_options_init(&opt);
  logreg_test_hooks hk = {0, 0, NULL, NULL, 0, 0};
  opt.hooks = &hk;
  hk.max_alloc = 20000;
  hk.no_fp64 = 1;
  logreg_device_info *capped = NULL;
  size_t m = 0;
  CHECK(logreg_devices_list(&opt, &capped, &m, &err) == LOGREG_OK && m == n);
  for (size_t i = OCL0; capped && i < m; i++) {
    CHECK(capped[i].max_alloc == 20000);
    CHECK(capped[i].fp64 == 0);
    CHECK(capped[i].global_mem == list[i].global_mem);
  }
  logreg_devices_free(capped);
  CHECK(logreg_device_choose(list[OCL0].spec, &opt, &c, NULL, 0, &err) == LOGREG_OK);
  CHECK(c.max_alloc == 20000 && c.fp64 == 0);
  /* A limit above the device's own changes nothing. */
  hk.max_alloc = list[OCL0].max_alloc + 1;
  hk.no_fp64 = 0;
  CHECK(logreg_device_choose(list[OCL0].spec, &opt, &c, NULL, 0, &err) == LOGREG_OK);
  CHECK(c.max_alloc == list[OCL0].max_alloc && c.fp64 == list[OCL0].fp64);
}

/* The options reach the backend through logreg_params.device_options: an allocation limit that
 * the parameters cannot fit in is refused with the sizes; a kernel folder with a broken kernel
 * fails to build, and the build options in the error show no_fp64 and the extra options. */
static void options_reach_backend(const char *spec) {
  float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  int32_t y[4] = {0, 1, 0, 1};
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(4, 2, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_ADAM; /* the default before LOGREG_OPTIMIZER_AUTO */
  p.device = spec;
  p.epochs = 2;
  logreg_test_hooks hk = {0, 0, NULL, NULL, 0, 0};
  p.device_options.hooks = &hk;
  hk.max_alloc = 16;
  logreg_model *m = NULL;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_EBACKEND);
  CHECK(m == NULL);
  CHECK_STR_CONTAINS(err.message, "largest allocation (16 bytes)");

  const char *tmp = getenv("LOGREG_TMP");
  char dir[1024], path[1100];
  snprintf(dir, sizeof dir, "%s/test_devices_kernels", tmp ? tmp : "/tmp");
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/logreg.cl", dir);
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f) {
    fputs("__kernel void lr_broken(__global float *x) { x[0] = not_declared; }\n", f);
    fclose(f);
  }
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_ADAM; /* the default before LOGREG_OPTIMIZER_AUTO */
  p.device = spec;
  p.epochs = 2;
  hk = (logreg_test_hooks){0, 1, "-DLR_TEST_MARK=7", dir, 0, 1};
  p.device_options.hooks = &hk;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_EBACKEND);
  CHECK(m == NULL);
  CHECK_STR_CONTAINS(err.message, "clBuildProgram failed");
  CHECK_STR_CONTAINS(err.message, "-DLR_FP64=0");
  CHECK_STR_CONTAINS(err.message, "-DLR_TEST_MARK=7");
  CHECK_STR_CONTAINS(err.message, "not_declared");
  /* A folder without the kernel: an error naming the option. */
  hk.kernel_dir = "/nonexistent-logreg-kernels";
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message,
                     "'kernel_dir': /nonexistent-logreg-kernels/logreg.cl: cannot open");
  /* The same data trains without the options. */
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_ADAM; /* the default before LOGREG_OPTIMIZER_AUTO */
  p.device = spec;
  p.epochs = 2;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  logreg_model_free(m);
  logreg_dataset_free(ds);
}

int main(void) {
  floor_rule();
  parse_specs();
  logreg_device_info *list = NULL;
  size_t n = 0;
  logreg_error err;
  CHECK(logreg_devices_list(NULL, &list, &n, &err) == LOGREG_OK);
  if (list) {
    host_devices(list, n);
    if (n > OCL0) {
      opencl_devices(list, n);
      options_choose(list, n);
      options_reach_backend(list[OCL0].spec);
    } else {
      fprintf(stderr, "no OpenCL device: only the cpu parts ran\n");
    }
  }
  logreg_devices_free(list);
  return check_report("test_devices");
}
