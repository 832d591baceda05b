/* source.h: what every reader (csv.c, libsvm.c, idx.c) builds on: a data file loaded whole
 * into memory, gzip or not, and the parsing of one feature value. Implemented in source.c.
 *
 * The readers include this and readers.h (their own prototypes); the dispatcher (read.c)
 * includes readers.h only, so the readers depend on this base and never on the dispatcher.
 */
#ifndef LOGREG_SOURCE_H
#define LOGREG_SOURCE_H

#include <stddef.h>

#include "logreg.h"

/* Reads the whole file into a new buffer (*data, owned by the caller, free()) of *len bytes plus
 * a terminating NUL, so text readers may parse it in place (lr_read_file). Content that starts
 * with the gzip magic bytes 1f 8b is decompressed, whatever the file is called. An empty file
 * is not an error here (the caller decides). */
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

/* lr_parse_value with `mark` as the decimal mark: '.' is lr_parse_value; ',' reads the field's
 * one ',' as the point ("32,0", "-1,5e3"), and a field with a '.' is not a number (-1). */
int lr_parse_value_mark(const char *s, char mark, float *out);

#endif
