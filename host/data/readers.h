/* readers.h: the interface between logreg_dataset_read (read.c, the dispatcher) and the
 * per-format readers (csv.c, libsvm.c, idx.c). What the readers share among themselves
 * (loading, value parsing) is their base, source.h, which the dispatcher does not need.
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

/* The format AUTO picks for `path`, by its name (read.c): after removing a trailing ".gz",
 * ".svm"/".libsvm"/".svmlight" -> LIBSVM; a name containing "-ubyte" or ending ".idx" -> IDX;
 * anything else (".csv", ".data", ".txt", ...) -> CSV. Case-insensitive; only the base name. */
logreg_format lr_format_from_path(const char *path);

/* The readers. Each parses `buf` (len bytes, NUL-terminated, modified in place) loaded from
 * `path` (used only in messages) by lr_load_file and returns a new dataset in *out. */
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
