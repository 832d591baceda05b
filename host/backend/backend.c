/* backend.c: what every backend shares beyond its ops (backend.h): the paths' names,
 * destroying a backend, and setting a slot's rows, dense or sparse, from one description. Backends
 * are created by the device module's table (device.c), so that no backend knows of another. */
#include "backend/backend.h"

#include "util/util.h"

const char *lr_path_name(lr_path path) {
  static const char *const names[LR_PATHS] = {
      [LR_PATH_AUTO] = "auto",   [LR_PATH_REFERENCE] = "cpu", [LR_PATH_TILED] = "tiled",
      [LR_PATH_FUSED] = "fused", [LR_PATH_OWN] = "own",       [LR_PATH_CLBLAST] = "clblast",
      [LR_PATH_CSR] = "csr"};
  return (unsigned)path < LR_PATHS ? names[path] : "unknown";
}

void lr_backend_threads(lr_backend *be, unsigned threads) {
  if (be && be->ops->set_threads) be->ops->set_threads(be, threads);
}

void lr_backend_destroy(lr_backend *be) {
  if (be) be->ops->destroy(be);
}

logreg_status lr_backend_set_rows(lr_backend *be, lr_slot slot, const lr_rows *r,
                                  logreg_error *err) {
  if (r->x) return be->ops->set_data(be, slot, r->x, r->y, r->s, r->n, err);
  if (!be->ops->set_data_csr)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "the %s backend has no sparse path", be->ops->name);
  return be->ops->set_data_csr(be, slot, r->indptr, r->indices, r->values, r->y, r->s, r->n, err);
}
