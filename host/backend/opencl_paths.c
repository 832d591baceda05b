/* opencl_paths.c: the opencl backend's dense evaluation paths, and the choice among them.
 *
 * An evaluation of dense rows runs on one of four paths: tiled (lr_tile: each row read once,
 * in tiles staged in local memory), fused (lr_fused: one pass, a partial gradient per block of
 * rows), own (our logits and X^T G kernels around the row kernel) and clblast (CLBlast's SGEMM
 * in their place). Here: how each path sizes its blocks, groups and scratch
 * (lr_ocl_ensure_rows), the evaluations themselves (lr_ocl_sums dispatches to them, to the
 * sparse kernels of opencl_csr.c and to refinement's precise kernels), and --gemm auto's
 * choice: each path timed on the training data, the fastest kept and remembered in the path
 * cache. Apart from the rest because it is the one part that knows the paths: the other files
 * call lr_ocl_ensure_rows and lr_ocl_sums without asking which path runs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/ocl.h" /* before clblast_c.h: it fixes the OpenCL version the headers target */
#include "backend/opencl_impl.h"
#include "kernels/layout.h" /* the kernels' layout: LR_NQ, LR_LD, the tile shapes */
#include "util/util.h"

#include <clblast_c.h>

/* Rows per work-item of the fused kernel for an evaluation of m rows: about 8 blocks per
 * compute unit (enough for the runtime to balance them, few enough that the partial gradients,
 * one KW x (d + 1) matrix per block, stay small), at least 64 rows, a multiple of the kernel's
 * LR_RB-row groups. */
#define FUSED_BLOCKS_PER_CU 8
#define FUSED_MIN_ROWS 64

static size_t fused_want(const ocl_backend *ob) {
  return FUSED_BLOCKS_PER_CU * (size_t)(ob->info.compute_units ? ob->info.compute_units : 1);
}

size_t lr_ocl_fused_block(const ocl_backend *ob, size_t m) {
  size_t want = fused_want(ob), rows = (m + want - 1) / want;
  if (rows < FUSED_MIN_ROWS) rows = FUSED_MIN_ROWS;
  return round_up(rows, LR_RB);
}

/* The most blocks lr_ocl_fused_block gives any evaluation of at most `rows` rows: sizes its
 * buffers. */
static size_t fused_max_blocks(const ocl_backend *ob, size_t rows) {
  size_t n = (rows + FUSED_MIN_ROWS - 1) / FUSED_MIN_ROWS, want = fused_want(ob);
  return n < want ? n : want;
}

/* The tiled path: work-groups per compute unit of its persistent grid (enough to hide each
 * other's barriers and memory waits, few enough that the partial gradients, one (d + 1) x KW
 * matrix per group, stay small next to X), and the local memory one group may take (32 KiB:
 * several groups then fit on a GPU's compute unit). Both are first guesses, to be tuned on a
 * GPU (bench/gpu.sh). */
#define TILE_GROUPS_PER_CU 2
#define TILE_LOCAL_BYTES 32768
#define TILE_MAX_ROWS 128

/* LR_TGC for lr_tile, and the floats of one group's partial gradient: LR_TJ x LR_KWG rows and
 * columns (layout.h: both padded to whole work-groups and class passes). */
void lr_ocl_tile_grad_shape(size_t d, size_t kw, size_t wg, size_t *tgc, size_t *stride) {
  size_t g = LR_TGC_OF(d, kw, wg);
  *tgc = g;
  *stride = LR_TJ_OF(d, wg) * LR_KWG_OF(kw, g);
}

static size_t tile_groups(const ocl_backend *ob, size_t m) {
  size_t want = TILE_GROUPS_PER_CU * (size_t)(ob->info.compute_units ? ob->info.compute_units : 1);
  size_t tiles = ob->tr ? (m + ob->tr - 1) / ob->tr : 1;
  return tiles < want ? (tiles ? tiles : 1) : want;
}

/* The local memory lr_tile declares for tiles of tr rows: its xs, red and zs floats and its rs
 * sums of `acc` bytes, sized by layout.h. */
static size_t tile_local_bytes(size_t tr, size_t d, size_t kw, size_t wg, size_t acc) {
  size_t tgc = LR_TGC_OF(d, kw, wg);
  return (LR_TILE_XS(d, tr) + LR_TILE_RED(kw, wg, tr) + LR_TILE_ZS(kw, tr, tgc)) * sizeof(float) +
         LR_TILE_RS(tr) * acc;
}

