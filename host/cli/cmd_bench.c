/* cmd_bench.c: `logreg bench`: full-batch epochs (forward, softmax, loss, gradient, update)
 * timed on data resident on the device, after warm-up, for one backend or all of them side by
 * side, through the trainer of logreg.h (gradient descent, lr 0.1, l2 1e-4), one
 * logreg_trainer_epoch at a time (it waits for the device). Setup (preprocessing, context,
 * kernel compilation, upload, the path timing of --gemm auto, the warm-up) is timed apart from
 * the epochs. Each device is also put against its memory floor, measured in the same run before
 * the devices (logreg.h, "Memory floors"):
 * the time of one pass over an X-sized buffer, read on the host (cpu and reference backends, CPU
 * OpenCL devices unless --floor device) or by a read kernel on the device (GPUs, or --floor
 * device); ratio_to_floor = median epoch / floor. A device floor comes with the device-to-device
 * copy of the same buffer as a second figure (copy_floor_ms: it reads and writes, about twice the
 * read). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli.h"
#include "report.h"

typedef struct bench_result {
  char device[200];
  logreg_path_choice path;
  double setup_s, median_ms, min_ms, max_ms, gbps;
} bench_result;

/* The floors of one OpenCL device: its read (the floor) and its copy (a second figure). */
typedef struct device_floors {
  logreg_floor read, copy;
  int have_read, have_copy;
  char read_error[512]; /* why there is no read floor */
} device_floors;

/* One device of the run and the floor it is held against. */
typedef struct bench_target {
  char spec[32];
  int device_floor; /* held against its own device read; else against the host read */
  logreg_device_info info;
  const logreg_floor *floor; /* NULL when it could not be measured (floor_error says why) */
  device_floors own;         /* when device_floor */
  char floor_error[512];
} bench_target;

/* Resolves `spec` (cpu, reference, auto, opencl, opencl:P:D): *ocl when it runs on an OpenCL device
 * (then *info is that device). */
static logreg_status resolve_spec(const char *spec, const logreg_device_options *opt,
                                  logreg_device_info *info, int *ocl, logreg_error *err) {
  logreg_status st = logreg_device_choose(spec, opt, info, NULL, 0, err);
  *ocl = !st && info->backend == LOGREG_BACKEND_OPENCL;
  return st;
}

/* The device read and copy of an X-sized buffer on `info`; a floor that cannot be measured is
 * a warning naming `what` (the device spec, or the size in a sweep), never an error. */
static void measure_device(const logreg_device_info *info, const logreg_device_options *opt,
                           const char *what, size_t xbytes, device_floors *f) {
  logreg_error err;
  memset(f, 0, sizeof *f);
  f->have_read = logreg_floor_device_read(info, opt, xbytes, &f->read, &err) == LOGREG_OK;
  if (!f->have_read) {
    snprintf(f->read_error, sizeof f->read_error, "%s", err.message);
    cli_warn("bench: %s: no device floor: %s", what, err.message);
  }
  f->have_copy = logreg_floor_device_copy(info, xbytes, &f->copy, &err) == LOGREG_OK;
  if (!f->have_copy) cli_warn("bench: %s: no device copy figure: %s", what, err.message);
}

