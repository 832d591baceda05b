/* opt_gd.c: gradient descent, full batch (gd) or over mini-batches (sgd): theta -= lr g, one
 * element-wise map (backend.h: lr_vec_map) that every backend runs without knowing it. */
#include "solve/optim.h"

/* GD and SGD: theta -= lr g. v0 theta, v1 g; c0 lr. */
static void gd_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) theta[i] -= c[0] * g[i];
}
static const lr_vec_map gd_map = {"lr_step_gd", 2, 1, "v0[i] = v0[i] - c0 * v1[i];", gd_cpu};

static logreg_status gd_step(lr_solver *s, logreg_error *err) {
  const int vecs[] = {LR_VEC_THETA, LR_VEC_GRAD};
  const double c[] = {s->lr};
  return s->be->ops->vec_map(s->be, &gd_map, vecs, c, err);
}

/* sgd is gd over mini-batches: it needs them. */
static const char *sgd_check(const logreg_params *p) {
  return p->batch_size == 0 ? "'optimizer' sgd needs 'batch_size' >= 1 (use gd for full batch)"
                            : NULL;
}

const lr_solver_def lr_opt_gd = {.default_lr = 0.5, .epoch = lr_first_order_epoch, .step = gd_step};
const lr_solver_def lr_opt_sgd = {
    .default_lr = 0.05, .check = sgd_check, .epoch = lr_first_order_epoch, .step = gd_step};