/* Rows per tile: the most (up to TILE_MAX_ROWS and the work-group size) whose local memory
 * fits TILE_LOCAL_BYTES and three quarters of the device's per-group limit (48 KiB on NVIDIA,
 * whose compute units hold several such groups); 0 when not even one row fits (the tiled path
 * does not apply). */
size_t lr_ocl_tile_rows(const lr_ocl_device_info *info, size_t d, size_t kw, size_t wg,
                        size_t acc) {
  size_t budget = TILE_LOCAL_BYTES, lm = (size_t)(info->local_mem / 4 * 3);
  if (lm < budget) budget = lm;
  size_t tr = TILE_MAX_ROWS < wg ? TILE_MAX_ROWS : wg;
  while (tr > 0 && tile_local_bytes(tr, d, kw, wg, acc) > budget) tr--;
  return tr;
}

/* Capacity of the one-pass paths' partials for `n` blocks (fused) or groups (tiled): an
 * evaluation split over segments may need a few more than one over a single buffer. */
static logreg_status ensure_fused_blocks(ocl_backend *ob, size_t n, logreg_error *err) {
  size_t gneed = n * LR_LD(ob->base.d) * ob->kwp * sizeof(float), pneed = LR_NQ * n;
  logreg_status st;
  if (gneed > ob->gpart_cap) {
    if ((st = lr_ocl_alloc(ob, &ob->gpart, gneed, "gradient partials", err))) return st;
    ob->gpart_cap = gneed;
  }
  if (pneed > ob->partials_cap) {
    if ((st = lr_ocl_alloc(ob, &ob->partials, pneed * sizeof(ocl_sum), "partial sums", err)))
      return st;
    ob->partials_cap = pneed;
  }
  return LOGREG_OK;
}

static logreg_status ensure_tile_groups(ocl_backend *ob, size_t n, logreg_error *err) {
  logreg_status st;
  if (n > ob->tgroups_cap) {
    if ((st =
             lr_ocl_alloc(ob, &ob->tpart, n * ob->tstride * sizeof(float), "tile partials", err)) ||
        (st = lr_ocl_alloc(ob, &ob->trsum, n * LR_NQ * ob->acc_size, "tile row sums", err)))
      return st;
    ob->tgroups_cap = n;
  }
  return LOGREG_OK;
}

/* Makes sure the scratch buffers hold `rows` rows. */
logreg_status lr_ocl_ensure_rows(ocl_backend *ob, size_t rows, logreg_error *err) {
  size_t kw = ob->base.kw, d = ob->base.d;
  logreg_status st;
  if (ob->sparse) { /* logits and residuals of `rows` rows, the row kernels' partials */
    if (rows > ob->zg_rows) {
      if ((st = lr_ocl_alloc(ob, &ob->z, rows * kw * sizeof(float), "logits", err)) ||
          (st = lr_ocl_alloc(ob, &ob->g, rows * kw * sizeof(float), "residuals", err)))
        return st;
      ob->zg_rows = rows;
    }
    size_t groups = round_up(rows ? rows : 1, ob->wg) / ob->wg;
    size_t nsq = round_up((d + 1) * kw, ob->wg) / ob->wg;
    size_t need = LR_NQ * (groups > nsq ? groups : nsq);
    if (need > ob->partials_cap) {
      if ((st = lr_ocl_alloc(ob, &ob->partials, need * sizeof(ocl_sum), "partial sums", err)))
        return st;
      ob->partials_cap = need;
    }
    return LOGREG_OK;
  }
  if (rows > ob->zg_rows && (ob->gemm == LR_PATH_OWN || ob->gemm == LR_PATH_CLBLAST)) {
    if ((st = lr_ocl_alloc(ob, &ob->z, rows * kw * sizeof(float), "logits", err)) ||
        (st = lr_ocl_alloc(ob, &ob->g, rows * kw * sizeof(float), "residuals", err)))
      return st;
    ob->zg_rows = rows;
  }
  size_t fblocks = fused_max_blocks(ob, rows);
  size_t groups = round_up(rows ? rows : 1, ob->wg) / ob->wg;
  size_t nsq = round_up((d + 1) * kw, ob->wg) / ob->wg;
  if (groups < fblocks) groups = fblocks;
  size_t need = LR_NQ * (groups > nsq ? groups : nsq);
  if (need > ob->partials_cap) {
    if ((st = lr_ocl_alloc(ob, &ob->partials, need * sizeof(ocl_sum), "partial sums", err)))
      return st;
    ob->partials_cap = need;
  }
  size_t chunks = (rows + ob->chunk - 1) / ob->chunk, gneed;
  /* Bytes: the fused path's partials are floats, the own kernels' acc_t (lr_grad_partial). */
  if (ob->gemm == LR_PATH_FUSED) {
    gneed = (fblocks ? fblocks : 1) * LR_LD(d) * ob->kwp * sizeof(float);
  } else {
    gneed = (chunks ? chunks : 1) * (d + 1) * kw * ob->acc_size;
  }
  if ((ob->gemm == LR_PATH_OWN || ob->gemm == LR_PATH_FUSED) && gneed > ob->gpart_cap) {
    if ((st = lr_ocl_alloc(ob, &ob->gpart, gneed, "gradient partials", err))) return st;
    ob->gpart_cap = gneed;
  }
  if (ob->gemm == LR_PATH_TILED) {
    if ((st = ensure_tile_groups(ob, tile_groups(ob, rows), err))) return st;
    if (!ob->tout) { /* lr_tile_finish's row sums */
      if ((st = lr_ocl_alloc(ob, &ob->tout, LR_NQ * ob->acc_size, "tile sums", err))) return st;
      ob->tout_cap = LR_NQ;
    }
  }
  return LOGREG_OK;
}

