/* first_order.c: what the first-order methods (gd, sgd, momentum, adam: opt_*.c) share: the
 * epoch, one full-batch step or a shuffled pass of mini-batch steps, each step the optimizer's
 * own (its def's step, an element-wise map on the backend). */
#include <signal.h>

#include "solve/optim.h"

/* The step of the optimizer the parameters name, the s->t-th (counted here: Adam's t). */
static logreg_status first_order_step(lr_solver *s, logreg_error *err) {
  ++s->t;
  return lr_solver_find(s->p->optimizer)->step(s, err);
}

/* One mini-batch epoch: shuffle, then a step per batch; a stop request pauses it after the
 * step it is in (s->batch_done), and a later call goes on from there. */
static logreg_status minibatch_epoch(lr_solver *s, logreg_error *err) {
  size_t n = s->n, bs = s->p->batch_size, start = s->batch_done;
  /* The processes of a group stop at the end of an epoch (they would not see the request
   * after the same step). */
  const volatile sig_atomic_t *stop =
      s->obj->shard && s->obj->shard->size > 1 ? NULL : s->p->stop_request;
  s->batch_done = 0;
  /* Fisher-Yates from the seeded stream: the same seed gives the same batches everywhere. */
  for (size_t i = n; !start && i > 1; i--) {
    size_t j = (size_t)lr_rng_below(&s->rng, (uint64_t)i);
    uint32_t t = s->order[i - 1];
    s->order[i - 1] = s->order[j];
    s->order[j] = t;
  }
  logreg_status st = lr_objective_set_order(s->obj, s->order, err);
  if (st) return st;
  for (size_t begin = start; begin < n; begin += bs) {
    size_t count = n - begin < bs ? n - begin : bs;
    /* The batch's sum of weights, from the host's copy: the device need not be waited for. A
     * diverging run shows in the evaluation after the epoch. */
    double bsum = 0;
    for (size_t i = begin; i < begin + count; i++) bsum += s->s[s->order[i]];
    if ((st = lr_objective_batch_grad(s->obj, begin, count, bsum, err)) ||
        (st = first_order_step(s, err)))
      return st;
    if (stop && *stop && begin + count < n) {
      s->batch_done = begin + count;
      break;
    }
  }
  return lr_objective_set_order(s->obj, NULL, err);
}

logreg_status lr_first_order_epoch(lr_solver *s, const char **stop, logreg_error *err) {
  *stop = NULL;
  logreg_status st = s->full ? first_order_step(s, err) /* GRAD holds the gradient at THETA */
                             : minibatch_epoch(s, err);
  if (st || s->batch_done) return st; /* paused: measured when the epoch is done */
  s->step = s->lr;
  /* Measure the new weights; in full batch the same pass yields the next gradient. */
  return lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, s->full, &s->ev, err);
}
