/* opt_adagrad.c: Adagrad (Duchi, Hazan and Singer, 2011) as PyTorch's torch.optim.Adagrad with
 * its defaults (lr 0.01, lr_decay 0, initial accumulator 0, eps 1e-10; weight decay is the
 * objective's L2 term): acc += g^2; theta -= lr g / (sqrt(acc) + eps), full batch or
 * mini-batches, as an element-wise map (backend.h: lr_vec_map), the accumulator in LR_VEC_M1. */
#include <math.h>

#include "solve/optim.h"

#define ADAGRAD_EPS 1e-10 /* PyTorch's default */

/* v0 theta, v1 g, v2 the accumulator; c0 lr, c1 eps. */
static void adagrad_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0], *acc = v[2];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) {
    acc[i] += g[i] * g[i];
    theta[i] -= c[0] * g[i] / (sqrt(acc[i]) + c[1]);
  }
}
static const lr_vec_map adagrad_map = {"lr_step_adagrad", 3, 2,
                                       "const float g = v1[i];\n"
                                       "const float a = v2[i] + g * g;\n"
                                       "v2[i] = a;\n"
                                       "v0[i] = v0[i] - c0 * g / (sqrt(a) + c1);",
                                       adagrad_cpu};

static logreg_status adagrad_step(lr_solver *s, logreg_error *err) {
  const int vecs[] = {LR_VEC_THETA, LR_VEC_GRAD, LR_VEC_M1};
  const double c[] = {s->lr, ADAGRAD_EPS};
  return s->be->ops->vec_map(s->be, &adagrad_map, vecs, c, err);
}

const lr_solver_def lr_opt_adagrad = {
    .default_lr = 0.01, .epoch = lr_first_order_epoch, .step = adagrad_step};
