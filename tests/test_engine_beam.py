"""Beam search in the C engine (beam.c) against exporter.reference's beam_search: the same
tokens for every beam width on random models (grammar on and off, copy rule on and off, lines
cut by the context, by max_new and by MLM_BEAM_LEN) and on the shipped model; a beam of one is
the greedy decoder; the beam's state comes from the arena with a status when it does not fit."""
import json
from pathlib import Path

import numpy as np
import pytest

from exporter import grammar as G
from exporter import mlm_format as F
from exporter.export import random_mlm
from exporter.reference import BEAM_LEN, Reference, logf

import engine_lib as E
from test_engine import BASE, mlm
from test_engine_grammar import GEN_PROMPTS, SHIPPED, check_output

ROOT = Path(__file__).resolve().parents[1]


def beam_engine(m: F.MLMFile, k: int) -> E.Engine:
    eng = E.Engine(F.to_bytes(m), arena_extra=beam_bytes(m, k) + 16)
    assert eng.set_beam(k) == E.MLM_OK and eng.ctx.beam_k == k
    return eng


def beam_bytes(m: F.MLMFile, k: int) -> int:
    """mlm_beam_bytes of m's config (its shape is all it reads: no need to load the model)."""
    cfg = E.Config(**{n: m.config[n] for n, _ in E.Config._fields_ if n in m.config})
    return E.lib().mlm_beam_bytes(E.C.byref(cfg), k)


def test_logf_is_accurate():
    x = np.concatenate([np.linspace(1, 4096, 100001, dtype=np.float32),
                        np.float32(2.0) ** np.arange(-126, 128, dtype=np.float32)])
    got, want = logf(x).astype(np.float64), np.log(x.astype(np.float64))
    assert np.all(np.abs(got - want) <= 2.0 ** -23 * np.maximum(np.abs(want), 1.0) * 2)
    assert logf(np.float32(1.0)) == 0.0


@pytest.mark.parametrize("k", [2, 3, 4, 8])
@pytest.mark.parametrize("grammar,copy", [(True, True), (True, False), (False, False)],
                         ids=["copy", "no-copy", "no-grammar"])
def test_beam_matches_reference_on_random_models(k, grammar, copy):
    outputs, searched = set(), 0
    for name, seed in (("gqa", 0), ("gqa", 2), ("mha-3layers-gs16", 1)):
        m = mlm(name, seed=seed, copy=copy, grammar=grammar)
        eng, ref, greedy = beam_engine(m, k), Reference(m, beam=k), Reference(m)
        for text in GEN_PROMPTS:
            if len(ref.prompt(text)) > m.config["seq_len"]:
                continue
            want = ref.generate(text)
            rc, out, st = eng.generate(text.encode())
            assert rc == E.MLM_OK and out == want, (name, seed, text)
            assert st.gen_tokens == len(out)
            if grammar:
                check_output(ref, out, text if copy else None)
            outputs.add(ref.decode(out))
            searched += out != greedy.generate(text)
            for n in (2, 7):  # max_new cuts the line on both sides alike
                assert eng.generate(text.encode(), max_new=n)[1] == \
                    ref.generate(text, max_new=n), (text, n)
    assert len(outputs) > 3
    assert searched > 0  # the beam chose other lines than greedy somewhere


def test_beam_of_one_is_greedy():
    m = mlm("gqa", seed=1)
    eng, greedy = E.Engine(F.to_bytes(m), arena_extra=beam_bytes(m, 4) + 16), Reference(m)
    assert Reference(m, beam=1).generate(GEN_PROMPTS[0]) == greedy.generate(GEN_PROMPTS[0])
    assert eng.set_beam(4) == E.MLM_OK and eng.set_beam(1) == E.MLM_OK and eng.ctx.beam_k == 1
    for text in GEN_PROMPTS:
        assert eng.generate(text.encode())[1] == greedy.generate(text)


