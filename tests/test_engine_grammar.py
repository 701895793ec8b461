"""Constrained decoding in the C engine against exporter.grammar and exporter.reference: the
same grammar step for every state and token, the same copy rule (prompt words, copy sets), the
same constrained tokens as the reference with and without the copy rule, on random models and
the shipped one (and the same unconstrained ones with the grammar off), outputs that are always
action-line prefixes whose copied values are words of the prompt, and malformed grammar blobs
refused by mlm_model_load with a status, never a crash."""
import functools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from exporter import corpus as C
from exporter import grammar as G
from exporter import mlm_format as F
from exporter.actions import COPY_KEYS, is_valid
from exporter.export import quantize_weight, random_mlm
from exporter.reference import Reference, prompt_bytes, prompt_words

import engine_lib as E
from test_engine import BASE, CONFIGS, PROMPTS, mlm
from test_grammar import damaged_blobs, trained_like_vocab, version_2, version_3

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


def check_output(ref: Reference, out: list[int], text: str | None = None) -> int:
    """A constrained output is a complete action line, or a prefix of one cut by the context.
    With text (the copy rule on): every finished copy-key value is a span of the prompt's
    words. Returns how many such values there were."""
    data = ref.decode(out)
    state = GRAMMAR.run(GRAMMAR.start, data)
    if state == GRAMMAR.final:
        assert is_valid(data[:-1].decode()), data
    else:
        assert state >= 0 and b"\n" not in data, data
    if text is None or not prompt_words(text):
        return 0  # no words: the rule is off
    cp = ref.grammar.copy_rule(prompt_words(text))
    fields = data.rstrip(b"\n").split(b" ")[1:]
    done = fields if state == GRAMMAR.final else fields[:-1]  # the last may be unfinished
    values = [v for k, _, v in (f.partition(b"=") for f in done) if k.decode() in COPY_KEYS]
    assert all(cp.is_span(v) for v in values), (text, data)
    return len(values)


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
        check_output(ref, out, text)
        assert st.stopped_eos == (GRAMMAR.run(GRAMMAR.start, ref.decode(out)) == GRAMMAR.final)


# ---------------------------------------------------------------------------- copy rule

@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=80),
                 st.lists(st.sampled_from(["kid's", "Room", "3D", " ", ", ", "'", "é", "ab1",
                                           "☀", "x" * 40]), max_size=20).map("".join),
                 st.text("ab '", min_size=240, max_size=300)))
def test_prompt_words_equal_python(text):
    """S: the same bytes from mlm_prompt_words as from reference.prompt_words, the cut at
    MLM_WORDS_MAX bytes included."""
    assert E.prompt_words(text.encode()) == prompt_words(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_prompt_words_of_any_bytes(data):
    assert E.prompt_words(data) == G.words(data.lower())


@functools.lru_cache(maxsize=1)
def places_engine() -> E.Engine:
    return E.Engine(F.to_bytes(random_mlm(TINY)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["the", "pool", "house", "to", "in", "a", "kitchen", "and", "x1",
                                 "slow", "cooker"]), max_size=30).map(" ".join))
def test_copy_places_equal_python(words):
    """Where a value may begin, end, and take the join bias: the same on both sides (S made
    only of edge words included: then every word counts)."""
    cp = GRAMMAR.copy_rule(words.encode())
    assert places_engine().copy_places(words.encode()) == (cp.starts, cp.ends, cp.joins)
    assert cp.joins == sum(1 << (a - 1) for a in range(1, len(words)) if cp.starts >> a & 1)


def reachable(cp: G.Copy, lines) -> list:
    """The (state, P) pairs after every prefix of lines that the copy rule allows."""
    out = []
    for line in lines:
        sp = (GRAMMAR.start, 0)
        for b in line:
            sp = GRAMMAR.step_copy(*sp, b, cp)
            if sp[0] < 0:
                break
            out.append(sp)
    return out


