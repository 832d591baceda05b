/* test_optimum.c: the full-batch solvers reach scikit-learn's regularized optimum.
 *
 * Every case uses --split 1,0,0 and whole-data standardization, with lambda = 1 / (C N). J must
 * come within the bound, relative, of the value tests/ref/optimum_refs.py computed with
 * scikit-learn and polished by Newton's method in double, and so must J of the weights the run
 * returns, evaluated again in double by the CPU reference (so that a device cannot pass by
 * misreading its own J):
 *
 *   case                                          C     runs                          bound
 *   tumors, breast-cancer-wisconsin (multinomial  1     GD (10000 epochs) on cpu,     1e-6
 *   and --binary)                                       L-BFGS on cpu, reference, opencl
 *   separable 2000 x 4 (generated here, multi-    1e4   L-BFGS on cpu, reference,     1e-6
 *                                                       opencl
 *   nomial and --binary): J ~ 2e-6, nearly all
 *   of it rows whose loss is below float's eps
 *   Fashion-MNIST T-shirt vs Shirt (classes 0     1     L-BFGS on cpu, reference,     1e-6
 *                                                       opencl
 *   and 6 of the training set, 12000 x 784),
 *   --binary
 *   every case                                          Newton-CG on cpu and          1e-8
 *                                                       reference
 *                                                       (in double), on opencl        1e-6
 *
 * The separable and Fashion-MNIST cases are issue 10's item 5. Before the device kept confident
 * rows' small losses and residuals, summed J in double and its line search took the
 * approximate Wolfe conditions, its L-BFGS stopped ("converged") with its weights' J 1.3e-4
 * (separable), 6.6e-6 (separable, --binary) and 2.0e-6 (Fashion-MNIST) above the optimum, and
 * on the separable data its own J read 2.9e-3 below it. The opencl runs are left out (with a note)
 * when there is no OpenCL platform; a dataset that is absent (../shared/data,
 * /usr/share/datasets/fashion-mnist) is named and its cases left out, and then the test exits 77
 * (skip) unless a check failed. */
#include <stdlib.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "check.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "solve/objective.h"

static int have_opencl, skipped;

typedef struct optimum_case {
  const char *name;
  int binary;
  double c;    /* scikit-learn's C: lambda = 1 / (C N) */
  double want; /* J at the optimum (tests/ref/optimum_refs.py) */
  double tol;  /* L-BFGS: max |gradient| to stop at */
  int epochs;  /* L-BFGS iteration cap */
  int gd;      /* also run GD (10000 epochs) on cpu */
} optimum_case;

static void run(const logreg_dataset *ds, const optimum_case *oc, logreg_optimizer opt,
                const char *device, double bound) {
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = opt;
  p.lr = 1.0;
  p.epochs = opt == LOGREG_OPTIMIZER_GD ? 10000 : oc->epochs;
  p.tol = opt == LOGREG_OPTIMIZER_GD ? 0 : oc->tol;
  p.binary = oc->binary;
  p.device = device;
  p.l2 = 1.0 / (oc->c * (double)ds->n);
  logreg_model *m = NULL;
  logreg_train_result res;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, &res, &err) == LOGREG_OK);
  if (!m) {
    fprintf(stderr, "%s: %s\n", oc->name, err.message);
    return;
  }
  /* J of the returned weights, in double on the standardized data the run trained on. */
  size_t n = ds->n, d = ds->d;
  float *xs = malloc(n * d * sizeof *xs);
  lr_eval_out again = {NAN, NAN, NAN, 0};
  CHECK(xs != NULL);
  if (xs) {
    lr_transform(m, ds, xs, 0);
    CHECK(lr_reference_eval(xs, ds->y, NULL, NULL, n, d, ds->k, oc->binary, p.l2, 1.0, m->w, m->b,
                            &again, NULL, NULL) == 0);
  }
  free(xs);
  double rel = fabs(res.objective - oc->want) / oc->want;
  double rel_again = fabs(again.objective - oc->want) / oc->want;
  fprintf(stderr,
          "%s %s on %s: J = %.12g, its weights' J in double %.12g, scikit-learn %.12g: rel diff "
          "%.2g and %.2g (%d iterations, %ld evaluations + %ld Hessian-vector products, stop: "
          "%s)\n",
          oc->name, logreg_optimizer_name(opt), device, res.objective, again.objective, oc->want,
          rel, rel_again, res.epochs_run, res.evaluations, res.hv_products, res.stop_reason);
  CHECK(rel <= bound);
  CHECK(rel_again <= bound);
  logreg_model_free(m);
}

