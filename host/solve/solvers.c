/* solvers.c: the table of optimizers (optim.h), generated from logreg.h's
 * LOGREG_OPTIMIZER_MAP: each entry's name and its def (lr_opt_<name>, in opt_*.c), and what
 * the library, the trainer and the checkpoints reach through it (names, parsing, state, rebase)
 * without knowing which optimizer runs. */
#include <stdlib.h>
#include <string.h>

#include "solve/checkpoint.h"
#include "solve/optim.h"
#include "util/util.h"

static const struct {
  const char *name;
  const lr_solver_def *def;
} solvers[] = {
#define LR_SOLVER_ENTRY_(id, name) [LOGREG_OPTIMIZER_##id] = {#name, &lr_opt_##name},
    LOGREG_OPTIMIZER_MAP(LR_SOLVER_ENTRY_)
#undef LR_SOLVER_ENTRY_
};
#define NSOLVERS (sizeof solvers / sizeof solvers[0])

const lr_solver_def *lr_solver_find(logreg_optimizer id) {
  return (int)id >= 0 && (size_t)id < NSOLVERS ? solvers[id].def : NULL;
}

const char *logreg_optimizer_name(logreg_optimizer opt) {
  return lr_solver_find(opt) ? solvers[opt].name : "unknown";
}

logreg_status logreg_optimizer_parse(const char *name, logreg_optimizer *out, logreg_error *err) {
  lr_error_clear(err);
  for (size_t i = 0; name && i < NSOLVERS; i++) {
    if (strcmp(name, solvers[i].name) == 0) {
      *out = (logreg_optimizer)i;
      return LOGREG_OK;
    }
  }
#define LR_SOLVER_NAME_(id, name) " " #name
  return lr_fail(err, LOGREG_EINVAL,
                 "'optimizer': \"%s\" is not one of:" LOGREG_OPTIMIZER_MAP(LR_SOLVER_NAME_),
                 name ? name : "");
#undef LR_SOLVER_NAME_
}

int logreg_optimizer_second_order(logreg_optimizer opt) {
  const lr_solver_def *def = lr_solver_find(opt);
  return def ? def->second_order : 0;
}

const char *lr_solver_unknown(void) {
#define LR_SOLVER_NAME_(id, name) " " #name
  return "'optimizer' must be one of:" LOGREG_OPTIMIZER_MAP(LR_SOLVER_NAME_);
#undef LR_SOLVER_NAME_
}

void lr_solver_state_io(lr_solver *s, const lr_solver_def *def, lr_ckpt_io *io) {
  if (def->state_io && s->state) def->state_io(s, io);
}

logreg_status lr_solver_rebase(lr_solver *s, const lr_solver_def *def, logreg_error *err) {
  logreg_status st = lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, s->full, &s->ev, err);
  if (st || !def->rebase || !s->state) return st;
  return def->rebase(s, err);
}

void lr_solver_free_state(lr_solver *s) {
  free(s->state);
  s->state = NULL;
}