COPY_CASES = [  # prompt, lines walked to collect decoder states (right and wrong copies)
    ("Turn on the Kid's Room lights in the pool house!",
     [b"light.on area=kids_room name=pool_house\n", b"light.on area=pool_ket",
      b"light.set area=the name=lights_in brightness=5 color=house\n"]),
    ("open the storage door", [b"cover.open name=storid_door", b"cover.open name=storage_door\n",
                               b"cover.open area=open_the name=door\n"]),
    ("make me a flat white " * 30,  # S cut at 255 bytes
     [b"coffee.make type=flat_white_make_me_a_flat\n", b"coffee.make type=white\n"]),
    ("", [b"scene.on name=anything\n"]),
    ("heat up the powder room", [b"climate.warmer area=the", b"climate.warmer area=powder_room\n",
                                 b"climate.warmer area=the_powder_room\n", b"climate.warmer area=up_the_po"]),
    ("lights out in the", [b"light.off area=lights_out_in_the", b"light.off area=out\n"]),
    ("in the on a", [b"light.on area=the_on\n", b"light.on area=a\n"]),  # only edge words
]


@pytest.mark.parametrize("text,lines", COPY_CASES, ids=[c[0][:20] for c in COPY_CASES])
def test_copy_rule_equals_python_for_every_token(vocab_model, text, lines):
    """From each reached (state, P), every token: the same allowed or not, the same state and
    the same copy set P after it, in C (mlm_grammar_token with the words) and Python."""
    m, eng = vocab_model
    S = prompt_words(text)
    assert E.prompt_words(text.encode()) == S
    cp = GRAMMAR.copy_rule(S)
    pairs = reachable(cp, lines)
    assert any(GRAMMAR.copy[s] for s, _ in pairs) or not S
    refused = 0
    for state, p in pairs:
        for t, tok in enumerate(m.vocab):
            want = (-1, 0) if t in (256, 257) or not tok else GRAMMAR.run_copy(state, p, tok, cp)
            got = eng.grammar_token_copy(state, t, S, p)
            assert got[0] == want[0], (text, state, tok)
            if want[0] >= 0:
                assert got[1] == want[1], (text, state, tok)
            refused += want[0] < 0 <= GRAMMAR.run(state, tok) and t not in (256, 257)
    assert refused or not S  # the rule refused tokens the DFA allows


# ---------------------------------------------------------------------------- generation

GEN_PROMPTS = PROMPTS + ["what is the pressure on line 1", "lock the front door",
                         "turn on the pool house lights", "Kid's room: lights ON", "☀ ?"]


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "no-copy"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_constrained_generation_matches_reference(name, copy):
    outputs, complete, copied = set(), 0, 0
    for seed in (0, 1, 2):
        m = mlm(name, seed=seed, copy=copy)
        eng, ref = E.Engine(F.to_bytes(m)), Reference(m)
        assert eng.ctx.constrained == 1 and ref.grammar == G.build(copy=copy)
        for text in GEN_PROMPTS:
            if len(ref.prompt(text)) > m.config["seq_len"]:
                continue
            rc, out, st = eng.generate(text.encode())
            assert rc == E.MLM_OK and out == ref.generate(text), (seed, text)
            assert st.gen_tokens == len(out) and st.stopped_eos == (out[-1] == EOS)
            copied += check_output(ref, out, text if copy else None)
            outputs.add(ref.decode(out))
            complete += out[-1] == EOS
    assert len(outputs) > 3  # the random models really decode differently per prompt


def test_copy_rule_changes_random_models_outputs():
    """Random models write values that are not words of the prompt; with the rule they write
    words of it, on both sides."""
    changed = copied = 0
    for name in CONFIGS:
        for seed in (0, 1):
            on, off = mlm(name, seed=seed), mlm(name, seed=seed, copy=False)
            eng, ref, ref_off = E.Engine(F.to_bytes(on)), Reference(on), Reference(off)
            for text in GEN_PROMPTS:
                if len(ref.prompt(text)) > on.config["seq_len"]:
                    continue
                out = ref.generate(text)
                assert eng.generate(text.encode())[1] == out
                copied += check_output(ref, out, text)
                changed += out != ref_off.generate(text)
    assert changed > 5 and copied > 5, (changed, copied)


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


