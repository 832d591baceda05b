/* na.h: missing-value markers: which field texts the CSV reader takes for a missing value, the
 * default set, the set of models saved before the set was recorded, and the matching of a field
 * against a set. Implemented in na.c.
 *
 * One owner for the concept, so that the reader, the dataset that records the set and the model
 * file that keeps it for prediction agree on what "missing" means.
 */
#ifndef LOGREG_NA_H
#define LOGREG_NA_H

#include <stddef.h>

/* The default markers: the empty field "" (first, as in every set) and pandas' read_csv set
 * (STR_NA_VALUES in pandas/_libs/parsers.pyx, 2.x: "#N/A", "#N/A N/A", "#NA", "-1.#IND",
 * "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None",
 * "n/a", "nan", "null") and "?", which UCI's files use and logreg read as missing before the
 * set grew. */
extern const char *const lr_na_default[];
extern const size_t lr_na_default_n;
/* The markers of models saved before they recorded theirs: "", "?" and "NA". */
extern const char *const lr_na_legacy[];
extern const size_t lr_na_legacy_n;

typedef struct lr_na {
  char **v; /* n markers, the empty field first (it is always one) */
  size_t n;
  unsigned char first[32]; /* bit c set: some marker other than "" starts with byte c */
  int numeric;             /* some marker reads as a number ("-999"): match before parsing */
} lr_na;

/* Builds a set: the empty field, the markers of `base` (n_base entries; NULL: lr_na_default),
 * then the items of the comma list `extra` (NULL: none), each trimmed of blanks, empty items
 * skipped, each marker once. An item "none" drops the base markers (extra "none": the empty
 * field only). 0, or -1 when out of memory; lr_na_free releases it either way. */
int lr_na_init(lr_na *na, const char *const *base, size_t n_base, const char *extra);
void lr_na_free(lr_na *na);

/* Whether the (trimmed) field `s` is missing in `na`. */
int lr_na_slow(const lr_na *na, const char *s);
static inline int lr_na_match(const lr_na *na, const char *s) {
  unsigned char c = (unsigned char)s[0];
  if (!c) return 1;
  if (!(na->first[c >> 3] & (1u << (c & 7)))) return 0;
  return lr_na_slow(na, s);
}

#endif
