/* main.c: the logreg command line: dispatches to the commands and holds the helpers they
 * share (error lines, option parsing glue, data reading). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: logreg COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  train DATA [options]      train, evaluate on val/test, save the model\n"
    "  predict --model M DATA    predicted class (and --proba probabilities) per row\n"
    "  eval --model M DATA       accuracy, log loss, per-class metrics, confusion matrix\n"
    "  show MODEL [options]      coefficients by name, odds ratios; --stats DATA: p-values\n"
    "  devices                   compute backends, and which --device auto picks\n"
    "  bench [options]           time full-batch epochs per device (cpu, OpenCL)\n"
    "  gen blobs|tumors|sparse   write a synthetic dataset (CSV; sparse: LIBSVM)\n"
    "  plot loss|boundary        PNG of a training history, or of a 2-feature model's classes\n"
    "\n"
    "Run 'logreg COMMAND --help' for the options of a command.\n";

/* cli_error_capture's buffer: a process of a group other than rank 0 keeps its error line
 * for the group's agreement (group.c) instead of printing it. */
static struct {
  char *buf;
  size_t cap;
} capture;

void cli_error_capture(char *buf, size_t cap) {
  capture.buf = buf;
  capture.cap = cap;
  if (buf && cap) buf[0] = '\0';
}

int cli_error(int code, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cli_flags(msg, sizeof msg); /* the library's parameter names as the CLI's flags */
  if (capture.buf) {
    if (!capture.buf[0]) snprintf(capture.buf, capture.cap, "%s", msg); /* the first line */
    return code;
  }
  fprintf(stderr, "logreg: error: %s\n", msg);
  return code;
}

void cli_warn(const char *fmt, ...) {
  if (capture.buf) return; /* rank 0 warns for the group */
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cli_flags(msg, sizeof msg);
  fprintf(stderr, "logreg: warning: %s\n", msg);
}

int cli_parse(const char *cmd, const char *cmd_usage, const arg_spec *specs, int argc, char **argv,
              const char **pos, size_t max_pos, size_t *n_pos) {
  char msg[512];
  int r = args_parse(argc, argv, specs, pos, max_pos, n_pos, msg, sizeof msg);
  if (r == 1) {
    printf("usage: %s\n\noptions:\n", cmd_usage);
    args_print_help(specs, stdout);
    return 0;
  }
  if (r < 0) return cli_error(CLI_EXIT_USAGE, "%s (see 'logreg %s --help')", msg, cmd);
  return -1;
}

int cli_read_options(const cli_data_opts *o, logreg_read_options *ro) {
  logreg_read_options_init(ro);
  if (o->format) {
    if (strcmp(o->format, "csv") == 0)
      ro->format = LOGREG_FORMAT_CSV;
    else if (strcmp(o->format, "libsvm") == 0)
      ro->format = LOGREG_FORMAT_LIBSVM;
    else if (strcmp(o->format, "idx") == 0)
      ro->format = LOGREG_FORMAT_IDX;
    else {
      cli_error(CLI_EXIT_USAGE, "--format: \"%s\" is not one of csv, libsvm, idx", o->format);
      return -1;
    }
  }
  ro->header = !o->no_header;
  if (o->delimiter) {
    const char *d = o->delimiter;
    if (strcmp(d, ",") == 0 || strcmp(d, ";") == 0 || strcmp(d, "\t") == 0)
      ro->delimiter = d[0];
    else if (strcmp(d, "tab") == 0 || strcmp(d, "\\t") == 0)
      ro->delimiter = '\t';
    else {
      cli_error(CLI_EXIT_USAGE, "--delimiter: \"%s\" is not one of , ; tab", d);
      return -1;
    }
  }
  if (o->decimal) {
    if (strcmp(o->decimal, ".") != 0 && strcmp(o->decimal, ",") != 0) {
      cli_error(CLI_EXIT_USAGE, "--decimal: \"%s\" is not . or ,", o->decimal);
      return -1;
    }
    ro->decimal = o->decimal[0];
  }
  ro->na_values = o->na_values;
  ro->missing_label = LOGREG_MISSING_LABEL_SKIP;
  if (o->missing_label && strcmp(o->missing_label, "error") == 0) {
    ro->missing_label = LOGREG_MISSING_LABEL_ERROR;
  } else if (o->missing_label && strcmp(o->missing_label, "skip") != 0) {
    cli_error(CLI_EXIT_USAGE, "--missing-label: \"%s\" is not one of skip, error",
              o->missing_label);
    return -1;
  }
  ro->target = o->target;
  ro->drop = o->drop;
  ro->labels = o->labels;
  ro->id = o->id;
  return 0;
}

logreg_dataset *cli_read(const char *path, const logreg_read_options *ro) {
  logreg_dataset *ds = NULL;
  logreg_error err;
  if (logreg_dataset_read(path, ro, &ds, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    return NULL;
  }
  return ds;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_EXIT_USAGE : 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    puts("logreg 0.1.0");
    return 0;
  }
  static const struct {
    const char *name;
    int (*fn)(int, char **);
  } cmds[] = {{"train", cmd_train},     {"predict", cmd_predict}, {"eval", cmd_eval},
              {"devices", cmd_devices}, {"bench", cmd_bench},     {"gen", cmd_gen},
              {"plot", cmd_plot},       {"show", cmd_show}};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
    if (strcmp(argv[1], cmds[i].name) == 0) return cmds[i].fn(argc - 2, argv + 2);
  return cli_error(CLI_EXIT_USAGE, "unknown command \"%s\" (see 'logreg --help')", argv[1]);
}
