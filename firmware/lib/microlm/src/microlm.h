/* microlm engine: public API.
 *
 * Portable C99, no I/O, no malloc. The model is read in place from wherever the board keeps it
 * (a flash partition, a const array); the run state lives in one arena the caller provides.
 * Numerics: docs/numerics.md. Model file: docs/model-format.md.
 */
#ifndef MICROLM_H
#define MICROLM_H

#include <stddef.h>
#include <stdint.h>

#define MLM_VERSION "0.1.0"

typedef enum {
    MLM_OK = 0,
    MLM_E_MAGIC,        /* no model: wrong magic (empty or foreign partition) */
    MLM_E_SIZE,         /* header length runs past the partition, or too small */
    MLM_E_CRC,          /* CRC-32 mismatch: corrupted or truncated */
    MLM_E_FORMAT,       /* FlatBuffer verification failed */
    MLM_E_CONFIG,       /* inconsistent or unsupported config */
    MLM_E_TENSOR,       /* required tensor missing or wrong shape/dtype */
    MLM_E_ARENA,        /* run state does not fit the arena */
    MLM_E_PROMPT,       /* prompt does not fit the context */
    MLM_E_ARG,          /* bad argument */
    MLM_E_TOKENIZER,    /* tokenizer tables inconsistent (offsets, merges) */
    MLM_E_GRAMMAR       /* grammar blob malformed (header, offsets, edges) */
} mlm_status;

const char *mlm_status_str(mlm_status s);

typedef struct {
    uint32_t dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len, group_size;
    float norm_eps;
    uint32_t bos_id, sep_id, eos_id;
    uint32_t head_size, kv_dim; /* derived */
} mlm_config;

/* An int8 tensor with per-group scales, or a float tensor; both point into the model blob. */
typedef struct {
    const int8_t *q;
    const float *s;
    const float *f;
    uint32_t rows, cols;
} mlm_tensor;

#ifndef MLM_MAX_LAYERS
#define MLM_MAX_LAYERS 16
#endif

typedef struct {
    mlm_tensor attn_norm, ffn_norm, wq, wk, wv, wo, w1, w2, w3;
} mlm_layer;

/* The constrained decoder's DFA (docs/model-format.md, "Grammar"), in place in the blob:
 * state s owns edges[offsets[s] .. offsets[s+1]), byte ranges lo..hi sorted by lo; copy[s] is 1
 * when s is inside the value of a copy key (area=, name=, ...), where the copy rule applies. */
typedef struct {
    uint8_t lo, hi;
    uint16_t next;
} mlm_grammar_edge;

typedef struct {
    const uint32_t *offsets;        /* n_states + 1 */
    const mlm_grammar_edge *edges;
    const uint8_t *copy;            /* n_states flags, 0 or 1 */
    const uint8_t *edge_words;      /* [a-z0-9]+ words joined by single spaces (version 3) */
    uint32_t edge_len;              /* bytes of edge_words; 0: none */
    float join_bias;                /* on "_" tokens' logits in copy states (version 4; else 0) */
    uint16_t n_states, start, final; /* n_states == 0: the model has no grammar */
} mlm_grammar;

/* The copy rule (docs/numerics.md, "Constrained decoding"): a copy key's value must be a span
 * of whole words of the prompt that neither begins nor ends with one of the grammar's edge
 * words ("the", "in", ...). S is the prompt's words: runs of [a-z0-9] (ASCII lowered,
 * apostrophes dropped) joined by single spaces, at most MLM_WORDS_MAX bytes (cut back to a
 * whole word), so the positions 0..n of S fit a 256-bit set. exporter/grammar.py COPY_MAX is
 * the same number. */
#define MLM_WORDS_MAX 255
#define MLM_COPY_SET ((MLM_WORDS_MAX + 1 + 31) / 32) /* uint32 words of a set of positions */

typedef struct {
    uint8_t s[MLM_WORDS_MAX];
    uint16_t n;
    uint16_t reach;                /* the last allowed end: P never holds a position past it */
    uint32_t starts[MLM_COPY_SET]; /* where a value may begin: starts of words not edge words */
    uint32_t ends[MLM_COPY_SET];   /* where it may end: ends (the space after, or n) of those */
    uint32_t joins[MLM_COPY_SET];  /* the spaces before those words: a value there may join */
} mlm_words;

