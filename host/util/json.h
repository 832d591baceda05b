/* json.h: the JSON writer: output with numbers that read back bit-exact.
 *
 * cJSON's own printer formats numbers with "%1.15g" first and falls back to "%1.17g" only in
 * some cases, loses subnormals, and depends on the process locale. The model file and the
 * CLI's --json output go through these helpers instead. Implemented in json.c. */
#ifndef LOGREG_JSON_H
#define LOGREG_JSON_H

#include <stddef.h>
#include <stdio.h>

#include <cJSON.h>

/* Room for any formatted double ("-2.2250738585072014e-308") plus the terminator. */
#define LR_JSON_NUMBER_MAX 32

/* Writes the shortest "%.Ng" (N <= 17) that strtod reads back to the same bits,
 * always with '.' as the decimal point whatever the locale; "null" when `v` is not finite
 * (JSON has no NaN or Infinity). `buf` holds at least LR_JSON_NUMBER_MAX bytes. Returns the
 * length written. */
size_t lr_json_format_number(double v, char *buf);

/* Serializes `item` (objects, arrays, strings, numbers as above, booleans, null, raw). Compact
 * when `pretty` is 0; otherwise indented by two spaces, with arrays of scalars kept on one
 * line. Returns a malloc'd NUL-terminated string, or NULL when out of memory. */
char *lr_json_print(const cJSON *item, int pretty);

/* Lists as raw nodes, one node for the whole list rather than one per element, so that a model
 * of millions of features costs its text only. The text is what lr_json_print(..., 1) prints
 * for the same array (meant for pretty output): numbers "[a, b, c]"; strings ["a", "b"] with a
 * NULL entry written as `prefix` followed by its index; rows x cols numbers as an array of rows,
 * one row per line, the array standing at nesting `depth` (1 for a member of the root object).
 * NULL when out of memory. */
cJSON *lr_json_raw_numbers(const double *v, size_t n);
cJSON *lr_json_raw_strings(char *const *s, size_t n, const char *prefix);
cJSON *lr_json_raw_rows(const double *v, size_t rows, size_t cols, int depth);

/* A large array written only when the tree is: `rows` numbers of v (cols 0), `rows` x `cols`
 * numbers of v as lr_json_raw_rows lays them out at nesting `depth`, or (names set) `rows`
 * strings as lr_json_raw_strings with `prefix`. The same text as those raw nodes. */
typedef struct lr_json_array {
  const double *v;
  char *const *names;
  const char *prefix;
  size_t rows, cols;
  int depth;
} lr_json_array;

/* A node that stands for arrays[index] of lr_json_write (an empty raw node); NULL when out of
 * memory. lr_json_print and cJSON's printers would print it as nothing: write it. */
cJSON *lr_json_placeholder(size_t index);

/* Writes what lr_json_print(item, pretty) returns to `f`, through a 64 KiB buffer, with each
 * placeholder replaced by the text of its array (`arrays`, n_arrays of them). 0; -1 when out of
 * memory; -2 when writing to `f` failed (errno as the failed fwrite left it). */
int lr_json_write(FILE *f, const cJSON *item, int pretty, const lr_json_array *arrays,
                  size_t n_arrays);

/* Adds `item` under `key` of `parent` (appends when `key` is NULL); frees it when adding fails.
 * Returns 0 when `item` is NULL (a failed create) or adding failed, so callers chain with &&. */
int lr_json_put(cJSON *parent, const char *key, cJSON *item);

#endif
