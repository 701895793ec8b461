/* mlm_model_load: verify a model blob and map its tensors in place (docs/model-format.md).
 *
 * Order of checks: container header (magic, version, length, CRC), then the FlatBuffer's
 * structure (flatbuf.c verifies every offset before it is followed), then meaning: config,
 * tensors (names, dtypes, shapes, lengths), tokenizer tables, grammar (grammar.c). Nothing is
 * read outside the blob's first `avail` bytes, whatever they contain.
 */
#include <stdint.h>
#include <string.h>

#include "flatbuf.h"
#include "grammar.h"
#include "microlm.h"

#define HEADER_BYTES 16u
#define CONTAINER_VERSION 1u

/* Field ids: declaration order in exporter/schema/microlm.fbs. */
enum { MODEL_CONFIG, MODEL_TOKENIZER, MODEL_TENSORS, MODEL_GRAMMAR, MODEL_META };
enum {
    CFG_DIM, CFG_HIDDEN_DIM, CFG_N_LAYERS, CFG_N_HEADS, CFG_N_KV_HEADS, CFG_VOCAB_SIZE,
    CFG_SEQ_LEN, CFG_GROUP_SIZE, CFG_NORM_EPS, CFG_ROPE_THETA, CFG_BOS_ID, CFG_SEP_ID,
    CFG_EOS_ID
};
enum { TENSOR_NAME, TENSOR_DTYPE, TENSOR_SHAPE, TENSOR_DATA, TENSOR_SCALES, TENSOR_FDATA };
enum { TOK_VOCAB_OFFSETS, TOK_VOCAB_BYTES, TOK_MERGE_KEYS, TOK_MERGE_IDS };
enum { DTYPE_F32 = 0, DTYPE_I8 = 1 };

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* ---- config ---- */

static mlm_status read_config(const fb_buf *f, const fb_table *t, mlm_config *c)
{
    static const int ids[] = {CFG_DIM,        CFG_HIDDEN_DIM, CFG_N_LAYERS, CFG_N_HEADS,
                              CFG_N_KV_HEADS, CFG_VOCAB_SIZE, CFG_SEQ_LEN,  CFG_GROUP_SIZE,
                              CFG_BOS_ID,     CFG_SEP_ID,     CFG_EOS_ID};
    uint32_t *dst[] = {&c->dim,        &c->hidden_dim, &c->n_layers, &c->n_heads,
                       &c->n_kv_heads, &c->vocab_size, &c->seq_len,  &c->group_size,
                       &c->bos_id,     &c->sep_id,     &c->eos_id};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (!fb_u32(f, t, ids[i], 0, dst[i])) return MLM_E_FORMAT;
    float theta;
    if (!fb_f32(f, t, CFG_NORM_EPS, 0.0f, &c->norm_eps)) return MLM_E_FORMAT;
    if (!fb_f32(f, t, CFG_ROPE_THETA, 0.0f, &theta)) return MLM_E_FORMAT; /* verified, unused */

    if (c->dim == 0 || c->hidden_dim == 0 || c->n_layers == 0 || c->n_heads == 0 ||
        c->n_kv_heads == 0 || c->vocab_size == 0 || c->seq_len == 0 || c->group_size == 0)
        return MLM_E_CONFIG;
    if (c->dim % c->n_heads != 0 || c->n_heads % c->n_kv_heads != 0) return MLM_E_CONFIG;
    if (c->dim % c->group_size != 0 || c->hidden_dim % c->group_size != 0) return MLM_E_CONFIG;
    c->head_size = c->dim / c->n_heads;
    c->kv_dim = c->head_size * c->n_kv_heads; /* = dim * n_kv_heads / n_heads, no overflow */
    if (c->head_size % 2 != 0) return MLM_E_CONFIG;
    if (c->n_layers > MLM_MAX_LAYERS) return MLM_E_CONFIG;
    /* token ids are uint16 (merge tables, prompt buffer); ids 0..255 are the bytes */
    if (c->vocab_size > 65535u || c->vocab_size < 256u) return MLM_E_CONFIG;
    if (c->bos_id >= c->vocab_size || c->sep_id >= c->vocab_size || c->eos_id >= c->vocab_size)
        return MLM_E_CONFIG;
    if (!(c->norm_eps >= 0.0f && c->norm_eps <= 1.0f)) return MLM_E_CONFIG; /* also NaN */
    /* the kernels count in int; the tensors' sizes bound these far lower anyway */
    if (c->dim > 0x7fffffffu / 4u || c->hidden_dim > 0x7fffffffu / 4u ||
        c->seq_len > 0x7fffffffu / 4u)
        return MLM_E_CONFIG;
    return MLM_OK;
}