/* ---- Choosing the path by measurement ---- */

/* The dense paths, in the order they are listed and timed in (time_paths). */
static const lr_path path_order[] = {LR_PATH_TILED, LR_PATH_FUSED, LR_PATH_OWN, LR_PATH_CLBLAST};
#define PATHS (sizeof path_order / sizeof *path_order)
#define PATH_TIMED 3 /* timed evaluations per path, after one warm-up */

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* One full-batch evaluation with gradient of the n training rows on path g, in ms; NAN when
 * the path fails here (too little memory, a driver error). An evaluation reads its sums back,
 * so it is timed to its end. */
static double time_eval(ocl_backend *ob, lr_path g, size_t n) {
  logreg_error e;
  lr_sums out;
  ob->gemm = g;
  if (lr_ocl_ensure_rows(ob, n, &e)) return NAN;
  double t0 = lr_now();
  if (lr_ocl_sums(&ob->base, LR_SLOT_TRAIN, 0, n, LR_WANT_SUMS | LR_WANT_GRAD, &out, &e))
    return NAN;
  return (lr_now() - t0) * 1e3;
}

/* Times the applicable paths in rounds: a warm-up of each (kernels compile, pages are
 * touched), one timed evaluation of each, then PATH_TIMED - 1 more of each path within twice
 * the best so far; ms[i] is the median of path_order[i]'s timed evaluations (NAN: it failed or
 * does not apply). A slow path thus costs two evaluations, whatever the order. */
static void time_paths(ocl_backend *ob, size_t n, double *ms) {
  enum { NP = PATHS };
  double t[NP][PATH_TIMED];
  int nt[NP] = {0}, ok[NP];
  for (int i = 0; i < NP; i++) {
    ok[i] = (path_order[i] != LR_PATH_TILED || ob->tr) && isfinite(time_eval(ob, path_order[i], n));
    ms[i] = NAN;
  }
  for (int round = 0; round < PATH_TIMED; round++) {
    double best = INFINITY;
    for (int i = 0; i < NP; i++)
      if (nt[i]) best = fmin(best, ms[i]);
    for (int i = 0; i < NP; i++) {
      if (!ok[i] || (round > 0 && ms[i] > 2.0 * best)) continue;
      double v = time_eval(ob, path_order[i], n);
      if (!isfinite(v)) {
        ok[i] = 0;
        ms[i] = NAN;
        continue;
      }
      t[i][nt[i]++] = v;
      double sorted[PATH_TIMED];
      memcpy(sorted, t[i], (size_t)nt[i] * sizeof *sorted);
      qsort(sorted, (size_t)nt[i], sizeof *sorted, cmp_dbl);
      ms[i] = nt[i] % 2 ? sorted[nt[i] / 2] : 0.5 * (sorted[nt[i] / 2 - 1] + sorted[nt[i] / 2]);
    }
  }
}

/* The path cache's key: the device, its driver and the shape class (lr_path_key). */
static void path_key(const ocl_backend *ob, size_t n, char *key, size_t cap) {
  lr_path_key(ob->info.platform_name, ob->info.name, ob->info.driver, ob->base.kw, ob->base.d, n,
              ob->slot[LR_SLOT_TRAIN].streamed ? "|streamed" : "", key, cap);
}

/* The dense path named `name` that applies here (tiled needs its tile in local memory), or
 * LR_PATH_AUTO: a cache entry from another build or device is not taken. */
