/* Reference kernels: each one is docs/numerics.md written as C, in the doc's operation order.
 * Float reductions are left-to-right loops from 0.0f; constants are hex floats. Each kernel is
 * skipped when an optimized kernel file replaces it (see kernels.h). */
#include <math.h>   /* sqrtf only: correctly rounded by IEEE 754 */
#include <string.h> /* memcpy, for the float bit pattern in mlm_expf */

#include "kernels.h"

#ifndef MLM_OPT_ROUND_AWAY
int32_t mlm_round_away(float v)
{
    /* the cast truncates toward zero, so adding +-0.5 first rounds halves away from zero */
    return v >= 0.0f ? (int32_t)(v + 0.5f) : (int32_t)(v - 0.5f);
}
#endif

#ifndef MLM_OPT_QUANTIZE
void mlm_quantize(const float *x, int n, int gs, int8_t *q, float *s)
{
    for (int g = 0; g * gs < n; g++) {
        const float *xg = x + (size_t)g * gs;
        int8_t *qg = q + (size_t)g * gs;
        float amax = 0.0f;
        for (int i = 0; i < gs; i++) {
            float a = xg[i] < 0.0f ? -xg[i] : xg[i];
            if (a > amax) amax = a;
        }
        float scale = amax / 127.0f;
        s[g] = scale;
        for (int i = 0; i < gs; i++) {
            int32_t v = 0;
            if (scale != 0.0f) {
                v = mlm_round_away(xg[i] / scale);
                if (v > 127) v = 127;
                if (v < -127) v = -127;
            }
            qg[i] = (int8_t)v;
        }
    }
}
#endif

#ifndef MLM_OPT_DOT_I8
int32_t mlm_dot_i8(const int8_t *a, const int8_t *b, int n)
{
    int32_t acc = 0;
    for (int i = 0; i < n; i++) acc += (int32_t)a[i] * (int32_t)b[i];
    return acc;
}
#endif

#ifndef MLM_OPT_MATMUL_Q8
void mlm_matmul_q8(float *out, const int8_t *xq, const float *xs, const int8_t *wq,
                   const float *ws, int rows, int cols, int gs)
{
    int ng = cols / gs;
    for (int r = 0; r < rows; r++) {
        const int8_t *wr = wq + (size_t)r * cols;
        const float *sr = ws + (size_t)r * ng;
        float acc = 0.0f;
        for (int g = 0; g < ng; g++) {
            int32_t idot = mlm_dot_i8(xq + (size_t)g * gs, wr + (size_t)g * gs, gs);
            acc = acc + ((float)idot * sr[g]) * xs[g];
        }
        out[r] = acc;
    }
}
#endif

#ifndef MLM_OPT_RMSNORM
void mlm_rmsnorm(float *out, const float *x, const float *w, int n, float eps)
{
    float ss = 0.0f;
    for (int i = 0; i < n; i++) ss = ss + x[i] * x[i];
    ss = ss / (float)n;
    ss = ss + eps;
    ss = 1.0f / sqrtf(ss);
    for (int i = 0; i < n; i++) out[i] = w[i] * (ss * x[i]);
}
#endif

#ifndef MLM_OPT_EXPF
/* exp(x) = 2^n * exp(r), n = round(x / ln2), r = x - n*ln2 in about [-ln2/2, ln2/2], where a
 * degree-6 Taylor polynomial is accurate to about 1 ulp. ln2 is split in two (Cody-Waite) so
 * that n * LN2_HI is exact and r loses no bits. */
#define MLM_LOG2E  0x1.715476p+0f
#define MLM_LN2_HI 0x1.63p-1f
#define MLM_LN2_LO (-0x1.bd0106p-13f)
#define MLM_EXP_C2 0x1p-1f
#define MLM_EXP_C3 0x1.555556p-3f
#define MLM_EXP_C4 0x1.555556p-5f
#define MLM_EXP_C5 0x1.111112p-7f
#define MLM_EXP_C6 0x1.6c16c2p-10f