/* ---- tensors ---- */

typedef struct {
    mlm_tensor *dst;
    uint8_t dtype;
    uint32_t rows, cols; /* 1-D tensors [n]: rows = 1, cols = n */
    int one_d;
} tensor_spec;

static int str_eq(const fb_buf *f, const fb_vec *s, uint32_t from, const char *lit, uint32_t n)
{
    return s->len - from == n && memcmp(f->b + s->start + from, lit, n) == 0;
}

#define NAME_IS(lit) str_eq(f, name, from, lit, (uint32_t)(sizeof lit - 1))

/* Which tensor of the model a name denotes, with its expected dtype and shape; 0 when the
 * name is not one the engine uses (such tensors are verified, then ignored). */
static int spec_for(mlm_model *m, const fb_buf *f, const fb_vec *name, tensor_spec *sp)
{
    const mlm_config *c = &m->cfg;
    uint32_t from = 0;
    if (NAME_IS("tok_embeddings")) {
        *sp = (tensor_spec){&m->tok_embeddings, DTYPE_I8, c->vocab_size, c->dim, 0};
        return 1;
    }
    if (NAME_IS("norm")) {
        *sp = (tensor_spec){&m->norm, DTYPE_F32, 1, c->dim, 1};
        return 1;
    }
    if (NAME_IS("rope_cos")) {
        *sp = (tensor_spec){&m->rope_cos, DTYPE_F32, c->seq_len, c->head_size / 2, 0};
        return 1;
    }
    if (NAME_IS("rope_sin")) {
        *sp = (tensor_spec){&m->rope_sin, DTYPE_F32, c->seq_len, c->head_size / 2, 0};
        return 1;
    }
    /* "layers.<l>.<which>", l in decimal without leading zeros */
    static const char prefix[] = "layers.";
    const uint8_t *s = f->b + name->start;
    uint32_t n = name->len, i = sizeof prefix - 1, l = 0;
    if (n <= i || memcmp(s, prefix, i) != 0) return 0;
    uint32_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
        l = l * 10u + (uint32_t)(s[i] - '0');
        i++;
        digits++;
    }
    if (digits == 0 || (digits > 1 && s[i - digits] == '0') || i >= n || s[i] != '.') return 0;
    if (l >= c->n_layers) return 0;
    from = i + 1;
    mlm_layer *ly = &m->layers[l];
    uint32_t d = c->dim, kv = c->kv_dim, h = c->hidden_dim;
    if (NAME_IS("attn_norm")) *sp = (tensor_spec){&ly->attn_norm, DTYPE_F32, 1, d, 1};
    else if (NAME_IS("ffn_norm")) *sp = (tensor_spec){&ly->ffn_norm, DTYPE_F32, 1, d, 1};
    else if (NAME_IS("wq")) *sp = (tensor_spec){&ly->wq, DTYPE_I8, d, d, 0};
    else if (NAME_IS("wk")) *sp = (tensor_spec){&ly->wk, DTYPE_I8, kv, d, 0};
    else if (NAME_IS("wv")) *sp = (tensor_spec){&ly->wv, DTYPE_I8, kv, d, 0};
    else if (NAME_IS("wo")) *sp = (tensor_spec){&ly->wo, DTYPE_I8, d, d, 0};
    else if (NAME_IS("w1")) *sp = (tensor_spec){&ly->w1, DTYPE_I8, h, d, 0};
    else if (NAME_IS("w2")) *sp = (tensor_spec){&ly->w2, DTYPE_I8, d, h, 0};
    else if (NAME_IS("w3")) *sp = (tensor_spec){&ly->w3, DTYPE_I8, h, d, 0};
    else return 0;
    return 1;
}