static lr_path dense_path(const ocl_backend *ob, const char *name) {
  for (size_t i = 0; i < PATHS; i++)
    if (strcmp(name, lr_path_name(path_order[i])) == 0 &&
        (path_order[i] != LR_PATH_TILED || ob->tr > 0))
      return path_order[i];
  return LR_PATH_AUTO;
}

/* The requested path (LR_PATH_AUTO: measured when the training data is set; LR_PATH_CSR: the
 * sparse kernels, which set_data_csr takes in any case): LOGREG_EINVAL for a path that cannot
 * run these shapes here. */
logreg_status lr_ocl_requested_path(const ocl_backend *ob, lr_path path, logreg_error *err) {
  if (path == LR_PATH_AUTO || path == LR_PATH_CSR || dense_path(ob, lr_path_name(path)) == path)
    return LOGREG_OK;
  if (path == LR_PATH_TILED)
    return lr_fail(err, LOGREG_EINVAL,
                   "'gemm' tiled: a tile row of %zu features does not fit in the local memory of "
                   "%s (%llu bytes)",
                   ob->base.d, ob->info.name, ob->info.local_mem);
  return lr_fail(err, LOGREG_EINVAL, "opencl: no evaluation path %s", lr_path_name(path));
}

/* "opencl:0:0 NAME (GPU, tiled kernel)": the device and the path, for people. */
void lr_ocl_set_device_name(ocl_backend *ob) {
  static const char *const what[LR_PATHS] = {[LR_PATH_OWN] = "own GEMM kernels",
                                             [LR_PATH_CLBLAST] = "CLBlast GEMM",
                                             [LR_PATH_FUSED] = "fused one-pass kernel",
                                             [LR_PATH_TILED] = "tiled one-pass kernel"};
  const lr_ocl_device_info *info = &ob->info;
  snprintf(ob->base.device, sizeof ob->base.device, "opencl:%u:%u %s (%s, %s)", info->platform,
           info->device, info->name, lr_ocl_type_name(info->type),
           ob->auto_gemm ? "path measured at set-up" : what[ob->gemm]);
}

/* Evaluations on path g from now on: the buffers only the other paths need are released (the
 * caller makes sure of g's with lr_ocl_ensure_rows). */
static void use_path(ocl_backend *ob, lr_path g) {
  ob->gemm = g;
  ob->base.path_id = g;
  if (g != LR_PATH_OWN && g != LR_PATH_CLBLAST) {
    lr_ocl_drop(ob, &ob->z);
    lr_ocl_drop(ob, &ob->g);
    ob->zg_rows = 0;
  }
  if (g != LR_PATH_OWN && g != LR_PATH_FUSED) {
    lr_ocl_drop(ob, &ob->gpart);
    ob->gpart_cap = 0;
  }
  if (g != LR_PATH_TILED) {
    lr_ocl_drop(ob, &ob->tpart);
    lr_ocl_drop(ob, &ob->trsum);
    lr_ocl_drop(ob, &ob->tout);
    ob->tgroups_cap = ob->tout_cap = 0;
  }
  lr_ocl_set_device_name(ob);
}

/* auto: the path of the cache's entry for this device and shape class, else each applicable
 * path timed on the training data (time_path) and the fastest kept. Buffers only the other
 * paths need are released. */
logreg_status lr_ocl_choose_path(ocl_backend *ob, size_t n, logreg_error *err) {
  char key[600];
  logreg_path_choice pc;
  path_key(ob, n, key, sizeof key);
  lr_path best = LR_PATH_AUTO;
  if (ob->cache.lookup && ob->cache.lookup(ob->cache.user, key, &pc))
    best = dense_path(ob, pc.path);
  if (best == LR_PATH_AUTO) {
    memset(&pc, 0, sizeof pc);
    snprintf(pc.how, sizeof pc.how, "measured");
    double best_ms = INFINITY, ms[PATHS];
    time_paths(ob, n, ms);
    for (size_t i = 0; i < PATHS; i++) {
      lr_path g = path_order[i];
      if (g == LR_PATH_TILED && !ob->tr) continue;
      snprintf(pc.names[pc.count], sizeof pc.names[0], "%s", lr_path_name(g));
      pc.ms[pc.count++] = ms[i];
      if (ms[i] < best_ms) best_ms = ms[i], best = g;
    }
    if (!isfinite(best_ms))
      return lr_fail(err, LOGREG_EBACKEND,
                     "opencl: no evaluation path ran on %s with %zu x %zu training data",
                     ob->info.name, n, ob->base.d);
    snprintf(pc.path, sizeof pc.path, "%s", lr_path_name(best));
    if (ob->cache.save) ob->cache.save(ob->cache.user, key, &pc);
  }
  ob->base.path = pc;
  use_path(ob, best);
  return lr_ocl_ensure_rows(ob, n, err);
}

