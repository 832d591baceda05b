/* paths.c: the CLI's side of the OpenCL evaluation paths: where the library keeps the choices
 * it measured (the library reads no environment: the CLI does). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* mkdir -p for the folders of `path` (not the last component). 0 when they exist. */
static int make_parents(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    int bad = mkdir(path, 0755) != 0 && errno != EEXIST;
    *p = '/';
    if (bad) return -1;
  }
  return 0;
}

const char *cli_path_cache(void) {
  static char buf[4096];
  const char *env = getenv("LOGREG_PATH_CACHE");
  if (env) {
    if (!*env || strlen(env) >= sizeof buf) return NULL;
    snprintf(buf, sizeof buf, "%s", env);
    return buf;
  }
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  int n;
  if (xdg && *xdg)
    n = snprintf(buf, sizeof buf, "%s/logreg/paths.tsv", xdg);
  else if (home && *home)
    n = snprintf(buf, sizeof buf, "%s/.cache/logreg/paths.tsv", home);
  else
    return NULL;
  if (n < 0 || (size_t)n >= sizeof buf || make_parents(buf) != 0) return NULL;
  return buf;
}