/* Verify one Tensor table; map it when the engine uses it. */
static mlm_status read_tensor(mlm_model *m, const fb_buf *f, const fb_table *t)
{
    fb_vec name, shape, data, scales, fdata;
    uint8_t dtype;
    if (!fb_string(f, t, TENSOR_NAME, &name) || !fb_u8(f, t, TENSOR_DTYPE, DTYPE_F32, &dtype) ||
        !fb_vector(f, t, TENSOR_SHAPE, 4, 4, &shape) ||
        !fb_vector(f, t, TENSOR_DATA, 1, 16, &data) ||  /* force_align: 16 */
        !fb_vector(f, t, TENSOR_SCALES, 4, 4, &scales) ||
        !fb_vector(f, t, TENSOR_FDATA, 4, 4, &fdata))
        return MLM_E_FORMAT;

    tensor_spec sp;
    if (!spec_for(m, f, &name, &sp)) return MLM_OK;
    if (sp.dst->rows != 0) return MLM_E_TENSOR; /* the same tensor twice */
    if (dtype != sp.dtype) return MLM_E_TENSOR;
    const uint32_t *dims = (const uint32_t *)(const void *)(f->b + shape.start);
    if (sp.one_d ? (shape.len != 1 || dims[0] != sp.cols)
                 : (shape.len != 2 || dims[0] != sp.rows || dims[1] != sp.cols))
        return MLM_E_TENSOR;
    /* element count rows * cols, checked against a vector length so it cannot overflow */
    fb_vec *values = sp.dtype == DTYPE_I8 ? &data : &fdata;
    if (values->len / sp.cols < sp.rows || values->len != sp.rows * sp.cols) return MLM_E_TENSOR;
    if (sp.dtype == DTYPE_I8) {
        if (scales.len != values->len / m->cfg.group_size) return MLM_E_TENSOR;
        sp.dst->q = (const int8_t *)(f->b + data.start);
        sp.dst->s = (const float *)(const void *)(f->b + scales.start);
    } else {
        sp.dst->f = (const float *)(const void *)(f->b + fdata.start);
    }
    sp.dst->rows = sp.rows;
    sp.dst->cols = sp.cols;
    return MLM_OK;
}

static mlm_status read_tensors(mlm_model *m, const fb_buf *f, const fb_vec *tensors)
{
    for (uint32_t i = 0; i < tensors->len; i++) {
        fb_table t;
        if (!fb_vector_table(f, tensors, i, &t)) return MLM_E_FORMAT;
        mlm_status st = read_tensor(m, f, &t);
        if (st != MLM_OK) return st;
    }
    const mlm_tensor *need[4 + 9 * MLM_MAX_LAYERS];
    size_t n = 0;
    need[n++] = &m->tok_embeddings;
    need[n++] = &m->norm;
    need[n++] = &m->rope_cos;
    need[n++] = &m->rope_sin;
    for (uint32_t l = 0; l < m->cfg.n_layers; l++) {
        const mlm_layer *ly = &m->layers[l];
        const mlm_tensor *all[] = {&ly->attn_norm, &ly->ffn_norm, &ly->wq, &ly->wk, &ly->wv,
                                   &ly->wo,        &ly->w1,       &ly->w2, &ly->w3};
        for (size_t j = 0; j < 9; j++) need[n++] = all[j];
    }
    for (size_t j = 0; j < n; j++)
        if (need[j]->rows == 0) return MLM_E_TENSOR; /* missing */
    return MLM_OK;
}

/* Weights as the exporter counts them: int8 elements, tok_embeddings once (it is tied). */
static uint32_t count_params(const mlm_model *m)
{
    uint32_t n = m->tok_embeddings.rows * m->tok_embeddings.cols;
    for (uint32_t l = 0; l < m->cfg.n_layers; l++) {
        const mlm_layer *ly = &m->layers[l];
        const mlm_tensor *w[] = {&ly->wq, &ly->wk, &ly->wv, &ly->wo, &ly->w1, &ly->w2, &ly->w3};
        for (size_t j = 0; j < 7; j++) n += w[j]->rows * w[j]->cols;
    }
    return n;
}

/* ---- tokenizer ---- */