@pytest.mark.parametrize("edge", [(), ("the", "house")], ids=["no-edge-words", "edge-words"])
def test_copy_rule_on_a_custom_grammar(edge):
    """A grammar whose copy value may contain any byte but the newline, a space too (ACTIONS.md
    leaves a value at the space): a space in a value matches nothing of S, "_" does. With edge
    words, a value neither begins nor ends with one, but may run through one."""
    anything = [(0, 9, 2), (11, 255, 2)]
    blob = G.Grammar(0, 1, [[(ord("="), ord("="), 2)], [], anything[:1] + [(10, 10, 1)] +
                            anything[1:]], (0, 0, 1), edge).to_bytes()
    m = mlm("gqa")
    m.grammar = blob
    eng, ref = E.Engine(F.to_bytes(m)), Reference(m)
    g = ref.grammar
    S = prompt_words("the pool house cover")
    cp = g.copy_rule(S)
    at = g.step_copy(g.start, 0, ord("="), cp)
    for value, ok in [(b"pool_house", not edge), (b"pool house", False), (b"the", not edge),
                      (b"Pool", False), (b"pool\xff", False), (b"pool_house_cover", True),
                      (b"the_pool", not edge), (b"pool", True), (b"cover", True)]:
        state, p = g.run_copy(*at, value + b"\n", cp)
        assert (state == g.final) == ok, value
        got, want = at, at
        for b in value + b"\n":  # byte by byte in C too (bytes 0..255 are tokens 0..255)
            got = eng.grammar_token_copy(got[0], b, S, got[1])
            want = g.step_copy(*want, b, cp)
            assert got[0] == want[0], value
            if want[0] < 0:
                break  # (P is scratch then)
            assert got[1] == want[1], value
    for text in PROMPTS + ["the pool house", "the house"]:
        rc, out, _ = eng.generate(text.encode())
        assert rc == E.MLM_OK and out == ref.generate(text), text


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


# --------------------------------------------------------------------------- shipped model

SHIPPED = Path(__file__).resolve().parents[1] / "exporter" / "default_model" / "model.mlm"
HARD_PROMPTS = [  # names the model has never seen, some it tends to garble without the rule
    "turn on the pool house lights", "open the storage door", "switch on the 3D printer",
    "Turn on the Kid's Room lights!", "lights off in the pump house please",
    "close the sun deck shutters", "make me a flat white", "activate movie night",
    "set the greenhouse fan to 2", "vacuum the mud room", "включи свет", "",
    # from the test split: without the rule the shipped model writes "area=cover_room",
    # "name=blind", "name=servatory_at_lights", "area=kids_room" (its predecessor "color=turot")
    "umm id like the lamps on in the media room", "hmm get the shed pool cover closed",
    "sunshade in the conservatory at 10 percent", "the light are too bright in the media room",
]


@pytest.fixture(scope="module")
def shipped():
    m = F.load(SHIPPED)
    texts = HARD_PROMPTS + [t for t, _ in C.DEMO_COMMANDS] + \
        [r["text"] for r in C.generate(seed=0, n_train=2000, n_dev=10, n_test=40)["test"]]
    return m, texts


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "no-copy"])
def test_shipped_model_matches_reference(shipped, copy):
    """The shipped model on the host engine: the device's tokens equal the reference's for
    every prompt, with its grammar (copy rule on) and with the --no-copy grammar."""
    m, texts = shipped
    if not copy:
        m = F.MLMFile(m.config, m.tensors, m.vocab, m.merges, m.meta, G.default_blob(copy=False))
    eng, ref = E.Engine(F.to_bytes(m)), Reference(m)
    assert any(ref.grammar.copy) == copy
    copied = 0
    for text in texts:
        rc, out, st = eng.generate(text.encode())
        assert rc == E.MLM_OK and out == ref.generate(text), text
        copied += check_output(ref, out, text if copy else None)
    assert copied > 20 or not copy


