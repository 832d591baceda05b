/* steps.h: for the tests that check an optimizer's step on a backend directly: one step of a
 * first-order optimizer through its own step function (host/solve/optim.h: the element-wise map
 * it owns), from the gradient in LR_VEC_GRAD and the state in LR_VEC_M1, LR_VEC_M2, the way
 * the trainer takes it. */
#ifndef LOGREG_TEST_STEPS_H
#define LOGREG_TEST_STEPS_H

#include <string.h>

#include "solve/optim.h"

/* The t-th step (1-based) of optimizer `opt` at rate lr; p holds its other settings. */
static inline logreg_status solver_step(lr_backend *be, lr_objective *obj, logreg_optimizer opt,
                                        const logreg_params *p, double lr, long t,
                                        logreg_error *err) {
  lr_solver s;
  memset(&s, 0, sizeof s);
  s.obj = obj;
  s.be = be;
  s.p = p;
  s.lr = lr;
  s.t = t;
  return lr_solver_find(opt)->step(&s, err);
}

#endif