static mlm_status read_tokenizer(mlm_model *m, const fb_buf *f, const fb_table *t)
{
    fb_vec offsets, bytes, keys, ids;
    if (!fb_vector(f, t, TOK_VOCAB_OFFSETS, 4, 4, &offsets) ||
        !fb_vector(f, t, TOK_VOCAB_BYTES, 1, 1, &bytes) ||
        !fb_vector(f, t, TOK_MERGE_KEYS, 4, 4, &keys) ||
        !fb_vector(f, t, TOK_MERGE_IDS, 2, 2, &ids))
        return MLM_E_FORMAT;
    uint32_t vocab = m->cfg.vocab_size;
    const uint32_t *off = (const uint32_t *)(const void *)(f->b + offsets.start);
    const uint32_t *key = (const uint32_t *)(const void *)(f->b + keys.start);
    const uint16_t *id = (const uint16_t *)(const void *)(f->b + ids.start);
    if (offsets.len != vocab + 1u) return MLM_E_TOKENIZER;
    for (uint32_t i = 0; i < vocab; i++)
        if (off[i] > off[i + 1]) return MLM_E_TOKENIZER;
    if (off[vocab] > bytes.len) return MLM_E_TOKENIZER;
    if (ids.len != keys.len) return MLM_E_TOKENIZER;
    for (uint32_t i = 0; i < keys.len; i++) {
        if (i > 0 && key[i - 1] >= key[i]) return MLM_E_TOKENIZER; /* binary search needs it */
        if (id[i] >= vocab) return MLM_E_TOKENIZER;
    }
    m->vocab_offsets = off;
    m->vocab_bytes = f->b + bytes.start;
    m->merge_keys = key;
    m->merge_ids = id;
    m->n_merges = keys.len;
    return MLM_OK;
}

/* ---- the blob ---- */

static mlm_status load(mlm_model *m, const uint8_t *blob, size_t avail)
{
    if (avail < HEADER_BYTES) return MLM_E_SIZE;
    if (memcmp(blob, "MLMB", 4) != 0) return MLM_E_MAGIC;
    if (le32(blob + 4) != CONTAINER_VERSION) return MLM_E_FORMAT;
    uint32_t len = le32(blob + 8);
    if (len < 8u || len > avail - HEADER_BYTES || len > UINT32_MAX - HEADER_BYTES)
        return MLM_E_SIZE;
    if (mlm_crc32(0, blob + HEADER_BYTES, len) != le32(blob + 12)) return MLM_E_CRC;

    fb_buf f = {blob + HEADER_BYTES, len};
    fb_table root, config, tokenizer;
    fb_vec tensors, grammar, meta;
    int has_config, has_tokenizer;
    if (!fb_root(&f, "MLM1", &root) ||
        !fb_subtable(&f, &root, MODEL_CONFIG, &config, &has_config) ||
        !fb_subtable(&f, &root, MODEL_TOKENIZER, &tokenizer, &has_tokenizer) ||
        !fb_vector(&f, &root, MODEL_TENSORS, 4, 4, &tensors) ||
        !fb_vector(&f, &root, MODEL_GRAMMAR, 1, 4, &grammar) ||  /* force_align: 4 */
        !fb_string(&f, &root, MODEL_META, &meta))
        return MLM_E_FORMAT;

    mlm_status st;
    if (!has_config) return MLM_E_CONFIG;
    if ((st = read_config(&f, &config, &m->cfg)) != MLM_OK) return st;
    if ((st = read_tensors(m, &f, &tensors)) != MLM_OK) return st;
    if (!has_tokenizer) return MLM_E_TOKENIZER;
    if ((st = read_tokenizer(m, &f, &tokenizer)) != MLM_OK) return st;
    if ((st = mlm_grammar_load(&m->grammar, f.b + grammar.start, grammar.len)) != MLM_OK)
        return st;
    m->blob_size = HEADER_BYTES + len;
    m->n_params = count_params(m);
    return MLM_OK;
}

mlm_status mlm_model_load(mlm_model *m, const void *blob, size_t avail)
{
    if (m == NULL) return MLM_E_ARG;
    memset(m, 0, sizeof *m);
    /* in-place float/uint32 reads need 4-byte alignment; the FlatBuffer starts 16 bytes in */
    if (blob == NULL || (uintptr_t)blob % 4u != 0) return MLM_E_ARG;
    mlm_status st = load(m, (const uint8_t *)blob, avail);
    if (st != MLM_OK) memset(m, 0, sizeof *m); /* nothing half-mapped is left behind */
    return st;
}
