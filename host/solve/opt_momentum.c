/* opt_momentum.c: SGD with momentum, PyTorch's (v = mu v + g; theta -= lr v), or Nesterov's
 * (theta -= lr (g + mu v)) with params.nesterov: an element-wise map each (backend.h:
 * lr_vec_map), the velocity in LR_VEC_M1. */
#include "solve/optim.h"

/* v0 theta, v1 g, v2 the velocity v; c0 lr, c1 mu. */
static void momentum_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0], *m = v[2];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) {
    m[i] = c[1] * m[i] + g[i];
    theta[i] -= c[0] * m[i];
  }
}
static void nesterov_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0], *m = v[2];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) {
    m[i] = c[1] * m[i] + g[i];
    theta[i] -= c[0] * (g[i] + c[1] * m[i]);
  }
}
static const lr_vec_map momentum_map = {"lr_step_momentum", 3, 2,
                                        "const float g = v1[i];\n"
                                        "const float m = c1 * v2[i] + g;\n"
                                        "v2[i] = m;\n"
                                        "v0[i] = v0[i] - c0 * m;",
                                        momentum_cpu};
static const lr_vec_map nesterov_map = {"lr_step_nesterov", 3, 2,
                                        "const float g = v1[i];\n"
                                        "const float m = c1 * v2[i] + g;\n"
                                        "v2[i] = m;\n"
                                        "v0[i] = v0[i] - c0 * (g + c1 * m);",
                                        nesterov_cpu};

static logreg_status momentum_step(lr_solver *s, logreg_error *err) {
  const int vecs[] = {LR_VEC_THETA, LR_VEC_GRAD, LR_VEC_M1};
  const double c[] = {s->lr, s->p->momentum};
  return s->be->ops->vec_map(s->be, s->p->nesterov ? &nesterov_map : &momentum_map, vecs, c, err);
}

const lr_solver_def lr_opt_momentum = {
    .default_lr = 0.01, .epoch = lr_first_order_epoch, .step = momentum_step};
