/* readers.h: internal interface between logreg_dataset_read (read.c) and the per-format readers
 * (csv.c, libsvm.c, idx.c), plus the file loading and number parsing they share.
 *
 * Separate from dataset.h because only the readers and their tests need it: the rest of the
 * host code sees datasets, not files.
 *
 * Position conventions in error messages (all 1-based):
 *   CSV     FILE:LINE:FIELD   FIELD is the field number in the record (file column index + 1)
 *   LIBSVM  FILE:LINE:COLUMN  COLUMN is the byte column in the line
 *   IDX     FILE: ...         binary; messages name the byte counts instead
 */
#ifndef LOGREG_READERS_H
#define LOGREG_READERS_H

#include <stddef.h>

#include "logreg.h"

/* The format AUTO picks for `path`, by its name: after removing a trailing ".gz",
 * ".svm"/".libsvm"/".svmlight" -> LIBSVM; a name containing "-ubyte" or ending ".idx" -> IDX;
 * anything else (".csv", ".data", ".txt", ...) -> CSV. Case-insensitive; only the base name. */
logreg_format lr_format_from_path(const char *path);

/* Reads the whole file into a new buffer (*data, owned by the caller, free()) of *len bytes plus
 * a terminating NUL, so text readers may parse it in place. Content that starts with the gzip
 * magic bytes 1f 8b is decompressed, whatever the file is called. An empty file is not an error
 * here (the caller decides). */
logreg_status lr_load_file(const char *path, char **data, size_t *len, logreg_error *err);

/* Parses a NUL-terminated, blank-trimmed field as a float32 feature value.
 * Returns 0 and sets *out; -1 not a number; -2 a non-finite literal (nan, inf, infinity in any
 * case); -3 finite as text but outside the float32 range (|v| > FLT_MAX, or a double overflow).
 * Plain decimals take a fast exact path; everything else goes through lr_parse_double. */
int lr_parse_value(const char *s, float *out);

/* Fills `err` for a value that lr_parse_value rejected with code `r`. `where` is the position
 * prefix ("data.csv:12:3"), `suffix` text appended to the message ("" when none). Returns
 * LOGREG_EPARSE. */
logreg_status lr_value_error(logreg_error *err, const char *where, const char *s, int r,
                             const char *suffix);

/* True for the markers of a missing value: an empty field, "?" or "NA" (exactly). */
int lr_is_missing(const char *s);

/* The readers. Each parses `buf` (len bytes, NUL-terminated, modified in place) read from
 * `path` (used only in messages) and returns a new dataset in *out. */
logreg_status lr_read_csv(const char *path, char *buf, size_t len, const logreg_read_options *opt,
                          logreg_dataset **out, logreg_error *err);
logreg_status lr_read_libsvm(const char *path, char *buf, size_t len,
                             const logreg_read_options *opt, logreg_dataset **out,
                             logreg_error *err);
/* IDX: `buf` holds the images file; opt->labels (when set) names the labels file, which this
 * reader loads itself. */
logreg_status lr_read_idx(const char *path, const unsigned char *buf, size_t len,
                          const logreg_read_options *opt, logreg_dataset **out, logreg_error *err);

#endif
