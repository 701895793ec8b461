/* The grammar of the constrained decoder: a byte-level DFA stored in the model file
 * (docs/model-format.md, "Grammar"), built by exporter/grammar.py from ACTIONS.md.
 *
 * The blob is verified once when the model loads; afterwards stepping trusts it, so a token
 * check is a few compares per byte and never reads outside the blob. */
#ifndef MLM_GRAMMAR_H
#define MLM_GRAMMAR_H

#include <stdint.h>

#include "microlm.h"

/* Verify a grammar blob of len bytes (4-byte aligned, read in place) and map it into g.
 * len 0: no grammar (g->n_states = 0). MLM_E_GRAMMAR for anything malformed. */
mlm_status mlm_grammar_load(mlm_grammar *g, const uint8_t *blob, uint32_t len);

/* The state after byte b from state s, or -1 when b is not allowed (or s is -1). */
int mlm_grammar_step(const mlm_grammar *g, int s, uint8_t b);

#endif
