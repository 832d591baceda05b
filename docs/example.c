/* example.c: training and prediction through the public API alone (include/logreg.h).
 *
 * Reads a CSV file whose header names the columns and whose last column is the class
 * (default ../shared/data/tumors.csv, or argv[1]), keeps 20% of each class aside, trains a
 * logistic regression with L-BFGS on the cpu, predicts the probabilities of the rows kept
 * aside and prints how many it classifies right. logreg_params_init's defaults are
 * scikit-learn's LogisticRegression(): L-BFGS to max |gradient| <= 1e-6 at C = 1 (the L2
 * strength 1 / (C N)), at most 100 iterations.
 *
 * Built by cmake as the logreg_example target (build/logreg_example [DATA.csv]); the test
 * suite runs it on tumors.csv (tests/example.sh). To build it by hand against the library:
 *   cc -std=c11 -Iinclude docs/example.c build/liblogreg.a $(pkg-config --libs libcjson \
 *      clblast) -lOpenCL -lz -lm -lpthread
 * or against the shared library, which brings its own dependencies:
 *   cc -std=c11 -Iinclude docs/example.c -Lbuild -llogreg -Wl,-rpath,$PWD/build
 * or against an installed logreg (cmake --install build --prefix P; docs/library.md):
 *   cc -std=c11 docs/example.c $(pkg-config --cflags --libs logreg)
 */
#include <stdio.h>
#include <stdlib.h>

#include "logreg.h"

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "../shared/data/tumors.csv";
  logreg_error err = {LOGREG_OK, ""};
  logreg_dataset *all = NULL, *train = NULL, *val = NULL, *test = NULL;
  logreg_model *model = NULL;
  double *proba = NULL;
  int rc = 1;

  /* Read: the format from the file name; by default the first row is a header and the last
   * column the target. Every handle returned is ours to free. */
  if (logreg_dataset_read(path, NULL, &all, &err) != LOGREG_OK) goto done;
  /* A stratified split: 80% of each class to train on, 20% held out (no validation part). */
  if (logreg_dataset_split(all, 0.8, 0.0, 0.2, 42, &train, &val, &test, &err) != LOGREG_OK)
    goto done;
  if (!test) {
    fprintf(stderr, "example: %s: too few rows to hold any out\n", path);
    goto done;
  }

  logreg_params params;
  logreg_params_init(&params); /* lbfgs, C = 1, tol 1e-6, 100 iterations at most, on "cpu" */
  if (logreg_params_check(&params, &err) != LOGREG_OK) goto done;
  /* The imputer and the scaler are fitted on `train` and kept in the model. */
  logreg_train_result result;
  if (logreg_train(train, NULL, &params, &model, &result, &err) != LOGREG_OK) goto done;
  printf("trained on %zu rows: %d iterations, objective %.6f, stopped by %s\n",
         logreg_dataset_rows(train), result.epochs_run, result.objective, result.stop_reason);

  /* Probabilities, n x k row-major; the model applies its own preprocessing to the rows. */
  size_t n = logreg_dataset_rows(test), k = logreg_model_classes(model);
  proba = malloc(n * k * sizeof *proba);
  if (!proba) {
    fprintf(stderr, "example: out of memory\n");
    goto done;
  }
  if (logreg_predict_proba(model, test, proba, &err) != LOGREG_OK) goto done;

  /* The predicted class is the most probable one (the lowest index on a tie). */
  const int32_t *y = logreg_dataset_y(test);
  size_t correct = 0;
  for (size_t i = 0; i < n; i++) {
    size_t best = 0;
    for (size_t c = 1; c < k; c++)
      if (proba[i * k + c] > proba[i * k + best]) best = c;
    if ((int32_t)best == y[i]) correct++;
  }
  printf("first held-out row (%s):", logreg_model_class_name(model, (size_t)y[0]));
  for (size_t c = 0; c < k; c++)
    printf(" p(%s) = %.4g", logreg_model_class_name(model, c), proba[c]);
  printf("\n");
  printf("accuracy %.4f on %zu held-out rows\n", (double)correct / (double)n, n);
  rc = 0;

done:
  if (rc && err.status != LOGREG_OK)
    fprintf(stderr, "example: %s (%s)\n", err.message, logreg_status_str(err.status));
  free(proba);
  logreg_model_free(model);
  logreg_dataset_free(all);
  logreg_dataset_free(train);
  logreg_dataset_free(val);
  logreg_dataset_free(test);
  return rc;
}
