/* passes.c: how many passes over X a solver needs to come within a relative 1e-8 (and 1e-6) of a
 * known optimum J*: the number that decides a solver's cost when an evaluation or a
 * Hessian-vector product is one read of X (cpu reference, the fused and tiled device paths).
 * Through include/logreg.h alone (the trainer API, one epoch at a time).
 *
 *   logreg_passes FILE JSTAR OPTIMIZER DEVICE C [EPOCHS] [read options...]
 *
 * read options: target=NAME, drop=LIST, labels=FILE (IDX), noheader, binary, and classes=A,B,...
 * (keep the rows of these classes only, e.g. Fashion-MNIST's T-shirt and Shirt: classes=0,6).
 * lambda = 1/(C N).
 * Prints one JSON line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logreg.h"

/* The rows of `ds` whose class is one of the comma-separated names in `list`, labelled in the
 * list's order; NULL on failure. */
static logreg_dataset *keep_classes(const logreg_dataset *ds, const char *list) {
  size_t n = logreg_dataset_rows(ds), d = logreg_dataset_features(ds), k = 0, m = 0;
  const char *names[16];
  char buf[256];
  snprintf(buf, sizeof buf, "%s", list);
  for (char *tok = strtok(buf, ","); tok && k < 16; tok = strtok(NULL, ",")) names[k++] = tok;
  int32_t *map = malloc(logreg_dataset_classes(ds) * sizeof *map);
  float *x = malloc(n * d * sizeof *x);
  int32_t *y = malloc(n * sizeof *y);
  logreg_dataset *out = NULL;
  if (map && x && y) {
    for (size_t c = 0; c < logreg_dataset_classes(ds); c++) {
      map[c] = -1;
      for (size_t i = 0; i < k; i++)
        if (strcmp(logreg_dataset_class_name(ds, c), names[i]) == 0) map[c] = (int32_t)i;
    }
    const float *xs = logreg_dataset_x(ds);
    const int32_t *ys = logreg_dataset_y(ds);
    for (size_t i = 0; i < n; i++)
      if (map[ys[i]] >= 0) {
        memcpy(x + m * d, xs + i * d, d * sizeof *x);
        y[m++] = map[ys[i]];
      }
    logreg_error err;
    if (logreg_dataset_from_arrays(m, d, x, y, k, names, NULL, &out, &err) != LOGREG_OK)
      fprintf(stderr, "logreg_passes: %s\n", err.message);
  }
  free(map);
  free(x);
  free(y);
  return out;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: logreg_passes FILE JSTAR OPTIMIZER DEVICE C [EPOCHS] [options]\n");
    return 2;
  }
  logreg_read_options ro;
  logreg_read_options_init(&ro);
  logreg_params p;
  logreg_params_init(&p);
  double jstar = atof(argv[2]), c = atof(argv[5]);
  logreg_error perr;
  if (logreg_optimizer_parse(argv[3], &p.optimizer, &perr) != LOGREG_OK) {
    fprintf(stderr, "logreg_passes: %s\n", perr.message);
    return 2;
  }
  p.device = argv[4];
  p.epochs = argc > 6 ? atoi(argv[6]) : 1000;
  p.tol = 1e-12; /* run until J* is met (or the solver stalls) */
  const char *classes = NULL;
  for (int i = 7; i < argc; i++) {
    if (strncmp(argv[i], "target=", 7) == 0) ro.target = argv[i] + 7;
    if (strncmp(argv[i], "drop=", 5) == 0) ro.drop = argv[i] + 5;
    if (strncmp(argv[i], "labels=", 7) == 0) ro.labels = argv[i] + 7;
    if (strcmp(argv[i], "noheader") == 0) ro.header = 0, ro.format = LOGREG_FORMAT_CSV;
    if (strcmp(argv[i], "binary") == 0) p.binary = 1;
    if (strncmp(argv[i], "classes=", 8) == 0) classes = argv[i] + 8;
  }
  logreg_dataset *ds = NULL;
  logreg_error err;
  if (logreg_dataset_read(argv[1], &ro, &ds, &err) != LOGREG_OK) {
    fprintf(stderr, "logreg_passes: %s\n", err.message);
    return 1;
  }
  if (classes) {
    logreg_dataset *kept = keep_classes(ds, classes);
    logreg_dataset_free(ds);
    if (!(ds = kept)) return 1;
  }
  p.l2 = 1.0 / (c * (double)logreg_dataset_rows(ds));
  logreg_trainer *t = NULL;
  if (logreg_trainer_create(ds, NULL, &p, &t, &err) != LOGREG_OK) {
    fprintf(stderr, "logreg_passes: %s\n", err.message);
    logreg_dataset_free(ds);
    return 1;
  }
  const double bounds[2] = {1e-6, 1e-8};
  long at[2] = {-1, -1};
  int at_epoch[2] = {-1, -1};
  double secs[2] = {-1, -1}; /* -1: not reached */
  logreg_epoch_info info = {0};
  logreg_epoch_info last = {0};
  const char *stop = NULL;
  while (!stop) {
    if (logreg_trainer_epoch(t, &info, &stop, &err) != LOGREG_OK) {
      fprintf(stderr, "logreg_passes: %s\n", err.message);
      break;
    }
    if (info.epoch == 0) break;
    last = info;
    for (int b = 0; b < 2; b++)
      if (at[b] < 0 && (info.objective - jstar) / jstar <= bounds[b]) {
        at[b] = info.evaluations + info.hv_products;
        at_epoch[b] = info.epoch;
        secs[b] = info.seconds;
      }
    if (at[1] >= 0) break; /* within 1e-8: done */
  }
  printf("{\"optimizer\": \"%s\", \"device\": \"%s\", \"jstar\": %.15g, \"objective\": %.15g, "
         "\"rel\": %.3g, \"epochs\": %d, \"evaluations\": %ld, \"hv_products\": %ld, "
         "\"passes_1e-6\": %ld, \"epochs_1e-6\": %d, \"seconds_1e-6\": %.3f, "
         "\"passes_1e-8\": %ld, \"epochs_1e-8\": %d, \"seconds_1e-8\": %.3f, \"stop\": \"%s\"}\n",
         argv[3], argv[4], jstar, last.objective, (last.objective - jstar) / jstar, last.epoch,
         last.evaluations, last.hv_products, at[0], at_epoch[0], secs[0], at[1], at_epoch[1],
         secs[1], stop ? stop : (at[1] >= 0 ? "within 1e-8" : "error"));
  logreg_trainer_free(t);
  logreg_dataset_free(ds);
  return 0;
}