static void run_all(const logreg_dataset *ds, const optimum_case *oc) {
  if (oc->gd) run(ds, oc, LOGREG_OPTIMIZER_GD, "cpu", 1e-6);
  run(ds, oc, LOGREG_OPTIMIZER_LBFGS, "cpu", 1e-6);
  run(ds, oc, LOGREG_OPTIMIZER_LBFGS, "reference", 1e-6);
  if (have_opencl) run(ds, oc, LOGREG_OPTIMIZER_LBFGS, "opencl", 1e-6);
  /* Trust-region Newton-CG: to 1e-8 in double (cpu, reference), 1e-6 on a float32 device. */
  run(ds, oc, LOGREG_OPTIMIZER_NEWTON, "cpu", 1e-8);
  run(ds, oc, LOGREG_OPTIMIZER_NEWTON, "reference", 1e-8);
  if (have_opencl) run(ds, oc, LOGREG_OPTIMIZER_NEWTON, "opencl", 1e-6);
}

static void test_shared(const char *file, const optimum_case *cases, size_t ncases) {
  char buf[1024];
  const char *path = shared_path(file, buf, sizeof buf);
  if (!path) {
    fprintf(stderr, "note: ../shared/data/%s not found: its cases are left out\n", file);
    skipped++;
    return;
  }
  logreg_read_options ro;
  logreg_read_options_init(&ro);
  if (strstr(file, "wisconsin")) {
    ro.format = LOGREG_FORMAT_CSV;
    ro.header = 0;
    ro.drop = "0";
    ro.target = "10";
  } else {
    ro.target = "tumor_class";
  }
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(path, &ro, &ds, &err) == LOGREG_OK);
  if (!ds) return;
  for (size_t i = 0; i < ncases; i++) run_all(ds, &cases[i]);
  logreg_dataset_free(ds);
}

/* Points of a Weyl sequence in [-2, 2]^4 (coordinate j of row i: 4 frac(i sqrt(p_j)) - 2 with
 * p = 2, 3, 5, 7), labelled by the side of the plane c.u = 0, then each pushed 4 further to
 * its side along the plane's unit normal: linearly separable with a margin of 8. At C = 1e4
 * the optimum's weights are large, and almost every row's loss is below float's epsilon.
 * optimum_refs.py's separable() computes the same rows with the same double arithmetic. */
