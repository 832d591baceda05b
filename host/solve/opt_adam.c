/* opt_adam.c: Adam (Kingma and Ba; PyTorch's torch.optim.Adam) with params' beta1, beta2 and
 * eps: an element-wise map (backend.h: lr_vec_map), the moments in LR_VEC_M1 and LR_VEC_M2. */
#include <math.h>

#include "solve/optim.h"

/* Adam with bias correction: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, theta -= lr (m /
 * c1) / (sqrt(v / c2) + eps) with c1 = 1 - b1^t, c2 = 1 - b2^t (in double here). v0 theta, v1 g,
 * v2 m, v3 v; c0 lr, c1 b1, c2 b2, c3 eps, c4 c1, c5 c2. */
static void adam_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0], *m1 = v[2], *m2 = v[3];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) {
    m1[i] = c[1] * m1[i] + (1.0 - c[1]) * g[i];
    m2[i] = c[2] * m2[i] + (1.0 - c[2]) * g[i] * g[i];
    theta[i] -= c[0] * (m1[i] / c[4]) / (sqrt(m2[i] / c[5]) + c[3]);
  }
}
static const lr_vec_map adam_map = {"lr_step_adam", 4, 6,
                                    "const float g = v1[i];\n"
                                    "const float a = c1 * v2[i] + (1.0f - c1) * g;\n"
                                    "const float b = c2 * v3[i] + (1.0f - c2) * g * g;\n"
                                    "v2[i] = a;\n"
                                    "v3[i] = b;\n"
                                    "v0[i] = v0[i] - c0 * (a / c4) / (sqrt(b / c5) + c3);",
                                    adam_cpu};

static logreg_status adam_step(lr_solver *s, logreg_error *err) {
  const logreg_params *p = s->p;
  const int vecs[] = {LR_VEC_THETA, LR_VEC_GRAD, LR_VEC_M1, LR_VEC_M2};
  const double c[] = {s->lr,
                      p->beta1,
                      p->beta2,
                      p->eps,
                      1.0 - pow(p->beta1, (double)s->t),
                      1.0 - pow(p->beta2, (double)s->t)};
  return s->be->ops->vec_map(s->be, &adam_map, vecs, c, err);
}

const lr_solver_def lr_opt_adam = {
    .default_lr = 0.01, .epoch = lr_first_order_epoch, .step = adam_step};