/* The group's path (backend.h): a process after the first takes the first one's choice, so
 * that the group's sums do not depend on which path each process would have measured fastest
 * (two R = 2 runs then write the same model). */
logreg_status lr_ocl_set_path(lr_backend *be, lr_path g, const char *how, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (ob->sparse) return LOGREG_OK;
  if (dense_path(ob, lr_path_name(g)) == LR_PATH_AUTO)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "opencl: the %s path does not run on %s",
                   lr_path_name(g), ob->info.name);
  for (int s = 0; s < LR_SLOT_COUNT; s++) {
    const ocl_slot *sl = &ob->slot[s];
    if (sl->n && (sl->x.nseg > 1 || sl->streamed) && (g == LR_PATH_OWN || g == LR_PATH_CLBLAST))
      return lr_fail(err, LOGREG_EUNSUPPORTED,
                     "opencl: the %s path needs X in one allocation on %s", lr_path_name(g),
                     ob->info.name);
  }
  logreg_status st;
  if (g != ob->gemm) {
    lr_path was = ob->gemm;
    ob->gemm = g;
    size_t rows =
        be->n[LR_SLOT_TRAIN] > be->n[LR_SLOT_VAL] ? be->n[LR_SLOT_TRAIN] : be->n[LR_SLOT_VAL];
    if ((st = lr_ocl_ensure_rows(ob, rows, err))) {
      ob->gemm = was;
      return st;
    }
    use_path(ob, g);
  }
  memset(&be->path, 0, sizeof be->path);
  snprintf(be->path.path, sizeof be->path.path, "%s", lr_path_name(g));
  snprintf(be->path.how, sizeof be->path.how, "%s", how);
  return LOGREG_OK;
}

static logreg_status gemm(ocl_backend *ob, int trans_a, size_t m, size_t n, size_t k, cl_mem a,
                          size_t a_off, size_t lda, cl_mem b, size_t ldb, cl_mem c, size_t ldc,
                          logreg_error *err) {
  CLBlastStatusCode rc = CLBlastSgemm(
      CLBlastLayoutRowMajor, trans_a ? CLBlastTransposeYes : CLBlastTransposeNo, CLBlastTransposeNo,
      m, n, k, 1.0f, a, a_off, lda, b, 0, ldb, 0.0f, c, 0, ldc, &ob->q, NULL);
  if (rc != CLBlastSuccess)
    return lr_fail(err, LOGREG_EBACKEND, "opencl: CLBlastSgemm(%s, %zu x %zu x %zu) failed: %d",
                   trans_a ? "X^T G" : "X W", m, n, k, (int)rc);
  return LOGREG_OK;
}

/* Reads the LR_NQ row sums of an evaluation (wloss, loss, correct, s) from `buf`. */
static logreg_status read_sums(ocl_backend *ob, cl_mem buf, size_t m, lr_sums *out,
                               logreg_error *err) {
  ocl_sum raw[LR_NQ];
  double v[LR_NQ];
  CL_TRY(clEnqueueReadBuffer(ob->q, buf, CL_TRUE, 0, sizeof raw, raw, 0, NULL, NULL),
         "clEnqueueReadBuffer(sums)");
  for (int i = 0; i < LR_NQ; i++)
    v[i] = ob->info.fp64 ? raw[i].d : (double)raw[i].f[0] + (double)raw[i].f[1];
  out->wloss = v[SUM_WLOSS];
  out->loss = v[SUM_LOSS];
  out->correct = v[SUM_CORRECT];
  out->s = v[SUM_S];
  out->rows = (double)m;
  return LOGREG_OK;
}

/* The updates keep wt current; only parameters set from the host need a transpose. */
static logreg_status refresh_wt(ocl_backend *ob, logreg_error *err) {
  if (!ob->wt_stale) return LOGREG_OK;
  cl_uint ud = (cl_uint)ob->base.d;
  CL_TRY(lr_ocl_set_args(ob->k_transpose, 3, A(ob->vec[LR_VEC_THETA]), A(ud), A(ob->wt)),
         "clSetKernelArg(lr_transpose_w)");
  logreg_status st =
      lr_ocl_run1(ob, ob->k_transpose, ob->base.d * ob->base.kw, 0, "lr_transpose_w", err);
  if (!st) ob->wt_stale = 0;
  return st;
}

/* The fused path: one pass over the rows (segment by segment) computes the row sums and the
 * blocks' partial gradients; lr_fused_finish adds them up. */
