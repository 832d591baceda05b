/* test_opencl_train.c: whole trainings on the opencl backend.
 *
 * - End-to-end parity: 300 full-batch GD epochs on breast-cancer-wisconsin (multinomial and
 *   --binary) on the device and on the CPU reference: objective within 1e-5 relative, weights
 *   within 1e-4 relative norm. (Skipped part when ../shared is absent.)
 * - Mini-batch SGD, momentum, Adam and Adagrad (batch 32) on the tiled and fused paths against
 *   the cpu: weights within 1e-4 relative norm.
 * - Reproducibility: every optimizer (GD, SGD, momentum, Adam, L-BFGS) on the tiled, fused and
 *   own paths gives bit-identical weights for the same seed; the shuffled mini-batch ones give
 *   different weights for another seed.
 * - A kernel with a syntax error (from LOGREG_KERNEL_DIR) fails cleanly with the build log and
 *   the build options in the message; so does a broken kernels/layout.h in that folder, and a
 *   missing one is named (the header is spliced into the source from the same place).
 * - X larger than the device's allocation limit (forced small with LOGREG_OPENCL_MAX_ALLOC)
 *   trains in several buffers on the tiled and fused paths, as it does in one (split_x); the
 *   own path fails with a message naming the data; with the dataset's X taken (consume_x) the
 *   split trainings give the same bits.
 * - A device fault under auto's fallback (cpu_fallback) with the dataset's X taken: one error
 *   that says there is no X to fall back on; with X kept, the same fault falls back to cpu.
 * Exits 77 (skip) when there is no OpenCL platform. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/ocl.h"
#include "check.h"
#include "data/dataset.h"
#include "logreg_hooks.h"
#include "model/model.h"
#include "util/util.h"

/* The allocation limit train_on gives the device (logreg_test_hooks.max_alloc; 0 = none). */
static uint64_t train_max_alloc;
/* 1: train_on's training takes the dataset's X (consume_x). */
static int train_consume;

static logreg_model *train_on(const logreg_dataset *ds, const char *device, const char *gemm,
                              int binary, logreg_optimizer opt, size_t batch, uint64_t seed,
                              double *obj) {
  logreg_params p;
  logreg_params_init(&p);
  p.device = device;
  logreg_test_hooks hk = {train_max_alloc, 0, NULL, NULL, 0, 0};
  p.device_options.hooks = &hk;
  p.gemm = gemm;
  p.binary = binary;
  p.optimizer = opt;
  p.batch_size = batch;
  p.seed = seed;
  p.epochs = opt == LOGREG_OPTIMIZER_GD ? 300 : 5;
  p.lr = opt == LOGREG_OPTIMIZER_GD ? 0.5 : 0.01;
  p.l2 = 1e-3;
  p.consume_x = train_consume;
  logreg_model *m = NULL;
  logreg_train_result res;
  logreg_error err;
  logreg_status st = logreg_train(ds, NULL, &p, &m, &res, &err);
  if (st) fprintf(stderr, "train on %s (%s): %s\n", device, gemm ? gemm : "auto", err.message);
  CHECK(st == LOGREG_OK);
  if (obj) *obj = res.objective;
  return m;
}

static double rel_norm(const double *a, const double *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  return sqrt(num / den);
}