static void add_number_or_null(cJSON *o, const char *key, int ok, double v) {
  if (ok && isfinite(v))
    cJSON_AddNumberToObject(o, key, v);
  else
    cJSON_AddNullToObject(o, key);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median, min and max of times[0..count) (sorted in place) into res, and GB/s for n x d. */
static void summarize(double *times, int count, size_t n, size_t d, bench_result *res) {
  qsort(times, (size_t)count, sizeof *times, cmp_double);
  res->median_ms = count % 2 ? times[count / 2] : 0.5 * (times[count / 2 - 1] + times[count / 2]);
  res->min_ms = times[0];
  res->max_ms = times[count - 1];
  res->gbps = (double)n * (double)d * 4.0 / (res->median_ms * 1e-3) / 1e9;
}

/* One epoch of `t`, timed in ms; an epoch that did not run (training stopped) is an error. */
static logreg_status timed_epoch(logreg_trainer *t, double *ms, logreg_error *err) {
  logreg_epoch_info info;
  const char *stop = NULL;
  double t0 = logreg_now();
  logreg_status st = logreg_trainer_epoch(t, &info, &stop, err);
  *ms = (logreg_now() - t0) * 1e3;
  if (!st && info.epoch == 0) {
    err->status = st = LOGREG_EUNSUPPORTED;
    snprintf(err->message, sizeof err->message, "training stopped (%s) before the timed epochs",
             stop ? stop : "?");
  }
  return st;
}

/* What every device of the run trains with: the run's settings. */
typedef struct bench_setup {
  const char *gemm, *path_cache;
  const logreg_device_options *device;
  unsigned threads;
  int binary, warmup;
} bench_setup;

/* A trainer for `epochs` timed epochs on `spec` over all of `ds`, warmed up; *setup_s is the time
 * from its creation to the end of the warm-up. `consume`: the trainer takes ds's X (the last
 * device of a run), so that X is held once (logreg_params.consume_x). */
static logreg_status start_trainer(const bench_setup *b, const char *spec, const logreg_dataset *ds,
                                   int epochs, int consume, logreg_trainer **t, double *setup_s,
                                   logreg_error *err) {
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_GD;
  p.lr = 0.1;
  p.l2 = 1e-4;
  p.epochs = b->warmup + epochs;
  p.binary = b->binary;
  p.device = spec;
  p.gemm = b->gemm;
  p.path_cache = b->path_cache;
  p.device_options = *b->device;
  p.threads = b->threads;
  p.consume_x = consume;
  double t0 = logreg_now();
  logreg_status st = logreg_trainer_create(ds, NULL, &p, t, err);
  for (int e = 0; !st && e < b->warmup; e++) {
    double ms;
    st = timed_epoch(*t, &ms, err);
  }
  *setup_s = logreg_now() - t0;
  if (st) {
    logreg_trainer_free(*t);
    *t = NULL;
  }
  return st;
}

/* The device and the evaluation path a trainer ran on, from its result. */
static logreg_status describe(logreg_trainer *t, bench_result *res, logreg_error *err) {
  logreg_model *m = NULL;
  logreg_train_result r;
  logreg_status st = logreg_trainer_finish(t, &m, &r, err);
  logreg_model_free(m);
  if (st) return st;
  snprintf(res->device, sizeof res->device, "%s", r.device);
  res->path = r.path;
  return LOGREG_OK;
}

static logreg_status bench_one(const bench_setup *b, const char *spec, const logreg_dataset *ds,
                               int epochs, int consume, bench_result *res, logreg_error *err) {
  double *times = malloc((size_t)epochs * sizeof *times);
  if (!times) {
    err->status = LOGREG_ENOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    return LOGREG_ENOMEM;
  }
  logreg_trainer *t = NULL;
  logreg_status st = start_trainer(b, spec, ds, epochs, consume, &t, &res->setup_s, err);
  for (int e = 0; !st && e < epochs; e++) st = timed_epoch(t, &times[e], err);
  if (!st) st = describe(t, res, err);
  if (!st) summarize(times, epochs, logreg_dataset_rows(ds), logreg_dataset_features(ds), res);
  free(times);
  logreg_trainer_free(t);
  return st;
}

#define SWEEP_MAX 16

/* --sweep N1,N2,...: one device, one trainer per row count, all resident at once; after the
 * warm-up, the timed epochs go round-robin over the sizes (the order rotating each round), so
 * a slow spell of a shared machine hits every size alike and the per-row times are comparable
 * within the run. Reports each size against its own floor, its ms per 1e5 rows, and the spread
 * of those (largest / smallest - 1). */
static int bench_sweep(const char *list, const char *device, const bench_setup *b, size_t d,
                       size_t k, int epochs, uint64_t seed, logreg_floor_choice fchoice, int json) {
  size_t ns[SWEEP_MAX], cnt = 0;
  char buf[512];
  if (strlen(list) >= sizeof buf) return cli_error(CLI_EXIT_USAGE, "--sweep: list too long");
  snprintf(buf, sizeof buf, "%s", list);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    size_t v;
    if (logreg_parse_size(tok, &v) != 0 || v < 1)
      return cli_error(CLI_EXIT_USAGE, "--sweep: \"%s\" is not a row count >= 1", tok);
    if (cnt == SWEEP_MAX) return cli_error(CLI_EXIT_USAGE, "--sweep: at most %d sizes", SWEEP_MAX);
    ns[cnt++] = v;
  }
  if (cnt < 2)
    return cli_error(CLI_EXIT_USAGE, "--sweep: give at least 2 row counts, comma-separated");
  if (strcmp(device, "all") == 0)
    return cli_error(CLI_EXIT_USAGE, "--sweep runs one device: --device all is not supported");

  logreg_trainer *tr[SWEEP_MAX] = {0};
  double *times[SWEEP_MAX] = {0}, setup[SWEEP_MAX] = {0};
  logreg_floor floors[SWEEP_MAX], copies[SWEEP_MAX];
  int have_floor[SWEEP_MAX] = {0}, have_copy[SWEEP_MAX] = {0};
  logreg_device_info info;
  int ocl = 0, rc = CLI_EXIT_ERROR;
  logreg_error err;
  if (resolve_spec(device, b->device, &info, &ocl, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "%s", err.message);
  if (fchoice == LOGREG_FLOOR_DEVICE && !ocl)
    return cli_error(CLI_EXIT_USAGE, "--floor device: --device %s is not an OpenCL device", device);
  int dev_floor = logreg_floor_is_device(&info, fchoice);
  for (size_t i = 0; i < cnt; i++) {
    size_t xbytes = ns[i] * d * sizeof(float);
    if (dev_floor) {
      char what[64];
      device_floors df;
      snprintf(what, sizeof what, "%zu rows", ns[i]);
      measure_device(&info, b->device, what, xbytes, &df);
      floors[i] = df.read, have_floor[i] = df.have_read;
      copies[i] = df.copy, have_copy[i] = df.have_copy;
    } else if (logreg_floor_host(xbytes, 0, &floors[i], &err) == LOGREG_OK) {
      have_floor[i] = 1;
    } else {
      cli_warn("bench: %zu rows: no floor: %s", ns[i], err.message);
    }
    /* Each size's data lives on the device only: the host copy goes once it is uploaded. */
    logreg_dataset *syn = NULL;
    if (logreg_gen_gaussian(ns[i], d, k, seed, b->threads, &syn, &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "%s", err.message);
      goto out;
    }
    logreg_status st = start_trainer(b, device, syn, epochs, 1, &tr[i], &setup[i], &err);
    logreg_dataset_free(syn);
    if (!st && !(times[i] = malloc((size_t)epochs * sizeof *times[i]))) {
      cli_error(CLI_EXIT_ERROR, "out of memory");
      goto out;
    }
    if (st) {
      cli_error(CLI_EXIT_ERROR, "%s: %zu rows: %s", device, ns[i], err.message);
      goto out;
    }
  }
  for (int e = 0; e < epochs; e++)
    for (size_t j = 0; j < cnt; j++) {
      size_t i = (j + (size_t)e) % cnt;
      if (timed_epoch(tr[i], &times[i][e], &err) != LOGREG_OK) {
        cli_error(CLI_EXIT_ERROR, "%s: %zu rows: %s", device, ns[i], err.message);
        goto out;
      }
    }
  bench_result res[SWEEP_MAX];
  double lo = INFINITY, hi = 0;
  for (size_t i = 0; i < cnt; i++) {
    memset(&res[i], 0, sizeof res[i]);
    if (describe(tr[i], &res[i], &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "%s: %zu rows: %s", device, ns[i], err.message);
      goto out;
    }
    summarize(times[i], epochs, ns[i], d, &res[i]);
    double per = res[i].median_ms / ((double)ns[i] / 1e5);
    lo = fmin(lo, per), hi = fmax(hi, per);
  }
  if (!json)
    printf("sweep: %zu sizes x %zu features x %zu classes%s on %s, %d timed epochs each, taken "
           "round-robin after %d warm-up\nfloor: the %s of an X-sized buffer per size%s\n"
           "%10s %8s %10s %10s %10s %7s %9s %8s %14s\n",
           cnt, d, k, b->binary ? " (binary)" : "", res[0].device, epochs, b->warmup,
           dev_floor ? "device read" : "host read",
           dev_floor ? " (the device copy is in --json as copy_floor_ms)" : "", "rows", "setup s",
           "median ms", "min ms", "max ms", "GB/s", "floor ms", "x floor", "ms / 1e5 rows");
  for (size_t i = 0; i < cnt; i++) {
    double per = res[i].median_ms / ((double)ns[i] / 1e5);
    double ratio = have_floor[i] ? res[i].median_ms / floors[i].ms : NAN;
    if (json) {
      cJSON *o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, "device", res[i].device);
      report_path_json(o, &res[i].path);
      cJSON_AddStringToObject(o, "spec", device);
      cJSON_AddBoolToObject(o, "sweep", 1);
      cJSON_AddNumberToObject(o, "rows", (double)ns[i]);
      cJSON_AddNumberToObject(o, "features", (double)d);
      cJSON_AddNumberToObject(o, "classes", (double)k);
      cJSON_AddNumberToObject(o, "epochs", epochs);
      cJSON_AddNumberToObject(o, "setup_seconds", setup[i]);
      cJSON_AddNumberToObject(o, "ms_per_epoch_median", res[i].median_ms);
      cJSON_AddNumberToObject(o, "ms_per_epoch_min", res[i].min_ms);
      cJSON_AddNumberToObject(o, "ms_per_epoch_max", res[i].max_ms);
      cJSON_AddNumberToObject(o, "gb_per_s", res[i].gbps);
      cJSON_AddNumberToObject(o, "ms_per_1e5_rows", per);
      add_number_or_null(o, "floor_ms", have_floor[i], have_floor[i] ? floors[i].ms : 0);
      cJSON_AddStringToObject(o, "floor_kind",
                              have_floor[i] ? floors[i].kind
                              : dev_floor   ? "device read"
                                            : "host read");
      add_number_or_null(o, "ratio_to_floor", have_floor[i], ratio);
      add_number_or_null(o, "copy_floor_ms", have_copy[i], have_copy[i] ? copies[i].ms : 0);
      cJSON_AddNumberToObject(o, "sweep_spread", hi / lo - 1);
      if (report_json_puts(o) != 0) {
        cli_error(CLI_EXIT_ERROR, "out of memory");
        goto out;
      }
    } else {
      printf("%10zu %8.2f %10.3f %10.3f %10.3f %7.2f %9.3f %8.2f %14.4f\n", ns[i], setup[i],
             res[i].median_ms, res[i].min_ms, res[i].max_ms, res[i].gbps,
             have_floor[i] ? floors[i].ms : NAN, ratio, per);
    }
  }
  if (!json)
    printf("per-row spread over the sweep (largest / smallest ms per 1e5 rows, minus 1): %.1f%%\n",
           (hi / lo - 1) * 100);
  rc = 0;
out:
  for (size_t i = 0; i < cnt; i++) {
    free(times[i]);
    logreg_trainer_free(tr[i]);
  }
  return rc;
}

