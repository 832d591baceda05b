/* public.c: the helpers of util that logreg.h offers to programs built on the library (the CLI
 * among them): number parsing, the clock, atomic file output and exact JSON printing. Each is
 * the library's own function under its public name, so that a program needs no private
 * header and the library keeps one implementation. */
#include <cJSON.h>
#include <string.h>

#include "logreg_hooks.h"
#include "util/json.h"
#include "util/util.h"

int logreg_parse_double(const char *s, double *out) { return lr_parse_double(s, out); }

int logreg_parse_size(const char *s, size_t *out) { return lr_parse_size(s, out); }

size_t logreg_closest(const char *word, const char *const *cands, size_t n) {
  return lr_closest(word, cands, n);
}

double logreg_now(void) { return lr_now(); }

logreg_status logreg_atomic_open(logreg_atomic_file *af, const char *path, logreg_error *err) {
  return lr_atomic_open(af, path, err);
}

logreg_status logreg_atomic_commit(logreg_atomic_file *af, logreg_error *err) {
  return lr_atomic_commit(af, err);
}

void logreg_atomic_abort(logreg_atomic_file *af) { lr_atomic_abort(af); }

char *logreg_json_print(const struct cJSON *item, int pretty) {
  return lr_json_print(item, pretty);
}

size_t logreg_struct_size(const char *name) {
  static const struct {
    const char *name;
    size_t size;
  } sizes[] = {{"logreg_params", sizeof(logreg_params)},
               {"logreg_train_result", sizeof(logreg_train_result)},
               {"logreg_path_choice", sizeof(logreg_path_choice)},
               {"logreg_device_options", sizeof(logreg_device_options)},
               {"logreg_test_hooks", sizeof(logreg_test_hooks)},
               {"logreg_device_info", sizeof(logreg_device_info)},
               {"logreg_error", sizeof(logreg_error)},
               {"logreg_epoch_info", sizeof(logreg_epoch_info)},
               {"logreg_stats", sizeof(logreg_stats)}};
  for (size_t i = 0; name && i < sizeof sizes / sizeof sizes[0]; i++)
    if (strcmp(name, sizes[i].name) == 0) return sizes[i].size;
  return 0;
}
