/* cmd_bench.c: `logreg bench`: full-batch epochs (forward, softmax, loss, gradient, update)
 * timed on data resident on the device, after warm-up, for one backend or all of them side by
 * side. Setup (context, kernel compilation, upload) is timed apart from the epochs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "backend.h"
#include "cli.h"
#include "dataset.h"
#include "model.h"
#include "ocl.h"
#include "preprocess.h"
#include "report.h"

typedef struct bench_result {
  char device[200];
  double setup_s, median_ms, min_ms, max_ms, gbps;
} bench_result;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static logreg_status bench_one(const char *spec, const float *x, const int32_t *y, size_t n,
                               size_t d, size_t k, int binary, int epochs, int warmup,
                               bench_result *res, logreg_error *err) {
  double t0 = lr_now();
  lr_backend *be = NULL;
  logreg_status st = lr_backend_create(spec, d, k, binary, 1e-4, 1.0, &be, err);
  if (st) return st;
  double *times = malloc((size_t)epochs * sizeof *times);
  if (!times) {
    lr_backend_destroy(be);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  lr_update u = {.kind = LOGREG_OPTIMIZER_GD, .lr = 0.1, .t = 0};
  lr_eval_out ev;
  st = be->ops->set_data(be, LR_SLOT_TRAIN, x, y, NULL, n, err);
  for (int e = 0; !st && e < warmup + epochs; e++) {
    if (e == warmup) res->setup_s = lr_now() - t0;
    double t = lr_now();
    u.t++;
    if (!(st = be->ops->eval(be, LR_SLOT_TRAIN, 0, n, 1, &ev, err)) &&
        !(st = be->ops->update(be, &u, err)) && be->ops->finish)
      st = be->ops->finish(be, err);
    if (e >= warmup) times[e - warmup] = (lr_now() - t) * 1e3;
  }
  if (!st) {
    snprintf(res->device, sizeof res->device, "%s", be->device);
    qsort(times, (size_t)epochs, sizeof *times, cmp_double);
    res->median_ms =
        epochs % 2 ? times[epochs / 2] : 0.5 * (times[epochs / 2 - 1] + times[epochs / 2]);
    res->min_ms = times[0];
    res->max_ms = times[epochs - 1];
    res->gbps = (double)n * (double)d * 4.0 / (res->median_ms * 1e-3) / 1e9;
  }
  free(times);
  lr_backend_destroy(be);
  return st;
}

int cmd_bench(int argc, char **argv) {
  size_t rows = 60000, features = 784, classes = 10;
  int epochs = 20, warmup = 2, json = 0, binary = 0;
  uint64_t seed = 42;
  const char *device = "auto", *data = NULL;
  cli_data_opts dopt = {0};
  const arg_spec specs[] = {
      {"--rows", ARG_SIZE, &rows, "N", "synthetic rows (default 60000)"},
      {"--features", ARG_SIZE, &features, "D", "synthetic features (default 784)"},
      {"--classes", ARG_SIZE, &classes, "K", "synthetic classes (default 10)"},
      {"--data", ARG_STR, &data, "FILE", "time on real data instead (standardized)"},
      CLI_DATA_SPECS(dopt),
      {"--binary", ARG_FLAG, &binary, NULL, "single-logit model (K = 2)"},
      {"--device", ARG_STR, &device, "DEV",
       "auto|cpu|opencl|opencl:P:D|all (all: cpu and every OpenCL device)"},
      {"--epochs", ARG_INT, &epochs, "N", "timed full-batch epochs (default 20)"},
      {"--warmup", ARG_INT, &warmup, "N", "untimed epochs first (default 2)"},
      {"--seed", ARG_U64, &seed, "N", "synthetic data seed (default 42)"},
      {"--json", ARG_FLAG, &json, NULL, "one JSON object per device, one per line"},
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("bench", "logreg bench [options]", specs, argc, argv, pos, 0, &npos);
  if (r >= 0) return r;
  if (epochs < 1) return cli_error(CLI_EXIT_USAGE, "--epochs must be >= 1");
  if (warmup < 0) return cli_error(CLI_EXIT_USAGE, "--warmup must be >= 0");
  if (!data && (rows < 1 || features < 1 || classes < 2))
    return cli_error(CLI_EXIT_USAGE, "--rows and --features must be >= 1, --classes >= 2");
  if (binary) classes = 2;

  float *x = NULL;
  int32_t *y = NULL;
  logreg_dataset *ds = NULL;
  logreg_model *m = NULL;
  int rc = CLI_EXIT_ERROR;
  logreg_error err;
  if (data) {
    logreg_read_options ro;
    if (cli_read_options(&dopt, &ro) != 0) return CLI_EXIT_USAGE;
    if (!(ds = cli_read(data, &ro))) return CLI_EXIT_ERROR;
    if (!ds->y || ds->k < 2 || (binary && ds->k != 2)) {
      cli_error(CLI_EXIT_ERROR,
                "%s: needs labels with at least 2 classes (exactly 2 with --binary)", data);
      goto out;
    }
    rows = ds->n, features = ds->d, classes = ds->k;
    m = lr_model_alloc(features, classes, binary);
    x = malloc(rows * features * sizeof *x);
    if (!m || !x || lr_column_medians(ds, m->median)) {
      cli_error(CLI_EXIT_ERROR, "out of memory");
      goto out;
    }
    lr_column_scaler(ds, m->median, m->mean, m->std);
    lr_transform(m, ds, x);
    y = ds->y;
  } else {
    x = malloc(rows * features * sizeof *x);
    y = malloc(rows * sizeof *y);
    if (!x || !y) {
      cli_error(CLI_EXIT_ERROR, "out of memory for %zu x %zu floats", rows, features);
      goto out;
    }
    lr_rng rng;
    lr_rng_seed(&rng, seed);
    for (size_t i = 0; i < rows; i++) {
      y[i] = (int32_t)lr_rng_below(&rng, classes);
      for (size_t j = 0; j < features; j++)
        x[i * features + j] = (float)(lr_rng_normal(&rng) + (j % classes == (size_t)y[i]));
    }
  }

  /* The devices to run: one spec, or cpu plus every OpenCL device. */
  char specs_buf[17][32];
  size_t nspec = 0;
  if (strcmp(device, "all") == 0) {
    lr_ocl_device_info *list = NULL;
    unsigned n = 0;
    if (lr_ocl_list(&list, &n, &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "%s", err.message);
      goto out;
    }
    snprintf(specs_buf[nspec++], sizeof specs_buf[0], "cpu");
    for (unsigned i = 0; i < n && nspec < 17; i++)
      snprintf(specs_buf[nspec++], sizeof specs_buf[0], "opencl:%u:%u", list[i].platform,
               list[i].device);
    free(list);
  } else {
    snprintf(specs_buf[nspec++], sizeof specs_buf[0], "%s", device);
  }
  if (!json)
    printf("%zu rows x %zu features x %zu classes%s, %d timed full-batch epochs after %d warm-up\n"
           "%-72s %9s %9s %9s %9s %7s\n",
           rows, features, classes, binary ? " (binary)" : "", epochs, warmup, "device", "setup s",
           "median ms", "min ms", "max ms", "GB/s");
  for (size_t i = 0; i < nspec; i++) {
    bench_result res = {0};
    if (bench_one(specs_buf[i], x, y, rows, features, classes, binary, epochs, warmup, &res,
                  &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "%s: %s", specs_buf[i], err.message);
      goto out;
    }
    if (json) {
      cJSON *o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, "device", res.device);
      cJSON_AddStringToObject(o, "spec", specs_buf[i]);
      cJSON_AddNumberToObject(o, "rows", (double)rows);
      cJSON_AddNumberToObject(o, "features", (double)features);
      cJSON_AddNumberToObject(o, "classes", (double)classes);
      cJSON_AddNumberToObject(o, "epochs", epochs);
      cJSON_AddNumberToObject(o, "setup_seconds", res.setup_s);
      cJSON_AddNumberToObject(o, "ms_per_epoch_median", res.median_ms);
      cJSON_AddNumberToObject(o, "ms_per_epoch_min", res.min_ms);
      cJSON_AddNumberToObject(o, "ms_per_epoch_max", res.max_ms);
      cJSON_AddNumberToObject(o, "gb_per_s", res.gbps);
      if (report_json_puts(o) != 0) {
        cli_error(CLI_EXIT_ERROR, "out of memory");
        goto out;
      }
    } else {
      printf("%-72.72s %9.2f %9.2f %9.2f %9.2f %7.2f\n", res.device, res.setup_s, res.median_ms,
             res.min_ms, res.max_ms, res.gbps);
    }
    fflush(stdout);
  }
  rc = 0;
out:
  free(x);
  if (!ds) free(y);
  logreg_model_free(m);
  logreg_dataset_free(ds);
  return rc;
}
