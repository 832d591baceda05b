/* cli.h: what the logreg commands share: the entry point of each command, the one-line error
 * printer, and the data-reading options that train, predict and eval accept alike. */
#ifndef LOGREG_CLI_H
#define LOGREG_CLI_H

#include <stdio.h>

#include "args.h"
#include "logreg.h"
#include "util/util.h"

#define CLI_EXIT_ERROR 1 /* bad input, failed training, I/O */
#define CLI_EXIT_USAGE 2 /* bad command line */

int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_plot(int argc, char **argv);

/* Prints "logreg: error: MESSAGE" on stderr; returns `code`. */
int cli_error(int code, const char *fmt, ...) LR_PRINTF(2, 3);
/* Prints "logreg: warning: MESSAGE" on stderr. */
void cli_warn(const char *fmt, ...) LR_PRINTF(1, 2);
/* Whether `name` is an OpenCL evaluation path of --gemm: auto, tiled, fused, own, clblast. */
int cli_gemm_valid(const char *name);
/* The file where the OpenCL backend keeps its measured path choices: $LOGREG_PATH_CACHE (empty:
 * none), else $XDG_CACHE_HOME/logreg/paths.tsv or ~/.cache/logreg/paths.tsv (its folder made
 * when missing); NULL when there is no such place. */
const char *cli_path_cache(void);
/* Handles args_parse's result for command `cmd`: prints help (returns 0 via *done), the error
 * (returns CLI_EXIT_USAGE), or returns -1 to go on. */
int cli_parse(const char *cmd, const char *usage, const arg_spec *specs, int argc, char **argv,
              const char **pos, size_t max_pos, size_t *n_pos);

/* Options for reading a data file, shared by train/predict/eval. */
typedef struct cli_data_opts {
  const char *format; /* csv|libsvm|idx, NULL = by extension */
  int no_header;
  const char *target, *drop, *labels;
} cli_data_opts;

/* The arg_spec entries for cli_data_opts (5 entries), for a command's table. */
#define CLI_DATA_SPECS(o)                                                                          \
  {"--format", ARG_STR, &(o).format, "csv|libsvm|idx", "input format (default: by extension)"},    \
      {"--no-header", ARG_FLAG, &(o).no_header, NULL, "CSV has no header row"},                    \
      {"--target", ARG_STR, &(o).target, "COL",                                                    \
       "label column: name or 0-based index (default: last)"},                                     \
      {"--drop", ARG_STR, &(o).drop, "COLS",                                                       \
       "comma list of columns to ignore (names or indices)"},                                      \
  {                                                                                                \
    "--labels", ARG_STR, &(o).labels, "FILE", "IDX labels file for IDX images"                     \
  }

/* Fills read options from the CLI data options; returns -1 (after printing) on a bad --format. */
int cli_read_options(const cli_data_opts *o, logreg_read_options *ro);

/* Reads `path`; prints the error and returns NULL on failure. */
logreg_dataset *cli_read(const char *path, const logreg_read_options *ro);

/* Loads the model at `path` (--model; NULL path is a usage error); NULL after printing. */
logreg_model *cli_load_model(const char *path);
/* Reads `path` for model `m`: its features (its classes when `labelled`); NULL after printing. */
logreg_dataset *cli_read_for_model(const char *path, const cli_data_opts *o, const logreg_model *m,
                                   int labelled);

#endif