static logreg_dataset *separable_dataset(size_t n) {
  static const double c[4] = {1.0, -2.0, 0.5, 1.5};
  const double roots[4] = {sqrt(2.0), sqrt(3.0), sqrt(5.0), sqrt(7.0)}, norm = sqrt(7.5);
  const double gap = 4.0;
  float *x = malloc(n * 4 * sizeof *x);
  int32_t *y = malloc(n * sizeof *y);
  logreg_dataset *ds = NULL;
  if (x && y) {
    for (size_t i = 0; i < n; i++) {
      double u[4];
      for (size_t j = 0; j < 4; j++) u[j] = 4.0 * fmod((double)(i + 1) * roots[j], 1.0) - 2.0;
      double t = c[0] * u[0] + c[1] * u[1] + c[2] * u[2] + c[3] * u[3];
      double side = t > 0 ? 1.0 : -1.0;
      for (size_t j = 0; j < 4; j++) x[i * 4 + j] = (float)(u[j] + side * gap * (c[j] / norm));
      y[i] = t > 0 ? 1 : 0;
    }
    logreg_error err;
    CHECK(logreg_dataset_from_arrays(n, 4, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
  }
  free(x);
  free(y);
  return ds;
}

/* Fashion-MNIST's training rows of classes 0 (T-shirt/top) and 6 (Shirt), in file order, as a
 * two-class dataset (Shirt = class 1); NULL (the caller skips) when the files are absent. */
static logreg_dataset *fashion_tshirt_shirt(void) {
  const char *dir = "/usr/share/datasets/fashion-mnist";
  char img[512], lab[512];
  snprintf(img, sizeof img, "%s/train-images-idx3-ubyte.gz", dir);
  snprintf(lab, sizeof lab, "%s/train-labels-idx1-ubyte.gz", dir);
  FILE *f = fopen(img, "rb");
  if (!f) return NULL;
  fclose(f);
  logreg_read_options ro;
  logreg_read_options_init(&ro);
  ro.labels = lab;
  logreg_dataset *all = NULL, *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(img, &ro, &all, &err) == LOGREG_OK);
  if (!all) return NULL;
  size_t n = all->n, d = all->d, m = 0;
  float *x = malloc(n * d * sizeof *x);
  int32_t *y = malloc(n * sizeof *y);
  if (x && y) {
    for (size_t i = 0; i < n; i++) {
      int32_t yi = atoi(all->class_names[all->y[i]]);
      if (yi != 0 && yi != 6) continue;
      memcpy(x + m * d, all->x + i * d, d * sizeof *x);
      y[m++] = yi == 6;
    }
    const char *names[2] = {"T-shirt/top", "Shirt"};
    CHECK(logreg_dataset_from_arrays(m, d, x, y, 2, names, NULL, &ds, &err) == LOGREG_OK);
  }
  free(x);
  free(y);
  logreg_dataset_free(all);
  return ds;
}

int main(void) {
  lr_ocl_device_info *list = NULL;
  unsigned count = 0;
  logreg_error err;
  have_opencl = lr_ocl_list(&list, &count, &err) == LOGREG_OK && count > 0;
  free(list);
  if (!have_opencl) fprintf(stderr, "no OpenCL platform: the opencl runs are left out\n");

  /* The values printed by tests/ref/optimum_refs.py. */
  static const optimum_case tumors[] = {
      {"tumors.csv", 0, 1.0, 0.0695705074827313, 1e-9, 200, 1},
      {"tumors.csv --binary", 1, 1.0, 0.0873804054579653, 1e-9, 200, 1},
  };
  static const optimum_case bcw[] = {
      {"breast-cancer-wisconsin.data", 0, 1.0, 0.0836195023483367, 1e-9, 200, 1},
      {"breast-cancer-wisconsin.data --binary", 1, 1.0, 0.0860597174020408, 1e-9, 200, 1},
  };
  test_shared("tumors.csv", tumors, 2);
  test_shared("breast-cancer-wisconsin.data", bcw, 2);

  /* J ~ 2e-6 here, so its gradient is small too: a tolerance of 1e-12 (the iterations stop
   * earlier where no step lowers J any more). */
  static const optimum_case separable[] = {
      {"separable 2000 x 4, C = 1e4", 0, 1e4, 1.65763630999323e-06, 1e-12, 500, 0},
      {"separable 2000 x 4, C = 1e4, --binary", 1, 1e4, 3.0391721512018e-06, 1e-12, 500, 0},
  };
  logreg_dataset *sep = separable_dataset(2000);
  CHECK(sep != NULL);
  if (sep) {
    run_all(sep, &separable[0]);
    run_all(sep, &separable[1]);
    logreg_dataset_free(sep);
  }

  /* The cpu reference needs about 550 iterations to come within 1e-6 here; at 700 both backends
   * end near 1e-7 (to 1e-10 they take about 1250, 30 s on the cpu). */
  static const optimum_case fashion = {
      "fashion-mnist T-shirt vs Shirt --binary", 1, 1.0, 0.276498871421071, 1e-7, 700, 0};
  logreg_dataset *fm = fashion_tshirt_shirt();
  if (fm) {
    run_all(fm, &fashion);
    logreg_dataset_free(fm);
  } else {
    fprintf(stderr, "note: /usr/share/datasets/fashion-mnist not found (Debian package "
                    "dataset-fashion-mnist): its case is left out\n");
    skipped++;
  }

  if (check_failures_ == 0 && skipped) SKIP("some datasets are absent (see the notes above)");
  return check_report("test_optimum");
}
