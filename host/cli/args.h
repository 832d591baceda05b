/* args.h: the command line parser shared by every logreg command.
 *
 * Each command describes its options in a table; the parser fills the targets and reports the
 * first problem as one line naming the option ("--lr: \"abc\" is not a number"). Both
 * "--name value" and "--name=value" are accepted; "-o" is the one short option. */
#ifndef LOGREG_CLI_ARGS_H
#define LOGREG_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

typedef enum arg_kind {
  ARG_FLAG,   /* int: set to 1 */
  ARG_STR,    /* const char *: the value as given */
  ARG_INT,    /* int: a whole number */
  ARG_SIZE,   /* size_t: a whole number >= 0 */
  ARG_U64,    /* uint64_t: a whole number >= 0 */
  ARG_DOUBLE, /* double: a finite number */
} arg_kind;

typedef struct arg_spec {
  const char *name; /* "--lr" */
  arg_kind kind;
  void *target;
  const char *meta; /* value placeholder for help ("RATE"), NULL for flags */
  const char *help; /* one line */
} arg_spec;

/* Parses argv[0..argc) against `specs` (terminated by a {NULL} entry). Positional arguments
 * are stored in pos[0..max_pos); *n_pos receives their count. Returns 0, or -1 after writing
 * the error into msg (cap bytes). "--help"/"-h" returns 1. */
int args_parse(int argc, char **argv, const arg_spec *specs, const char **pos, size_t max_pos,
               size_t *n_pos, char *msg, size_t cap);

/* Prints the option table (two columns) to `f`. */
void args_print_help(const arg_spec *specs, void *f);

/* "a,b,c" -> three doubles. 0 on success, -1 on a malformed list. */
int args_parse_triple(const char *s, double *a, double *b, double *c);

#endif
