/* test_optimum.c: the full-batch solvers reach scikit-learn's regularized optimum. With C = 1
 * (so lambda = 1/N), --split 1,0,0 and whole-data standardization, J must come within 1e-6
 * relative of the values computed with scikit-learn and polished by Newton's method (given in
 * the solvers issue) on the CPU reference, and within 1e-5 on the OpenCL device (float32), on
 * tumors and breast-cancer-wisconsin, multinomial and --binary: GD (10000 epochs) on cpu, and
 * L-BFGS on cpu and opencl. Skips (exit 77) when ../shared is absent; the opencl runs are left
 * out (with a note) when there is no OpenCL platform. */
#include <stdlib.h>

#include "check.h"
#include "dataset.h"
#include "ocl.h"

static int have_opencl;

static void run(const logreg_dataset *ds, const char *file, int binary, logreg_optimizer opt,
                const char *device, double want, double bound) {
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = opt;
  p.lr = 1.0;
  p.epochs = opt == LOGREG_OPTIMIZER_GD ? 10000 : 200;
  p.tol = opt == LOGREG_OPTIMIZER_GD ? 0 : 1e-9;
  p.binary = binary;
  p.device = device;
  p.l2 = 1.0 / (double)ds->n; /* C = 1 */
  logreg_model *m = NULL;
  logreg_train_result res;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, &res, &err) == LOGREG_OK);
  double rel = fabs(res.objective - want) / want;
  fprintf(stderr, "%s%s %s on %s: J = %.10f, scikit-learn %.10f, rel diff %.2g (%d iterations)\n",
          file, binary ? " --binary" : "", logreg_optimizer_name(opt), device, res.objective, want,
          rel, res.epochs_run);
  CHECK(rel <= bound);
  logreg_model_free(m);
}

static void test_sklearn_optimum(const char *file, int binary, double want) {
  char buf[1024];
  const char *path = shared_path(file, buf, sizeof buf);
  if (!path) SKIP("../shared/data not found: the real datasets are absent");
  logreg_read_options ro;
  logreg_read_options_init(&ro);
  int bcw = strstr(file, "wisconsin") != NULL;
  if (bcw) {
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
  run(ds, file, binary, LOGREG_OPTIMIZER_GD, "cpu", want, 1e-6);
  run(ds, file, binary, LOGREG_OPTIMIZER_LBFGS, "cpu", want, 1e-6);
  if (have_opencl) run(ds, file, binary, LOGREG_OPTIMIZER_LBFGS, "opencl", want, 1e-5);
  logreg_dataset_free(ds);
}

int main(void) {
  lr_ocl_device_info *list = NULL;
  unsigned count = 0;
  logreg_error err;
  have_opencl = lr_ocl_list(&list, &count, &err) == LOGREG_OK && count > 0;
  free(list);
  if (!have_opencl) fprintf(stderr, "no OpenCL platform: the opencl runs are left out\n");
  test_sklearn_optimum("tumors.csv", 0, 0.0695705026);
  test_sklearn_optimum("tumors.csv", 1, 0.0873804015);
  test_sklearn_optimum("breast-cancer-wisconsin.data", 0, 0.0836195026);
  test_sklearn_optimum("breast-cancer-wisconsin.data", 1, 0.0860597176);
  return check_report("test_optimum");
}
