/* Greedy decoder (docs/numerics.md, "Decoding"): prompt = [BOS] + encode(lower(text)) + [SEP],
 * prefill, then argmax one token at a time until eos, a full context, max_new tokens, or the
 * callback says stop. With the grammar on, the argmax runs over the tokens the grammar allows:
 * its DFA, and in copy-key values the copy rule against the prompt's words, after the join
 * bias on the logits (docs/numerics.md, "Constrained decoding").
 *
 * "Full context" as in llama2.c and exporter/reference.py: every position 0..seq_len-1 has
 * been run. A token is produced by the forward pass of the token before it, so the last
 * generated token needs no position of its own: a prompt of P <= seq_len tokens yields up to
 * seq_len - P + 1 tokens. */
#include <string.h>

#include "beam.h"
#include "microlm.h"

/* Index of the largest logit; the lowest id wins a tie. */
static int argmax(const float *v, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return (int)best;
}

/* The best token the grammar allows from the decoder state in c; eos when it allows none (a
 * vocabulary without every single byte). Same choice as an argmax over a mask of allowed
 * tokens, but a token's bytes are only checked when its logit would win, so the check costs a
 * handful of tokens per step, not the whole vocabulary, and no mask buffer is needed. */
static int argmax_allowed(const mlm_ctx *c, const float *v)
{
    const mlm_model *m = c->m;
    uint32_t trial[MLM_COPY_SET]; /* a check must not change P: the winner's P is taken later */
    int best = -1;
    for (uint32_t i = 0; i < m->cfg.vocab_size; i++) {
        if (best >= 0 && !(v[i] > v[best])) continue; /* lowest id wins a tie */
        memcpy(trial, c->copy, sizeof trial);
        if (mlm_grammar_token(m, c->gstate, (int)i, &c->words, trial) >= 0) best = (int)i;
    }
    return best >= 0 ? best : (int)m->cfg.eos_id;
}

/* Tokenize into c->tokens. The encoder needs one uint16 slot per input byte before merging,
 * more than the prompt buffer has; the KV cache is idle until prefill, so it is the scratch.
 * Returns the prompt length, or -1 when it does not fit the context. */
static int build_prompt(mlm_ctx *c, const uint8_t *text, size_t len)
{
    const mlm_config *p = &c->m->cfg;
    uint16_t *scratch = (uint16_t *)(void *)c->kc; /* 16-byte aligned by the arena */
    size_t room = (size_t)p->n_layers * p->seq_len * p->kv_dim / sizeof(uint16_t);
    if (p->seq_len < 2 || len > room) return -1;
    int max_text = (int)p->seq_len - 2; /* BOS and SEP */
    int n = mlm_encode_lower(c->m, text, len, scratch, room > 0x7fffffff ? 0x7fffffff : (int)room);
    if (n < 0 || n > max_text) return -1;
    c->tokens[0] = (uint16_t)p->bos_id;
    for (int i = 0; i < n; i++) c->tokens[1 + i] = scratch[i];
    c->tokens[1 + n] = (uint16_t)p->sep_id;
    return n + 2;
}

mlm_status mlm_generate(mlm_ctx *c, const uint8_t *text, size_t len, int max_new,
                        mlm_token_fn fn, void *user, mlm_gen_stats *st)
{
    if (c == NULL || c->m == NULL || (text == NULL && len != 0)) return MLM_E_ARG;
    const mlm_model *m = c->m;
    int seq = (int)m->cfg.seq_len;
    if (st != NULL) {
        st->prompt_tokens = 0;
        st->gen_tokens = 0;
        st->stopped_eos = 0;
    }
    int n_prompt = build_prompt(c, text, len);
    if (n_prompt < 0) return MLM_E_PROMPT;

    /* prefill: logits only for the last prompt token */
    for (int i = 0; i < n_prompt; i++) mlm_forward(c, c->tokens[i], i, i == n_prompt - 1);

    int n_gen = 0, eos = 0;
    int constrained = c->constrained && m->grammar.n_states != 0;
    c->gstate = m->grammar.start;
    memset(c->copy, 0, sizeof c->copy); /* P is set when a value begins */
    if (constrained) mlm_prompt_words(&c->words, &m->grammar, text, len);
    if (c->beam_k > 1) return mlm_beam_decode(c, n_prompt, max_new, fn, user, st);
    for (;;) {
        int tok;
        if (constrained) {
            mlm_grammar_join(m, c->gstate, &c->words, c->copy, c->logits); /* the join bias */
            tok = argmax_allowed(c, c->logits);
            c->gstate = mlm_grammar_token(m, c->gstate, tok, &c->words, c->copy);
        } else {
            tok = argmax(c->logits, m->cfg.vocab_size);
        }
        size_t nb;
        const uint8_t *bytes = mlm_token_bytes(m, tok, &nb);
        n_gen++;
        int stop = fn != NULL ? fn(user, n_gen - 1, tok, bytes, nb) : 0;
        /* a complete line: eos, or (grammar on) a token that ended in the final state */
        if ((uint32_t)tok == m->cfg.eos_id || (constrained && c->gstate == (int)m->grammar.final)) {
            eos = 1;
            break;
        }
        int pos = n_prompt + n_gen - 1; /* where tok goes to produce the next token */
        if (stop || (max_new > 0 && n_gen >= max_new) || pos >= seq) break;
        mlm_forward(c, tok, pos, 1);
    }
    if (st != NULL) {
        st->prompt_tokens = n_prompt;
        st->gen_tokens = n_gen;
        st->stopped_eos = eos;
    }
    return MLM_OK;
}