typedef struct {
    mlm_config cfg;
    mlm_tensor tok_embeddings, norm, rope_cos, rope_sin;
    mlm_layer layers[MLM_MAX_LAYERS];
    /* tokenizer, in place */
    const uint32_t *vocab_offsets;
    const uint8_t *vocab_bytes;
    const uint32_t *merge_keys;
    const uint16_t *merge_ids;
    uint32_t n_merges;
    uint32_t blob_size;   /* header + FlatBuffer bytes */
    uint32_t n_params;    /* weights counted as the exporter counts them */
    mlm_grammar grammar;  /* empty when the model has none */
} mlm_model;

/* Verify and map a model blob (container header + FlatBuffer) of at most `avail` bytes.
 * The blob must start at a 4-byte aligned address (MLM_E_ARG otherwise): weights and tables
 * are read in place; a 16-byte aligned blob also gives 16-byte aligned int8 weights.
 * Never reads outside blob[0, avail), whatever the bytes are. */
mlm_status mlm_model_load(mlm_model *m, const void *blob, size_t avail);

/* Bytes of arena the run state needs (activations, KV cache, logits), for an arena that
 * starts 16-byte aligned (otherwise up to 15 bytes more); SIZE_MAX if it cannot be met. */
size_t mlm_arena_bytes(const mlm_config *cfg);

struct mlm_beam;

typedef struct {
    const mlm_model *m;
    /* run state, carved from the arena */
    float *x, *xb, *xb2, *hb, *hb2, *q, *k, *v, *att, *logits;
    int8_t *xq;  float *xs;        /* quantized activation and its scales */
    int8_t *kc, *vc;               /* [layers][seq_len][kv_dim] */
    float *ks, *vs;                /* [layers][seq_len][n_kv_heads] */
    uint16_t *tokens;              /* [seq_len]: the prompt, during mlm_generate */
    size_t arena_used;             /* bytes of the arena in use, alignment and beam included */
    uint8_t *arena_start, *arena;  /* the caller's arena; its first 16-byte aligned byte */
    size_t arena_size, run_bytes;  /* bytes from arena on; of them, the run state's */
    int beam_k;                    /* 1: greedy; 2..MLM_BEAM_MAX: beam search (mlm_set_beam) */
    struct mlm_beam *beam;         /* its state, in the arena after the run state */
    int constrained;               /* decode with the model's grammar: see mlm_set_grammar */
    /* the constrained decoder's state during mlm_generate (not in the arena: it is small) */
    int gstate;                    /* grammar state; -1 once a forced eos left the grammar */
    uint32_t copy[MLM_COPY_SET];   /* P: bit p set = the value so far matches S just before p */
    mlm_words words;               /* S of the prompt being decoded */
} mlm_ctx;

/* Carve the run state from the arena (zeroed); MLM_E_ARENA if it is too small. Constrained
 * decoding is on when the model has a grammar. */
mlm_status mlm_ctx_init(mlm_ctx *c, const mlm_model *m, void *arena, size_t arena_size);

/* Run one token at position pos; when want_logits, c->logits holds vocab_size logits.
 * Positions 0..pos-1 must have been run before (they are in the KV cache). Does nothing
 * when token or pos is out of range. */
void mlm_forward(mlm_ctx *c, int token, int pos, int want_logits);

/* Tokenizer (docs/numerics.md): encode UTF-8 bytes, return number of tokens or -1 if more
 * than max_tokens would be needed. out is also the working buffer, which starts with one
 * token per byte: it needs len <= max_tokens (else -1) even when merges end shorter. */
int mlm_encode(const mlm_model *m, const uint8_t *text, size_t len, uint16_t *out, int max_tokens);
/* The same after mapping ASCII A-Z to a-z: how prompts are encoded (docs/numerics.md). */
int mlm_encode_lower(const mlm_model *m, const uint8_t *text, size_t len, uint16_t *out,
                     int max_tokens);
/* Bytes of one token (n set to their count); NULL with n = 0 for an id out of range. */
const uint8_t *mlm_token_bytes(const mlm_model *m, int token, size_t *n);

