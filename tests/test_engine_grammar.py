"""Constrained decoding in the C engine against exporter.grammar and exporter.reference: the
same grammar step for every state and token, the same constrained tokens as the reference (and
the same unconstrained ones with the grammar off), outputs that are always action-line
prefixes, and malformed grammar blobs refused by mlm_model_load with a status, never a crash."""
import numpy as np
import pytest

from exporter import grammar as G
from exporter import mlm_format as F
from exporter.actions import is_valid
from exporter.export import quantize_weight, random_mlm
from exporter.reference import Reference

import engine_lib as E
from test_engine import BASE, CONFIGS, PROMPTS, mlm
from test_grammar import damaged_blobs, trained_like_vocab

GRAMMAR = G.build()
EOS = 10
TINY = dict(dim=32, hidden_dim=64, n_layers=2, n_heads=4, n_kv_heads=2, seq_len=40,
            group_size=16, **BASE)


def with_vocab(m: F.MLMFile, vocab: list[bytes], seed: int = 0) -> F.MLMFile:
    """m with another vocabulary (and embeddings to match). The merges stay: they only shape
    the prompt, the same way on both sides."""
    rng = np.random.default_rng(seed)
    m.vocab = list(vocab)
    m.config["vocab_size"] = len(vocab)
    emb = rng.normal(0, 1.0, (len(vocab), m.config["dim"]))
    m.tensors["tok_embeddings"] = quantize_weight(emb, m.config["group_size"])
    return m


def lively(m: F.MLMFile, scale: float = 16.0) -> F.MLMFile:
    """Larger wo/w2 scales, so the generated tokens vary (see test_engine.mlm)."""
    for k, t in m.tensors.items():
        if k.endswith((".wo", ".w2")):
            m.tensors[k] = F.QTensor(t.q, (t.s * np.float32(scale)).astype(np.float32))
    return m


def check_output(ref: Reference, out: list[int]):
    """A constrained output is a complete action line, or a prefix of one cut by the context."""
    data = ref.decode(out)
    state = GRAMMAR.run(GRAMMAR.start, data)
    if state == GRAMMAR.final:
        assert is_valid(data[:-1].decode()), data
    else:
        assert state >= 0 and b"\n" not in data, data


# ------------------------------------------------------------------------- step and mask

@pytest.fixture(scope="module")
def vocab_model():
    m = lively(with_vocab(random_mlm(TINY), trained_like_vocab()))
    return m, E.Engine(F.to_bytes(m))


def test_step_and_mask_equal_python_for_every_state_and_token(vocab_model):
    m, eng = vocab_model
    g = eng.model.grammar
    assert (g.n_states, g.start, g.final) == (GRAMMAR.n_states, GRAMMAR.start, GRAMMAR.final)
    table = GRAMMAR.table.tolist()
    dead = GRAMMAR.n_states
    V = len(m.vocab)
    for s in range(GRAMMAR.n_states):
        want = []
        for t, tok in enumerate(m.vocab):
            x = s
            for b in tok:
                x = table[x][b]
            want.append(-1 if t in (256, 257) or not tok or x == dead else x)
        got = [eng.grammar_token(s, t) for t in range(V)]
        assert got == want, s
        mask = GRAMMAR.allowed_mask(s, m.vocab)
        assert np.array_equal(np.array(got) >= 0, mask), s
    for s in (-1, GRAMMAR.n_states, 1 << 20):  # no state: nothing is allowed
        assert all(eng.grammar_token(s, t) == -1 for t in range(300))
    assert eng.grammar_token(GRAMMAR.start, V) == -1 and eng.grammar_token(GRAMMAR.start, -1) == -1


def test_trained_vocab_generation_matches_reference(vocab_model):
    """Tokens that cross the grammar's joints ("kitchen\\n", "sensor.get kind=", ...)."""
    m, eng = vocab_model
    ref = Reference(m)
    for text in PROMPTS[:4] + ["lights", "open the valve on line 2"]:
        rc, out, st = eng.generate(text.encode())
        assert rc == E.MLM_OK and out == ref.generate(text), text
        check_output(ref, out)
        assert st.stopped_eos == (GRAMMAR.run(GRAMMAR.start, ref.decode(out)) == GRAMMAR.final)


# ---------------------------------------------------------------------------- generation

@pytest.mark.parametrize("name", list(CONFIGS))
def test_constrained_generation_matches_reference(name):
    outputs, complete = set(), 0
    for seed in (0, 1, 2):
        m = mlm(name, seed=seed)
        eng, ref = E.Engine(F.to_bytes(m)), Reference(m)
        assert eng.ctx.constrained == 1 and ref.grammar == GRAMMAR
        for text in PROMPTS + ["what is the pressure on line 1", "lock the front door"]:
            if len(ref.prompt(text)) > m.config["seq_len"]:
                continue
            rc, out, st = eng.generate(text.encode())
            assert rc == E.MLM_OK and out == ref.generate(text), (seed, text)
            assert st.gen_tokens == len(out) and st.stopped_eos == (out[-1] == EOS)
            check_output(ref, out)
            outputs.add(ref.decode(out))
            complete += out[-1] == EOS
    assert len(outputs) > 3  # the random models really decode differently per prompt


