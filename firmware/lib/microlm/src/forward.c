/* The run state (one arena, carved once) and the forward pass of one token.
 * The pass is docs/numerics.md "Forward pass", step by step; kernels.h does the arithmetic. */
#include <math.h>   /* sqrtf */
#include <string.h>

#include "kernels.h"
#include "microlm.h"

/* ---- arena ---- */

#define ARENA_ALIGN 16u /* every buffer: room for SIMD loads, and cache-line friendly */

typedef struct {
    uint8_t *base;  /* NULL: only measure */
    size_t used;
    int overflow;
} carver;

static size_t mul_sat(size_t a, size_t b) { return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b; }

static void *carve(carver *a, size_t count, size_t elem)
{
    if (a->used > SIZE_MAX - (ARENA_ALIGN - 1)) {
        a->overflow = 1;
        return NULL;
    }
    size_t at = (a->used + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
    if (count > (SIZE_MAX - at) / elem) {
        a->overflow = 1;
        return NULL;
    }
    a->used = at + count * elem;
    return a->base != NULL ? a->base + at : NULL;
}

/* The one place that decides the arena layout: measures it (base NULL) or assigns c's
 * pointers. Returns the bytes used, SIZE_MAX when the sizes overflow. */
static size_t layout(const mlm_config *p, uint8_t *base, mlm_ctx *c)
{
    mlm_ctx dummy;
    if (c == NULL) c = &dummy;
    carver a = {base, 0, 0};
    size_t dim = p->dim, hidden = p->hidden_dim, seq = p->seq_len;
    size_t kv_dim = (size_t)(p->dim / p->n_heads) * p->n_kv_heads;
    size_t widest = dim > hidden ? dim : hidden;          /* widest quantized activation */
    size_t cache = mul_sat(mul_sat(p->n_layers, seq), kv_dim);
    size_t scales = mul_sat(mul_sat(p->n_layers, seq), p->n_kv_heads);
    c->x = carve(&a, dim, sizeof(float));
    c->xb = carve(&a, dim, sizeof(float));
    c->xb2 = carve(&a, dim, sizeof(float));
    c->hb = carve(&a, hidden, sizeof(float));
    c->hb2 = carve(&a, hidden, sizeof(float));
    c->q = carve(&a, dim, sizeof(float));
    c->k = carve(&a, kv_dim, sizeof(float));
    c->v = carve(&a, kv_dim, sizeof(float));
    c->att = carve(&a, seq, sizeof(float));               /* one head at a time */
    c->logits = carve(&a, p->vocab_size, sizeof(float));
    c->xq = carve(&a, widest, sizeof(int8_t));
    c->xs = carve(&a, widest / p->group_size, sizeof(float));
    c->kc = carve(&a, cache, sizeof(int8_t));
    c->vc = carve(&a, cache, sizeof(int8_t));
    c->ks = carve(&a, scales, sizeof(float));
    c->vs = carve(&a, scales, sizeof(float));
    c->tokens = carve(&a, seq, sizeof(uint16_t));
    return a.overflow ? SIZE_MAX : a.used;
}

size_t mlm_arena_bytes(const mlm_config *cfg)
{
    if (cfg == NULL || cfg->n_heads == 0 || cfg->group_size == 0) return SIZE_MAX;
    return layout(cfg, NULL, NULL);
}

mlm_status mlm_ctx_init(mlm_ctx *c, const mlm_model *m, void *arena, size_t arena_size)
{
    if (c == NULL || m == NULL || arena == NULL || m->cfg.dim == 0) return MLM_E_ARG;
    memset(c, 0, sizeof *c);
    size_t pad = (ARENA_ALIGN - (uintptr_t)arena % ARENA_ALIGN) % ARENA_ALIGN;
    size_t need = mlm_arena_bytes(&m->cfg);
    if (need == SIZE_MAX || arena_size < pad || need > arena_size - pad) return MLM_E_ARENA;
    uint8_t *base = (uint8_t *)arena + pad;
    memset(base, 0, need);
    layout(&m->cfg, base, c);
    c->m = m;
    c->arena_used = pad + need;
    c->arena_start = (uint8_t *)arena;
    c->arena = base;
    c->arena_size = arena_size - pad;
    c->run_bytes = need;
    c->beam_k = 1;
    c->constrained = m->grammar.n_states != 0;
    return MLM_OK;
}

/* ---- forward ---- */

/* Multi-head attention of layer l at position pos over the quantized KV cache, t = 0..pos.
 * Reads c->q (roped), writes the heads' outputs to c->xb. Uses c->xq for the quantized
 * query head (free here: q, k, v are already computed). */
static void attention(mlm_ctx *c, uint32_t l, int pos)
{
    const mlm_config *p = &c->m->cfg;
    int hs = (int)p->head_size, n_kv = (int)p->n_kv_heads;
    int group = (int)(p->n_heads / p->n_kv_heads); /* query heads per kv head */
    size_t layer_at = (size_t)l * p->seq_len;      /* row of (l, t=0) in the cache */
    float inv_sqrt_hs = 1.0f / sqrtf((float)hs);
    for (int h = 0; h < (int)p->n_heads; h++) {
        int kh = h / group;
        float qs;
        mlm_quantize(c->q + (size_t)h * hs, hs, hs, c->xq, &qs);
        for (int t = 0; t <= pos; t++) {
            size_t row = layer_at + (size_t)t;
            const int8_t *kq = c->kc + row * p->kv_dim + (size_t)kh * hs;
            float ks = c->ks[row * n_kv + kh];
            c->att[t] = (((float)mlm_dot_i8(c->xq, kq, hs) * qs) * ks) * inv_sqrt_hs;
        }
        mlm_softmax(c->att, pos + 1);
        float *out = c->xb + (size_t)h * hs;
        for (int i = 0; i < hs; i++) out[i] = 0.0f;
        /* t outer, i inner: each out[i] still sums over t in order, from 0.0f */
        for (int t = 0; t <= pos; t++) {
            size_t row = layer_at + (size_t)t;
            const int8_t *vq = c->vc + row * p->kv_dim + (size_t)kh * hs;
            float w = c->att[t] * c->vs[row * n_kv + kh];
            for (int i = 0; i < hs; i++) out[i] = out[i] + w * (float)vq[i];
        }
    }
}

/* out[rows] = W in, quantizing in (n = W's cols) into c->xq, c->xs first. */
static void quantized_matmul(mlm_ctx *c, float *out, const float *in, const mlm_tensor *w)
{
    int gs = (int)c->m->cfg.group_size;
    mlm_quantize(in, (int)w->cols, gs, c->xq, c->xs);
    mlm_matmul_q8(out, c->xq, c->xs, w->q, w->s, (int)w->rows, (int)w->cols, gs);
}

void mlm_forward(mlm_ctx *c, int token, int pos, int want_logits)
{
    const mlm_model *m = c->m;
    const mlm_config *p = &m->cfg;
    if (token < 0 || (uint32_t)token >= p->vocab_size || pos < 0 || (uint32_t)pos >= p->seq_len)
        return;
    int dim = (int)p->dim, hidden = (int)p->hidden_dim, kv_dim = (int)p->kv_dim;
    int hs = (int)p->head_size, gs = (int)p->group_size;
    float eps = p->norm_eps;

    /* x = dequant(tok_embeddings[token]) */
    const int8_t *eq = m->tok_embeddings.q + (size_t)token * dim;
    const float *es = m->tok_embeddings.s + (size_t)token * (dim / gs);
    for (int i = 0; i < dim; i++) c->x[i] = (float)eq[i] * es[i / gs];

    const float *cos_row = m->rope_cos.f + (size_t)pos * (hs / 2);
    const float *sin_row = m->rope_sin.f + (size_t)pos * (hs / 2);
    for (uint32_t l = 0; l < p->n_layers; l++) {
        const mlm_layer *ly = &m->layers[l];

        /* attention block; q, k and v share one quantized input */
        mlm_rmsnorm(c->xb, c->x, ly->attn_norm.f, dim, eps);
        mlm_quantize(c->xb, dim, gs, c->xq, c->xs);
        mlm_matmul_q8(c->q, c->xq, c->xs, ly->wq.q, ly->wq.s, dim, dim, gs);
        mlm_matmul_q8(c->k, c->xq, c->xs, ly->wk.q, ly->wk.s, kv_dim, dim, gs);
        mlm_matmul_q8(c->v, c->xq, c->xs, ly->wv.q, ly->wv.s, kv_dim, dim, gs);
        mlm_rope(c->q, dim, hs, cos_row, sin_row);
        mlm_rope(c->k, kv_dim, hs, cos_row, sin_row);

        /* store k and v at (l, pos): one scale per kv head (group size = head_size) */
        size_t row = (size_t)l * p->seq_len + (size_t)pos;
        mlm_quantize(c->k, kv_dim, hs, c->kc + row * kv_dim, c->ks + row * p->n_kv_heads);
        mlm_quantize(c->v, kv_dim, hs, c->vc + row * kv_dim, c->vs + row * p->n_kv_heads);

        attention(c, l, pos);
        quantized_matmul(c, c->xb2, c->xb, &ly->wo);
        for (int i = 0; i < dim; i++) c->x[i] = c->x[i] + c->xb2[i];

        /* feed-forward block (SwiGLU); w1 and w3 share one quantized input */
        mlm_rmsnorm(c->xb, c->x, ly->ffn_norm.f, dim, eps);
        mlm_quantize(c->xb, dim, gs, c->xq, c->xs);
        mlm_matmul_q8(c->hb, c->xq, c->xs, ly->w1.q, ly->w1.s, hidden, dim, gs);
        mlm_matmul_q8(c->hb2, c->xq, c->xs, ly->w3.q, ly->w3.s, hidden, dim, gs);
        mlm_silu_mul(c->hb, c->hb, c->hb2, hidden);
        quantized_matmul(c, c->xb2, c->hb, &ly->w2);
        for (int i = 0; i < dim; i++) c->x[i] = c->x[i] + c->xb2[i];
    }

    if (!want_logits) return; /* prefill: only the KV cache matters */
    mlm_rmsnorm(c->xb, c->x, m->norm.f, dim, eps);
    quantized_matmul(c, c->logits, c->xb, &m->tok_embeddings); /* tied output head */
}