/* Generation, greedy or (mlm_set_beam) by beam search. The callback gets each generated token
 * as it is produced (index from 0; a beam search's slots come at its end);
 * return nonzero from it to stop early. Output ends after eos (included) or a full context.
 * max_new <= 0: no limit but the context. fn and st may be NULL. MLM_E_PROMPT when the
 * prompt [BOS] + encode(text) + [SEP] is longer than seq_len, or the text is longer than
 * n_layers * seq_len * kv_dim / 2 bytes (it is encoded in the key cache, idle until prefill,
 * one uint16 per byte before merging). As in llama2.c, the context is full
 * when position seq_len - 1 has been run: a prompt of P tokens leaves room for up to
 * seq_len - P + 1 generated tokens (the last one is produced but never run). */
typedef int (*mlm_token_fn)(void *user, int index, int token, const uint8_t *bytes, size_t n);

typedef struct {
    int prompt_tokens;  /* including BOS and SEP */
    int gen_tokens;
    int stopped_eos;    /* 1 when the output ended with eos (or, grammar on, completed the line) */
} mlm_gen_stats;

mlm_status mlm_generate(mlm_ctx *c, const uint8_t *text, size_t len, int max_new,
                        mlm_token_fn fn, void *user, mlm_gen_stats *st);

/* Beam search (docs/numerics.md, "Beam search"): with k of 2..MLM_BEAM_MAX, mlm_generate
 * chooses the intent greedily (streamed as it comes) and searches the slots with a beam of k
 * lines, streamed once the search ends; lines are then at most MLM_BEAM_LEN tokens. Its state
 * (k slots of MLM_BEAM_LEN KV rows, mlm_beam_bytes) comes from the arena given to
 * mlm_ctx_init, after the run state: MLM_E_ARENA when it does not fit. k = 1: greedy. */
#define MLM_BEAM_MAX 8
#ifndef MLM_BEAM_LEN
#define MLM_BEAM_LEN 32 /* exporter/reference.py BEAM_LEN; action lines of the corpus: <= 29 */
#endif
size_t mlm_beam_bytes(const mlm_config *cfg, int k); /* 0 for k outside 2..MLM_BEAM_MAX */
mlm_status mlm_set_beam(mlm_ctx *c, int k);

/* Constrained decoding (docs/numerics.md): while on, mlm_generate picks the best token among
 * those the model's grammar allows, so the output is an action line and its newline (or a
 * prefix of one, when the context or max_new runs out). On by default when the model has a
 * grammar; on = 0 turns it off; on = 1 needs a model with a grammar (MLM_E_ARG otherwise). */
mlm_status mlm_set_grammar(mlm_ctx *c, int on);

/* S of a prompt text for the copy rule (docs/numerics.md, "Constrained decoding"), and where
 * values may begin and end in it under g's edge words (g NULL or without them: at any word). */
void mlm_prompt_words(mlm_words *w, const mlm_grammar *g, const uint8_t *text, size_t len);

/* The grammar state after token from state s, or -1 when the grammar does not allow the token
 * there (BOS, SEP and tokens without bytes are never allowed; neither is anything after the
 * final state). Start from m->grammar.start with copy all zero. With w, the copy rule applies
 * too: copy is P before the token, and P after it on return (scratch when -1 is returned);
 * w NULL: the DFA alone (copy unused, may be NULL). */
int mlm_grammar_token(const mlm_model *m, int s, int token, const mlm_words *w, uint32_t *copy);

/* The join bias (exporter/grammar.py JOIN_BIAS): in a copy state s whose P (copy) holds a
 * space of S before a word that is not an edge word (w->joins), add the grammar's join_bias
 * to the logit of every token whose bytes begin with "_" (joining that word to the value).
 * Nothing otherwise, or when the bias is 0. */
void mlm_grammar_join(const mlm_model *m, int s, const mlm_words *w, const uint32_t *copy,
                      float *logits);

/* CRC-32 (IEEE, zlib-compatible), used for model blobs and uploads. */
uint32_t mlm_crc32(uint32_t crc, const void *data, size_t n);

#endif
