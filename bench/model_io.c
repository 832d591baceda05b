/* model_io.c: the time and peak memory of loading a model file and of saving it again, each in
 * its own phase of one process (bench/RESULTS.md, "Sparse: loading and saving a model").
 * Through include/logreg.h alone.
 *
 *   logreg_model_io IN.json OUT.json
 *
 * Prints one JSON line: load_s, rss_after_load_mib (the process's peak so far), rss_model_mib
 * (resident after the load and glibc's malloc_trim: the model), save_s, and
 * save_peak_mib: the peak of the save phase alone, Linux's peak resident size (VmHWM) reset
 * after the load by writing 5 to /proc/self/clear_refs (-1 where that is not possible). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

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

/* A size line of /proc/self/status ("VmRSS:", "VmHWM:") in MiB, or -1 where it is absent. */
static double status_mib(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  double kb = -1;
  size_t n = strlen(key);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, n) == 0) kb = atof(line + n);
  fclose(f);
  return kb < 0 ? -1 : kb / 1024.0;
}

/* Resets the peak resident size (VmHWM) to the current one; 0, or -1 where not possible. */
static int reset_peak(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (!f) return -1;
  int ok = fputs("5", f) >= 0;
  return fclose(f) == 0 && ok ? 0 : -1;
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
  double load_s = now() - t0, rss_load = peak_mib();
#ifdef __GLIBC__
  malloc_trim(0); /* what the loader freed leaves the resident size, for the save's own peak */
#endif
  double rss_model = status_mib("VmRSS:");
  int reset = reset_peak();
  double t1 = now();
  if (logreg_model_save(m, argv[2], &err) != LOGREG_OK) {
    fprintf(stderr, "logreg_model_io: error: %s\n", err.message);
    logreg_model_free(m);
    return 1;
  }
  double t2 = now();
  printf("{\"load_s\": %.3f, \"rss_after_load_mib\": %.1f, \"rss_model_mib\": %.1f, "
         "\"save_s\": %.3f, \"save_peak_mib\": %.1f}\n",
         load_s, rss_load, rss_model, t2 - t1, reset == 0 ? status_mib("VmHWM:") : -1.0);
  logreg_model_free(m);
  return 0;
}
