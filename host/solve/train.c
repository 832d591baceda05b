/* train.c: parameters, the training loop and prediction.
 *
 * The loop fits the preprocessing on the training split, hands standardized data to a backend
 * and drives the optimizer through the backend interface (backend.h) only: it never sees where
 * the numbers live. Full-batch and mini-batch epochs, divergence and tolerance checks, early
 * stopping, and the per-epoch progress callback are here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/device.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "solve/checkpoint.h"
#include "solve/objective.h"
#include "solve/optim.h"
#include "solve/train.h"
#include "util/util.h"

void logreg_params_init(logreg_params *p) {
  memset(p, 0, sizeof *p);
  p->optimizer = LOGREG_OPTIMIZER_AUTO; /* lbfgs; adam with mini-batches */
  p->lr = 0.0;                          /* 0: the optimizer's default (logreg_default_lr) */
  p->epochs = 100;
  p->batch_size = 0;
  p->l2 = 0.0;
  p->C = LOGREG_C_DEFAULT; /* 1 for lbfgs and newton unless l2 is set */
  p->tol = 0.0;            /* the optimizer's: 1e-6 for lbfgs and newton */
  p->patience = 0;
  p->pos_weight = 1.0;
  p->seed = 42;
  p->momentum = 0.9;
  p->beta1 = 0.9;
  p->beta2 = 0.999;
  p->eps = 1e-8;
  p->device = "cpu";
  p->checkpoint_seconds = 60.0;
}

/* Default learning rates (each optimizer's def, opt_*.c), chosen on standardized data (tumors,
 * breast-cancer, Fashion-MNIST). */
double logreg_default_lr(logreg_optimizer opt) {
  const lr_solver_def *def = lr_solver_find(opt);
  return def ? def->default_lr : 0.01;
}

/* The optimizer that AUTO stands for. */
static logreg_optimizer concrete_optimizer(const logreg_params *p) {
  if (p->optimizer != LOGREG_OPTIMIZER_AUTO) return p->optimizer;
  if (p->l1_ratio > 0) return LOGREG_OPTIMIZER_OWLQN; /* an L1 part: mini-batches refuse it */
  return p->batch_size ? LOGREG_OPTIMIZER_ADAM : LOGREG_OPTIMIZER_LBFGS;
}

/* The message of what is wrong with p (a parameter named in quotes), or NULL. */
static const char *params_problem(const logreg_params *p) {
  const lr_solver_def *def = lr_solver_find(concrete_optimizer(p));
  if (!def) return lr_solver_unknown();
  if (!(p->lr >= 0) || !isfinite(p->lr)) return "'lr' must be a finite number > 0";
  if (p->epochs < 1) return "'epochs' must be >= 1";
  if (!(p->l2 >= 0) || !isfinite(p->l2)) return "'l2' must be a finite number >= 0";
  if (!isnan(p->C) && !(p->C >= 0)) return "'C' must be a number > 0, or inf for no penalty";
  if (p->C > 0 && p->l2 > 0) return "'C' and 'l2' both set the L2 strength: give one of them";
  if (!(p->l1_ratio >= 0 && p->l1_ratio <= 1)) return "'l1_ratio' must be a number in [0, 1]";
  if (p->l1_ratio > 0 && p->batch_size > 0)
    return "'l1_ratio' > 0 (an L1 term) trains full batch (owlqn): no 'batch_size'";
  if (p->l1_ratio > 0 && concrete_optimizer(p) != LOGREG_OPTIMIZER_OWLQN)
    return "'l1_ratio' > 0 (an L1 term) trains with the optimizer owlqn (the default then), full "
           "batch";
  if (!(p->tol >= 0) || !isfinite(p->tol)) return "'tol' must be a finite number >= 0";
  if (p->patience < 0) return "'patience' must be >= 0";
  if (!(p->pos_weight > 0) || !isfinite(p->pos_weight))
    return "'pos_weight' must be a finite number > 0";
  if (p->pos_weight != 1.0 && !p->binary) return "'pos_weight' needs 'binary'";
  if (!(p->momentum >= 0 && p->momentum < 1)) return "'momentum' must be in [0, 1)";
  if (!(p->beta1 >= 0 && p->beta1 < 1) || !(p->beta2 >= 0 && p->beta2 < 1))
    return "Adam's 'beta1' and 'beta2' must be in [0, 1)";
  if (!(p->eps > 0)) return "Adam's 'eps' must be > 0";
  if (p->scale != LOGREG_SCALE_STD && p->scale != LOGREG_SCALE_MAXABS &&
      p->scale != LOGREG_SCALE_NONE)
    return "'scale' must be one of std, maxabs, none";
  if (p->checkpoint_every < 0) return "'checkpoint_every' must be >= 0";
  if (!(p->checkpoint_seconds >= 0) || !isfinite(p->checkpoint_seconds))
    return "'checkpoint_seconds' must be a finite number >= 0";
  return def->check ? def->check(p) : NULL; /* the optimizer's own settings */
}

