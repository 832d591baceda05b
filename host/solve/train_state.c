/* train_state.c: the trainer's whole state through the checkpoint serializer (checkpoint.h),
 * in both directions: --checkpoint, --resume, and the state in memory that --device auto goes
 * on from on cpu after a device fault.
 *
 * A state is taken between epochs, or after a mini-batch step when a stop request paused the
 * epoch there (the position is then part of it): the backend's vectors (parameters, gradient,
 * the optimizer's moments or velocity, L-BFGS's pairs and diagonal, Newton's iterate, the
 * penalty factors), the optimizer's scalars (its state_io), the counters, the shuffler's RNG and
 * row order, the best weights for --patience and the history. Everything is stored exactly
 * (doubles as their 64 bits; a float32 device's vectors read back as doubles hold their floats
 * exactly and write back to the same floats), so that a resumed run repeats the uninterrupted
 * run's arithmetic bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "solve/checkpoint.h"
#include "solve/train.h"
#include "util/util.h"

void lr_checkpoint_hash_data(logreg_trainer *t, const void *p, size_t bytes) {
  if (!t->data_hash) t->data_hash = LR_HASH_SEED;
  t->data_hash = lr_hash_bytes(t->data_hash, p, bytes);
}

/* ---- The state ---- */

static const char *const stop_names[] = {"tol", "converged", "patience", "epochs", "max_iter"};

/* The row order read back indexes rows: each of 0..n-1 once. */
static int is_permutation(const uint32_t *order, size_t n) {
  unsigned char *seen = calloc(n ? n : 1, 1);
  int ok = seen != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    if (order[i] >= n || seen[order[i]]) ok = 0;
    if (ok) seen[order[i]] = 1;
  }
  free(seen);
  return ok;
}

/* Everything on the host, in one order for both directions. */
static void trainer_io(logreg_trainer *t, lr_ckpt_io *io) {
  lr_solver *sol = &t->sol;
  uint64_t n = t->n, nparam = t->be->nparam;
  lr_ckpt_u64(io, &n);
  lr_ckpt_u64(io, &nparam);
  if (io->reading && (n != t->n || nparam != t->be->nparam)) io->bad = 1;
  if (io->bad) return;
  lr_ckpt_int(io, &t->epochs_run);
  lr_ckpt_int(io, &t->best_epoch);
  lr_ckpt_int(io, &t->since_best);
  lr_ckpt_f64(io, &t->j0);
  lr_ckpt_f64(io, &t->best_val);
  double elapsed = lr_now() - t->t0;
  lr_ckpt_f64(io, &elapsed);
  if (io->reading) t->t0 = lr_now() - elapsed;
  lr_eval_out *evs[] = {&t->evv, &sol->ev};
  for (int i = 0; i < 2; i++) {
    lr_ckpt_f64(io, &evs[i]->objective);
    lr_ckpt_f64(io, &evs[i]->loss);
    lr_ckpt_f64(io, &evs[i]->correct);
    lr_ckpt_f64(io, &evs[i]->grad_max);
  }
  lr_ckpt_long(io, &sol->t);
  lr_ckpt_int(io, &sol->epoch);
  lr_ckpt_f64(io, &sol->step);
  uint64_t done = sol->batch_done; /* version 2 only: 0 in version 1 */
  if (io->version >= 2) lr_ckpt_u64(io, &done);
  if (io->reading) sol->batch_done = done < t->n ? (size_t)done : 0;
  if (io->reading && done >= t->n) io->bad = 1;
  for (int i = 0; i < 4; i++) lr_ckpt_u64(io, &sol->rng.s[i]);
  lr_ckpt_f64(io, &t->obj.s_train);
  lr_ckpt_long(io, &t->obj.evals);
  lr_ckpt_long(io, &t->obj.hv_products);
  int stop = 0;
  for (int i = 0; t->stop && i < (int)(sizeof stop_names / sizeof *stop_names); i++)
    if (strcmp(t->stop, stop_names[i]) == 0) stop = i + 1;
  lr_ckpt_int(io, &stop);
  if (io->reading)
    t->stop = stop > 0 && stop <= (int)(sizeof stop_names / sizeof *stop_names)
                  ? stop_names[stop - 1]
                  : NULL;
  lr_ckpt_u32s(io, sol->order, t->n);
  if (io->reading && !io->bad && !is_permutation(sol->order, t->n)) io->bad = 1;
  lr_ckpt_f64s(io, t->best, t->be->nparam);
  lr_solver_state_io(sol, t->def, io);
  uint64_t nh = t->n_hist;
  lr_ckpt_u64(io, &nh);
  if (io->bad) return;
  if (io->reading) {
    if (nh > (io->len - io->pos) / 88) { /* 11 values of 8 bytes each */
      io->bad = 1;
      return;
    }
    free(t->hist);
    t->hist = calloc(nh ? (size_t)nh : 1, sizeof *t->hist);
    if (!t->hist) {
      io->bad = 1;
      return;
    }
    t->n_hist = t->cap_hist = (size_t)nh;
  }
  for (size_t i = 0; i < t->n_hist && !io->bad; i++) {
    logreg_epoch_info *e = &t->hist[i];
    lr_ckpt_int(io, &e->epoch);
    lr_ckpt_int(io, &e->epochs);
    lr_ckpt_f64(io, &e->objective);
    lr_ckpt_f64(io, &e->train_loss);
    lr_ckpt_f64(io, &e->train_accuracy);
    lr_ckpt_f64(io, &e->val_loss);
    lr_ckpt_f64(io, &e->val_accuracy);
    lr_ckpt_f64(io, &e->lr);
    lr_ckpt_f64(io, &e->seconds);
    lr_ckpt_long(io, &e->evaluations);
    lr_ckpt_long(io, &e->hv_products);
  }
}

