/* flags.c: the library names its parameters in its messages, quoted as in 'lr' or 'batch_size'
 * (the names of logreg_params, logreg_read_options and the functions' arguments), so that a
 * program or binding built on it reads its own words; the command line's users know them as
 * flags. cli_flags rewrites a message in place, so that every error and warning the CLI prints
 * names --lr, --batch-size. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  const char *lib, *cli;
} names[] = {
    /* Phrases first, where the flag says it the other way round. */
    {"set 'header' to 0", "pass --no-header"},
    {"is 'header' = 0 wrong", "is --no-header wrong"},
    {"falling back to the cpu device", "falling back to --device cpu"},
    {"('checkpoint' keeps the progress", "(--checkpoint FILE keeps the progress"},
    /* logreg_params */
    {"'optimizer'", "--optimizer"},
    {"'lr'", "--lr"},
    {"'epochs'", "--epochs"},
    {"'batch_size'", "--batch-size"},
    {"'l2'", "--l2"},
    {"'C'", "--C"},
    {"'tol'", "--tol"},
    {"'patience'", "--patience"},
    {"'binary'", "--binary"},
    {"'pos_weight'", "--pos-weight"},
    {"'seed'", "--seed"},
    {"'momentum'", "--momentum"},
    {"'scale'", "--scale"},
    {"'device'", "--device"},
    {"'gemm'", "--gemm"},
    {"'checkpoint_every'", "--checkpoint-every"},
    {"'checkpoint'", "--checkpoint"},
    {"'resume'", "--resume"},
    /* logreg_device_options */
    {"'opencl_platform'", "--opencl-platform"},
    {"'opencl_device'", "--opencl-device"},
    {"'build_options'", "--build-options"},
    {"'kernel_dir'", "--kernel-dir"},
    /* logreg_read_options, logreg_dataset_split, logreg_cv_options */
    {"'target'", "--target"},
    {"'drop'", "--drop"},
    {"'weight'", "--weight"},
    {"'folds'", "--folds"},
    {"'id'", "--id"},
    {"'categorical'", "--categorical"},
    {"'max_categories'", "--max-categories"},
    {"'infrequent'", "--infrequent"},
    {"'delimiter'", "--delimiter"},
    {"'decimal'", "--decimal"},
    {"'na_values'", "--na-values"},
    {"'missing_label'", "--missing-label"},
    {"'split'", "--split"},
    {"'k_folds'", "--cv"},
    /* logreg_gen_* */
    {"'n'", "--rows"},
    {"'d'", "--features"},
    {"'k'", "--classes"},
    {"'spread'", "--spread"},
    {"'density'", "--density"},
};

void cli_flags(char *msg, size_t cap) {
  char out[2048];
  for (size_t t = 0; t < sizeof names / sizeof names[0]; t++) {
    const char *hit = strstr(msg, names[t].lib);
    if (!hit) continue;
    size_t o = 0, ll = strlen(names[t].lib), cl = strlen(names[t].cli);
    const char *p = msg;
    for (; hit; hit = strstr(p, names[t].lib)) {
      size_t pre = (size_t)(hit - p);
      if (o + pre + cl >= sizeof out) break;
      memcpy(out + o, p, pre);
      memcpy(out + o + pre, names[t].cli, cl);
      o += pre + cl;
      p = hit + ll;
    }
    size_t rest = strlen(p);
    if (o + rest >= sizeof out) rest = sizeof out - 1 - o;
    memcpy(out + o, p, rest);
    out[o + rest] = '\0';
    snprintf(msg, cap, "%s", out);
  }
}
