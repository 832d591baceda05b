/* na.c: missing-value markers (na.h): the default and legacy sets, building a set from a base
 * and a comma list, and matching a field.
 *
 * Matching runs on every field of a CSV, so a set keeps a bitmap of its markers' first bytes:
 * a number's field ("3.5") is rejected by one lookup unless its first byte starts a marker
 * ("-" and "1" start "-nan" and "1.#IND"), and then by a few string comparisons.
 */
#include "data/na.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

const char *const lr_na_default[] = {
    "",     "#N/A", "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A",  "NA",       "NULL", "NaN",     "None",     "n/a",  "nan",  "null",   "?"};
const size_t lr_na_default_n = sizeof lr_na_default / sizeof lr_na_default[0];
const char *const lr_na_legacy[] = {"", "?", "NA"};
const size_t lr_na_legacy_n = sizeof lr_na_legacy / sizeof lr_na_legacy[0];

int lr_na_slow(const lr_na *na, const char *s) {
  for (size_t i = 1; i < na->n; i++)
    if (na->v[i][0] == s[0] && strcmp(na->v[i], s) == 0) return 1;
  return 0;
}

/* Adds the marker s[0..len) unless the set has it. 0, or -1 when out of memory. */
static int na_add(lr_na *na, const char *s, size_t len, size_t *cap) {
  for (size_t i = 0; i < na->n; i++)
    if (strlen(na->v[i]) == len && memcmp(na->v[i], s, len) == 0) return 0;
  if (na->n == *cap) {
    size_t nc = *cap ? *cap * 2 : 32;
    char **v = realloc(na->v, nc * sizeof *v);
    if (!v) return -1;
    na->v = v;
    *cap = nc;
  }
  char *m = malloc(len + 1);
  if (!m) return -1;
  memcpy(m, s, len);
  m[len] = '\0';
  na->v[na->n++] = m;
  if (len) {
    unsigned char c = (unsigned char)m[0];
    na->first[c >> 3] = (unsigned char)(na->first[c >> 3] | (1u << (c & 7)));
    double v;
    na->numeric |= lr_parse_double(m, &v) == 0;
  }
  return 0;
}

/* The next item of the comma list at *p, trimmed of blanks: [*s, *e). 0 at the end of the list. */
static int next_item(const char **p, const char **s, const char **e) {
  if (!*p) return 0;
  const char *comma = strchr(*p, ',');
  const char *a = *p, *b = comma ? comma : a + strlen(a);
  while (a < b && (*a == ' ' || *a == '\t')) a++;
  while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
  *s = a;
  *e = b;
  *p = comma ? comma + 1 : NULL;
  return 1;
}

static int is_none(const char *s, const char *e) { return e - s == 4 && memcmp(s, "none", 4) == 0; }

int lr_na_init(lr_na *na, const char *const *base, size_t n_base, const char *extra) {
  memset(na, 0, sizeof *na);
  size_t cap = 0;
  if (!base) {
    base = lr_na_default;
    n_base = lr_na_default_n;
  }
  if (na_add(na, "", 0, &cap) != 0) return -1;
  int keep_base = 1;
  const char *p = extra, *s, *e;
  while (next_item(&p, &s, &e))
    if (is_none(s, e)) keep_base = 0;
  for (size_t i = 0; keep_base && i < n_base; i++)
    if (base[i] && na_add(na, base[i], strlen(base[i]), &cap) != 0) return -1;
  for (p = extra; next_item(&p, &s, &e);)
    if (e > s && !is_none(s, e) && na_add(na, s, (size_t)(e - s), &cap) != 0) return -1;
  return 0;
}

void lr_na_free(lr_na *na) {
  lr_free_strings(na->v, na->n);
  memset(na, 0, sizeof *na);
}
