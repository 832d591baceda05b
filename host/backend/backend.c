/* backend.c: what every backend shares beyond its ops (backend.h): destroying one, and setting
 * a slot's rows, dense or sparse, from one description. Backends are created by the device
 * module's table (device.c), so that no backend knows of another. */
#include "backend/backend.h"

#include "util/util.h"

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
