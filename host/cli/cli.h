/* cli.h: what the logreg commands share: the entry point of each command, the one-line error
 * printer, and the data-reading options that train, predict and eval accept alike. */
#ifndef LOGREG_CLI_H
#define LOGREG_CLI_H

#include <stdio.h>

#include "args.h"
#include "logreg.h"
#include "logreg_bench.h"
#include "logreg_hooks.h"
#include "logreg_util.h"

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

#define CLI_EXIT_ERROR 1 /* bad input, failed training, I/O */
#define CLI_EXIT_USAGE 2 /* bad command line */

int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_show(int argc, char **argv);

/* Prints "logreg: error: MESSAGE" on stderr; returns `code`. */
/* The library's parameter names in `msg` ('lr', 'batch_size') as the CLI's flags (--lr,
 * --batch-size), in place (flags.c); cli_error and cli_warn apply it. */
void cli_flags(char *msg, size_t cap);
int cli_error(int code, const char *fmt, ...) CLI_PRINTF(2, 3);
/* From now on cli_error keeps its first message in buf[cap] instead of printing it, and
 * cli_warn prints nothing (NULL: print again). For the ranks of a group other than 0. */
void cli_error_capture(char *buf, size_t cap);
/* Prints "logreg: warning: MESSAGE" on stderr. */
void cli_warn(const char *fmt, ...) CLI_PRINTF(1, 2);
/* The file where the OpenCL backend keeps its measured path choices: $LOGREG_PATH_CACHE (empty:
 * none), else $XDG_CACHE_HOME/logreg/paths.tsv or ~/.cache/logreg/paths.tsv (its folder made
 * when missing); NULL when there is no such place. */
const char *cli_path_cache(void);
/* Handles args_parse's result for command `cmd`: prints help (returns 0 via *done), the error
 * (returns CLI_EXIT_USAGE), or returns -1 to go on. */
int cli_parse(const char *cmd, const char *usage, const arg_spec *specs, int argc, char **argv,
              const char **pos, size_t max_pos, size_t *n_pos);

/* train --path SPEC (path.c): the models of the C values SPEC gives, the most penalized first,
 * each warm-started from the last, a line each on stdout and the path in out_csv; then p->C is
 * the value of lowest validation loss (the least penalized without validation rows). 0, or the
 * exit code after the error. */
#define CLI_PATH_MAX_VALUES 200
/* The --path SPEC checked before any data is read: -1 when good, else the exit code after its
 * one-line error. */
int cli_path_check(const char *spec);
int cli_run_path(const char *spec, const char *out_csv, const logreg_dataset *tr,
                 const logreg_dataset *va, logreg_params *p, int quiet);

/* Options for reading a data file, shared by train/predict/eval. */
typedef struct cli_data_opts {
  const char *format; /* csv|libsvm|idx, NULL = by extension */
  int no_header;
  const char *target, *drop, *labels;
  const char *id;            /* predict --id */
  const char *delimiter;     /* CSV: ",", ";", "tab" (or "\\t", or a tab); NULL = detect */
  const char *na_values;     /* CSV: more missing markers, a comma list ("none": only the empty) */
  const char *decimal;       /* CSV: "." or ","; NULL = '.' (detected with ';' or tab; a model's) */
  const char *missing_label; /* train, eval: "skip" (NULL) or "error" */
} cli_data_opts;

/* The arg_spec entry of --missing-label, for train's and eval's tables. */
#define CLI_MISSING_LABEL_SPEC(o)                                                                  \
  {                                                                                                \
    "--missing-label", ARG_STR, &(o).missing_label, "skip|error",                                  \
        "rows whose label is missing: skip them, counted in a warning (default), or refuse the "   \
        "file"                                                                                     \
  }

/* The arg_spec entries for cli_data_opts (8 entries), for a command's table. */
#define CLI_DATA_SPECS(o)                                                                          \
  {"--format", ARG_STR, &(o).format, "csv|libsvm|idx", "input format (default: by extension)"},    \
      {"--no-header", ARG_FLAG, &(o).no_header, NULL, "CSV has no header row"},                    \
      {"--delimiter", ARG_STR, &(o).delimiter, "D",                                                \
       "CSV field delimiter: , ; or tab (default: detected from the first line)"},                 \
      {"--na-values", ARG_STR, &(o).na_values, "LIST",                                             \
       "CSV: more missing-value markers, comma-separated, besides the empty field and pandas' "    \
       "set (NA, N/A, n/a, NaN, nan, null, None, ?, ...); 'none' drops that set"},                 \
      {"--decimal", ARG_STR, &(o).decimal, "C",                                                    \
       "CSV decimal mark: . or , (default: ., and with ; or tab as the delimiter decimal commas "  \
       "are detected)"},                                                                           \
      {"--target", ARG_STR, &(o).target, "COL",                                                    \
       "label column: name or 0-based index (default: last)"},                                     \
      {"--drop", ARG_STR, &(o).drop, "COLS",                                                       \
       "comma list of columns to ignore (names or indices)"},                                      \
  {                                                                                                \
    "--labels", ARG_STR, &(o).labels, "FILE", "IDX labels file for IDX images"                     \
  }