/* The backend's vectors, after the host state. */
static logreg_status vectors_io(logreg_trainer *t, lr_ckpt_io *io, logreg_error *err) {
  lr_backend *be = t->be;
  int nvec = be->nvec;
  lr_ckpt_int(io, &nvec);
  if (io->bad || nvec != be->nvec) {
    io->bad = 1;
    return LOGREG_OK;
  }
  /* A float32 backend that L-BFGS switched to double (set_precise) holds its vectors in
   * double: switched again before they are written back. A backend without the mode (cpu)
   * computes in double anyway. */
  int precise = be->ops->set_precise && !be->float32;
  lr_ckpt_int(io, &precise);
  if (io->bad) return LOGREG_OK;
  if (io->reading && precise && be->ops->set_precise && be->float32) {
    logreg_status pst = be->ops->set_precise(be, err);
    if (pst) return pst;
  }
  double *v = malloc(be->nparam * sizeof *v);
  if (!v) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  logreg_status st = LOGREG_OK;
  for (int i = 0; i < nvec && !st && !io->bad; i++) {
    if (!io->reading) st = be->ops->vec_read(be, i, v, err);
    if (!st) lr_ckpt_f64s(io, v, be->nparam);
    if (!st && io->reading && !io->bad) st = be->ops->vec_write(be, i, v, err);
  }
  free(v);
  return st;
}

logreg_status lr_checkpoint_state(logreg_trainer *t, lr_ckpt_io *io, logreg_error *err) {
  lr_ckpt_start(io, lr_options_hash(&t->given), t->data_hash, t->be->kind, t->be->path_id);
  trainer_io(t, io);
  logreg_status st = vectors_io(t, io, err);
  return st ? st : lr_ckpt_finish(io, err);
}

logreg_status lr_checkpoint_save(logreg_trainer *t, const char *path, logreg_error *err) {
  lr_ckpt_io io = {0};
  logreg_status st = lr_checkpoint_state(t, &io, err);
  if (!st) st = lr_checkpoint_write(&io, path, t->p->stop_request != NULL, err);
  free(io.buf);
  return st;
}

logreg_status lr_checkpoint_restore(logreg_trainer *t, const char *path, const lr_ckpt_file *f,
                                    logreg_error *err) {
  if (f->data_hash != t->data_hash)
    return lr_fail(err, LOGREG_EINVAL,
                   "%s: the checkpoint was written for other data (the training and validation "
                   "rows, their weights and scaling must be the same)",
                   path);
  lr_ckpt_io io = lr_ckpt_reader(f);
  trainer_io(t, &io);
  logreg_status st = vectors_io(t, &io, err);
  if (st) return st;
  if (io.bad || io.pos != io.len)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: the checkpoint's state does not fit this run (another logreg build?)",
                   path);
  return LOGREG_OK;
}