static logreg_status fused_sums(ocl_backend *ob, xfeed *f, cl_mem Y, cl_mem S, size_t m,
                                int want_grad, logreg_error *err) {
  lr_backend *be = &ob->base;
  size_t d = be->d, kw = be->kw, nw = d * kw;
  size_t fb = lr_ocl_fused_block(ob, m), blocks = 0, np = f->np;
  for (size_t i = 0; i < np; i++) blocks += (lr_ocl_feed_rows(ob, f, i) + fb - 1) / fb;
  cl_uint ud = (cl_uint)d, boff = (cl_uint)nw, block = (cl_uint)fb, wg = want_grad ? 1 : 0;
  cl_uint ub = (cl_uint)blocks;
  float pw = (float)be->pos_weight;
  logreg_status st;
  if ((st = ensure_fused_blocks(ob, blocks, err)) || (st = refresh_wt(ob, err))) return st;
  /* One work-item per block: on a CPU device a work-group of one keeps each block's loop a
   * plain loop; elsewhere the driver chooses. */
  size_t local = (ob->info.type & CL_DEVICE_TYPE_CPU) ? 1 : 0, gbase = 0;
  for (size_t i = 0; i < np; i++) {
    xpiece pc;
    cl_event wait;
    if ((st = lr_ocl_feed_piece(ob, f, i, &pc, &wait, err))) return st;
    cl_uint xr = (cl_uint)pc.x_row0, r0 = (cl_uint)pc.row0, um = (cl_uint)pc.rows,
            gb = (cl_uint)gbase;
    CL_TRY(lr_ocl_set_args(ob->k_fused, 16, A(pc.X), A(xr), A(r0), A(um), A(ud), A(ob->wt),
                           A(ob->vec[LR_VEC_THETA]), A(boff), A(Y), A(S), A(block), A(pw), A(wg),
                           A(gb), A(ob->gpart), A(ob->partials)),
           "clSetKernelArg(lr_fused)");
    size_t nb = (pc.rows + fb - 1) / fb;
    if ((st = lr_ocl_feed_run(ob, f, i, wait, ob->k_fused, nb, local, "lr_fused", err))) return st;
    gbase += nb;
  }
  CL_TRY(lr_ocl_set_args(ob->k_ffinish, 8, A(ob->partials), A(ob->gpart), A(ub), A(ud), A(wg),
                         A(ob->vec[LR_VEC_GSUM]), A(ob->sums), LOCAL(ob->wg * sizeof(ocl_sum))),
         "clSetKernelArg(lr_fused_finish)");
  return lr_ocl_run1(ob, ob->k_ffinish, ob->wg, ob->wg, "lr_fused_finish", err);
}

/* The tiled path: lr_tile reads each row of X once (in tiles staged in local memory) and
 * leaves per-group partials; lr_tile_finish adds them. */
static logreg_status tiled_sums(ocl_backend *ob, xfeed *f, cl_mem Y, cl_mem S, int want_grad,
                                logreg_error *err) {
  lr_backend *be = &ob->base;
  size_t np = f->np, groups = 0;
  for (size_t i = 0; i < np; i++) groups += tile_groups(ob, lr_ocl_feed_rows(ob, f, i));
  cl_uint boff = (cl_uint)(be->d * be->kw), wg = want_grad ? 1 : 0;
  float pw = (float)be->pos_weight;
  logreg_status st;
  if ((st = ensure_tile_groups(ob, groups, err)) || (st = refresh_wt(ob, err))) return st;
  size_t gbase = 0;
  for (size_t i = 0; i < np; i++) {
    xpiece pc;
    cl_event wait;
    if ((st = lr_ocl_feed_piece(ob, f, i, &pc, &wait, err))) return st;
    cl_uint xr = (cl_uint)pc.x_row0, r0 = (cl_uint)pc.row0, um = (cl_uint)pc.rows,
            gb = (cl_uint)gbase;
    CL_TRY(lr_ocl_set_args(ob->k_tile, 14, A(pc.X), A(xr), A(r0), A(um), A(ob->wt),
                           A(ob->vec[LR_VEC_THETA]), A(boff), A(Y), A(S), A(pw), A(wg), A(gb),
                           A(ob->tpart), A(ob->trsum)),
           "clSetKernelArg(lr_tile)");
    size_t ng = tile_groups(ob, pc.rows);
    if ((st = lr_ocl_feed_run(ob, f, i, wait, ob->k_tile, ng * ob->wg, ob->wg, "lr_tile", err)))
      return st;
    gbase += ng;
  }
  cl_uint ug = (cl_uint)groups, ud = (cl_uint)be->d;
  CL_TRY(lr_ocl_set_args(ob->k_tfinish, 8, A(ob->tpart), A(ug), A(ob->trsum), A(ud), A(wg),
                         A(ob->vec[LR_VEC_GSUM]), A(ob->tout), LOCAL(ob->wg * ob->acc_size)),
         "clSetKernelArg(lr_tile_finish)");
  return lr_ocl_run1(ob, ob->k_tfinish, (be->d + 1) * be->kw, ob->wg, "lr_tile_finish", err);
}