logreg_status logreg_params_check(const logreg_params *p, logreg_error *err) {
  lr_error_clear(err);
  const char *msg = params_problem(p);
  if (msg) return lr_fail(err, LOGREG_EINVAL, "%s", msg);
  /* The device spec and the path are the device module's to read. */
  logreg_device_selector sel;
  lr_path path;
  logreg_status st = lr_device_parse(p->device ? p->device : "cpu", &sel, err);
  return st ? st : lr_path_parse(p->gemm, &path, err);
}

logreg_status logreg_params_resolve(const logreg_params *p, logreg_params *out, logreg_error *err) {
  logreg_status st = logreg_params_check(p, err);
  if (st) return st;
  *out = *p;
  out->optimizer = concrete_optimizer(p);
  const lr_solver_def *def = lr_solver_find(out->optimizer);
  if (isnan(out->C)) out->C = def->second_order && p->l2 == 0 ? 1.0 : 0.0;
  if (out->lr == 0) out->lr = def->default_lr;
  /* The second-order solvers stop at max|gradient| <= tol; without one they use 1e-6 (J is
   * then within about 1e-12 / lambda of its minimum). */
  if (out->tol == 0 && def->second_order) out->tol = 1e-6;
  return LOGREG_OK;
}

/* ---- The trainer (its struct is in train.h; setup.c creates it) ---- */

void logreg_trainer_free(logreg_trainer *t) {
  if (!t) return;
  if (t->def && t->def->release) t->def->release(&t->sol);
  lr_objective_free(&t->obj);
  lr_backend_destroy(t->be);
  logreg_model_free(t->m);
  free(t->s_train);
  free(t->sol.order);
  free(t->best);
  free(t->diag);
  free(t->cols);
  free(t->hist);
  free(t);
}

static logreg_status diverged(logreg_error *err, int epoch, double obj, double lr) {
  char o[32];
  if (isnan(obj))
    snprintf(o, sizeof o, "not a number");
  else
    snprintf(o, sizeof o, "%g", obj);
  return lr_fail(err, LOGREG_EDIVERGED,
                 "training diverged at epoch %d (objective %s): try a smaller 'lr' (now %g)", epoch,
                 o, lr);
}