/* The device settings of train, bench and devices (logreg_device_options, and the host
 * threads of logreg_params): each option is also read from the environment variable named in
 * its help, which the command line overrides. Only the CLI reads the environment. */
typedef struct cli_device_opts {
  const char *platform, *device;          /* --opencl-platform, --opencl-device */
  uint64_t max_alloc;                     /* --max-alloc */
  uint64_t device_memory;                 /* --device-memory */
  int no_fp64;                            /* --no-fp64 */
  const char *build_options, *kernel_dir; /* --build-options, --kernel-dir */
  size_t threads;                         /* --threads */
  uint64_t fail_call;                     /* --test-fail-opencl-call (train) */
  int auto_keeps_device;   /* LOGREG_AUTO_KEEPS_DEVICE=1 (tests; no option): logreg_hooks.h */
  logreg_test_hooks hooks; /* what cli_device_options points the options to */
} cli_device_opts;

/* The arg_spec entries of the device choice and capabilities (5 entries). */
#define CLI_DEVICE_SPECS(o)                                                                        \
  {"--opencl-platform", ARG_STR, &(o).platform, "P",                                               \
   "--device opencl|auto: the platform, by index or name substring (LOGREG_OPENCL_PLATFORM)"},     \
      {"--opencl-device", ARG_STR, &(o).device, "D",                                               \
       "--device opencl|auto: the device, by index or name substring (LOGREG_OPENCL_DEVICE)"},     \
      {"--max-alloc", ARG_U64, &(o).max_alloc, "BYTES",                                            \
       "treat the OpenCL device's largest allocation as at most BYTES, for tests "                 \
       "(LOGREG_OPENCL_MAX_ALLOC)"},                                                               \
      {"--device-memory", ARG_U64, &(o).device_memory, "BYTES",                                    \
       "treat the OpenCL device's memory as at most BYTES: larger training data streams from "     \
       "host memory (LOGREG_OPENCL_DEVICE_MEMORY)"},                                               \
  {                                                                                                \
    "--no-fp64", ARG_FLAG, &(o).no_fp64, NULL,                                                     \
        "sum as an OpenCL device without doubles does, for tests (LOGREG_OPENCL_FP64=0)"           \
  }

/* The arg_spec entries of the kernel build and the host threads (3 entries). */
#define CLI_BUILD_SPECS(o)                                                                         \
  {"--build-options", ARG_STR, &(o).build_options, "OPTS",                                         \
   "extra OpenCL C build options for the training kernels (LOGREG_EXTRA_OPTS)"},                   \
      {"--kernel-dir", ARG_STR, &(o).kernel_dir, "DIR",                                            \
       "read the OpenCL kernels from DIR, not the built-in copies (LOGREG_KERNEL_DIR)"},           \
  {                                                                                                \
    "--threads", ARG_SIZE, &(o).threads, "N",                                                      \
        "host threads for preprocessing, 0 = by size (default; LOGREG_THREADS)"                    \
  }

/* Fills `o` from the environment (before the command line is parsed over it). Returns 0, or
 * CLI_EXIT_USAGE after printing an error naming a variable whose value is malformed. */
int cli_device_env(cli_device_opts *o);
/* The library's device options from `o` (strings borrowed from `o`). */
void cli_device_options(cli_device_opts *o, logreg_device_options *out);
/* The host threads of `o` for logreg_params.threads. */
unsigned cli_threads(const cli_device_opts *o);

/* Fills read options from the CLI data options; returns -1 (after printing) on a bad --format. */
int cli_read_options(const cli_data_opts *o, logreg_read_options *ro);

/* Reads `path`; prints the error and returns NULL on failure. */
logreg_dataset *cli_read(const char *path, const logreg_read_options *ro);

/* The one-line warning about rows whose categories the model (or the training split) does not
 * know: "FILE: 3 rows had categories unseen in training (Embarked: 2, Sex: 1); ...". Nothing
 * when there are none. */
void cli_warn_unseen(const char *path, const logreg_dataset *ds);

/* Loads the model at `path` (--model; NULL path is a usage error); NULL after printing. */
logreg_model *cli_load_model(const char *path);
/* The one-line warning about rows left out for a missing label (logreg_dataset_skipped_rows):
 * "FILE: 139 rows without a label in column \"vote\" were skipped ...". Nothing when none were. */
void cli_warn_skipped(const char *path, const logreg_dataset *ds);

/* Reads `path` for model `m`: its features (its classes when `labelled`: rows without a label
 * skipped and counted in a warning unless --missing-label error; without, the label column is
 * not read at all); NULL after printing. */
logreg_dataset *cli_read_for_model(const char *path, const cli_data_opts *o, const logreg_model *m,
                                   int labelled);

#endif
