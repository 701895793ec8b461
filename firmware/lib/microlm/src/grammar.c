/* Grammar blob verification and the DFA step (docs/model-format.md, "Grammar").
 *
 * Layout, little-endian: "MLMG", u16 version, u16 n_states, u16 start, u16 final,
 * u32 n_edges, u32 offsets[n_states + 1], then n_edges edges {u8 lo, u8 hi, u16 next}.
 * State s owns edges offsets[s] .. offsets[s+1]-1, sorted by lo and non-overlapping: byte b
 * goes to `next` of the edge with lo <= b <= hi, and is refused when there is none. */
#include <string.h>

#include "grammar.h"

#define HEADER_BYTES 16u
#define GRAMMAR_VERSION 1u

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }

static uint32_t le32(const uint8_t *p) { return le16(p) | (le16(p + 2) << 16); }

static mlm_status check(mlm_grammar *g, const uint8_t *p, uint32_t len)
{
    if (len < HEADER_BYTES || memcmp(p, "MLMG", 4) != 0) return MLM_E_GRAMMAR;
    uint32_t n = le16(p + 6), start = le16(p + 8), final = le16(p + 10), n_edges = le32(p + 12);
    if (le16(p + 4) != GRAMMAR_VERSION || n == 0 || start >= n || final >= n)
        return MLM_E_GRAMMAR;
    uint32_t table = HEADER_BYTES + 4u * (n + 1u); /* n < 2^16: no overflow */
    if (table > len || (len - table) % 4u != 0 || (len - table) / 4u != n_edges)
        return MLM_E_GRAMMAR;
    /* aligned (the caller checks the blob is), little-endian like every in-place read */
    const uint32_t *off = (const uint32_t *)(const void *)(p + HEADER_BYTES);
    const mlm_grammar_edge *e = (const mlm_grammar_edge *)(const void *)(p + table);
    if (off[0] != 0 || off[n] != n_edges) return MLM_E_GRAMMAR;
    for (uint32_t s = 0; s < n; s++) {
        if (off[s] > off[s + 1]) return MLM_E_GRAMMAR; /* so every off[s] <= n_edges */
        for (uint32_t i = off[s]; i < off[s + 1]; i++) {
            if (e[i].lo > e[i].hi || e[i].next >= n) return MLM_E_GRAMMAR;
            if (i > off[s] && e[i - 1].hi >= e[i].lo) return MLM_E_GRAMMAR; /* sorted, disjoint */
        }
    }
    if (off[final] != off[final + 1]) return MLM_E_GRAMMAR; /* nothing after the newline */
    g->offsets = off;
    g->edges = e;
    g->n_states = (uint16_t)n;
    g->start = (uint16_t)start;
    g->final = (uint16_t)final;
    return MLM_OK;
}

mlm_status mlm_grammar_load(mlm_grammar *g, const uint8_t *blob, uint32_t len)
{
    memset(g, 0, sizeof *g);
    if (len == 0) return MLM_OK;
    if ((uintptr_t)blob % 4u != 0) return MLM_E_GRAMMAR;
    mlm_status st = check(g, blob, len);
    if (st != MLM_OK) memset(g, 0, sizeof *g);
    return st;
}

int mlm_grammar_step(const mlm_grammar *g, int s, uint8_t b)
{
    if (s < 0 || s >= (int)g->n_states) return -1;
    /* binary search for the last edge with lo <= b; a state has at most a few dozen */
    uint32_t lo = g->offsets[s], hi = g->offsets[s + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (g->edges[mid].lo <= b) lo = mid + 1u;
        else hi = mid;
    }
    if (lo == g->offsets[s] || g->edges[lo - 1u].hi < b) return -1;
    return g->edges[lo - 1u].next;
}

int mlm_grammar_token(const mlm_model *m, int s, int token)
{
    if (token == (int)m->cfg.bos_id || token == (int)m->cfg.sep_id) return -1;
    size_t n;
    const uint8_t *b = mlm_token_bytes(m, token, &n);
    if (n == 0) return -1; /* no bytes (or an id out of range): it would not advance */
    for (size_t i = 0; i < n && s >= 0; i++) s = mlm_grammar_step(&m->grammar, s, b[i]);
    return s;
}

mlm_status mlm_set_grammar(mlm_ctx *c, int on)
{
    if (c == NULL || c->m == NULL) return MLM_E_ARG;
    if (on && c->m->grammar.n_states == 0) return MLM_E_ARG; /* the model has none */
    c->constrained = on != 0;
    return MLM_OK;
}