static void e2e_parity(void) {
  char buf[1024];
  const char *path = shared_path("breast-cancer-wisconsin.data", buf, sizeof buf);
  if (!path) {
    fprintf(stderr, "end-to-end parity skipped: ../shared/data absent\n");
    return;
  }
  logreg_read_options ro;
  logreg_read_options_init(&ro);
  ro.format = LOGREG_FORMAT_CSV;
  ro.header = 0;
  ro.drop = "0";
  ro.target = "10";
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(path, &ro, &ds, &err) == LOGREG_OK);
  if (!ds) return;
  for (int binary = 0; binary <= 1; binary++) {
    double jc, jd;
    logreg_model *mc = train_on(ds, "reference", NULL, binary, LOGREG_OPTIMIZER_GD, 0, 1, &jc);
    logreg_model *md = train_on(ds, "opencl", NULL, binary, LOGREG_OPTIMIZER_GD, 0, 1, &jd);
    if (mc && md) {
      size_t nw = mc->d * lr_model_kw(mc);
      double rj = fabs(jd - jc) / jc, rw = rel_norm(md->w, mc->w, nw);
      fprintf(stderr,
              "bcw%s 300 GD epochs: J cpu %.10f opencl %.10f (rel %.2g), weights rel %.2g\n",
              binary ? " --binary" : "", jc, jd, rj, rw);
      CHECK(rj <= 1e-5);
      CHECK(rw <= 1e-4);
    }
    logreg_model_free(mc);
    logreg_model_free(md);
  }
  /* Mini-batch steps on the one-pass paths (the tiled one takes each step in the launch that
   * finishes the batch's gradient): the same shuffles as the cpu, so the same weights up to
   * float rounding. */
  static const char *const paths[] = {"tiled", "fused"};
  static const logreg_optimizer mb[] = {LOGREG_OPTIMIZER_SGD, LOGREG_OPTIMIZER_MOMENTUM,
                                        LOGREG_OPTIMIZER_ADAM, LOGREG_OPTIMIZER_ADAGRAD};
  for (int binary = 0; binary <= 1; binary++)
    for (size_t o = 0; o < sizeof mb / sizeof *mb; o++) {
      logreg_model *mc = train_on(ds, "reference", NULL, binary, mb[o], 32, 5, NULL);
      for (size_t g = 0; g < sizeof paths / sizeof *paths; g++) {
        logreg_model *md = train_on(ds, "opencl", paths[g], binary, mb[o], 32, 5, NULL);
        if (mc && md) {
          size_t nw = mc->d * lr_model_kw(mc);
          double rw = rel_norm(md->w, mc->w, nw);
          if (!(rw <= 1e-4))
            fprintf(stderr, "bcw%s %s batch 32 on %s: weights rel %.2g\n",
                    binary ? " --binary" : "", logreg_optimizer_name(mb[o]), paths[g], rw);
          CHECK(rw <= 1e-4);
        }
        logreg_model_free(md);
      }
      logreg_model_free(mc);
    }
  logreg_dataset_free(ds);
}

static void split_x(const logreg_dataset *ds);

static void reproducible(void) {
  enum { N = 700, D = 9, K = 3 };
  float *x = malloc(N * D * sizeof *x);
  int32_t y[N];
  lr_rng r;
  lr_rng_seed(&r, 3);
  for (int i = 0; i < N; i++) {
    y[i] = (int32_t)lr_rng_below(&r, K);
    for (int j = 0; j < D; j++) x[i * D + j] = (float)(lr_rng_normal(&r) + (j % K == y[i]));
  }
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(N, D, x, y, K, NULL, NULL, &ds, &err) == LOGREG_OK);
  /* Every optimizer: the same seed twice gives the same bits. Mini-batch runs (shuffled from
   * the seed) must also change with another seed; the full-batch ones do not depend on it. */
  static const struct {
    logreg_optimizer opt;
    size_t batch;
  } runs[] = {{LOGREG_OPTIMIZER_GD, 0},
              {LOGREG_OPTIMIZER_SGD, 32},
              {LOGREG_OPTIMIZER_MOMENTUM, 64},
              {LOGREG_OPTIMIZER_ADAM, 32},
              {LOGREG_OPTIMIZER_LBFGS, 0}};
  /* On every path: the choice among them is the only thing auto adds, and a path cache keeps
   * it from one run to the next. */
  static const char *const paths[] = {"tiled", "fused", "own"};
  for (size_t i = 0; i < sizeof runs / sizeof runs[0] * 3; i++) {
    const char *g = paths[i % 3];
    logreg_model *a = train_on(ds, "opencl", g, 0, runs[i / 3].opt, runs[i / 3].batch, 7, NULL);
    logreg_model *b = train_on(ds, "opencl", g, 0, runs[i / 3].opt, runs[i / 3].batch, 7, NULL);
    logreg_model *c = train_on(ds, "opencl", g, 0, runs[i / 3].opt, runs[i / 3].batch, 8, NULL);
    CHECK(a && b && c);
    if (a && b && c) {
      int same = memcmp(a->w, b->w, D * K * sizeof(double)) == 0 &&
                 memcmp(a->b, b->b, K * sizeof(double)) == 0;
      if (!same)
        fprintf(stderr, "%s on %s: not reproducible\n", logreg_optimizer_name(runs[i / 3].opt), g);
      CHECK(same);
      if (runs[i / 3].batch) CHECK(memcmp(a->w, c->w, D * K * sizeof(double)) != 0);
    }
    logreg_model_free(a);
    logreg_model_free(b);
    logreg_model_free(c);
  }

  split_x(ds);
  logreg_dataset_free(ds);
  free(x);
}

/* X beyond the device's largest allocation (forced down to 20000 bytes: the 700 x 9 floats go
 * in 2 buffers of 555 and 145 rows) trains on the one-pass paths: full-batch GD and shuffled
 * Adam batches of 64 (one straddles the buffers) give the weights of the same path with X in
 * one buffer, up to the summation order (1e-5), and auto chooses one of them. The own path,
 * which needs X in one buffer, is one clear error. (A row beyond the limit cannot be reached:
 * the parameters, (D + 1) x K floats, are refused first.) */
