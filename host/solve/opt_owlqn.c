/* opt_owlqn.c: OWL-QN, orthant-wise limited-memory quasi-Newton (Andrew and Gao, "Scalable
 * training of L1-regularized log-linear models", ICML 2007), for J with an L1 term
 * (logreg_params.l1_ratio > 0; objective.h: lr_objective_set_l1). Each iteration, from x with
 * J's smooth gradient g and the pseudo-gradient pg (the minimum-norm subgradient, which the
 * objective leaves in its vector pg):
 *   1. d = -H pg with L-BFGS's two-loop recursion over pairs (s, y) of the smooth gradient
 *      (lbfgs.c), then d_q = 0 wherever d_q does not point against pg_q (the orthant's
 *      descent directions only);
 *   2. the orthant xi_q = sign(x_q), or sign(-pg_q) where x_q = 0;
 *   3. a backtracking line search over x(alpha) = P(x + alpha d), P setting to 0 every
 *      penalized coordinate that left xi's orthant, until J(x(alpha)) <= J(x) + c1 pg.(x(alpha)
 *      - x) (halving alpha from 1, or from 1 / ||d|| without a history);
 *   4. the pair s = x(alpha) - x, y = g(x(alpha)) - g.
 * The projection makes the zeros exact. It stops when max |pg| <= tol (the KKT residual), or
 * when no step lowers J from a steepest-descent direction ("converged"). Every step is a
 * backend vector operation or an element-wise map, so it runs where the parameters live, on
 * every backend, and under a shard each process takes the same steps. */
#include <math.h>
#include <stdlib.h>

#include "solve/checkpoint.h"
#include "solve/lbfgs.h"
#include "solve/optim.h"

enum { OWLQN_MEMORY = 10, OWLQN_MAX_EVALS = 30 };

typedef struct owlqn_state {
  lr_lbfgs lb;
  int x, g, pg, d, xi, tmp; /* iterate, its smooth gradient and pseudo-gradient, direction,
                               orthant, scratch */
  double f;
} owlqn_state;

/* d_q = 0 where d_q pg_q >= 0 at a penalized coordinate that is 0 (where d would leave the
 * orthant -pg chooses): v0 d, v1 pg, v2 x, v3 pen1. */
static void align_cpu(double *const *v, const double *c, size_t n) {
  (void)c;
  for (size_t i = 0; i < n; i++)
    if (v[3][i] > 0 && v[2][i] == 0 && !(v[0][i] * v[1][i] < 0)) v[0][i] = 0.0;
}
static const lr_vec_map align_map = {
    "lr_owlqn_align", 4, 0,
    "if (v3[i] > 0.0f && v2[i] == 0.0f && !(v0[i] * v1[i] < 0.0f)) v0[i] = 0.0f;", align_cpu};

/* The orthant: v0 xi, v1 x, v2 pg. */
static void orthant_cpu(double *const *v, const double *c, size_t n) {
  (void)c;
  for (size_t i = 0; i < n; i++) {
    double x = v[1][i], pg = v[2][i];
    v[0][i] = x > 0 ? 1.0 : x < 0 ? -1.0 : pg < 0 ? 1.0 : pg > 0 ? -1.0 : 0.0;
  }
}
static const lr_vec_map orthant_map = {
    "lr_owlqn_orthant", 3, 0,
    "const float x = v1[i], g = v2[i];\n"
    "v0[i] = x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : g < 0.0f ? 1.0f : g > 0.0f ? -1.0f : 0.0f;",
    orthant_cpu};

/* The projection onto the orthant: v0 theta, v1 xi, v2 pen1 (0: not penalized, kept). */
static void project_cpu(double *const *v, const double *c, size_t n) {
  (void)c;
  for (size_t i = 0; i < n; i++)
    if (v[2][i] > 0 && !(v[0][i] * v[1][i] > 0)) v[0][i] = 0.0;
}
static const lr_vec_map project_map = {"lr_owlqn_project", 3, 0,
                                       "if (v2[i] > 0.0f && !(v0[i] * v1[i] > 0.0f)) v0[i] = 0.0f;",
                                       project_cpu};

/* The pseudo-gradient at THETA after an evaluation: the objective's, or without an L1 term the
 * gradient. */
static int pg_of(const lr_solver *s) { return s->obj->l1 > 0 ? s->obj->pg : LR_VEC_GRAD; }

/* x, g, pg and f from THETA, GRAD, the objective's pg and s->ev. */
static logreg_status owlqn_take(lr_solver *s, logreg_error *err) {
  owlqn_state *os = s->state;
  logreg_status st;
  if ((st = lr_vec_copy(s->be, os->x, LR_VEC_THETA, err)) ||
      (st = lr_vec_copy(s->be, os->g, LR_VEC_GRAD, err)) ||
      (st = lr_vec_copy(s->be, os->pg, pg_of(s), err)))
    return st;
  os->f = s->ev.objective;
  return LOGREG_OK;
}

static logreg_status owlqn_init(lr_solver *s, logreg_error *err) {
  owlqn_state *os = calloc(1, sizeof *os);
  if (!os) return lr_fail(err, LOGREG_ENOMEM, "out of memory for OWL-QN");
  s->state = os;
  lr_backend *be = s->be;
  int first;
  logreg_status st = lr_lbfgs_init(&os->lb, be, OWLQN_MEMORY, err);
  if (!st && s->diag) st = lr_lbfgs_set_diag(&os->lb, s->diag, err);
  if (!st) st = be->ops->vec_alloc(be, 6, &first, err);
  if (st) return st;
  os->x = first, os->g = first + 1, os->pg = first + 2, os->d = first + 3, os->xi = first + 4;
  os->tmp = first + 5;
  return owlqn_take(s, err);
}