/* The row kernel on the logits in ob->z (bias not yet added) of batch rows r < m, whose labels
 * and weights are Y[begin + r] and S[begin + r]: residuals into ob->g, per-group sums, and
 * their reduction into ob->sums. */
logreg_status lr_ocl_row_sums(ocl_backend *ob, const ocl_own *o, cl_mem Y, cl_mem S, size_t begin,
                              size_t m, logreg_error *err) {
  lr_backend *be = &ob->base;
  cl_uint row0 = (cl_uint)begin, um = (cl_uint)m, boff = (cl_uint)(be->d * be->kw);
  cl_mem theta = ob->vec[LR_VEC_THETA];
  size_t groups = round_up(m, ob->wg) / ob->wg;
  logreg_status st;
  if (be->binary) {
    float pw = (float)be->pos_weight;
    CL_TRY(lr_ocl_set_args(o->sigmoid, 11, A(o->z), A(o->g), A(theta), A(boff), A(Y), A(S), A(row0),
                           A(um), A(pw), A(ob->partials), LOCAL(ob->wg * LR_NQ * sizeof(ocl_sum))),
           "clSetKernelArg(lr_sigmoid_rows)");
    if ((st = lr_ocl_run1(ob, o->sigmoid, m, ob->wg, "lr_sigmoid_rows", err))) return st;
  } else {
    CL_TRY(lr_ocl_set_args(o->softmax, 10, A(o->z), A(o->g), A(theta), A(boff), A(Y), A(S), A(row0),
                           A(um), A(ob->partials), LOCAL(ob->wg * LR_NQ * sizeof(ocl_sum))),
           "clSetKernelArg(lr_softmax_rows)");
    if ((st = lr_ocl_run1(ob, o->softmax, m, ob->wg, "lr_softmax_rows", err))) return st;
  }
  cl_uint ug = (cl_uint)groups, nq = LR_NQ, zero = 0;
  CL_TRY(lr_ocl_set_args(ob->k_reduce, 7, A(ob->partials), A(ug), A(nq), A(zero), A(ob->sums),
                         A(zero), LOCAL(ob->wg * sizeof(ocl_sum))),
         "clSetKernelArg(lr_reduce)");
  return lr_ocl_run1(ob, ob->k_reduce, ob->wg, ob->wg, "lr_reduce", err);
}

/* The main program's own kernels and scratch (the own and CLBlast paths, and the sparse row
 * kernels). */
ocl_own lr_ocl_own_main(const ocl_backend *ob) {
  ocl_own o = {ob->k_logits,  ob->k_softmax, ob->k_sigmoid, ob->k_gpart,
               ob->k_greduce, ob->k_lincomb, ob->k_mul,     ob->k_dot,
               ob->z,         ob->g,         ob->gpart,     ob->gemm == LR_PATH_CLBLAST};
  return o;
}

/* The own and CLBlast paths (and refinement: o): logits Z = X W, the row kernel (bias, loss,
 * residual, per-group sums), their reduction, and with want_grad X^T G. */