static void split_x(const logreg_dataset *ds) {
  static const char *const paths[] = {"tiled", "fused"};
  for (size_t g = 0; g < 2; g++)
    for (int mb = 0; mb <= 1; mb++) {
      logreg_optimizer opt = mb ? LOGREG_OPTIMIZER_ADAM : LOGREG_OPTIMIZER_GD;
      size_t batch = mb ? 64 : 0;
      double j1, j2;
      logreg_model *one = train_on(ds, "opencl", paths[g], 0, opt, batch, 7, &j1);
      train_max_alloc = 20000;
      logreg_model *split = train_on(ds, "opencl", paths[g], 0, opt, batch, 7, &j2);
      /* The same with X taken (consume_x): the device reads the rows where the trainer
       * preprocessed them (a buffer over host memory on PoCL), in the same segments. */
      size_t *all = malloc(ds->n * sizeof *all);
      for (size_t i = 0; all && i < ds->n; i++) all[i] = i;
      logreg_dataset *own = all ? lr_dataset_subset(ds, all, ds->n) : NULL;
      train_consume = 1;
      logreg_model *taken = own ? train_on(own, "opencl", paths[g], 0, opt, batch, 7, NULL) : NULL;
      train_consume = 0;
      train_max_alloc = 0;
      CHECK(taken && logreg_dataset_x(own) == NULL);
      CHECK(split && taken && memcmp(split->w, taken->w, split->d * sizeof *split->w) == 0);
      logreg_model_free(taken);
      logreg_dataset_free(own);
      free(all);
      CHECK(one && split);
      if (one && split) {
        double rw = rel_norm(split->w, one->w, one->d * lr_model_kw(one));
        if (!(rw <= 1e-5 && fabs(j2 - j1) <= 1e-6 * j1))
          fprintf(stderr, "split X on %s (%s): weights rel %.2g, J %.10g vs %.10g\n", paths[g],
                  logreg_optimizer_name(opt), rw, j2, j1);
        CHECK(rw <= 1e-5);
        CHECK(fabs(j2 - j1) <= 1e-6 * j1);
      }
      logreg_model_free(one);
      logreg_model_free(split);
    }

  logreg_params p;
  logreg_params_init(&p);
  p.device = "opencl";
  logreg_test_hooks hk = {20000, 0, NULL, NULL, 0, 0};
  p.device_options.hooks = &hk;
  p.epochs = 1;
  logreg_model *m = NULL;
  logreg_train_result res;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, &res, &err) == LOGREG_OK);
  CHECK(strcmp(res.path.path, "tiled") == 0 || strcmp(res.path.path, "fused") == 0);
  logreg_model_free(m);
  m = NULL;
  p.gemm = "own";
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_EBACKEND);
  CHECK(m == NULL);
  CHECK_STR_CONTAINS(err.message, "needs X in one allocation");
  CHECK_STR_CONTAINS(err.message, "the training data");
}

/* Copies kernels/<name> of the source tree to dir/<name>, with the first line containing `find`
 * replaced by `repl` (find NULL: unchanged). */
static void copy_kernel(const char *name, const char *dir, const char *find, const char *repl) {
  const char *src_dir = getenv("LOGREG_SOURCE_DIR");
  char path[1024], out[1100];
  snprintf(path, sizeof path, "%s/kernels/%s", src_dir ? src_dir : "..", name);
  snprintf(out, sizeof out, "%s/%s", dir, name);
  FILE *in = fopen(path, "rb"), *o = fopen(out, "wb");
  CHECK(in && o);
  if (!in || !o) {
    if (in) fclose(in);
    if (o) fclose(o);
    return;
  }
  char line[4096];
  int broke = 0;
  while (fgets(line, sizeof line, in)) {
    if (find && !broke && strstr(line, find)) {
      fputs(repl, o);
      broke = 1;
    } else {
      fputs(line, o);
    }
  }
  fclose(in);
  fclose(o);
  CHECK(broke || !find);
}

/* Training on --device opencl with the kernels of the folder `dir` (logreg_test_hooks.kernel_dir):
 * the build must fail with a one-line error holding `want`. */
