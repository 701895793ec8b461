"""The constrained decoder's grammar (exporter/grammar.py): the DFA built from ACTIONS.md accepts
exactly the action lines actions.parse_action accepts, minimization keeps the language, the
blob round-trips and malformed blobs are refused, and the token masks are what the bytes say."""
import struct

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from exporter import grammar as G
from exporter.actions import INTENTS, KINDS, NONE, SLOT_KEYS, is_valid, load_spec, ACTIONS_MD
from exporter.export import random_mlm
from exporter.mlm_format import from_bytes, load, to_bytes
from exporter.reference import Reference

GRAMMAR = G.build()
RAW = G.build(minimized=False)
VALUE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"
TINY = dict(dim=32, hidden_dim=64, n_layers=1, n_heads=4, n_kv_heads=2, seq_len=16,
            group_size=16, norm_eps=1e-5, rope_theta=10000.0)


@st.composite
def action_lines(draw):
    """A valid line: an intent, a random subset of its slots in table order, random values."""
    intent = draw(st.sampled_from([NONE] + list(INTENTS)))
    keys = [k for k in INTENTS.get(intent, ()) if draw(st.booleans())]
    vals = [draw(st.sampled_from(KINDS)) if k == "kind" else
            draw(st.text(VALUE_CHARS, min_size=1, max_size=12)) for k in keys]
    return " ".join([intent] + [f"{k}={v}" for k, v in zip(keys, vals)])


# pieces of lines, right and wrong, so random strings often come close to valid ones
PIECES = ([NONE, " ", "=", "  ", "\n", "kitchen", "21", "_", "A", "-", "é", "light.on.x"]
          + list(INTENTS) + [k + "=" for k in SLOT_KEYS] + list(KINDS) + ["foo=", "boiling"])
near_lines = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


def status(g: G.Grammar, data: bytes) -> list:
    """After each byte: 'final', 'dead' or 'live'."""
    out, s = [], g.start
    for b in data:
        s = g.step(s, b)
        out.append("dead" if s < 0 else "final" if s == g.final else "live")
    return out


# ------------------------------------------------------------------------------- language

@settings(max_examples=600, deadline=None)
@given(action_lines())
def test_accepts_every_valid_line(line):
    assert is_valid(line)
    assert GRAMMAR.accepts(line) and RAW.accepts(line)
    # a complete line only with its newline: without it the output is not finished
    s = GRAMMAR.run(GRAMMAR.start, line.encode())
    assert s >= 0 and s != GRAMMAR.final


@pytest.mark.parametrize("line", [
    "light.on name=lamp area=kitchen",          # slots out of table order
    "light.on area=kitchen area=hall",          # duplicate slot
    "light.toggle", "lights.on area=x", "light", "light.",  # unknown / partial intents
    "light.on room=kitchen", "vacuum.stop area=x",          # unknown key for the intent
    "light.on area=Kitchen", "light.on area=living-room", "light.on area=café",  # bad chars
    "sensor.get kind=boiling", "sensor.get kind=temperatures", "sensor.get kind=",
    "light.on ", "light.on  area=x", " light.on", "light.on area=x ",  # stray spaces
    "light.on area=", "light.on area", "light.on =x",
    "none area=x", "none ", "nonе", "", "\n", "light.on\nnone",
])
def test_rejects_invalid_lines(line):
    assert not is_valid(line)
    assert not GRAMMAR.accepts(line) and not RAW.accepts(line)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(near_lines, st.text(max_size=30), action_lines().map(lambda l: l[:-1])))
def test_agrees_with_the_parser(text):
    assert GRAMMAR.accepts(text) == RAW.accepts(text) == is_valid(text), text


@settings(max_examples=800, deadline=None)
@given(st.one_of(near_lines.map(str.encode), st.binary(max_size=30),
                 action_lines().map(lambda l: (l + "\n").encode())))
def test_minimization_keeps_the_language(data):
    """Same accept/reject/alive answer after every byte, not only for whole lines."""
    assert status(GRAMMAR, data) == status(RAW, data)


def test_minimal_and_small():
    assert GRAMMAR.n_states < RAW.n_states / 2
    again = G.Grammar.from_dfa(G.minimize(G.build_dfa()))
    assert again == GRAMMAR  # minimizing is deterministic; renumbering is by BFS order
    m2 = G._DFA([{b: to for lo, hi, to in es for b in range(lo, hi + 1)} for es in GRAMMAR.edges],
                GRAMMAR.start, GRAMMAR.final)
    assert G.Grammar.from_dfa(G.minimize(m2)).n_states == GRAMMAR.n_states  # already minimal
    blob = GRAMMAR.to_bytes()
    assert len(blob) < 8192, len(blob)