typedef struct bench_opts {
  size_t rows, features, classes;
  int epochs, reference_epochs, warmup, json, binary;
  uint64_t seed;
  const char *device, *data, *gemm, *sweep, *floor_opt;
  cli_data_opts dopt;
  cli_device_opts dv;
} bench_opts;

/* The command line of bench into o: -1 when it is good, else the exit code. */
static int bench_parse(int argc, char **argv, bench_opts *o) {
  *o = (bench_opts){.rows = 60000,
                    .features = 784,
                    .classes = 10,
                    .epochs = 20,
                    .warmup = 2,
                    .seed = 42,
                    .device = "auto",
                    .floor_opt = "auto"};
  if (cli_device_env(&o->dv) != 0) return CLI_EXIT_USAGE;
  const arg_spec specs[] = {
      {"--rows", ARG_SIZE, &o->rows, "N", "synthetic rows (default 60000)"},
      {"--features", ARG_SIZE, &o->features, "D", "synthetic features (default 784)"},
      {"--classes", ARG_SIZE, &o->classes, "K", "synthetic classes (default 10)"},
      {"--data", ARG_STR, &o->data, "FILE", "time on real data instead (standardized)"},
      {"--sweep", ARG_STR, &o->sweep, "N1,N2,...",
       "row counts timed side by side on one device (synthetic data, epochs round-robin)"},
      CLI_DATA_SPECS(o->dopt),
      {"--binary", ARG_FLAG, &o->binary, NULL, "single-logit model (K = 2)"},
      {"--device", ARG_STR, &o->device, "DEV",
       "auto|cpu|reference|opencl|opencl:P:D|all (all: cpu, reference and every OpenCL device)"},
      {"--gemm", ARG_STR, &o->gemm, "MODE",
       "auto|tiled|fused|own|clblast: the OpenCL evaluation path (auto: the fastest, timed at "
       "set-up or cached)"},
      {"--floor", ARG_STR, &o->floor_opt, "KIND",
       "auto|host|device: the memory floor of OpenCL devices (default auto: device read on GPUs, "
       "host read elsewhere)"},
      {"--epochs", ARG_INT, &o->epochs, "N", "timed full-batch epochs (default 20)"},
      {"--reference-epochs", ARG_INT, &o->reference_epochs, "N",
       "timed epochs for the reference backend (default: --epochs; it is slow on big shapes)"},
      {"--cpu-epochs", ARG_INT, &o->reference_epochs, "N", "the old name of --reference-epochs"},
      {"--warmup", ARG_INT, &o->warmup, "N", "untimed epochs first (default 2)"},
      {"--seed", ARG_U64, &o->seed, "N", "synthetic data seed (default 42)"},
      {"--json", ARG_FLAG, &o->json, NULL, "one JSON object per device, one per line"},
      CLI_DEVICE_SPECS(o->dv),
      CLI_BUILD_SPECS(o->dv),
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("bench", "logreg bench [options]", specs, argc, argv, pos, 0, &npos);
  if (r >= 0) return r;
  if (o->epochs < 1) return cli_error(CLI_EXIT_USAGE, "--epochs must be >= 1");
  if (o->reference_epochs < 0) return cli_error(CLI_EXIT_USAGE, "--reference-epochs must be >= 1");
  if (o->reference_epochs == 0) o->reference_epochs = o->epochs;
  if (o->warmup < 0) return cli_error(CLI_EXIT_USAGE, "--warmup must be >= 0");
  if (!o->data && (o->rows < 1 || o->features < 1 || o->classes < 2))
    return cli_error(CLI_EXIT_USAGE, "--rows and --features must be >= 1, --classes >= 2");
  if (o->binary) o->classes = 2;
  logreg_params check; /* the path's name: the library's to read */
  logreg_error err;
  logreg_params_init(&check);
  check.gemm = o->gemm;
  if (logreg_params_check(&check, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_USAGE, "%s", err.message);
  return -1;
}

/* --floor: the choice into *out; -1 when it is good, else the exit code. */
static int bench_floor_option(const char *floor_opt, const char *device, logreg_floor_choice *out) {
  logreg_floor_choice fchoice;
  if (strcmp(floor_opt, "auto") == 0)
    fchoice = LOGREG_FLOOR_AUTO;
  else if (strcmp(floor_opt, "host") == 0)
    fchoice = LOGREG_FLOOR_HOST;
  else if (strcmp(floor_opt, "device") == 0)
    fchoice = LOGREG_FLOOR_DEVICE;
  else
    return cli_error(CLI_EXIT_USAGE, "--floor: \"%s\" is not auto, host or device", floor_opt);
  logreg_device_selector dsel;
  if (fchoice == LOGREG_FLOOR_DEVICE && logreg_device_parse(device, &dsel, NULL) == LOGREG_OK &&
      (dsel.pick == LOGREG_PICK_CPU || dsel.pick == LOGREG_PICK_REFERENCE))
    return cli_error(CLI_EXIT_USAGE,
                     "--floor device needs an OpenCL device: the %s backend has "
                     "the host floor",
                     device);
  *out = fchoice;
  return -1;
}

#define BENCH_TARGETS_MAX 17

/* One bench run over a list of devices (not --sweep): its options, data, devices and floors. */
typedef struct bench_run {
  bench_opts o;
  logreg_device_options devopt;
  bench_setup setup;
  logreg_floor_choice fchoice;
  logreg_dataset *ds;
  bench_target targets[BENCH_TARGETS_MAX];
  size_t nt;
  size_t xbytes;        /* X's size: what a floor pass reads */
  logreg_floor host;    /* the host read, when need_host and host_error is empty */
  char host_error[512]; /* why there is no host read */
  int need_host;        /* some device is held against the host read */
} bench_run;

/* The data: a file (standardized by the trainer, as training does), or synthetic; rows,
 * features and classes become the data's. 0, or the exit code after the error. */
static int bench_data(bench_run *r) {
  bench_opts *o = &r->o;
  logreg_error err;
  if (o->data) {
    logreg_read_options ro;
    if (cli_read_options(&o->dopt, &ro) != 0) return CLI_EXIT_USAGE;
    if (!(r->ds = cli_read(o->data, &ro))) return CLI_EXIT_ERROR;
    size_t k = logreg_dataset_classes(r->ds);
    if (!logreg_dataset_y(r->ds) || k < 2 || (o->binary && k != 2))
      return cli_error(CLI_EXIT_ERROR,
                       "%s: needs labels with at least 2 classes (exactly 2 with --binary)",
                       o->data);
    o->rows = logreg_dataset_rows(r->ds), o->features = logreg_dataset_features(r->ds);
    o->classes = k;
  } else if (logreg_gen_gaussian(o->rows, o->features, o->classes, o->seed, r->setup.threads,
                                 &r->ds, &err) != LOGREG_OK) {
    return cli_error(CLI_EXIT_ERROR, "%s", err.message);
  }
  return 0;
}

/* The devices to run: one spec, or cpu, reference and every OpenCL device. 0, or the exit code
 * after the error. */
static int bench_targets(bench_run *r) {
  const char *device = r->o.device;
  bench_target *targets = r->targets;
  logreg_error err;
  if (strcmp(device, "all") == 0) {
    /* The list has the cpu backend first, the reference, then every OpenCL device. */
    logreg_device_info *list = NULL;
    size_t n = 0;
    if (logreg_devices_list(&r->devopt, &list, &n, &err) != LOGREG_OK)
      return cli_error(CLI_EXIT_ERROR, "%s", err.message);
    for (size_t i = 0; i < n && r->nt < BENCH_TARGETS_MAX; i++, r->nt++) {
      bench_target *t = &targets[r->nt];
      snprintf(t->spec, sizeof t->spec, "%s", list[i].spec);
      t->info = list[i];
      t->device_floor = logreg_floor_is_device(&list[i], r->fchoice);
    }
    logreg_devices_free(list);
    return 0;
  }
  bench_target *t = &targets[r->nt];
  snprintf(t->spec, sizeof t->spec, "%s", device);
  int ocl;
  if (resolve_spec(device, &r->devopt, &t->info, &ocl, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "%s", err.message);
  if (r->fchoice == LOGREG_FLOOR_DEVICE && !ocl)
    return cli_error(CLI_EXIT_USAGE, "--floor device: --device %s is not an OpenCL device", device);
  t->device_floor = logreg_floor_is_device(&t->info, r->fchoice);
  r->nt++;
  return 0;
}

/* src into dst (cap bytes), cut to fit: a copy between two fields of one struct, which
 * snprintf's restrict check (GCC -O0) takes for an overlap. */
static void copy_text(char *dst, size_t cap, const char *src) {
  size_t len = strnlen(src, cap - 1);
  memmove(dst, src, len);
  dst[len] = '\0';
}

/* The floors, before the devices: the host read once when a device is held against it, and
 * a device read (with the copy figure) per device held against its own. */
static void bench_floors(bench_run *r) {
  logreg_error err;
  r->xbytes = r->o.rows * r->o.features * sizeof(float);
  for (size_t i = 0; i < r->nt; i++) r->need_host |= !r->targets[i].device_floor;
  if (r->need_host && logreg_floor_host(r->xbytes, 0, &r->host, &err) != LOGREG_OK) {
    snprintf(r->host_error, sizeof r->host_error, "%s", err.message);
    cli_warn("bench: no host floor: %s", err.message);
  }
  for (size_t i = 0; i < r->nt; i++) {
    bench_target *t = &r->targets[i];
    if (!t->device_floor) {
      t->floor = r->host_error[0] ? NULL : &r->host;
      copy_text(t->floor_error, sizeof t->floor_error, r->host_error);
      continue;
    }
    measure_device(&t->info, &r->devopt, t->spec, r->xbytes, &t->own);
    t->floor = t->own.have_read ? &t->own.read : NULL;
    copy_text(t->floor_error, sizeof t->floor_error, t->own.read_error);
  }
}

/* The table's head (not --json): the shape, the floors measured, the column names. */
static void bench_print_head(const bench_run *r) {
  const bench_opts *o = &r->o;
  printf("%zu rows x %zu features x %zu classes%s, %d timed full-batch epochs after %d warm-up\n",
         o->rows, o->features, o->classes, o->binary ? " (binary)" : "", o->epochs, o->warmup);
  if (o->reference_epochs != o->epochs)
    printf("(the reference backend: %d timed epochs)\n", o->reference_epochs);
  printf("floor = one pass over an X-sized buffer (%.2f MB), median of %d after 1 warm-up:\n",
         (double)r->xbytes / 1e6, LOGREG_FLOOR_PASSES);
  if (r->need_host && !r->host_error[0])
    printf("  %-28s %9.3f ms %8.2f GB/s  (the host's memory)\n", r->host.kind, r->host.ms,
           r->host.gb_per_s);
  for (size_t i = 0; i < r->nt; i++) {
    const device_floors *df = &r->targets[i].own;
    if (!r->targets[i].device_floor) continue;
    if (df->have_read)
      printf("  %-28s %9.3f ms %8.2f GB/s  (%s; a read kernel over the buffer)\n", df->read.kind,
             df->read.ms, df->read.gb_per_s, r->targets[i].spec);
    if (df->have_copy)
      printf("  %-28s %9.3f ms %8.2f GB/s  (%s; clEnqueueCopyBuffer, reads and writes: not the "
             "floor, for comparison)\n",
             df->copy.kind, df->copy.ms, df->copy.gb_per_s, r->targets[i].spec);
  }
  printf("%8s %10s %10s %10s %7s %9s %10s %8s  %-22s %s\n", "setup s", "median ms", "min ms",
         "max ms", "GB/s", "floor ms", "floor GB/s", "x floor", "floor kind", "device");
}

/* Times device t and prints its row (or JSON line); the last device takes the data's X (`last`).
 * 0, or the exit code after the error. */
static int bench_target_run(const bench_run *r, const bench_target *t, int last) {
  const bench_opts *o = &r->o;
  logreg_error err;
  bench_result res = {0};
  int te = t->info.backend == LOGREG_BACKEND_REFERENCE ? o->reference_epochs : o->epochs;
  if (bench_one(&r->setup, t->spec, r->ds, te, last, &res, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "%s: %s", t->spec, err.message);
  const logreg_floor *f = t->floor;
  double ratio = f ? res.median_ms / f->ms : NAN;
  const char *kind = f ? f->kind : t->device_floor ? "device read" : "host read";
  int have_copy = t->device_floor && t->own.have_copy;
  if (o->json) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "device", res.device);
    report_path_json(j, &res.path);
    cJSON_AddStringToObject(j, "spec", t->spec);
    cJSON_AddNumberToObject(j, "rows", (double)o->rows);
    cJSON_AddNumberToObject(j, "features", (double)o->features);
    cJSON_AddNumberToObject(j, "classes", (double)o->classes);
    cJSON_AddNumberToObject(j, "epochs", te);
    cJSON_AddNumberToObject(j, "setup_seconds", res.setup_s);
    cJSON_AddNumberToObject(j, "ms_per_epoch_median", res.median_ms);
    cJSON_AddNumberToObject(j, "ms_per_epoch_min", res.min_ms);
    cJSON_AddNumberToObject(j, "ms_per_epoch_max", res.max_ms);
    cJSON_AddNumberToObject(j, "gb_per_s", res.gbps);
    add_number_or_null(j, "floor_ms", f != NULL, f ? f->ms : 0);
    add_number_or_null(j, "floor_gb_per_s", f != NULL, f ? f->gb_per_s : 0);
    cJSON_AddStringToObject(j, "floor_kind", kind);
    add_number_or_null(j, "ratio_to_floor", f != NULL, ratio);
    add_number_or_null(j, "copy_floor_ms", have_copy, have_copy ? t->own.copy.ms : 0);
    if (!f) cJSON_AddStringToObject(j, "floor_error", t->floor_error);
    if (report_json_puts(j) != 0) return cli_error(CLI_EXIT_ERROR, "out of memory");
  } else if (f) {
    printf("%8.2f %10.2f %10.2f %10.2f %7.2f %9.3f %10.2f %8.2f  %-22s %s\n", res.setup_s,
           res.median_ms, res.min_ms, res.max_ms, res.gbps, f->ms, f->gb_per_s, ratio, kind,
           res.device);
  } else {
    printf("%8.2f %10.2f %10.2f %10.2f %7.2f %9s %10s %8s  %-22s %s\n", res.setup_s, res.median_ms,
           res.min_ms, res.max_ms, res.gbps, "-", "-", "-", "(no floor)", res.device);
  }
  fflush(stdout);
  return 0;
}

int cmd_bench(int argc, char **argv) {
  bench_run r = {0};
  bench_opts *o = &r.o;
  int rc = bench_parse(argc, argv, o);
  if (rc >= 0) return rc;
  cli_device_options(&o->dv, &r.devopt);
  r.setup = (bench_setup){.gemm = o->gemm,
                          .path_cache = cli_path_cache(),
                          .device = &r.devopt,
                          .threads = cli_threads(&o->dv),
                          .binary = o->binary,
                          .warmup = o->warmup};
  if ((rc = bench_floor_option(o->floor_opt, o->device, &r.fchoice)) >= 0) return rc;

  if (o->sweep) {
    if (o->data) return cli_error(CLI_EXIT_USAGE, "--sweep uses synthetic data: drop --data");
    return bench_sweep(o->sweep, o->device, &r.setup, o->features, o->classes, o->epochs, o->seed,
                       r.fchoice, o->json);
  }
  /* Synthetic X is made after the floors, so that the host holds one X-sized buffer at a time
   * (a floor's, then X's: the last device takes X, see bench_target_run). */
  rc = o->data ? bench_data(&r) : 0;
  if (rc == 0) rc = bench_targets(&r);
  if (rc == 0) bench_floors(&r);
  if (rc == 0 && !o->data) rc = bench_data(&r);
  if (rc == 0 && !o->json) bench_print_head(&r);
  for (size_t i = 0; rc == 0 && i < r.nt; i++)
    rc = bench_target_run(&r, &r.targets[i], i + 1 == r.nt);
  logreg_dataset_free(r.ds);
  return rc;
}
