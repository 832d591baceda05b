/* path_cache.c: the file where measured evaluation paths are kept between runs
 * (logreg_params.path_cache; device.h's lr_path_store), so that the opencl backend reads and
 * writes no file itself: it asks the store for its device and shape's entry and hands it what
 * it measured.
 *
 * One line per entry: KEY TAB PATH TAB name=ms ... ("fails" for a path that did not run), the
 * key naming the device, its driver and the shape class. The file is rewritten atomically; a
 * cache that cannot be read or written costs only the next run's timing, so failures are
 * silent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/device.h"
#include "util/file.h"
#include "util/util.h"

static int cache_lookup(const void *user, const char *key, logreg_path_choice *pc) {
  FILE *f = fopen(user, "r");
  if (!f) return 0;
  char line[1024];
  int found = 0;
  size_t kl = strlen(key);
  while (!found && fgets(line, sizeof line, f)) {
    if (strncmp(line, key, kl) != 0 || line[kl] != '\t') continue;
    char *rest = line + kl + 1, *tab = strchr(rest, '\t');
    if (!tab || tab == rest || (size_t)(tab - rest) >= sizeof pc->path) continue;
    *tab = '\0';
    memset(pc, 0, sizeof *pc);
    snprintf(pc->path, sizeof pc->path, "%s", rest);
    snprintf(pc->how, sizeof pc->how, "cached");
    /* name=ms pairs, space separated */
    for (char *tok = strtok(tab + 1, " \n"); tok && pc->count < LOGREG_PATH_MAX;
         tok = strtok(NULL, " \n")) {
      char *eq = strchr(tok, '=');
      if (!eq || (size_t)(eq - tok) >= sizeof pc->names[0]) continue;
      *eq = '\0';
      snprintf(pc->names[pc->count], sizeof pc->names[0], "%s", tok);
      pc->ms[pc->count++] = strcmp(eq + 1, "fails") == 0 ? NAN : strtod(eq + 1, NULL);
    }
    found = 1;
  }
  fclose(f);
  return found;
}

/* Adds or replaces `key`'s line. */
static void cache_save(const void *user, const char *key, const logreg_path_choice *pc) {
  const char *path = user;
  lr_atomic_file af;
  logreg_error e;
  if (lr_atomic_open(&af, path, &e) != LOGREG_OK) return;
  FILE *f = fopen(path, "r");
  char line[1024];
  size_t kl = strlen(key);
  while (f && fgets(line, sizeof line, f))
    if (!(strncmp(line, key, kl) == 0 && line[kl] == '\t') && strchr(line, '\n')) fputs(line, af.f);
  if (f) fclose(f);
  fprintf(af.f, "%s\t%s\t", key, pc->path);
  for (int i = 0; i < pc->count; i++) {
    if (isnan(pc->ms[i]))
      fprintf(af.f, "%s%s=fails", i ? " " : "", pc->names[i]);
    else
      fprintf(af.f, "%s%s=%.6g", i ? " " : "", pc->names[i], pc->ms[i]);
  }
  fputc('\n', af.f);
  if (lr_atomic_commit(&af, &e) != LOGREG_OK) lr_atomic_abort(&af);
}

void lr_path_key(const char *platform, const char *name, const char *driver, size_t kw, size_t d,
                 size_t n, const char *tail, char *key, size_t cap) {
  int lg = 0;
  while (lg < 63 && ((size_t)1 << (lg + 1)) <= n) lg++;
  if (n == 0 && d == 0)
    snprintf(key, cap, "%s|%s|%s%s", platform, name, driver, tail);
  else
    snprintf(key, cap, "%s|%s|%s|kw=%zu|d=%zu|n=2^%d%s", platform, name, driver, kw, d, lg, tail);
  for (char *c = key; *c; c++)
    if (*c == '\t' || *c == '\n') *c = ' ';
}

const lr_path_store *lr_path_cache_file(const char *path, lr_path_store *store) {
  if (!path) return NULL;
  store->lookup = cache_lookup;
  store->save = cache_save;
  store->user = path;
  return store;
}
