/* test_optimum.c: full-batch GD reaches scikit-learn's regularized optimum. With C = 1 (so
 * lambda = 1/N), --split 1,0,0 and whole-data standardization, J must come within 1e-6
 * relative of the values computed with scikit-learn and polished by Newton's method (given in
 * the solvers issue), on tumors and breast-cancer-wisconsin, multinomial and --binary.
 * Skips (exit 77) when ../shared is absent. */
#include <stdlib.h>

#include "check.h"
#include "dataset.h"

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
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_GD;
  p.lr = 1.0;
  p.epochs = 10000;
  p.binary = binary;
  p.l2 = 1.0 / (double)ds->n; /* C = 1 */
  logreg_model *m = NULL;
  logreg_train_result res;
  CHECK(logreg_train(ds, NULL, &p, &m, &res, &err) == LOGREG_OK);
  double rel = fabs(res.objective - want) / want;
  fprintf(stderr, "%s%s: J = %.10f, scikit-learn %.10f, rel diff %.2g\n", file,
          binary ? " --binary" : "", res.objective, want, rel);
  CHECK(rel <= 1e-6);
  logreg_model_free(m);
  logreg_dataset_free(ds);
}

int main(void) {
  test_sklearn_optimum("tumors.csv", 0, 0.0695705026);
  test_sklearn_optimum("tumors.csv", 1, 0.0873804015);
  test_sklearn_optimum("breast-cancer-wisconsin.data", 0, 0.0836195026);
  test_sklearn_optimum("breast-cancer-wisconsin.data", 1, 0.0860597176);
  return check_report("test_optimum");
}
