/* args.c: the table-driven option parser behind every logreg command (see args.h). */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logreg.h"
#include "logreg_util.h"

static const arg_spec *find(const arg_spec *specs, const char *name, size_t len) {
  for (const arg_spec *s = specs; s->name; s++)
    if (strlen(s->name) == len && strncmp(s->name, name, len) == 0) return s;
  return NULL;
}

static int store(const arg_spec *s, const char *v, char *msg, size_t cap) {
  switch (s->kind) {
  case ARG_FLAG:
    *(int *)s->target = 1;
    return 0;
  case ARG_STR:
    if (!*v) {
      snprintf(msg, cap, "%s: empty value", s->name);
      return -1;
    }
    *(const char **)s->target = v;
    return 0;
  case ARG_INT: {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno == ERANGE || x < -2147483647L || x > 2147483647L) {
      snprintf(msg, cap, "%s: \"%s\" is not a whole number", s->name, v);
      return -1;
    }
    *(int *)s->target = (int)x;
    return 0;
  }
  case ARG_SIZE:
  case ARG_U64: {
    size_t x;
    if (logreg_parse_size(v, &x) != 0) {
      snprintf(msg, cap, "%s: \"%s\" is not a whole number >= 0", s->name, v);
      return -1;
    }
    if (s->kind == ARG_SIZE)
      *(size_t *)s->target = x;
    else
      *(uint64_t *)s->target = (uint64_t)x;
    return 0;
  }
  case ARG_DOUBLE: {
    double x;
    int r = logreg_parse_double(v, &x);
    if (r != 0) {
      snprintf(msg, cap, "%s: \"%s\" is not a %snumber", s->name, v, r == -2 ? "finite " : "");
      return -1;
    }
    *(double *)s->target = x;
    return 0;
  }
  }
  return -1;
}

/* "unknown option --traget: did you mean --target?": the closest option by its name without
 * the leading dashes. */
static void unknown_option(const arg_spec *specs, const char *name, size_t len, char *msg,
                           size_t cap) {
  char word[64];
  size_t skip = 0, n = 0;
  while (skip < len && name[skip] == '-') skip++;
  snprintf(word, sizeof word, "%.*s", (int)(len - skip), name + skip);
  const char *bare[128];
  for (const arg_spec *s = specs; s->name && n < sizeof bare / sizeof bare[0]; s++) {
    const char *b = s->name;
    while (*b == '-') b++;
    bare[n++] = b;
  }
  size_t best = logreg_closest(word, bare, n);
  if (best < n)
    snprintf(msg, cap, "unknown option %.*s: did you mean %s?", (int)len, name, specs[best].name);
  else
    snprintf(msg, cap, "unknown option %.*s", (int)len, name);
}

int args_parse(int argc, char **argv, const arg_spec *specs, const char **pos, size_t max_pos,
               size_t *n_pos, char *msg, size_t cap) {
  *n_pos = 0;
  int only_pos = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!only_pos && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) return 1;
    if (!only_pos && strcmp(a, "--") == 0) {
      only_pos = 1;
      continue;
    }
    if (!only_pos && a[0] == '-' && a[1] != '\0') {
      const char *name = a, *eq = strchr(a, '=');
      size_t len = eq ? (size_t)(eq - a) : strlen(a);
      const arg_spec *s =
          strcmp(a, "-o") == 0 ? find(specs, "--output", 8) : find(specs, name, len);
      if (!s) {
        unknown_option(specs, name, len, msg, cap);
        return -1;
      }
      const char *v = NULL;
      if (s->kind == ARG_FLAG) {
        if (eq) {
          snprintf(msg, cap, "%s takes no value", s->name);
          return -1;
        }
      } else if (eq) {
        v = eq + 1;
      } else if (i + 1 < argc) {
        v = argv[++i];
      } else {
        snprintf(msg, cap, "%s needs a value (%s)", s->name, s->meta ? s->meta : "VALUE");
        return -1;
      }
      if (store(s, v, msg, cap) != 0) return -1;
      continue;
    }
    if (*n_pos >= max_pos) {
      snprintf(msg, cap, "unexpected argument \"%s\"", a);
      return -1;
    }
    pos[(*n_pos)++] = a;
  }
  return 0;
}

void args_print_help(const arg_spec *specs, void *fp) {
  FILE *f = fp;
  for (const arg_spec *s = specs; s->name; s++) {
    char left[48];
    snprintf(left, sizeof left, "%s%s%s", s->name, s->meta ? " " : "", s->meta ? s->meta : "");
    fprintf(f, "  %-26s %s\n", left, s->help);
  }
}

int args_parse_triple(const char *s, double *a, double *b, double *c) {
  double v[3];
  const char *p = s;
  for (int i = 0; i < 3; i++) {
    char buf[64];
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if ((i < 2 && !comma) || (i == 2 && comma) || len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    if (logreg_parse_double(buf, &v[i]) != 0) return -1;
    p = comma ? comma + 1 : p + len;
  }
  *a = v[0];
  *b = v[1];
  *c = v[2];
  return 0;
}
