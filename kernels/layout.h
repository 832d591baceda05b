/* layout.h: the layout of the opencl backend's kernels, defined once for both sides.
 *
 * The kernels (logreg.cl) and the host (host/backend/opencl.c, which sizes the buffers, the
 * local memory and the build options) must agree on how many classes a chunk holds, how
 * partial gradients are padded and strided, how many row sums a group reports, and so on.
 * These rules live here only, as integer macros of the model's shape that mean the same in
 * OpenCL C and in C11 (and can be used in #if):
 *
 *   d   features              kw  weight columns (1 for --binary, else K)
 *   wg  work-group size       tr  rows per tile (lr_tile)
 *   tgc gradient classes per pass (lr_tile)
 *
 * The host includes this file by its path ("kernels/layout.h"). A kernel includes it with
 * #include "layout.h"; since programs are built from source strings, host/backend/ocl.c
 * replaces that line with this file's text (embedded at build time like the .cl files, or
 * read from the kernel folder) before clBuildProgram. In a kernel build, where -DLR_KW etc.
 * give the shape, the last part defines the constants of that shape (LR_NCB, LR_KWP, ...).
 */
#ifndef LOGREG_KERNEL_LAYOUT_H
#define LOGREG_KERNEL_LAYOUT_H

/* Row sums each row kernel, fused block and tile group reports: weighted loss, loss,
 * correct, sum s (in that order). */
#define LR_NQ 4

/* Row sums each work-group and model of lr_grid_rows reports: LR_NQ over the model's training
 * rows, then LR_NQ over its held-out rows. */
#define LR_GRID_NQ (2 * LR_NQ)
/* Features per work-item of lr_grid_grad (one load of the residual for this many sums). */
#define LR_GRID_TF 8

/* ---- The fused one-pass path ---- */

#define LR_RB 16     /* rows per group (one float16 lane each); blocks are whole groups */
#define LR_CB_MAX 12 /* classes per chunk at most: the accumulators then fit in registers */
#define LR_NCB_OF(kw) (((kw) + LR_CB_MAX - 1) / LR_CB_MAX)        /* class chunks */
#define LR_CB_OF(kw) (((kw) + LR_NCB_OF(kw) - 1) / LR_NCB_OF(kw)) /* classes per chunk */
/* Padded classes: a whole number of chunks; the rows of Wt and of a block's partial gradient. */
#define LR_KWP_OF(kw) (LR_NCB_OF(kw) * LR_CB_OF(kw))
/* Row stride of a partial gradient: d weights and the bias, padded to 16 floats so that its
 * vectors are aligned (vstore16 at an unaligned address was 13% slower on PoCL). */
#define LR_LD(d) (((d) + 16) / 16 * 16)

/* Where element i (< d kw) of theta's W part sits in Wt, the transposed weights the one-pass
 * paths read (kwp rows of d: Wt[c, j] = W[j, c]); the kernels that write theta keep it there. */
#define LR_WT_AT(i, kw, d) ((size_t)((i) % (kw)) * (d) + (i) / (kw))

/* ---- The tiled one-pass path ---- */

#define LR_TN_OF(d) ((d) + 1)                           /* gradient rows: features and the bias */
#define LR_TF_OF(d, wg) ((LR_TN_OF(d) + (wg)-1) / (wg)) /* gradient rows per work-item */
#define LR_TP_OF(wg, tr) ((wg) / (tr))                  /* lanes per row in the logits */
#define LR_TKC_OF(kw) ((kw) < 8 ? (kw) : 8)             /* logit classes per pass */
/* Lane stride of the logit sums: no bank conflicts when a row's lanes are added. */
#define LR_TRED_OF(wg, tr) (LR_TP_OF(wg, tr) + 1)
/* Gradient sums one work-item keeps in registers at most: LR_TF x (classes of one pass). */
#define LR_TILE_MAX_ACC 64
/* Gradient classes per pass: all of them when LR_TF x kw sums fit LR_TILE_MAX_ACC, else as
 * many as fit (at least 1); more classes go in several passes. */
#define LR_TGC_OF(d, kw, wg)                                                                       \
  (LR_TF_OF(d, wg) * (kw) <= LR_TILE_MAX_ACC                                                       \
       ? (kw)                                                                                      \
       : (LR_TILE_MAX_ACC / LR_TF_OF(d, wg) < 1 ? 1 : LR_TILE_MAX_ACC / LR_TF_OF(d, wg)))
#define LR_TNG_OF(kw, tgc) (((kw) + (tgc)-1) / (tgc))   /* class passes */
#define LR_KWG_OF(kw, tgc) (LR_TNG_OF(kw, tgc) * (tgc)) /* columns of a group's partial */
#define LR_TJ_OF(d, wg) (LR_TF_OF(d, wg) * (wg))        /* rows of a group's partial */
/* lr_tile's local arrays, in elements: the tile's rows (each followed by the bias's 1), the
 * logits' lane sums, the logits then residuals (padded to LR_KWG), and the row sums (sum_t). */
#define LR_TILE_XS(d, tr) ((tr)*LR_TN_OF(d))
#define LR_TILE_RED(kw, wg, tr) ((tr)*LR_TKC_OF(kw) * LR_TRED_OF(wg, tr))
#define LR_TILE_ZS(kw, tr, tgc) ((tr) * (kw) + LR_KWG_OF(kw, tgc))
#define LR_TILE_RS(tr) ((tr)*LR_NQ)

/* ---- The constants of one kernel build (-DLR_KW, -DLR_WG; -DLR_D, -DLR_TR for lr_tile) ---- */

#ifdef __OPENCL_VERSION__
#define LR_NCB LR_NCB_OF(LR_KW)
#define LR_CB LR_CB_OF(LR_KW)
#define LR_KWP LR_KWP_OF(LR_KW)
#ifdef LR_TR
#define LR_TN LR_TN_OF(LR_D)
#define LR_TF LR_TF_OF(LR_D, LR_WG)
#define LR_TP LR_TP_OF(LR_WG, LR_TR)
#define LR_TKC LR_TKC_OF(LR_KW)
#define LR_TRED LR_TRED_OF(LR_WG, LR_TR)
#ifndef LR_TGC /* the host passes it; the same rule otherwise */
#define LR_TGC LR_TGC_OF(LR_D, LR_KW, LR_WG)
#endif
#define LR_TNG LR_TNG_OF(LR_KW, LR_TGC)
#define LR_KWG LR_KWG_OF(LR_KW, LR_TGC)
#define LR_TJ LR_TJ_OF(LR_D, LR_WG)
#endif
#endif

#endif
