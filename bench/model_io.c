/* model_io.c: the time and peak memory of loading a model file and of saving it again, each in
 * its own phase of one process (bench/RESULTS.md, "Sparse: loading and saving a model").
 * Through include/logreg.h alone.
 *
 *   logreg_model_io IN.json OUT.json
 *
 * Prints one JSON line: load_s, rss_after_load_mib (the process's peak so far), save_s,
 * rss_after_save_mib (the peak over both phases; above the first only when saving needs more
 * than loading did), and rss_model_mib (resident after the load, the model alone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "logreg.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double peak_mib(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

/* Resident now (VmRSS of /proc/self/status), or -1 where that file is absent. */
static double resident_mib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  double kb = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) kb = atof(line + 6);
  fclose(f);
  return kb < 0 ? -1 : kb / 1024.0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: logreg_model_io IN.json OUT.json\n");
    return 2;
  }
  logreg_model *m = NULL;
  logreg_error err;
  double t0 = now();
  if (logreg_model_load(argv[1], &m, &err) != LOGREG_OK) {
    fprintf(stderr, "logreg_model_io: error: %s\n", err.message);
    return 1;
  }
  double t1 = now(), rss_load = peak_mib(), rss_model = resident_mib();
  if (logreg_model_save(m, argv[2], &err) != LOGREG_OK) {
    fprintf(stderr, "logreg_model_io: error: %s\n", err.message);
    logreg_model_free(m);
    return 1;
  }
  double t2 = now();
  printf("{\"load_s\": %.3f, \"rss_after_load_mib\": %.1f, \"rss_model_mib\": %.1f, "
         "\"save_s\": %.3f, \"rss_after_save_mib\": %.1f}\n",
         t1 - t0, rss_load, rss_model, t2 - t1, peak_mib());
  logreg_model_free(m);
  return 0;
}
