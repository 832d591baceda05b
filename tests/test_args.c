/* test_args.c: the CLI option parser: every value kind, both "--name value" and
 * "--name=value", positionals and "--", and the exact error for each kind of mistake. */
#include "args.h"
#include "check.h"
#include "logreg_util.h"

typedef struct vals {
  int flag, n;
  const char *s, *out;
  size_t sz;
  uint64_t u;
  double d;
} vals;

static int run(vals *v, int argc, char **argv, const char **pos, size_t *npos, char *msg) {
  memset(v, 0, sizeof *v);
  const arg_spec specs[] = {{"--flag", ARG_FLAG, &v->flag, NULL, "a flag"},
                            {"--n", ARG_INT, &v->n, "N", "an int"},
                            {"--s", ARG_STR, &v->s, "S", "a string"},
                            {"--output", ARG_STR, &v->out, "FILE", "output"},
                            {"--sz", ARG_SIZE, &v->sz, "N", "a size"},
                            {"--u", ARG_U64, &v->u, "N", "a u64"},
                            {"--d", ARG_DOUBLE, &v->d, "X", "a double"},
                            {NULL, ARG_FLAG, NULL, NULL, NULL}};
  msg[0] = '\0';
  return args_parse(argc, argv, specs, pos, 2, npos, msg, 256);
}

#define ARGV(...) ((char *[]){__VA_ARGS__})
#define NARGS(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define PARSE(...) run(&v, NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), pos, &npos, msg)

int main(void) {
  vals v;
  const char *pos[2];
  size_t npos;
  char msg[256];

  CHECK(PARSE("a.csv", "--flag", "--n", "-7", "--s=x=y", "-o", "f", "--sz", "12", "--u",
              "18446744073709551615", "--d", "1e-3") == 0);
  CHECK(v.flag == 1 && v.n == -7 && strcmp(v.s, "x=y") == 0 && strcmp(v.out, "f") == 0);
  CHECK(v.sz == 12 && v.u == UINT64_MAX && v.d == 1e-3);
  CHECK(npos == 1 && strcmp(pos[0], "a.csv") == 0);
  CHECK(PARSE("--", "--flag", "b") == 0 && npos == 2 && strcmp(pos[0], "--flag") == 0 && !v.flag);
  CHECK(PARSE("--help") == 1);

  CHECK(PARSE("--nope") == -1);
  CHECK(strcmp(msg, "unknown option --nope") == 0);
  CHECK(PARSE("--n") == -1);
  CHECK(strcmp(msg, "--n needs a value (N)") == 0);
  CHECK(PARSE("--n", "1.5") == -1);
  CHECK(strcmp(msg, "--n: \"1.5\" is not a whole number") == 0);
  CHECK(PARSE("--n", "99999999999") == -1);
  CHECK(PARSE("--sz", "-1") == -1);
  CHECK(strcmp(msg, "--sz: \"-1\" is not a whole number >= 0") == 0);
  CHECK(PARSE("--d", "abc") == -1);
  CHECK(strcmp(msg, "--d: \"abc\" is not a number") == 0);
  CHECK(PARSE("--d", "1e999") == -1);
  CHECK(strcmp(msg, "--d: \"1e999\" is not a finite number") == 0);
  CHECK(PARSE("--d", "nan") == -1);
  CHECK(PARSE("--flag=1") == -1);
  CHECK(strcmp(msg, "--flag takes no value") == 0);
  CHECK(PARSE("--s=") == -1);
  CHECK(strcmp(msg, "--s: empty value") == 0);
  CHECK(PARSE("a", "b", "c") == -1);
  CHECK(strcmp(msg, "unexpected argument \"c\"") == 0);
  /* "Did you mean": the closest option by edit distance, case and dashes aside. */
  CHECK(PARSE("--ouptut", "f") == -1);
  CHECK(strcmp(msg, "unknown option --ouptut: did you mean --output?") == 0);
  CHECK(PARSE("--FLAG") == -1);
  CHECK(strcmp(msg, "unknown option --FLAG: did you mean --flag?") == 0);
  CHECK(PARSE("-output=x") == -1);
  CHECK(strcmp(msg, "unknown option -output: did you mean --output?") == 0);

  /* logreg_closest: swaps, case and blanks count as documented; nothing close, no answer. */
  const char *cols[] = {"age", "had_affair", NULL, " income ", "y"};
  CHECK(logreg_closest("Had_Affair", cols, 5) == 1);
  CHECK(logreg_closest("had_afiar", cols, 5) == 1); /* one swap, one deletion: 2 <= 9 / 3 */
  CHECK(logreg_closest("aeg", cols, 5) == 0);
  CHECK(logreg_closest("incme", cols, 5) == 3);
  CHECK(logreg_closest("x", cols, 5) == 5);      /* 1 > 1 / 3: a letter is no typo of another */
  CHECK(logreg_closest("salary", cols, 5) == 5); /* nothing within 2 */
  CHECK(logreg_closest("Y", cols, 5) == 4);
  CHECK(logreg_closest("age", cols, 0) == 0);

  double a, b, c;
  CHECK(args_parse_triple("0.7,0.15,0.15", &a, &b, &c) == 0 && a == 0.7 && b == 0.15 && c == 0.15);
  CHECK(args_parse_triple("1,0", &a, &b, &c) == -1);
  CHECK(args_parse_triple("1,0,0,0", &a, &b, &c) == -1);
  CHECK(args_parse_triple("1,,0", &a, &b, &c) == -1);
  CHECK(args_parse_triple("1,x,0", &a, &b, &c) == -1);
  return check_report("test_args");
}