logreg_status logreg_trainer_epoch(logreg_trainer *t, logreg_epoch_info *info, const char **stop,
                                   logreg_error *err) {
  const logreg_params *p = t->p;
  lr_solver *sol = &t->sol;
  lr_backend *be = t->be;
  logreg_status st;
  if (info) memset(info, 0, sizeof *info);
  *stop = t->stop;
  if (t->stop) return LOGREG_OK;
  sol->epoch = t->epochs_run + 1;
  const char *why = NULL;
  int was_float32 = be->float32;
  double started = lr_now();
  if ((st = t->def->epoch(sol, &why, err))) return st;
  if (was_float32 && !be->float32 && !t->refined_epoch) /* refinement began in this epoch */
    t->refined_epoch = sol->epoch, t->refined_from = started;
  if (sol->batch_done) return LOGREG_OK; /* paused by params.stop_request inside the epoch */
  if (why) {                             /* the epoch did nothing: training is over */
    *stop = t->stop = why;
    return LOGREG_OK;
  }
  int epoch = sol->epoch;
  lr_eval_out *ev = &sol->ev;
  if (!isfinite(ev->objective) || ev->objective > 1e4 * fmax(t->j0, 1.0))
    return diverged(err, epoch, ev->objective, sol->lr);
  if (t->nv && (st = lr_objective_eval(&t->obj, LR_SLOT_VAL, 0, t->nv, 0, &t->evv, err))) return st;
  logreg_epoch_info e = {epoch,
                         p->epochs,
                         ev->objective,
                         ev->loss,
                         ev->correct / (double)t->n,
                         t->nv ? t->evv.loss : NAN,
                         t->nv ? t->evv.correct / (double)t->nv : NAN,
                         sol->step,
                         lr_now() - t->t0,
                         t->obj.evals,
                         t->obj.hv_products,
                         0};
  if (info) *info = e;
  if (p->progress) p->progress(p->progress_user, &e);
  if (p->checkpoint) { /* a checkpoint keeps the history */
    if (t->n_hist == t->cap_hist) {
      size_t cap = t->cap_hist ? 2 * t->cap_hist : 64;
      logreg_epoch_info *h = realloc(t->hist, cap * sizeof *h);
      if (!h) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
      t->hist = h;
      t->cap_hist = cap;
    }
    t->hist[t->n_hist++] = e;
  }
  t->epochs_run = epoch;
  if (p->patience > 0) {
    if (t->evv.loss < t->best_val) {
      t->best_val = t->evv.loss;
      t->best_epoch = epoch;
      t->since_best = 0;
      if ((st = be->ops->vec_read(be, LR_VEC_THETA, t->best, err))) return st;
    } else if (++t->since_best >= p->patience) {
      t->stop = "patience";
    }
  } else {
    t->best_epoch = epoch;
  }
  if (!t->stop && !t->def->second_order && sol->full && sol->tol > 0 && ev->grad_max <= sol->tol)
    t->stop = "tol";
  /* The second-order solvers stop at the tolerance: reaching the cap first is max_iter. They
   * test the gradient at the start of the next iteration, which the cap leaves out: a last
   * iteration that met the tolerance is "tol" (a fit converged in exactly --epochs iterations
   * is converged, and no warning says otherwise). */
  if (!t->stop && epoch >= p->epochs)
    t->stop = !t->def->second_order                   ? "epochs"
              : sol->full && ev->grad_max <= sol->tol ? "tol"
                                                      : "max_iter";
  *stop = t->stop;
  return LOGREG_OK;
}

