/* Grammar blob verification, the DFA step and the copy rule (docs/model-format.md,
 * "Grammar"; docs/numerics.md, "Constrained decoding").
 *
 * Layout, little-endian: "MLMG", u16 version, u16 n_states, u16 start, u16 final,
 * u32 n_edges, u32 offsets[n_states + 1], then n_edges edges {u8 lo, u8 hi, u16 next}, then
 * one copy flag byte per state (0/1), zero-padded to a multiple of 4 bytes; version 3 then has
 * u32 k and k bytes of edge words ([a-z0-9]+ joined by single spaces), zero-padded likewise;
 * version 4 then has the f32 join bias (finite, |bias| <= 100; versions 2 and 3: 0).
 * State s owns edges offsets[s] .. offsets[s+1]-1, sorted by lo and non-overlapping: byte b
 * goes to `next` of the edge with lo <= b <= hi, and is refused when there is none. */
#include <string.h>

#include "grammar.h"

#define HEADER_BYTES 16u
/* 1 had no copy flags: such models must be re-exported; 2 has no edge words, 2 and 3 no join
 * bias, and both are read */
#define GRAMMAR_VERSION 4u
#define JOIN_BIAS_MAX 100.0f /* exporter/grammar.py JOIN_BIAS_MAX */

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }

static uint32_t le32(const uint8_t *p) { return le16(p) | (le16(p + 2) << 16); }

static mlm_status check(mlm_grammar *g, const uint8_t *p, uint32_t len)
{
    if (len < HEADER_BYTES || memcmp(p, "MLMG", 4) != 0) return MLM_E_GRAMMAR;
    uint32_t n = le16(p + 6), start = le16(p + 8), final = le16(p + 10), n_edges = le32(p + 12);
    uint32_t version = le16(p + 4);
    if (version < 2u || version > GRAMMAR_VERSION || n == 0 || start >= n || final >= n)
        return MLM_E_GRAMMAR;
    uint32_t table = HEADER_BYTES + 4u * (n + 1u); /* n < 2^16: no overflow */
    if (table > len || n_edges > (len - table) / 4u) return MLM_E_GRAMMAR;
    uint32_t flags = table + 4u * n_edges;         /* <= len: no overflow */
    uint32_t words = flags + ((n + 3u) & ~3u);     /* the edge words (version 3) */
    if (words > len) return MLM_E_GRAMMAR;
    for (uint32_t s = flags; s < words; s++)       /* 0/1 per state, then zero padding */
        if (p[s] > (s - flags < n ? 1u : 0u)) return MLM_E_GRAMMAR;
    uint32_t k = 0;
    if (version >= 3u) {
        if (len - words < 4u) return MLM_E_GRAMMAR;
        k = le32(p + words);
        words += 4u;
        uint32_t tail = version >= 4u ? 4u : 0u;   /* the join bias after the words */
        if (len - words < tail) return MLM_E_GRAMMAR;
        len -= tail;
        if (k > len - words || len - words - k != ((k + 3u) & ~3u) - k) return MLM_E_GRAMMAR;
        if (tail) {
            float b;
            memcpy(&b, p + len, sizeof b); /* little-endian, like every in-place read */
            if (!(b >= -JOIN_BIAS_MAX && b <= JOIN_BIAS_MAX)) return MLM_E_GRAMMAR; /* NaN too */
            g->join_bias = b;
        }
        for (uint32_t i = 0; i < len - words; i++) { /* words, single spaces, zero padding */
            uint8_t b = p[words + i];
            int word = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
            if (i >= k ? b != 0
                       : !word && (b != ' ' || i == 0 || i + 1 == k || p[words + i - 1] == ' '))
                return MLM_E_GRAMMAR;
        }
    } else if (words != len) {
        return MLM_E_GRAMMAR;
    }
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
    g->edge_words = k ? p + words : NULL;
    g->edge_len = k;
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
 * makes P every allowed start; each value byte keeps the positions whose byte it matches and
 * moves them on by one, up to the last allowed end; leaving the value (" " or "\n") needs one
 * of them at an allowed end. Allowed: the starts and ends of words that are not the grammar's
 * edge words ("the", "in": a name is a noun phrase), or of every word when all of S is edge
 * words. From any nonempty P an allowed end is ahead, so the rest of its word, or the next
 * words up to it, and a terminator are always allowed: no dead ends.
 * A prompt without words (no ASCII letter or digit) switches the rule off: refusing every "="
 * would strand a line whose next slot can only be a copy key ("scene.on " has only name=). */

static int has(const uint32_t *set, uint32_t p) { return (int)((set[p / 32u] >> (p % 32u)) & 1u); }

static void put(uint32_t *set, uint32_t p) { set[p / 32u] |= 1u << (p % 32u); }

/* Is the word (len bytes) one of g's edge words? */
static int is_edge_word(const mlm_grammar *g, const uint8_t *word, uint32_t len)
{
    const uint8_t *e = g != NULL ? g->edge_words : NULL;
    uint32_t k = e != NULL ? g->edge_len : 0u;
    for (uint32_t i = 0; i < k;) {
        uint32_t j = i;
        while (j < k && e[j] != ' ') j++;
        if (j - i == len && memcmp(e + i, word, len) == 0) return 1;
        i = j + 1u;
    }
    return 0;
}

/* starts, ends, joins and reach of S: the words that are not edge words (all words if none
 * is). */
static void mark_edges(mlm_words *w, const mlm_grammar *g)
{
    memset(w->starts, 0, sizeof w->starts);
    memset(w->ends, 0, sizeof w->ends);
    memset(w->joins, 0, sizeof w->joins);
    w->reach = 0;
    for (int pass = 0; pass < 2; pass++) { /* pass 1 only when pass 0 found no word */
        for (uint32_t a = 0; a < w->n;) {
            uint32_t b = a;
            while (b < w->n && w->s[b] != ' ') b++;
            if (pass == 1 || !is_edge_word(g, w->s + a, b - a)) {
                put(w->starts, a);
                if (a > 0) put(w->joins, a - 1u); /* the space before it */
                put(w->ends, b);
                w->reach = (uint16_t)b;
            }
            a = b + 1u;
        }
        if (w->reach != 0 || w->n == 0) return;
    }
}

void mlm_prompt_words(mlm_words *w, const mlm_grammar *g, const uint8_t *text, size_t len)
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
    mark_edges(w, g);
}