def test_every_state_is_useful():
    """Reachable from the start and able to reach the final state: the decoder never walks
    into a state from which no line can be finished."""
    n = GRAMMAR.n_states
    succ = [{to for _, _, to in es} for es in GRAMMAR.edges]
    seen, todo = {GRAMMAR.start}, [GRAMMAR.start]
    while todo:
        for t in succ[todo.pop()] - seen:
            seen.add(t)
            todo.append(t)
    assert seen == set(range(n))
    good = {GRAMMAR.final}
    while True:
        more = {s for s in range(n) if succ[s] & good} - good
        if not more:
            break
        good |= more
    assert good == set(range(n))
    assert GRAMMAR.edges[GRAMMAR.final] == []


def test_follows_the_document(tmp_path):
    row = "| machine.status | line, id |"
    doc = ACTIONS_MD.read_text(encoding="utf-8").replace(
        row, "| robot.wave | arm, kind |  |\n" + row)
    (tmp_path / "ACTIONS.md").write_text(doc, encoding="utf-8")
    g = G.build(load_spec(tmp_path / "ACTIONS.md"))
    assert g.accepts("robot.wave arm=left kind=flow") and not GRAMMAR.accepts("robot.wave arm=left")
    assert not g.accepts("robot.wave kind=flow arm=left")


# ------------------------------------------------------------------------------------ blob

def test_blob_round_trip_and_layout():
    blob = GRAMMAR.to_bytes()
    magic, version, n, start, final, n_edges = G.HEADER.unpack_from(blob)
    assert (magic, version, n, start, final, n_edges) == \
        (b"MLMG", 1, GRAMMAR.n_states, GRAMMAR.start, GRAMMAR.final, GRAMMAR.n_edges)
    assert len(blob) == 16 + 4 * (n + 1) + 4 * n_edges and len(blob) % 4 == 0
    assert G.Grammar.from_bytes(blob) == GRAMMAR
    assert G.default_blob() == blob


def test_blob_in_the_model_file():
    m = random_mlm(TINY)
    assert m.grammar == G.default_blob()
    data = to_bytes(m)
    assert from_bytes(data).grammar == m.grammar
    assert data.find(m.grammar) % 4 == 0  # read in place by the firmware: u32 offsets
    assert random_mlm(TINY, grammar=False).grammar == b""
    assert from_bytes(to_bytes(random_mlm(TINY, grammar=False))).grammar == b""


def damaged_blobs(g: G.Grammar) -> dict:
    """Blobs with one specific defect each (every check of from_bytes and grammar.c)."""
    blob = g.to_bytes()
    n, n_edges = g.n_states, g.n_edges
    table = 16 + 4 * (n + 1)
    s = next(i for i, es in enumerate(g.edges) if i and len(es) >= 2)  # not the first state
    e0 = table + 4 * sum(map(len, g.edges[:s]))                   # its first edge

    def patched(fmt, pos, *vals):
        b = bytearray(blob)
        struct.pack_into(fmt, b, pos, *vals)
        return bytes(b)

    return {
        "empty-header": blob[:15],
        "magic": b"MLMX" + blob[4:],
        "version": patched("<H", 4, 2),
        "no-states": patched("<H", 6, 0),
        "start-out-of-range": patched("<H", 8, n),
        "final-out-of-range": patched("<H", 10, n),
        "n_edges-too-many": patched("<I", 12, n_edges + 1),
        "truncated": blob[:-4],
        "truncated-odd": blob[:-1],
        "trailing-bytes": blob + bytes(4),
        "offsets-not-from-0": patched("<I", 16, 1),
        "offsets-decreasing": patched("<I", 16 + 4 * (s + 1), 0),
        "offsets-end": patched("<I", 16 + 4 * n, n_edges - 1),
        "target-out-of-range": patched("<H", e0 + 2, n),
        "target-max": patched("<H", e0 + 2, 0xFFFF),
        "range-backwards": patched("<BB", e0, 0x7A, 0x61),
        "ranges-unsorted": patched("<BB", e0, 0xF0, 0xFF),
        "ranges-overlap": patched("<BB", e0 + 4, blob[e0 + 1], 0xFF),
        "final-has-edges": patched("<H", 10, s),
        "huge-offsets-table": patched("<H", 6, 0xFFFF),
    }