static void expect_kernel_failure(const char *dir, const char *want) {
  logreg_dataset *ds = NULL;
  float x[4] = {1, 2, 3, 4};
  int32_t y[4] = {0, 1, 0, 1};
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(4, 1, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
  logreg_params p;
  logreg_params_init(&p);
  p.device = "opencl";
  logreg_test_hooks hk = {0, 0, NULL, dir, 0, 0};
  p.device_options.hooks = &hk;
  logreg_model *m = NULL;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) != LOGREG_OK);
  CHECK(m == NULL);
  CHECK_STR_CONTAINS(err.message, want);
  CHECK(strchr(err.message, '\n') == NULL);
  if (strcmp(want, "clBuildProgram failed") == 0) {
    CHECK(err.status == LOGREG_EBACKEND);
    CHECK_STR_CONTAINS(err.message, "-DLR_K=2");
    CHECK_STR_CONTAINS(err.message, "error"); /* the compiler's log */
  }
  logreg_dataset_free(ds);
}

static void broken_kernel(void) {
  /* The real kernel source with one statement broken, in a temp folder beside its header. */
  const char *tmp = getenv("LOGREG_TMP");
  char dir[1024], path[1100];
  snprintf(dir, sizeof dir, "%s/broken_kernels", tmp ? tmp : "/tmp");
  mkdir(dir, 0755);
  copy_kernel("logreg.cl", dir, "const float xj = x[j];", "    const float xj = x[j] oops;\n");
  copy_kernel("layout.h", dir, NULL, NULL);
  expect_kernel_failure(dir, "clBuildProgram failed");

  /* The header comes from the same folder: a broken one fails the build, a missing one is
   * named. */
  copy_kernel("logreg.cl", dir, NULL, NULL);
  copy_kernel("layout.h", dir, "#define LR_NQ 4", "#define LR_NQ 4 oops\n");
  expect_kernel_failure(dir, "clBuildProgram failed");
  snprintf(path, sizeof path, "%s/layout.h", dir);
  unlink(path);
  expect_kernel_failure(dir, "layout.h: cannot open");

  /* The embedded source: the #include line replaced by the header, line numbers kept. */
  int owned;
  const char *src = lr_ocl_kernel_source("logreg.cl", NULL, &owned, NULL);
  CHECK(src && owned);
  CHECK(src && strstr(src, "#define LR_NQ 4") && !strstr(src, "\n#include \"layout.h\""));
  CHECK(src && strstr(src, "\n#line "));
  if (owned) free((void *)src);
}

/* A fault on the device mid-run (logreg_test_hooks.fail_call) under "auto" with cpu_fallback:
 * with X kept the run goes on on cpu (res.fallback says so); with X taken (consume_x) there is
 * nothing to go on from, and the error says so. */
static void fault_without_x(void) {
  enum { N = 600, D = 6, K = 3 };
  float x[N * D];
  int32_t y[N];
  lr_rng r;
  lr_rng_seed(&r, 8);
  for (int i = 0; i < N; i++) {
    y[i] = (int32_t)lr_rng_below(&r, K);
    for (int j = 0; j < D; j++) x[i * D + j] = (float)(lr_rng_normal(&r) + (j % K == y[i]));
  }
  for (int consume = 0; consume <= 1; consume++) {
    logreg_dataset *ds = NULL;
    logreg_error err;
    CHECK(logreg_dataset_from_arrays(N, D, x, y, K, NULL, NULL, &ds, &err) == LOGREG_OK);
    logreg_params p;
    logreg_params_init(&p);
    p.device = "auto";
    p.cpu_fallback = 1;
    p.consume_x = consume;
    p.optimizer = LOGREG_OPTIMIZER_GD;
    p.lr = 0.5;
    p.epochs = 50;
    logreg_test_hooks hk = {0, 0, NULL, NULL, 400, 1};
    p.device_options.hooks = &hk;
    logreg_model *m = NULL;
    logreg_train_result res;
    logreg_status st = logreg_train(ds, NULL, &p, &m, &res, &err);
    if (!consume) {
      if (st) fprintf(stderr, "fault with X kept: %s\n", err.message);
      CHECK(st == LOGREG_OK && m && res.fallback[0]);
    } else {
      CHECK(st == LOGREG_EBACKEND && m == NULL);
      CHECK_STR_CONTAINS(err.message, "no fall back to cpu");
      CHECK(strchr(err.message, '\n') == NULL);
    }
    logreg_model_free(m);
    logreg_dataset_free(ds);
  }
}

int main(void) {
  lr_ocl_device_info *list;
  unsigned count;
  logreg_error err;
  if (lr_ocl_list(&list, &count, &err) != LOGREG_OK || count == 0) SKIP("no OpenCL platform");
  free(list);
  e2e_parity();
  reproducible();
  broken_kernel();
  fault_without_x();
  return check_report("test_opencl_train");
}
