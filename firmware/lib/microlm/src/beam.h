/* Beam search, internal to the engine: generate.c hands over to it after the prefill when a
 * beam of more than one is set (mlm_set_beam). */
#ifndef MLM_BEAM_H
#define MLM_BEAM_H

#include "microlm.h"

mlm_status mlm_beam_decode(mlm_ctx *c, int n_prompt, int max_new, mlm_token_fn fn, void *user,
                           mlm_gen_stats *st);

#endif