static logreg_status gemm_sums(ocl_backend *ob, const ocl_own *o, cl_mem X, cl_mem Y, cl_mem S,
                               size_t begin, size_t m, int want_grad, logreg_error *err) {
  lr_backend *be = &ob->base;
  size_t d = be->d, kw = be->kw, nw = d * kw;
  cl_uint row0 = (cl_uint)begin, um = (cl_uint)m, ud = (cl_uint)d;
  cl_mem theta = ob->vec[LR_VEC_THETA], gsum = ob->vec[LR_VEC_GSUM];
  logreg_status st;
  if (o->clblast) {
    if ((st = gemm(ob, 0, m, kw, d, X, begin * d, d, theta, kw, o->z, kw, err))) return st;
  } else {
    CL_TRY(lr_ocl_set_args(o->logits, 6, A(X), A(row0), A(um), A(ud), A(theta), A(o->z)),
           "clSetKernelArg(lr_logits)");
    if ((st = lr_ocl_run1(ob, o->logits, m, ob->wg, "lr_logits", err))) return st;
  }
  if ((st = lr_ocl_row_sums(ob, o, Y, S, begin, m, err))) return st;
  if (!want_grad) return LOGREG_OK;
  cl_uint n_all = (cl_uint)(nw + kw);
  if (o->clblast) {
    if ((st = gemm(ob, 1, d, kw, m, X, begin * d, d, o->g, kw, gsum, kw, err))) return st;
    CL_TRY(lr_ocl_set_args(ob->k_gfinish, 4, A(o->g), A(um), A(ud), A(gsum)),
           "clSetKernelArg(lr_grad_finish)");
    return lr_ocl_run1(ob, ob->k_gfinish, n_all, 0, "lr_grad_finish", err);
  }
  size_t chunks = (m + ob->chunk - 1) / ob->chunk;
  cl_uint uc = (cl_uint)ob->chunk, unc = (cl_uint)chunks;
  CL_TRY(lr_ocl_set_args(o->gpart, 7, A(X), A(row0), A(um), A(ud), A(o->g), A(uc), A(o->part)),
         "clSetKernelArg(lr_grad_partial)");
  size_t gs[2] = {round_up(d + 1, 16), chunks};
  CL_TRY(clEnqueueNDRangeKernel(ob->q, o->gpart, 2, NULL, gs, NULL, 0, NULL, NULL),
         "lr_grad_partial");
  CL_TRY(lr_ocl_set_args(o->greduce, 4, A(o->part), A(unc), A(ud), A(gsum)),
         "clSetKernelArg(lr_grad_reduce)");
  return lr_ocl_run1(ob, o->greduce, n_all, 0, "lr_grad_reduce", err);
}

logreg_status lr_ocl_sums(lr_backend *be, lr_slot slot, size_t begin, size_t count, int want,
                          lr_sums *out, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (begin > be->n[slot] || count > be->n[slot] - begin)
    return lr_fail(err, LOGREG_EINVAL, "opencl backend: rows %zu..%zu outside %zu rows", begin,
                   begin + count, be->n[slot]);
  if (count == 0) return lr_fail(err, LOGREG_EINVAL, "opencl backend: empty evaluation");
  ocl_slot *sl = &ob->slot[slot];
  int shuffled = slot == LR_SLOT_TRAIN && ob->ordered;
  if (sl->csr || ob->sparse) {
    if (!sl->csr)
      return lr_fail(err, LOGREG_EUNSUPPORTED,
                     "opencl: dense %s data next to sparse data is not supported",
                     slot ? "validation" : "training");
    logreg_status st = lr_ocl_csr_sums(ob, sl, shuffled, begin, count, want & LR_WANT_GRAD, err);
    if (st) return st;
    ob->last_rows = count;
    return (want & LR_WANT_SUMS) ? read_sums(ob, ob->sums, count, out, err) : LOGREG_OK;
  }
  const ocl_xbuf *xb = shuffled ? &ob->xp : &sl->x;
  cl_mem Y = shuffled ? ob->yp : sl->y, S = shuffled ? ob->sp : sl->s;
  int want_grad = (want & LR_WANT_GRAD) != 0;
  logreg_status st;
  cl_mem sums = ob->sums;
  ob->last_rows = 0; /* the one-pass paths (and refinement) keep no float logits or residuals */
  xfeed f;
  lr_ocl_feed_init(ob, &f, sl, xb, shuffled, begin, count);
  if (ob->precise) {
    if (sl->streamed || xb->nseg != 1 || count > ob->prows)
      return lr_fail(err, LOGREG_EBACKEND, "opencl: refinement was set up for other data");
    st = gemm_sums(ob, &ob->pown, xb->seg[0], Y, S, begin, count, want_grad, err);
  } else if (ob->gemm == LR_PATH_FUSED) {
    st = fused_sums(ob, &f, Y, S, count, want_grad, err);
  } else if (ob->gemm == LR_PATH_TILED) {
    st = tiled_sums(ob, &f, Y, S, want_grad, err);
    sums = ob->tout;
  } else if (sl->streamed) {
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: the %s path needs X on the device; it streams from host memory",
                   lr_path_name(ob->gemm));
  } else if (xb->nseg != 1) {
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: the %s path needs X in one allocation; it is in %zu on %s",
                   lr_path_name(ob->gemm), xb->nseg, ob->info.name);
  } else {
    ocl_own o = lr_ocl_own_main(ob);
    st = gemm_sums(ob, &o, xb->seg[0], Y, S, begin, count, want_grad, err);
    if (!st) ob->last_rows = count;
  }
  if (st || !(want & LR_WANT_SUMS)) return st;
  return read_sums(ob, sums, count, out, err);
}