/* The copy rule for one byte b that moved the DFA from state s to state t: 1 when it allows
 * the byte, with P (set) updated. */
static int copy_byte(const mlm_grammar *g, const mlm_words *w, uint32_t *set, int s, int t,
                     uint8_t b)
{
    int from = g->copy[s], to = g->copy[t];
    if (w->n == 0 || (!from && !to)) return 1; /* no words, or outside values: the DFA alone */
    if (!to) {                  /* the value ends (" " or "\n"): only at an allowed end */
        for (uint32_t i = 0; i < MLM_COPY_SET; i++)
            if (set[i] & w->ends[i]) return 1;
        return 0;
    }
    uint32_t next[MLM_COPY_SET] = {0};
    int any = 0;
    for (uint32_t p = 0; p < w->n; p++) {
        int match = b == '_' ? w->s[p] == ' ' : b != ' ' && w->s[p] == b; /* "_" is a space */
        if (!from && has(w->starts, p)) { /* "key=": the value may begin at an allowed start */
            put(next, p);
            any = 1;
        } else if (from && has(set, p) && match && p < w->reach) { /* candidates move on */
            put(next, p + 1u);
            any = 1;
        }
    }
    memcpy(set, next, sizeof next);
    return any;
}

void mlm_grammar_join(const mlm_model *m, int s, const mlm_words *w, const uint32_t *copy,
                      float *logits)
{
    const mlm_grammar *g = &m->grammar;
    if (g->join_bias == 0.0f || s < 0 || s >= (int)g->n_states || !g->copy[s]) return;
    uint32_t any = 0; /* is the value at a space before a word it may join? */
    for (uint32_t i = 0; i < MLM_COPY_SET; i++) any |= copy[i] & w->joins[i];
    if (!any) return;
    for (uint32_t i = 0; i < m->cfg.vocab_size; i++) { /* a first-byte test per token: */
        size_t n;                                       /* nothing next to a forward pass */
        const uint8_t *b = mlm_token_bytes(m, (int)i, &n);
        if (n > 0 && b[0] == '_') logits[i] += g->join_bias;
    }
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