logreg_status logreg_trainer_finish(logreg_trainer *t, logreg_model **out, logreg_train_result *res,
                                    logreg_error *err) {
  *out = NULL;
  if (!t->m) return lr_fail(err, LOGREG_EINVAL, "the trainer's model was already handed over");
  lr_backend *be = t->be;
  lr_eval_out *ev = &t->sol.ev;
  logreg_model *m = t->m;
  size_t n = t->n, nv = t->nv, nw = be->d * be->kw;
  logreg_status st;
  if (t->p->patience > 0 && t->best_epoch > 0 && t->best_epoch != t->epochs_run) {
    /* Early stopping: go back to the best validation epoch and measure it again. */
    if ((st = be->ops->vec_write(be, LR_VEC_THETA, t->best, err)) ||
        (st = lr_objective_eval(&t->obj, LR_SLOT_TRAIN, 0, n, 0, ev, err)) ||
        (st = lr_objective_eval(&t->obj, LR_SLOT_VAL, 0, nv, 0, &t->evv, err)))
      return st;
  }
  /* A run that stopped before its first epoch (a warm start already within tol) has not
   * measured the validation rows yet. */
  if (nv && isnan(t->evv.loss) &&
      (st = lr_objective_eval(&t->obj, LR_SLOT_VAL, 0, nv, 0, &t->evv, err)))
    return st;
  if ((st = be->ops->vec_read(be, LR_VEC_THETA, t->best, err))) return st;
  if (t->cols) { /* the columns no training row uses keep weight 0 */
    memset(m->w, 0, m->d * be->kw * sizeof *m->w);
    for (size_t j = 0; j < be->d; j++)
      memcpy(m->w + t->cols[j] * be->kw, t->best + j * be->kw, be->kw * sizeof *m->w);
  } else {
    memcpy(m->w, t->best, nw * sizeof *m->w);
  }
  memcpy(m->b, t->best + nw, be->kw * sizeof *m->b);
  if (!be->binary && !t->p->no_intercept) {
    /* Softmax intercepts are defined up to a common constant (adding one to every b_c changes
     * no probability, and b is not penalized). The model keeps the b with sum_c b_c = 0: where
     * exact arithmetic from b = 0 stays (the b gradient sums to 0 over the classes), and where
     * scikit-learn's intercept_ is. Rounding drifts the sum: float32 L-BFGS on PoCL, digits
     * unscaled at C = 10, moved it to -0.0145, intercept_ 1.6e-4 from scikit-learn's, 4e-7 once
     * centred. */
    double mean = 0;
    for (size_t c = 0; c < be->kw; c++) mean += m->b[c];
    mean /= (double)be->kw;
    for (size_t c = 0; c < be->kw; c++) m->b[c] -= mean;
  }
  free(m->options.device);
  if (!(m->options.device = lr_strdup(be->device)))
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t i = 0; i < m->d * be->kw; i++)
    if (!isfinite(m->w[i])) return diverged(err, t->epochs_run, NAN, t->sol.lr);
  const char *stop = t->stop ? t->stop : "epochs";
  m->options.epochs_run = t->epochs_run;
  m->train = (lr_split_metrics){1, ev->loss, ev->correct / (double)n, n};
  if (nv) m->val = (lr_split_metrics){1, t->evv.loss, t->evv.correct / (double)nv, nv};
  double seconds = lr_now() - t->t0;
  long passes = t->obj.evals + t->obj.hv_products;
  if (t->record_run && t->sol.full && passes > 0 && !t->p->resume)
    lr_device_auto_record(&t->dev, &t->run, t->n, lr_path_cache_file(t->p->path_cache, &t->cache),
                          "run", seconds * 1e3 / (double)passes);
  if (res) {
    res->epochs_run = t->epochs_run;
    res->best_epoch = t->best_epoch;
    res->seconds = seconds;
    res->setup_seconds = t->setup_seconds;
    res->refined_epoch = t->refined_epoch;
    res->refined_seconds = t->refined_epoch ? lr_now() - t->refined_from : 0;
    snprintf(res->device_choice, sizeof res->device_choice, "%s", t->dev.weighed ? t->dev.why : "");
    res->objective = ev->objective;
    res->train_loss = ev->loss;
    res->train_accuracy = ev->correct / (double)n;
    res->val_loss = nv ? t->evv.loss : NAN;
    res->val_accuracy = nv ? t->evv.correct / (double)nv : NAN;
    res->imputed = t->imputed;
    res->stop_reason = stop;
    res->backend = lr_device_kind_name(be->kind);
    snprintf(res->device, sizeof res->device, "%s", be->device);
    res->path = be->path;
    res->evaluations = t->obj.evals;
    res->hv_products = t->obj.hv_products;
    res->l2 = t->obj.l2;
    res->grad_max = t->sol.full ? ev->grad_max : NAN;
    res->tol = t->sol.tol;
  }
  *out = m;
  t->m = NULL;
  return LOGREG_OK;
}

/* A device failure in the middle of training names the device and the epoch, whichever call
 * failed (the backend's message names the call): in an epoch, or while the state (a checkpoint)
 * or the model was read back after one. */
typedef enum { IN_EPOCH, READING_STATE, READING_MODEL } fault_at;

static logreg_status device_failure(const logreg_trainer *t, logreg_status st, fault_at at,
                                    logreg_error *err) {
  if (st == LOGREG_EBACKEND && err) {
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%s", err->message);
    if (at == IN_EPOCH)
      lr_fail(err, st, "%s, in epoch %d on %s", msg, t->epochs_run + 1, t->be->device);
    else
      lr_fail(err, st, "%s, reading back the %s after epoch %d on %s", msg,
              at == READING_STATE ? "state" : "model", t->epochs_run, t->be->device);
  }
  return st;
}

/* --device auto's way back (params.cpu_fallback): the checkpoint state after the last epoch
 * that ended, kept in memory. Two buffers: the next state is written beside the last one,
 * which stays whole should the device fail while it is read back. */
typedef struct snapshot {
  lr_ckpt_io last, next;
  int have, epoch; /* a state is in `last`, after `epoch` epochs */
  double at, cost; /* when the last one was taken, and what it took (seconds) */
} snapshot;

