/* Beam search (docs/numerics.md, "Beam search"; exporter/reference.py Reference.beam_search is
 * the same algorithm in numpy).
 *
 * Greedy decoding goes wrong mostly at one token inside a name ("the powder room" read as
 * area=room once `room` beats `powder`). The beam keeps the K best partial lines instead:
 *
 *   1. The intent, greedily: tokens up to and including the first one with a space (or the
 *      whole line, e.g. "none"), in the shared KV cache, streamed as they come. A beam over
 *      the intent favours long easy lines and reads out-of-domain text as commands.
 *   2. The slots: every live line runs its last token and offers its K best allowed tokens
 *      (the greedy order: logit, then lowest id), each scored by the line's score plus the
 *      token's log-softmax. The K best offers (a stable sort: ties keep the offer order) go on;
 *      a complete one joins the finished list, ranked by score per token. The search ends
 *      when K lines are finished, none is live, or the line length or context runs out.
 *   3. The answer, the best finished line (else the best live one), is streamed at the end.
 *
 * Memory: the prompt's and the intent's KV rows are shared; each of the K slots holds the KV
 * rows of one line's own positions (at most MLM_BEAM_LEN), copied into the shared cache
 * before that line's forward pass and its new row copied back after it, so mlm_forward is
 * unchanged. The copies are a few KB per pass, against a forward pass of ~1M multiply-adds. */
#include <string.h>

#include "beam.h"
#include "kernels.h"

typedef struct {
    float score;
    int32_t state;                 /* grammar state after the token; -1 unconstrained */
    uint16_t tok;
    uint16_t from;                 /* offers: the live line it extends */
    uint16_t slot;                 /* live lines: the slot holding its KV rows and tokens */
    uint32_t copy[MLM_COPY_SET];   /* P after the token */
} line;

typedef struct {
    float norm;                    /* score / tokens of the whole line */
    uint16_t n;                    /* tokens after the intent */
    uint16_t toks[MLM_BEAM_LEN];
} finished;

struct mlm_beam {
    int k;
    line live[MLM_BEAM_MAX], next[MLM_BEAM_MAX], offers[MLM_BEAM_MAX * MLM_BEAM_MAX];
    finished done[MLM_BEAM_MAX];
    /* slot s: KV rows [layers][MLM_BEAM_LEN][kv_dim] and their scales, and tokens */
    int8_t *kc, *vc;
    float *ks, *vs;
    uint16_t *toks;
};

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)

/* The one place that decides the beam's layout, after the run state (as forward.c's layout()):
 * measures it (s NULL) or carves it from base and assigns s's pointers. */
static size_t beam_layout(const mlm_config *p, int k, uint8_t *base, struct mlm_beam *s)
{
    size_t kv_dim = (size_t)(p->dim / p->n_heads) * p->n_kv_heads;
    size_t rows = (size_t)p->n_layers * MLM_BEAM_LEN * (size_t)k;
    size_t sizes[6] = {sizeof(struct mlm_beam), rows * kv_dim, rows * kv_dim,
                       rows * p->n_kv_heads * sizeof(float), rows * p->n_kv_heads * sizeof(float),
                       (size_t)k * MLM_BEAM_LEN * sizeof(uint16_t)};
    size_t at[6], used = 0;
    for (int i = 0; i < 6; i++) at[i] = used, used += ALIGN16(sizes[i]);
    if (s != NULL) {
        s->kc = (int8_t *)(base + at[1]);
        s->vc = (int8_t *)(base + at[2]);
        s->ks = (float *)(void *)(base + at[3]);
        s->vs = (float *)(void *)(base + at[4]);
        s->toks = (uint16_t *)(void *)(base + at[5]);
        s->k = k;
    }
    return used;
}

size_t mlm_beam_bytes(const mlm_config *p, int k)
{
    if (p == NULL || k < 2 || k > MLM_BEAM_MAX || p->n_heads == 0) return 0;
    return beam_layout(p, k, NULL, NULL);
}

