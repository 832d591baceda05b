/* train.h: what the trainer (train.c) shares with the rest of the solver layer. */
#ifndef LOGREG_SOLVE_TRAIN_H
#define LOGREG_SOLVE_TRAIN_H

#include "data/dataset.h"

/* The checks every training entry point makes on its data and parameters: usable parameters
 * (logreg_params_check), labelled rows, at least 2 classes (exactly 2 with binary), row
 * indices that fit 32 bits. LOGREG_OK, or the error filled in. */
logreg_status lr_train_check(const logreg_dataset *train, const logreg_params *p,
                             logreg_error *err);

#endif