/* A state in memory costs at most about 1/SNAPSHOT_SHARE of the training time: it is taken
 * after an epoch unless the epochs since the last one took less than SNAPSHOT_SHARE times what
 * that one took. Fashion-MNIST on PoCL (2 loaded cores): L-BFGS's state (27 vectors, 2.2 MB)
 * 1.1 ms against 31 ms an iteration, Adam's 0.5 ms against 270 ms an epoch (medians): every
 * epoch. A device faster than the host's copy (a GPU's short iterations) gets one every few. */
#define SNAPSHOT_SHARE 20.0

/* The epochs, with checkpoints and stop requests between them (logreg.h, "Long runs"); with
 * `snap`, a state in memory after the epochs (see SNAPSHOT_SHARE), the last one always (a fault
 * while the model is read back then loses nothing). A checkpoint file gets the same bytes. */
static logreg_status run_epochs(logreg_trainer *t, snapshot *snap, logreg_error *err) {
  const logreg_params *p = t->p;
  const char *stop = t->stop;
  double last = lr_now();
  logreg_status st = LOGREG_OK;
  while (!stop && !(st = logreg_trainer_epoch(t, NULL, &stop, err))) {
    int interrupted = p->stop_request && *p->stop_request;
    int due = p->checkpoint_every > 0 ? t->epochs_run % p->checkpoint_every == 0
                                      : lr_now() - last >= p->checkpoint_seconds;
    int write = p->checkpoint && !stop && (due || interrupted);
    double now = lr_now();
    if (snap && (write || stop || now - snap->at >= SNAPSHOT_SHARE * snap->cost)) {
      if ((st = lr_checkpoint_state(t, &snap->next, err)))
        return device_failure(t, st, READING_STATE, err);
      lr_ckpt_io swap = snap->last;
      snap->last = snap->next;
      snap->next = swap;
      snap->have = 1;
      snap->epoch = t->epochs_run;
      snap->at = lr_now();
      snap->cost = snap->at - now;
      if (write &&
          (st = lr_checkpoint_write(&snap->last, p->checkpoint, p->stop_request != NULL, err)))
        return st;
    } else if (write && (st = lr_checkpoint_save(t, p->checkpoint, err))) {
      return device_failure(t, st, READING_STATE, err);
    }
    if (write) last = lr_now();
    if (interrupted && !stop) {
      size_t bs = p->batch_size, done = t->sol.batch_done;
      if (done && p->checkpoint)
        return lr_fail(err, LOGREG_EINTERRUPTED,
                       "interrupted in epoch %d after %zu of its %zu mini-batches; the state is "
                       "in %s ('resume' %s continues)",
                       t->epochs_run + 1, done / bs, (t->n + bs - 1) / bs, p->checkpoint,
                       p->checkpoint);
      if (done)
        return lr_fail(err, LOGREG_EINTERRUPTED,
                       "interrupted in epoch %d after %zu of its %zu mini-batches; nothing saved "
                       "('checkpoint' keeps the progress of a run)",
                       t->epochs_run + 1, done / bs, (t->n + bs - 1) / bs);
      if (p->checkpoint)
        return lr_fail(err, LOGREG_EINTERRUPTED,
                       "interrupted after epoch %d; the state is in %s ('resume' %s continues)",
                       t->epochs_run, p->checkpoint, p->checkpoint);
      return lr_fail(err, LOGREG_EINTERRUPTED,
                     "interrupted after epoch %d; nothing saved ('checkpoint' keeps the "
                     "progress of a run)",
                     t->epochs_run);
    }
  }
  return device_failure(t, st, IN_EPOCH, err);
}

/* Puts a checkpoint's state into the fresh trainer t; a state that another kind of backend
 * computed (float32 OpenCL, double cpu) is evaluated again here (lr_solver_rebase). */
static logreg_status restore(logreg_trainer *t, const char *what, const lr_ckpt_file *ck,
                             logreg_error *err) {
  logreg_status st = lr_checkpoint_restore(t, what, ck, err);
  if (!st && ck->kind != t->be->kind) st = lr_solver_rebase(&t->sol, t->def, err);
  return st;
}

/* A resumed run passes the epochs it continues to the progress callback again (replayed), so
 * that the caller's history is whole. */
static void replay(const logreg_trainer *t) {
  const logreg_params *p = t->p;
  for (size_t i = 0; p->progress && i < t->n_hist; i++) {
    logreg_epoch_info e = t->hist[i];
    e.replayed = 1;
    p->progress(p->progress_user, &e);
  }
}