mlm_status mlm_set_beam(mlm_ctx *c, int k)
{
    if (c == NULL || c->m == NULL || k < 1 || k > MLM_BEAM_MAX) return MLM_E_ARG;
    size_t pad = (size_t)(c->arena - c->arena_start);
    if (k == 1) {
        c->beam = NULL;
        c->beam_k = 1;
        c->arena_used = pad + c->run_bytes;
        return MLM_OK;
    }
    size_t at = ALIGN16(c->run_bytes), need = mlm_beam_bytes(&c->m->cfg, k);
    if (at > c->arena_size || need > c->arena_size - at) return MLM_E_ARENA;
    struct mlm_beam *s = (struct mlm_beam *)(void *)(c->arena + at);
    beam_layout(&c->m->cfg, k, c->arena + at, s);
    c->beam = s;
    c->beam_k = k;
    c->arena_used = pad + at + need;
    return MLM_OK;
}

/* The k best tokens the grammar allows from (state, P) in top[0..n), best first (logit, then
 * the lowest id); [eos] when none is allowed. As in generate.c, a token's bytes are checked
 * only when its logit would enter the top k. Unconstrained: the k best of the vocabulary. */
static int top_allowed(const mlm_ctx *c, const float *v, int constrained, int32_t state,
                       const uint32_t *copy, int k, line *top)
{
    const mlm_model *m = c->m;
    int n = 0;
    line t;
    memset(&t, 0, sizeof t);
    for (uint32_t i = 0; i < m->cfg.vocab_size; i++) {
        if (n == k && !(v[i] > v[top[k - 1].tok])) continue;
        t.tok = (uint16_t)i;
        t.state = -1;
        memset(t.copy, 0, sizeof t.copy);
        if (constrained) {
            memcpy(t.copy, copy, sizeof t.copy);
            t.state = mlm_grammar_token(m, state, (int)i, &c->words, t.copy);
            if (t.state < 0) continue;
        }
        int j = n < k ? n++ : k - 1; /* full: the worst drops out */
        while (j > 0 && v[top[j - 1].tok] < v[i]) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = t;
    }
    if (n == 0) {
        t.tok = (uint16_t)m->cfg.eos_id;
        t.state = -1;
        memset(t.copy, 0, sizeof t.copy);
        top[n++] = t;
    }
    return n;
}

/* log-softmax(v) at tok, given max and the log of the sum (docs/numerics.md). */
static float log_sum(const float *v, uint32_t n, float *max)
{
    float m = v[0];
    for (uint32_t i = 1; i < n; i++)
        if (v[i] > m) m = v[i];
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; i++) sum = sum + mlm_expf(v[i] - m);
    *max = m;
    return mlm_logf(sum);
}

/* Where row r of a KV store is: the shared cache, or the slots' rows (slot-major). */
typedef struct {
    int8_t *kc, *vc;
    float *ks, *vs;
} kv_rows;

/* n rows from src's row sr to dst's row dr: keys, values and their scales. */
static void copy_rows(const mlm_config *p, kv_rows dst, size_t dr, kv_rows src, size_t sr, int n)
{
    size_t kv = p->kv_dim, nk = p->n_kv_heads;
    memcpy(dst.kc + dr * kv, src.kc + sr * kv, (size_t)n * kv);
    memcpy(dst.vc + dr * kv, src.vc + sr * kv, (size_t)n * kv);
    memcpy(dst.ks + dr * nk, src.ks + sr * nk, (size_t)n * nk * sizeof(float));
    memcpy(dst.vs + dr * nk, src.vs + sr * nk, (size_t)n * nk * sizeof(float));
}

static size_t slot_row(const mlm_config *p, int s, uint32_t l, int r)
{
    return ((size_t)s * p->n_layers + l) * MLM_BEAM_LEN + (size_t)r;
}

