/* microlm kernels: the numeric building blocks of the forward pass.
 *
 * The semantics of every kernel, down to the order of float operations, are fixed by
 * docs/numerics.md: the device and the numpy reference must agree bit for bit.
 *
 * kernels_ref.c holds the reference implementation of each kernel (plain loops, the doc's
 * operation order). A target may replace some of them with faster versions that keep the same
 * name and the same results, as TFLite Micro does with its optimized kernels: build with
 * -DMLM_KERNELS_OPT and provide kernels_opt.h, which defines MLM_OPT_<NAME> (for example
 * MLM_OPT_MATMUL_Q8) for each kernel the optimized source file defines; kernels_ref.c then
 * skips exactly those. Only integer work may be reordered (docs/numerics.md).
 */
#ifndef MLM_KERNELS_H
#define MLM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef MLM_KERNELS_OPT
#include "kernels_opt.h"
#endif

/* float -> int32, halves rounded away from zero. */
int32_t mlm_round_away(float v);

/* Quantize x[n] in groups of gs: q[n] int8 in -127..127, s[n/gs] one scale per group.
 * n must be a multiple of gs. */
void mlm_quantize(const float *x, int n, int gs, int8_t *q, float *s);

/* int8 x int8 dot product of n values, exact in int32. */
int32_t mlm_dot_i8(const int8_t *a, const int8_t *b, int n);

/* out[rows] = W x, with x = (xq, xs) and W = (wq[rows][cols], ws[rows][cols/gs]) both
 * quantized in groups of gs along cols. */
void mlm_matmul_q8(float *out, const int8_t *xq, const float *xs, const int8_t *wq,
                   const float *ws, int rows, int cols, int gs);

/* out[n] = w * x / sqrt(mean(x^2) + eps). out may equal x. */
void mlm_rmsnorm(float *out, const float *x, const float *w, int n, float eps);

/* The project's own exp (no libm), exact-to-the-bit on every target. */
float mlm_expf(float x);

/* The project's own natural log, for normal x > 0 (no libm), exact-to-the-bit on every
 * target. */
float mlm_logf(float x);

/* In-place softmax of a[n], n >= 1. */
void mlm_softmax(float *a, int n);

/* out[n] = silu(h1) * h3 (SwiGLU). out may equal h1 or h3. */
void mlm_silu_mul(float *out, const float *h1, const float *h3, int n);

/* Rotate the pairs (v[2i], v[2i+1]) of every head of v[n] by the angles of one position:
 * cos_row and sin_row are that position's rows of the model's rope tables (head_size/2). */
void mlm_rope(float *v, int n, int head_size, const float *cos_row, const float *sin_row);

#endif