float mlm_expf(float x)
{
    if (x < -87.0f) return 0.0f;  /* below the normal range: flushed, as the reference does */
    if (x > 88.0f) x = 88.0f;     /* keeps 2^n a finite normal float */
    float t = x * MLM_LOG2E;
    int32_t n = mlm_round_away(t);
    float r = x - (float)n * MLM_LN2_HI;
    r = r - (float)n * MLM_LN2_LO;
    float p = MLM_EXP_C6;
    p = p * r + MLM_EXP_C5;
    p = p * r + MLM_EXP_C4;
    p = p * r + MLM_EXP_C3;
    p = p * r + MLM_EXP_C2;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    uint32_t bits = (uint32_t)(n + 127) << 23; /* n in -126..127: a normal power of two */
    float pow2n;
    memcpy(&pow2n, &bits, sizeof pow2n);
    return p * pow2n;
}
#endif

#ifndef MLM_OPT_LOGF
/* log(x) for normal x > 0, musl's logf written out: x = 2^k * m with m in [sqrt(2)/2,
 * sqrt(2)), f = m - 1, s = f / (2 + f), log(1 + f) = f - f*f/2 + s*(f*f/2 + R(s*s)) with a
 * degree-4 polynomial R; ln2 split in two as in mlm_expf. About 1 ulp. Only beam search uses
 * it, on a softmax sum in [1, vocab_size]. */
#define MLM_LOG_LG1 0x1.555554p-1f
#define MLM_LOG_LG2 0x1.999c26p-2f
#define MLM_LOG_LG3 0x1.23d3dcp-2f
#define MLM_LOG_LG4 0x1.f13c4cp-3f
#define MLM_LOG_LN2_HI 0x1.62e3p-1f
#define MLM_LOG_LN2_LO 0x1.2fefa2p-17f
#define MLM_SQRT2_HALF_BITS 0x3f3504f3u

float mlm_logf(float x)
{
    uint32_t ix;
    memcpy(&ix, &x, sizeof ix);
    ix += 0x3f800000u - MLM_SQRT2_HALF_BITS; /* the exponent of x / (sqrt(2)/2) */
    int k = (int)(ix >> 23) - 0x7f;
    ix = (ix & 0x007fffffu) + MLM_SQRT2_HALF_BITS;
    float m;
    memcpy(&m, &ix, sizeof m);
    float f = m - 1.0f;
    float s = f / (2.0f + f);
    float z = s * s;
    float w = z * z;
    float t1 = w * (MLM_LOG_LG2 + w * MLM_LOG_LG4);
    float t2 = z * (MLM_LOG_LG1 + w * MLM_LOG_LG3);
    float r = t2 + t1;
    float hfsq = 0.5f * f * f;
    float dk = (float)k;
    return ((((s * (hfsq + r)) + dk * MLM_LOG_LN2_LO) - hfsq) + f) + dk * MLM_LOG_LN2_HI;
}
#endif

#ifndef MLM_OPT_SOFTMAX
void mlm_softmax(float *a, int n)
{
    float m = a[0];
    for (int i = 1; i < n; i++)
        if (a[i] > m) m = a[i];
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        a[i] = mlm_expf(a[i] - m);
        sum = sum + a[i];
    }
    for (int i = 0; i < n; i++) a[i] = a[i] / sum;
}
#endif

#ifndef MLM_OPT_SILU_MUL
void mlm_silu_mul(float *out, const float *h1, const float *h3, int n)
{
    for (int i = 0; i < n; i++) {
        float s = 1.0f / (1.0f + mlm_expf(-h1[i]));
        out[i] = (h1[i] * s) * h3[i];
    }
}
#endif

#ifndef MLM_OPT_ROPE
void mlm_rope(float *v, int n, int head_size, const float *cos_row, const float *sin_row)
{
    for (int h = 0; h < n; h += head_size) {
        float *vh = v + h;
        for (int i = 0; i < head_size / 2; i++) {
            float x0 = vh[2 * i], x1 = vh[2 * i + 1];
            float c = cos_row[i], s = sin_row[i];
            vh[2 * i] = x0 * c - x1 * s;
            vh[2 * i + 1] = x0 * s + x1 * c;
        }
    }
}
#endif
