/* file.h: reading a whole file into memory, the one way every layer does it (data files,
 * model files, kernel sources from a folder). Separate from util.h because only the code
 * that opens files needs it. */
#ifndef LOGREG_FILE_H
#define LOGREG_FILE_H

#include <stddef.h>

#include "logreg.h"

/* Reads the file at `path` whole into a new buffer (*data, owned by the caller, free()) of *len
 * bytes plus a terminating NUL, so text may be parsed in place. A regular file is read into a
 * buffer of its exact size; pipes and the like grow as they come. `max` (0: no limit) refuses
 * a file of more than `max` bytes before reading it all, with "PATH: file is too large for
 * WHAT (over N MiB)" (`what` names the content, e.g. "a model"). Errors name the path:
 * "PATH: cannot open: <reason>" and "PATH: cannot read: <reason>" (LOGREG_EIO), out of memory
 * (LOGREG_ENOMEM), too large (LOGREG_EINVAL). On failure *data is NULL and *len 0. An empty
 * file is not an error here (the caller decides). "-" reads standard input. */
logreg_status lr_read_file(const char *path, size_t max, const char *what, char **data, size_t *len,
                           logreg_error *err);

#endif