/* d from pg: the quasi-Newton direction aligned with -pg, or -pg itself where that is no
 * descent direction (the history dropped). *gd = pg.d (0: pg = 0, nothing to do). */
static logreg_status owlqn_direction(lr_solver *s, double *gd, logreg_error *err) {
  owlqn_state *os = s->state;
  lr_backend *be = s->be;
  const lr_backend_ops *o = be->ops;
  size_t n = be->nparam;
  const int av[] = {os->d, os->pg, os->x, s->obj->pen1};
  logreg_status st;
  if ((st = lr_lbfgs_direction(&os->lb, os->pg, os->d, err)) ||
      (s->obj->l1 > 0 && (st = o->vec_map(be, &align_map, av, NULL, err))) ||
      (st = o->vec_dot(be, os->pg, os->d, n, gd, err)))
    return st;
  if (*gd < 0) return LOGREG_OK;
  os->lb.count = 0;
  if ((st = o->vec_lincomb(be, os->d, -1.0, os->pg, 0.0, os->pg, 0, err))) return st;
  return o->vec_dot(be, os->pg, os->d, n, gd, err);
}

static logreg_status owlqn_epoch(lr_solver *s, const char **stop, logreg_error *err) {
  owlqn_state *os = s->state;
  lr_backend *be = s->be;
  const lr_backend_ops *o = be->ops;
  size_t n = be->nparam;
  logreg_status st;
  *stop = NULL;
  if (s->ev.grad_max <= s->tol) {
    *stop = "tol";
    return LOGREG_OK;
  }
  double gd, dd;
  if ((st = owlqn_direction(s, &gd, err))) return st;
  if (!(gd < 0)) {
    *stop = "converged";
    return LOGREG_OK;
  }
  const int ov[] = {os->xi, os->x, os->pg};
  if ((st = o->vec_map(be, &orthant_map, ov, NULL, err)) ||
      (st = o->vec_dot(be, os->d, os->d, n, &dd, err)))
    return st;
  double alpha = os->lb.count == 0 ? fmin(1.0, 1.0 / sqrt(dd)) : 1.0;
  /* On a float32 device J carries rounding noise: a decrease within it counts as none, and an
   * increase within it does not refuse the step. */
  double noise = be->float32 ? LR_LINE_F_NOISE * fabs(os->f) : 0.0;
  const int pv[] = {LR_VEC_THETA, os->xi, s->obj->pen1};
  for (int e = 0; e < OWLQN_MAX_EVALS; e++, alpha *= 0.5) {
    lr_eval_out ev;
    double decrease;
    if ((st = o->vec_lincomb(be, LR_VEC_THETA, 1.0, os->x, alpha, os->d, n, err)) ||
        (s->obj->l1 > 0 && (st = o->vec_map(be, &project_map, pv, NULL, err))) ||
        (st = lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, 1, &ev, err)) ||
        (st = o->vec_lincomb(be, os->tmp, 1.0, LR_VEC_THETA, -1.0, os->x, n, err)) ||
        (st = o->vec_dot(be, os->pg, os->tmp, n, &decrease, err)))
      return st;
    if (!(ev.objective <= os->f + 1e-4 * decrease + noise) || !(decrease < 0)) continue;
    int stored;
    if ((st = lr_lbfgs_push(&os->lb, LR_VEC_THETA, os->x, LR_VEC_GRAD, os->g, &stored, err)))
      return st;
    s->ev = ev;
    s->step = alpha;
    return owlqn_take(s, err);
  }
  /* No step lowered J: back to x. Along the quasi-Newton direction, drop the history and try
   * steepest descent in the next iteration; along -pg, J is as low as this precision finds. */
  if ((st = lr_vec_copy(be, LR_VEC_THETA, os->x, err)) ||
      (st = lr_vec_copy(be, LR_VEC_GRAD, os->g, err)) ||
      (s->obj->l1 > 0 && (st = lr_vec_copy(be, s->obj->pg, os->pg, err))))
    return st;
  if (os->lb.count == 0) *stop = "converged";
  os->lb.count = 0;
  return LOGREG_OK;
}

/* ---- Checkpoints: every scalar the next epoch reads (the vectors are the backend's) ---- */

static void owlqn_state_io(lr_solver *s, lr_ckpt_io *io) {
  owlqn_state *os = s->state;
  lr_lbfgs_io(&os->lb, io);
  int *ids[] = {&os->x, &os->g, &os->pg, &os->d, &os->xi, &os->tmp};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) lr_ckpt_int(io, ids[i]);
  lr_ckpt_f64(io, &os->f);
  if (!io->reading) return;
  int ok = lr_lbfgs_valid(&os->lb);
  for (size_t i = 0; ok && i < sizeof ids / sizeof ids[0]; i++) ok = lr_vec_ok(s->be, *ids[i]);
  if (!ok) io->bad = 1;
}

/* After an evaluation in another backend's arithmetic: the pairs and J start again from it. */
static logreg_status owlqn_rebase(lr_solver *s, logreg_error *err) {
  owlqn_state *os = s->state;
  os->lb.count = 0;
  return owlqn_take(s, err);
}

const lr_solver_def lr_opt_owlqn = {.default_lr = 1.0,
                                    .second_order = 1,
                                    .init = owlqn_init,
                                    .epoch = owlqn_epoch,
                                    .state_io = owlqn_state_io,
                                    .rebase = owlqn_rebase,
                                    .release = lr_solver_free_state};
