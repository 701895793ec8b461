/* Byte-level BPE encoder (docs/numerics.md, "Tokenizer"), the same algorithm as
 * exporter/tokenizer.py: start with one token per byte, then repeatedly merge the adjacent
 * pair whose merged token has the lowest id (leftmost on a tie) until no pair merges.
 * Quadratic in the prompt length, which is fine for command-sized prompts (a few hundred
 * bytes) and needs no memory beyond the output buffer. */
#include "microlm.h"

/* The token made by merging (left, right), or -1. merge_keys is sorted ascending (checked at
 * load), so a binary search finds the key. */
static int32_t merge_of(const mlm_model *m, uint16_t left, uint16_t right)
{
    uint32_t key = ((uint32_t)left << 16) | right;
    uint32_t lo = 0, hi = m->n_merges;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->merge_keys[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < m->n_merges && m->merge_keys[lo] == key ? (int32_t)m->merge_ids[lo] : -1;
}

static int encode(const mlm_model *m, const uint8_t *text, size_t len, uint16_t *out,
                  int max_tokens, int lower)
{
    if (max_tokens < 0 || len > (size_t)max_tokens) return -1;
    int n = (int)len;
    for (int i = 0; i < n; i++)
        out[i] = (lower && text[i] >= 'A' && text[i] <= 'Z') ? (uint16_t)(text[i] + 32) : text[i];
    for (;;) {
        int best_at = -1;
        int32_t best_id = 0;
        for (int i = 0; i + 1 < n; i++) {
            int32_t id = merge_of(m, out[i], out[i + 1]);
            if (id >= 0 && (best_at < 0 || id < best_id)) {
                best_at = i;
                best_id = id;
            }
        }
        if (best_at < 0) break;
        out[best_at] = (uint16_t)best_id;
        for (int i = best_at + 1; i + 1 < n; i++) out[i] = out[i + 1];
        n--;
    }
    return n;
}

int mlm_encode(const mlm_model *m, const uint8_t *text, size_t len, uint16_t *out, int max_tokens)
{
    return encode(m, text, len, out, max_tokens, 0);
}

int mlm_encode_lower(const mlm_model *m, const uint8_t *text, size_t len, uint16_t *out,
                     int max_tokens)
{
    return encode(m, text, len, out, max_tokens, 1);
}

const uint8_t *mlm_token_bytes(const mlm_model *m, int token, size_t *n)
{
    if (token < 0 || (uint32_t)token >= m->cfg.vocab_size) {
        *n = 0;
        return NULL;
    }
    uint32_t from = m->vocab_offsets[token], to = m->vocab_offsets[token + 1];
    *n = to - from;
    return m->vocab_bytes + from;
}