@pytest.mark.parametrize("damage", list(damaged_blobs(GRAMMAR)))
def test_damaged_blob_is_refused(damage):
    with pytest.raises(G.GrammarError):
        G.Grammar.from_bytes(damaged_blobs(GRAMMAR)[damage])


# ------------------------------------------------------------------------------ token masks

def naive_mask(g, state, vocab, special=(256, 257)):
    out = []
    for t, v in enumerate(vocab):
        s = state
        for b in v:
            s = g.step(s, b)
        out.append(bool(v) and t not in special and s >= 0)
    return np.array(out)


# multi-byte tokens that cross the grammar's joints (intent/slot/value/newline), as a
# tokenizer trained on action lines may learn them
ACTION_TOKENS = [b"light.", b"light", b"none", b"area=", b"e ", b"on area=", b".on", b" id=",
                 b"kitchen", b"kitchen\n", b"\nlight", b"=", b"kind=pressure", b"pressure\n",
                 b"sensor.get kind=", b"21 ", b"_room", b"off", b"\n\n", b"none\n", b" ", b"."]


def trained_like_vocab(n: int | None = None) -> list[bytes]:
    """Bytes, the two special tokens, ACTION_TOKENS, then the shipped model's merged tokens
    (a real trained vocabulary); the first n tokens when n is given."""
    shipped = load(ACTIONS_MD.parent / "default_model" / "model.mlm").vocab[258:]
    vocab = [bytes([b]) for b in range(256)] + [b"<s>", b"<sep>"] + ACTION_TOKENS
    vocab += [t for t in shipped if t not in vocab]
    return vocab if n is None else vocab[:n]


@pytest.fixture(scope="module")
def trained_vocab():
    return trained_like_vocab() + [b""]  # and a token without bytes


def test_masks_follow_the_bytes(trained_vocab):
    for state in list(range(GRAMMAR.n_states)) + [-1]:
        mask = GRAMMAR.allowed_mask(state, trained_vocab)
        assert np.array_equal(mask, naive_mask(GRAMMAR, state, trained_vocab)), state
        # every state but the final one allows some single byte: decoding never gets stuck
        assert mask[:256].any() == (state not in (GRAMMAR.final, -1)), state
    start = GRAMMAR.allowed_mask(GRAMMAR.start, trained_vocab)
    assert not start[256] and not start[257] and not start[-1]
    assert start[ord("l")] and not start[ord(" ")] and not start[10]
    for tok, ok in [(b"light.", True), (b"none", True), (b"light", True), (b"area=", False),
                    (b"e ", False), (b"none\n", True), (b"\nlight", False), (b"kitchen", False)]:
        assert start[trained_vocab.index(tok)] == ok, tok
    after_none = GRAMMAR.run(GRAMMAR.start, b"none")
    mask = GRAMMAR.allowed_mask(after_none, trained_vocab)
    assert set(np.flatnonzero(mask)) == {10}  # only the newline may follow `none`
    light_on = GRAMMAR.run(GRAMMAR.start, b"light.on area=kitchen")
    mask = GRAMMAR.allowed_mask(light_on, trained_vocab)
    for tok, ok in [(b"kitchen\n", True), (b"\n\n", False), (b" id=", False), (b"21 ", True),
                    (b"_room", True), (b"e ", True), (b"=", False), (b".", False)]:
        assert mask[trained_vocab.index(tok)] == ok, tok


def test_reference_masks_are_cached_and_optional():
    m = random_mlm(TINY)
    ref = Reference(m)
    assert ref.grammar == GRAMMAR
    ids = ref.allowed(ref.grammar.start)
    assert ref.allowed(ref.grammar.start) is ids  # computed once per state
    assert set(ids) == set(np.flatnonzero(GRAMMAR.allowed_mask(GRAMMAR.start, m.vocab)))
    assert Reference(m, constrained=False).grammar is None
    assert Reference(random_mlm(TINY, grammar=False)).grammar is None  # nothing to constrain


def test_shipped_model_grammar_is_current():
    """The shipped model's grammar is the one ACTIONS.md gives today (re-export on change)."""
    m = load(ACTIONS_MD.parent / "default_model" / "model.mlm")
    assert m.grammar == G.default_blob()