/* Slot s's rows first..first+n-1 <-> the shared cache's positions base+first.., every layer. */
static void slot_rows(mlm_ctx *c, int s, int base, int first, int n, int to_cache)
{
    const mlm_config *p = &c->m->cfg;
    struct mlm_beam *b = c->beam;
    kv_rows cache = {c->kc, c->vc, c->ks, c->vs}, slots = {b->kc, b->vc, b->ks, b->vs};
    for (uint32_t l = 0; l < p->n_layers; l++) {
        size_t crow = (size_t)l * p->seq_len + (size_t)(base + first);
        size_t srow = slot_row(p, s, l, first);
        if (to_cache)
            copy_rows(p, cache, crow, slots, srow, n);
        else
            copy_rows(p, slots, srow, cache, crow, n);
    }
}

/* Slot d := slot s, rows and tokens 0..n-1. */
static void slot_copy(mlm_ctx *c, int d, int s, int n)
{
    const mlm_config *p = &c->m->cfg;
    struct mlm_beam *b = c->beam;
    kv_rows slots = {b->kc, b->vc, b->ks, b->vs};
    for (uint32_t l = 0; l < p->n_layers; l++)
        copy_rows(p, slots, slot_row(p, d, l, 0), slots, slot_row(p, s, l, 0), n);
    memcpy(b->toks + (size_t)d * MLM_BEAM_LEN, b->toks + (size_t)s * MLM_BEAM_LEN,
           (size_t)n * sizeof(uint16_t));
}

static int complete(const mlm_ctx *c, int constrained, const line *t)
{
    return t->tok == c->m->cfg.eos_id || (constrained && t->state == (int32_t)c->m->grammar.final);
}

static int has_space(const mlm_model *m, int tok)
{
    size_t n;
    const uint8_t *bytes = mlm_token_bytes(m, tok, &n);
    return n > 0 && memchr(bytes, ' ', n) != NULL;
}