def test_grammar_off_is_the_unconstrained_decoder():
    m = mlm("gqa")
    eng = E.Engine(F.to_bytes(m))
    con, unc = Reference(m), Reference(m, constrained=False)
    text = "turn on the kitchen lights"
    want_con, want_unc = con.generate(text), unc.generate(text)
    assert want_con != want_unc  # the grammar makes a difference on this model
    assert eng.set_grammar(False) == E.MLM_OK and eng.ctx.constrained == 0
    assert eng.generate(text.encode())[1] == want_unc
    assert eng.set_grammar(True) == E.MLM_OK and eng.ctx.constrained == 1
    assert eng.generate(text.encode())[1] == want_con
    for k in (1, 3):  # max_new cuts a constrained output like an unconstrained one
        assert eng.generate(text.encode(), max_new=k)[1] == con.generate(text, max_new=k)

    plain = mlm("gqa", grammar=False)
    eng = E.Engine(F.to_bytes(plain))
    assert eng.ctx.constrained == 0 and eng.model.grammar.n_states == 0
    assert eng.set_grammar(True) == E.MLM_E_ARG and eng.ctx.constrained == 0
    assert eng.set_grammar(False) == E.MLM_OK
    assert eng.generate(text.encode())[1] == Reference(plain).generate(text) == want_unc
    assert E.lib().mlm_set_grammar(None, 1) == E.MLM_E_ARG


def test_ties_go_to_the_lowest_allowed_id():
    """All embedding rows equal: the tied output head gives every token the same logit, so
    each step is a tie among all allowed tokens and the lowest allowed id must win."""
    m = mlm("gqa")
    e = m.tensors["tok_embeddings"]
    V = e.q.shape[0]
    m.tensors["tok_embeddings"] = F.QTensor(np.repeat(e.q[:1], V, 0), np.repeat(e.s[:1], V, 0))
    eng, ref = E.Engine(F.to_bytes(m)), Reference(m)
    rc, out, _ = eng.generate(b"turn on the kitchen lights")
    assert rc == E.MLM_OK and out == ref.generate("turn on the kitchen lights")
    # from each state the lowest allowed id is its lowest byte: "alarm.ack", then \n before " "
    assert ref.decode(out) == b"alarm.ack\n"
    eng.set_grammar(False)
    assert set(eng.generate(b"turn on")[1]) == {0}  # unconstrained: token 0 wins every tie


def custom(edges, start=0, final=1) -> bytes:
    return G.Grammar(start, final, edges).to_bytes()


def test_nothing_allowed_gives_eos():
    """A state without edges that is not the final one (the verifier allows it): eos."""
    m = mlm("gqa")
    m.grammar = custom([[(ord("x"), ord("x"), 2)], [], []])  # start -x-> 2, a dead end
    rc, out, st = E.Engine(F.to_bytes(m)).generate(b"turn on the kitchen lights")
    assert rc == E.MLM_OK and out == Reference(m).generate("turn on the kitchen lights") == \
        [ord("x"), EOS] and st.stopped_eos == 1


def test_final_state_ends_generation():
    """A grammar whose final state is reached without the newline: generation stops there."""
    m = mlm("gqa")
    m.grammar = custom([[(ord("a"), ord("z"), 2)], [], [(ord("a"), ord("z"), 1)]])  # 2 letters
    eng, ref = E.Engine(F.to_bytes(m)), Reference(m)
    for text in PROMPTS[:4]:
        rc, out, st = eng.generate(text.encode())
        assert rc == E.MLM_OK and out == ref.generate(text)
        data = ref.decode(out)
        assert len(data) == 2 and data.isalpha() and st.stopped_eos == 1, data


# -------------------------------------------------------------------------- malformed blobs

def load_with_grammar(blob: bytes) -> int:
    m = random_mlm(TINY)
    m.grammar = blob
    return E.load_status(F.to_bytes(m))[0]


@pytest.mark.parametrize("damage", list(damaged_blobs(GRAMMAR)))
def test_damaged_grammar_is_refused(damage):
    assert load_with_grammar(damaged_blobs(GRAMMAR)[damage]) == E.MLM_E_GRAMMAR


def test_random_damage_agrees_with_python_and_never_crashes():
    """Flipped bytes, truncations and junk in the grammar (the CRC recomputed, so the grammar
    verifier is what decides): C refuses exactly what exporter.grammar refuses, and under the
    sanitizers nothing is read out of bounds, in loading or in generating with what loads."""
    good = GRAMMAR.to_bytes()
    rng = np.random.default_rng(7)
    blobs = list(damaged_blobs(GRAMMAR).values())
    for _ in range(400):
        d = bytearray(good)
        for _ in range(int(rng.integers(1, 4))):
            pos = int(rng.integers(0, 64)) if rng.random() < 0.3 else int(rng.integers(0, len(d)))
            d[pos] = int(rng.choice([0, 1, 0xFF, rng.integers(0, 256), d[pos] ^ 1]))
        blobs.append(bytes(d))
    for n in list(range(0, 40)) + list(rng.integers(40, len(good), 30)):
        blobs.append(good[:n])
    blobs += [b"MLMG" + rng.integers(0, 256, int(n), dtype=np.uint8).tobytes()
              for n in rng.integers(12, 200, 30)]
    base = random_mlm(TINY)
    models, ok = [], []
    for b in blobs:
        base.grammar = b
        models.append(F.to_bytes(base))
        try:
            G.Grammar.from_bytes(b)
            ok.append(True)
        except G.GrammarError:
            ok.append(b == b"")  # no grammar at all is fine
    results = E.run_fuzz(models)
    statuses = [r[0] for r in results]
    for b, st, r, py_ok in zip(blobs, statuses, results, ok):
        assert st == (E.MLM_OK if py_ok else E.MLM_E_GRAMMAR), b[:24]
        if st == E.MLM_OK:
            assert r[1] in (E.MLM_OK, E.MLM_E_PROMPT)
    assert statuses == [E.load_status(x)[0] for x in models]  # the -O2 build agrees
    assert 0 < sum(ok) < len(ok) - 50  # both outcomes are exercised