def test_beam_lines_stop_at_the_beam_length():
    """A random model with a long context writes past MLM_BEAM_LEN tokens greedily; the beam
    cuts its line at BEAM_LEN on both sides."""
    cfg = dict(dim=32, hidden_dim=64, n_layers=1, n_heads=2, n_kv_heads=1, seq_len=80,
               group_size=16, **BASE)
    m = random_mlm(cfg, seed=3, grammar=False)
    for t in m.tensors:
        if t.endswith((".wo", ".w2")):
            m.tensors[t] = F.QTensor(m.tensors[t].q, m.tensors[t].s * np.float32(16))
    eng, ref = beam_engine(m, 2), Reference(m, beam=2)
    long = [t for t in ("a", "turn on", "b c") if len(Reference(m).generate(t)) > BEAM_LEN]
    assert long
    for text in long:
        out = ref.generate(text)
        assert len(out) == BEAM_LEN and eng.generate(text.encode())[1] == out


def test_callback_stop_and_stats():
    m = mlm("gqa", seed=0)
    eng, ref = beam_engine(m, 4), Reference(m, beam=4)
    text = "turn on the kitchen lights"
    want = ref.generate(text)
    assert len(want) > 3
    for stop_at in (0, 1, len(want) - 2, len(want) - 1):
        rc, out, st = eng.generate(text.encode(), stop_at=stop_at)
        assert rc == E.MLM_OK and out == want[:stop_at + 1] and st.gen_tokens == stop_at + 1
        assert st.stopped_eos == (stop_at == len(want) - 1 and want[-1] == 10)
    # the same engine, again and again: no state leaks from one search into the next
    for text in GEN_PROMPTS[:4] * 2:
        assert eng.generate(text.encode())[1] == ref.generate(text)


def test_beam_state_comes_from_the_arena():
    m = mlm("gqa")
    need = beam_bytes(m, 4)
    assert need > 0 and beam_bytes(m, 8) > need
    assert E.lib().mlm_beam_bytes(None, 4) == 0
    eng = E.Engine(F.to_bytes(m))  # no room beyond the run state
    used = eng.ctx.arena_used
    assert eng.set_beam(4) == E.MLM_E_ARENA and eng.ctx.beam_k == 1 and eng.ctx.arena_used == used
    for k in (0, -1, 9):
        assert eng.set_beam(k) == E.MLM_E_ARG
    eng = E.Engine(F.to_bytes(m), arena_extra=need + 15)
    assert eng.set_beam(4) == E.MLM_OK and used + need <= eng.ctx.arena_used <= used + need + 15
    assert eng.set_beam(8) == E.MLM_E_ARENA and eng.ctx.beam_k == 4
    assert eng.set_beam(1) == E.MLM_OK and eng.ctx.arena_used == used and eng.ctx.beam_k == 1
    assert E.lib().mlm_set_beam(None, 2) == E.MLM_E_ARG
    with pytest.raises(ValueError):
        Reference(m, beam=9)


@pytest.fixture(scope="module")
def shipped_rows():
    rows = [json.loads(line) for line in open(ROOT / "docs" / "probe.jsonl")]
    return F.load(SHIPPED), rows[::4]


def test_shipped_model_beam_matches_reference(shipped_rows):
    m, rows = shipped_rows
    eng, ref = beam_engine(m, 4), Reference(m, beam=4)
    for r in rows:
        rc, out, _ = eng.generate(r["text"].encode())
        assert rc == E.MLM_OK and out == ref.generate(r["text"]), r["text"]
        check_output(ref, out, r["text"])


def test_shipped_model_beam_reads_names_greedy_cuts():
    """Greedy decoding takes `room` for "the powder room" once it beats `powder`; the beam
    keeps `powder` alive and its line scores better per token."""
    m = F.load(SHIPPED)
    eng = beam_engine(m, 4)
    text = "heat up the powder room"
    assert Reference(m).predict(text) == "climate.warmer area=room"
    assert Reference(m, beam=4).predict(text) == "climate.warmer area=powder_room"
    out = eng.generate(text.encode())[1]
    assert Reference(m).decode(out) == b"climate.warmer area=powder_room\n"
