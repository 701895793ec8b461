/* Grammar blob verification, the DFA step and the copy rule (docs/model-format.md,
 * "Grammar"; docs/numerics.md, "Constrained decoding").
 *
 * Layout, little-endian: "MLMG", u16 version, u16 n_states, u16 start, u16 final,
 * u32 n_edges, u32 offsets[n_states + 1], then n_edges edges {u8 lo, u8 hi, u16 next}, then
 * one copy flag byte per state (0/1), zero-padded to a multiple of 4 bytes.
 * State s owns edges offsets[s] .. offsets[s+1]-1, sorted by lo and non-overlapping: byte b
 * goes to `next` of the edge with lo <= b <= hi, and is refused when there is none. */
#include <string.h>

#include "grammar.h"

#define HEADER_BYTES 16u
#define GRAMMAR_VERSION 2u /* 1 had no copy flags: such models must be re-exported */

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }

static uint32_t le32(const uint8_t *p) { return le16(p) | (le16(p + 2) << 16); }

static mlm_status check(mlm_grammar *g, const uint8_t *p, uint32_t len)
{
    if (len < HEADER_BYTES || memcmp(p, "MLMG", 4) != 0) return MLM_E_GRAMMAR;
    uint32_t n = le16(p + 6), start = le16(p + 8), final = le16(p + 10), n_edges = le32(p + 12);
    if (le16(p + 4) != GRAMMAR_VERSION || n == 0 || start >= n || final >= n)
        return MLM_E_GRAMMAR;
    uint32_t table = HEADER_BYTES + 4u * (n + 1u); /* n < 2^16: no overflow */
    if (table > len || n_edges > (len - table) / 4u) return MLM_E_GRAMMAR;
    uint32_t flags = table + 4u * n_edges;         /* <= len: no overflow */
    if (len - flags != ((n + 3u) & ~3u)) return MLM_E_GRAMMAR;
    for (uint32_t s = 0; s < len - flags; s++)     /* 0/1 per state, then zero padding */
        if (p[flags + s] > (s < n ? 1u : 0u)) return MLM_E_GRAMMAR;
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
    g->copy = p + flags;
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

/* ---- the copy rule ----
 * A copy key's value must be a span of whole words of S, the prompt's words: "_" in the value
 * stands for a space of S. P is the set of positions of S where the value written so far could
 * continue (it matches S just before them, from a word start on). Entering the value ("area=")
 * makes P every word start; each value byte keeps the positions whose byte it matches and
 * moves them on by one; leaving the value (" " or "\n") needs one of them at a word end. From
 * any nonempty P the rest of a word and a terminator are always allowed: no dead ends.
 * A prompt without words (no ASCII letter or digit) switches the rule off: refusing every "="
 * would strand a line whose next slot can only be a copy key ("scene.on " has only name=). */

static int has(const uint32_t *set, uint32_t p) { return (int)((set[p / 32u] >> (p % 32u)) & 1u); }

static void put(uint32_t *set, uint32_t p) { set[p / 32u] |= 1u << (p % 32u); }

void mlm_prompt_words(mlm_words *w, const uint8_t *text, size_t len)
{
    uint32_t n = 0, start = 0; /* start: where the word being copied began, its space included */
    int in_word = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = text[i];
        if (b >= 'A' && b <= 'Z') b = (uint8_t)(b + 32); /* as mlm_encode_lower reads it */
        if (b == '\'') continue; /* "kid's room": the value is kids_room */
        if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'))) {
            in_word = 0;
            continue;
        }
        if (!in_word) {
            start = n;
            if (n == MLM_WORDS_MAX) break; /* full at a word boundary */
            if (n > 0) w->s[n++] = ' ';
            in_word = 1;
        }
        if (n == MLM_WORDS_MAX) { /* the cut falls inside this word: drop all of it */
            n = start;
            break;
        }
        w->s[n++] = b;
    }
    w->n = (uint16_t)n;
}

/* The copy rule for one byte b that moved the DFA from state s to state t: 1 when it allows
 * the byte, with P (set) updated. */
static int copy_byte(const mlm_grammar *g, const mlm_words *w, uint32_t *set, int s, int t,
                     uint8_t b)
{
    int from = g->copy[s], to = g->copy[t];
    if (w->n == 0 || (!from && !to)) return 1; /* no words, or outside values: the DFA alone */
    if (!to) {                  /* the value ends (" " or "\n"): only at a word end */
        for (uint32_t p = 0; p <= w->n; p++)
            if (has(set, p) && (p == w->n || w->s[p] == ' ')) return 1;
        return 0;
    }
    uint32_t next[MLM_COPY_SET] = {0};
    int any = 0;
    for (uint32_t p = 0; p < w->n; p++) {
        int start = p == 0 || w->s[p - 1] == ' ';
        int match = b == '_' ? w->s[p] == ' ' : b != ' ' && w->s[p] == b; /* "_" is a space */
        if (!from && start) { /* "key=": the value may begin at any word */
            put(next, p);
            any = 1;
        } else if (from && has(set, p) && match) { /* a value byte: matching candidates move on */
            put(next, p + 1u);
            any = 1;
        }
    }
    memcpy(set, next, sizeof next);
    return any;
}

int mlm_grammar_token(const mlm_model *m, int s, int token, const mlm_words *w, uint32_t *copy)
{
    if (token == (int)m->cfg.bos_id || token == (int)m->cfg.sep_id) return -1;
    size_t n;
    const uint8_t *b = mlm_token_bytes(m, token, &n);
    if (n == 0) return -1; /* no bytes (or an id out of range): it would not advance */
    for (size_t i = 0; i < n && s >= 0; i++) {
        int t = mlm_grammar_step(&m->grammar, s, b[i]);
        if (t >= 0 && w != NULL && !copy_byte(&m->grammar, w, copy, s, t, b[i])) t = -1;
        s = t;
    }
    return s;
}

mlm_status mlm_set_grammar(mlm_ctx *c, int on)
{
    if (c == NULL || c->m == NULL) return MLM_E_ARG;
    if (on && c->m->grammar.n_states == 0) return MLM_E_ARG; /* the model has none */
    c->constrained = on != 0;
    return MLM_OK;
}