def test_shipped_model_copy_rule_fixes_names(shipped):
    """On the host engine as on the device: the rule changes what the shipped model writes
    for names it garbles, and what it writes then are words of the utterance."""
    m = shipped[0]
    plain = F.MLMFile(m.config, m.tensors, m.vocab, m.merges, m.meta, G.default_blob(copy=False))
    eng, eng_plain, ref = E.Engine(F.to_bytes(m)), E.Engine(F.to_bytes(plain)), Reference(m)
    texts = HARD_PROMPTS[-4:]
    outs = [eng.generate(t.encode())[1] for t in texts]
    assert all(check_output(ref, o, t) for o, t in zip(outs, texts))
    assert sum(o != eng_plain.generate(t.encode())[1] for o, t in zip(outs, texts)) >= 2


def test_join_bias_on_device_as_in_reference(shipped):
    """The join bias (grammar.JOIN_BIAS) changes which names the shipped weights write, the
    same way on the host engine and in the reference: a larger bias joins more words."""
    m, texts = shipped
    across = "set the temperature in the conservatory to seventeen"  # "to": an edge word
    texts = texts + ["turn on the slow cooker", "power off the tv socket", across]
    outs = {}
    for bias in (0.0, 2.0, 8.0, 100.0):
        mb = F.MLMFile(m.config, m.tensors, m.vocab, m.merges, m.meta, G.default_blob(join_bias=bias))
        eng, ref = E.Engine(F.to_bytes(mb)), Reference(mb)
        assert eng.model.grammar.join_bias == bias == ref.grammar.join_bias
        outs[bias] = []
        for text in texts:
            rc, out, _ = eng.generate(text.encode())
            assert rc == E.MLM_OK and out == ref.generate(text), (bias, text)
            outs[bias].append(ref.decode(out))
    joins = {b: sum(o.count(b"_") for o in outs[b]) for b in outs}
    assert joins[0.0] < joins[8.0] <= joins[100.0], joins
    assert all(b"conservatory_to" not in outs[b][-1] for b in outs)  # never across an edge word
    assert sum(a != b for a, b in zip(outs[0.0], outs[2.0])) >= 1


# -------------------------------------------------------------------------- malformed blobs

def load_with_grammar(blob: bytes) -> int:
    m = random_mlm(TINY)
    m.grammar = blob
    return E.load_status(F.to_bytes(m))[0]


@pytest.mark.parametrize("damage", list(damaged_blobs(GRAMMAR)))
def test_damaged_grammar_is_refused(damage):
    assert load_with_grammar(damaged_blobs(GRAMMAR)[damage]) == E.MLM_E_GRAMMAR


def test_version_3_grammar_loads_without_join_bias():
    m = random_mlm(TINY)
    m.grammar = version_3(GRAMMAR.to_bytes())
    eng = E.Engine(F.to_bytes(m))
    assert eng.model.grammar.n_states == GRAMMAR.n_states and eng.model.grammar.join_bias == 0.0
    assert eng.model.grammar.edge_len == len(b" ".join(GRAMMAR.edge_words))


def test_version_2_grammar_loads_without_edge_words():
    """A model exported before the edge words (grammar version 2) loads; its copy rule has
    none, on the device as in the reference."""
    m = lively(with_vocab(random_mlm(TINY), trained_like_vocab()))
    m.grammar = version_2(GRAMMAR.to_bytes())
    eng, ref = E.Engine(F.to_bytes(m)), Reference(m)
    assert eng.model.grammar.edge_len == 0 and ref.grammar.edge_words == ()
    m.grammar = GRAMMAR.to_bytes()
    assert E.Engine(F.to_bytes(m)).model.grammar.edge_len == len(b" ".join(GRAMMAR.edge_words))
    for text in GEN_PROMPTS + ["heat up the powder room"]:
        rc, out, _ = eng.generate(text.encode())
        assert rc == E.MLM_OK and out == ref.generate(text), text


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