/* The search, after the prefill: c->logits hold the prompt's last token's. */
mlm_status mlm_beam_decode(mlm_ctx *c, int n_prompt, int max_new, mlm_token_fn fn, void *user,
                           mlm_gen_stats *st)
{
    const mlm_model *m = c->m;
    struct mlm_beam *b = c->beam;
    int k = b->k, seq = (int)m->cfg.seq_len;
    int constrained = c->constrained && m->grammar.n_states != 0;
    int budget = seq - n_prompt + 1;
    if (max_new > 0 && max_new < budget) budget = max_new;
    if (budget > MLM_BEAM_LEN) budget = MLM_BEAM_LEN;
    int n_out = 0, eos = 0, stop = 0, pos = n_prompt - 1;
    float mx, ls;
    line cur;
    memset(&cur, 0, sizeof cur);
    cur.state = c->gstate;
    memcpy(cur.copy, c->copy, sizeof cur.copy);

    for (;;) { /* 1: the intent */
        line t;
        if (constrained) mlm_grammar_join(m, cur.state, &c->words, cur.copy, c->logits);
        top_allowed(c, c->logits, constrained, cur.state, cur.copy, 1, &t);
        ls = log_sum(c->logits, m->cfg.vocab_size, &mx);
        t.score = cur.score + ((c->logits[t.tok] - mx) - ls);
        cur = t;
        size_t nb;
        const uint8_t *bytes = mlm_token_bytes(m, t.tok, &nb);
        stop = fn != NULL ? fn(user, n_out, t.tok, bytes, nb) : 0;
        n_out++;
        pos++;
        if (complete(c, constrained, &t)) {
            eos = 1;
            goto out;
        }
        if (stop || n_out >= budget || pos >= seq) goto out;
        if (has_space(m, t.tok)) break;
        mlm_forward(c, t.tok, pos, 1);
    }

    /* 2: the slots. Every live line has nb tokens of its own, run at base..pos-1 */
    int base = pos, nb = 0, n_live = 1, n_done = 0;
    cur.slot = 0;
    b->live[0] = cur;
    while (n_live > 0 && n_out + nb < budget && pos < seq) {
        int n_off = 0;
        for (int j = 0; j < n_live; j++) {
            const line *l = &b->live[j];
            slot_rows(c, l->slot, base, 0, nb, 1);
            mlm_forward(c, l->tok, pos, 1);
            slot_rows(c, l->slot, base, nb, 1, 0);
            if (constrained) mlm_grammar_join(m, l->state, &c->words, l->copy, c->logits);
            int n = top_allowed(c, c->logits, constrained, l->state, l->copy, k, &b->offers[n_off]);
            ls = log_sum(c->logits, m->cfg.vocab_size, &mx);
            for (int i = 0; i < n; i++) {
                line *o = &b->offers[n_off + i];
                o->score = l->score + ((c->logits[o->tok] - mx) - ls);
                o->from = (uint16_t)j;
            }
            n_off += n;
        }
        for (int i = 1; i < n_off; i++) { /* stable insertion sort, best score first */
            line o = b->offers[i];
            int j = i;
            for (; j > 0 && b->offers[j - 1].score < o.score; j--) b->offers[j] = b->offers[j - 1];
            b->offers[j] = o;
        }
        int n_next = 0;
        for (int i = 0; i < n_off && n_next + n_done < k; i++) {
            const line *o = &b->offers[i];
            const line *from = &b->live[o->from];
            if (!complete(c, constrained, o)) {
                b->next[n_next] = *o;
                b->next[n_next++].slot = from->slot;
                continue;
            }
            finished f;
            f.norm = o->score / (float)(n_out + nb + 1);
            f.n = (uint16_t)(nb + 1);
            memcpy(f.toks, b->toks + (size_t)from->slot * MLM_BEAM_LEN, (size_t)nb * sizeof(uint16_t));
            f.toks[nb] = o->tok;
            int at = n_done++;
            for (; at > 0 && b->done[at - 1].norm < f.norm; at--) b->done[at] = b->done[at - 1];
            b->done[at] = f;
        }
        /* slots: a parent's first child keeps its slot, the others take slots no parent holds */
        int held[MLM_BEAM_MAX] = {0}, kept[MLM_BEAM_MAX] = {0}, free_at = 0;
        for (int i = 0; i < n_next; i++) held[b->next[i].slot] = 1;
        for (int i = 0; i < n_next; i++) {
            line *l = &b->next[i];
            if (kept[l->slot]) {
                while (held[free_at]) free_at++;
                slot_copy(c, free_at, l->slot, nb + 1);
                held[free_at] = kept[free_at] = 1;
                l->slot = (uint16_t)free_at;
            }
            kept[l->slot] = 1;
            b->toks[(size_t)l->slot * MLM_BEAM_LEN + (size_t)nb] = l->tok;
        }
        memcpy(b->live, b->next, (size_t)n_next * sizeof(line));
        n_live = n_next;
        pos++;
        nb++;
        if (n_done >= k) break;
    }

    /* 3: the answer */
    const uint16_t *best = n_done > 0 ? b->done[0].toks : b->toks + (size_t)b->live[0].slot * MLM_BEAM_LEN;
    int n_best = n_done > 0 ? b->done[0].n : nb, i = 0;
    for (; i < n_best && !stop; i++) {
        size_t n;
        const uint8_t *bytes = mlm_token_bytes(m, best[i], &n);
        stop = fn != NULL ? fn(user, n_out, best[i], bytes, n) : 0;
        n_out++;
    }
    eos = n_done > 0 && i == n_best; /* the whole finished line went out */
out:
    if (st != NULL) {
        st->prompt_tokens = n_prompt;
        st->gen_tokens = n_out;
        st->stopped_eos = eos;
    }
    return MLM_OK;
}