/* The way back after a device failure (params.cpu_fallback): a cpu trainer from the last state
 * read back from the device (`snap`), else from params.resume or the start; res->fallback says
 * so. */
static logreg_status fall_back(const logreg_dataset *train, const logreg_dataset *val,
                               const logreg_params *p, logreg_trainer **tp, const snapshot *snap,
                               const lr_ckpt_file *ck, logreg_train_result *res,
                               logreg_error *err) {
  char note[sizeof res->fallback];
  if (snap->have)
    snprintf(note, sizeof note,
             "%s; falling back to the cpu device from epoch %d's state (read back from the "
             "device after that epoch)",
             err->message, snap->epoch);
  else if (p->resume)
    snprintf(note, sizeof note, "%s; falling back to the cpu device from the checkpoint %s",
             err->message, p->resume);
  else
    snprintf(note, sizeof note, "%s; falling back to the cpu device from the start", err->message);
  if (res) snprintf(res->fallback, sizeof res->fallback, "%s", note);
  double t0 = *tp ? (*tp)->t0 : lr_now();
  logreg_trainer_free(*tp);
  *tp = NULL;
  lr_error_clear(err);
  lr_device cpu;
  lr_device_cpu(&cpu, &p->device_options, "the fall back after a device failure");
  logreg_status st = lr_trainer_create(train, val, p, &cpu, tp, err);
  logreg_trainer *t = *tp;
  if (!st && snap->have) {
    lr_ckpt_file mem;
    lr_checkpoint_in_memory(&snap->last, &mem);
    if (!(st = restore(t, "the state in memory", &mem, err))) t->t0 = t0;
  } else if (!st && p->resume) {
    /* Set-up failed: nothing was reported yet, the history goes to the callback as above. */
    if (!(st = restore(t, p->resume, ck, err))) replay(t);
  }
  return st ? st : run_epochs(t, NULL, err);
}

logreg_status logreg_train(const logreg_dataset *train, const logreg_dataset *val,
                           const logreg_params *p, logreg_model **out, logreg_train_result *res,
                           logreg_error *err) {
  *out = NULL;
  if (res) res->fallback[0] = res->device_note[0] = '\0';
  logreg_trainer *t = NULL;
  lr_ckpt_file ck = {0};
  lr_device dev;
  char note[sizeof res->device_note] = "";
  logreg_status st;
  if (p->resume && (st = lr_checkpoint_open(p->resume, p, &ck, err))) return st;
  if ((st = lr_trainer_device(p, &dev, err))) {
    free(ck.data);
    return st;
  }
  /* A resumed run goes on where its checkpoint ran (under auto: the same kind of device, not
   * timed again), on the same path. */
  if (p->resume) lr_device_resume(&dev, ck.kind, ck.path, note, sizeof note);
  if (res) snprintf(res->device_note, sizeof res->device_note, "%s", note);
  int fallback = lr_device_can_fall_back(&dev, p);
  snapshot snap = {0};
  st = lr_trainer_create(train, val, p, &dev, &t, err);
  if (!st && p->resume) {
    st = restore(t, p->resume, &ck, err);
    if (!st) replay(t);
  }
  if (!st) st = run_epochs(t, fallback ? &snap : NULL, err);
  if (!st && (st = logreg_trainer_finish(t, out, res, err)))
    st = device_failure(t, st, READING_MODEL, err);
  /* Not be->float32: an OpenCL backend that refines in double has it 0. */
  int way_back = st == LOGREG_EBACKEND && fallback && (!t || t->be->kind == LOGREG_BACKEND_OPENCL);
  if (way_back && train->x_given && err) { /* consume_x: no X left to fall back on */
    size_t l = strlen(err->message);
    snprintf(err->message + l, sizeof err->message - l,
             " (no fall back to cpu: the training data's X was handed to the device, consume_x)");
  } else if (way_back && err) {
    st = fall_back(train, val, p, &t, &snap, &ck, res, err);
    if (!st) st = logreg_trainer_finish(t, out, res, err);
  }
  free(ck.data);
  free(snap.last.buf);
  free(snap.next.buf);
  logreg_trainer_free(t);
  return st;
}
