"""The constrained decoder's grammar (exporter/grammar.py): the DFA built from ACTIONS.md accepts
exactly the action lines actions.parse_action accepts, minimization keeps the language and the
copy flags, the blob round-trips and malformed blobs are refused, the token masks are what the
bytes say, and the copy rule lets through exactly the values that are spans of the prompt's
words."""
import struct

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from exporter import grammar as G
from exporter.actions import (ACTIONS_MD, COPY_KEYS, INTENTS, KINDS, NONE, SLOT_KEYS, is_valid,
                               load_spec)
from exporter.export import random_mlm
from exporter.mlm_format import from_bytes, load, to_bytes
from exporter.reference import Reference, prompt_words

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
    """After each byte: 'final', 'dead', 'live' or 'copy' (live, inside a copy key's value)."""
    out, s = [], g.start
    for b in data:
        s = g.step(s, b)
        out.append("dead" if s < 0 else "final" if s == g.final else
                   "copy" if g.copy[s] else "live")
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
    """Same accept/reject/alive answer and copy flag after every byte, not only for whole
    lines: a copy state is never merged with one outside a copy value."""
    assert status(GRAMMAR, data) == status(RAW, data)


def test_minimal_and_small():
    assert GRAMMAR.n_states < RAW.n_states / 2
    again = G.Grammar.from_dfa(G.minimize(G.build_dfa()), G.EDGE_WORDS, G.JOIN_BIAS)
    assert again == GRAMMAR  # minimizing is deterministic; renumbering is by BFS order
    m2 = G._DFA([{b: to for lo, hi, to in es for b in range(lo, hi + 1)} for es in GRAMMAR.edges],
                GRAMMAR.start, GRAMMAR.final, {s for s, c in enumerate(GRAMMAR.copy) if c})
    assert G.Grammar.from_dfa(G.minimize(m2), G.EDGE_WORDS, G.JOIN_BIAS) == GRAMMAR  # minimal
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
        (b"MLMG", 4, GRAMMAR.n_states, GRAMMAR.start, GRAMMAR.final, GRAMMAR.n_edges)
    flags_at = 16 + 4 * (n + 1) + 4 * n_edges
    words_at = flags_at + (n + 3) // 4 * 4
    words = b" ".join(w.encode() for w in G.EDGE_WORDS)
    assert struct.unpack_from("<I", blob, words_at) == (len(words),)
    assert blob[words_at + 4:words_at + 4 + len(words)] == words
    bias_at = words_at + 4 + (len(words) + 3) // 4 * 4
    assert len(blob) == bias_at + 4 and len(blob) % 4 == 0
    assert blob[flags_at:flags_at + n] == bytes(GRAMMAR.copy) and not any(blob[flags_at + n:words_at])
    assert not any(blob[words_at + 4 + len(words):bias_at])
    assert struct.unpack_from("<f", blob, bias_at) == (G.JOIN_BIAS,) and G.JOIN_BIAS > 0
    assert 0 < sum(GRAMMAR.copy) < n
    back = G.Grammar.from_bytes(blob)
    assert back == GRAMMAR and back.copy == GRAMMAR.copy and back.edge_words == GRAMMAR.edge_words
    assert back.join_bias == G.JOIN_BIAS
    assert G.default_blob() == blob
    for b in (0.0, -1.5, 0.1, 100.0):  # stored as float32: 0.1 comes back as float32(0.1)
        got = G.Grammar.from_bytes(G.default_blob(join_bias=b)).join_bias
        assert got == float(np.float32(b))
    assert G.Grammar.from_bytes(G.default_blob(copy=False)).join_bias == 0.0  # nothing to join


@pytest.mark.parametrize("bias", [float("nan"), float("inf"), 100.5, -1e9])
def test_join_bias_out_of_range_is_refused(bias):
    with pytest.raises(ValueError, match="join bias"):
        G.build(join_bias=bias)


def version_3(blob: bytes) -> bytes:
    """The blob as version 3 wrote it: no join bias after the edge words."""
    return blob[:4] + struct.pack("<H", 3) + blob[6:-4]


def test_version_3_blob_reads_as_one_without_join_bias():
    g = G.Grammar.from_bytes(version_3(G.default_blob()))
    assert g.join_bias == 0.0 and g.edges == GRAMMAR.edges and g.edge_words == GRAMMAR.edge_words


def version_2(blob: bytes) -> bytes:
    """The blob as version 2 wrote it: no edge words (nor join bias) after the copy flags."""
    n, n_edges = struct.unpack_from("<H", blob, 6)[0], struct.unpack_from("<I", blob, 12)[0]
    end = 16 + 4 * (n + 1) + 4 * n_edges + (n + 3) // 4 * 4
    return blob[:4] + struct.pack("<H", 2) + blob[6:end]


def test_version_2_blob_reads_as_one_without_edge_words():
    """Models exported before the edge words still load; their copy rule has none."""
    g = G.Grammar.from_bytes(version_2(G.default_blob()))
    assert g.edge_words == () and g.edges == GRAMMAR.edges and g.copy == GRAMMAR.copy
    assert g.accepts("climate.warmer area=the", b"heat up the powder room")
    assert not GRAMMAR.accepts("climate.warmer area=the", b"heat up the powder room")


def test_blob_without_copy_rule():
    """--no-copy: the same language, no copy flags (and so fewer states after minimizing)."""
    plain = G.Grammar.from_bytes(G.default_blob(copy=False))
    assert plain == G.build(copy=False) and not any(plain.copy)
    assert plain.n_states < GRAMMAR.n_states
    for line in ["light.on area=kitchen", "motor.start line=2 id=3", "none", "light.on"]:
        assert plain.accepts(line) and GRAMMAR.accepts(line)
        assert plain.accepts(line, b"") and plain.accepts(line, b"the pool")
    assert not GRAMMAR.accepts("light.on area=kitchen", b"the pool")


def test_version_1_blob_is_refused_clearly():
    """A blob of the grammar's first version (no copy flags): refused, saying to re-export."""
    v1 = G.build(copy=False).to_bytes()
    n = G.HEADER.unpack_from(v1)[2]
    v1 = v1[:4] + struct.pack("<H", 1) + v1[6:len(v1) - (n + 3) // 4 * 4]
    with pytest.raises(G.GrammarError, match="version 1 .*re-export"):
        G.Grammar.from_bytes(v1)


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
    flags_at = table + 4 * n_edges
    s = next(i for i, es in enumerate(g.edges) if i and len(es) >= 2)  # not the first state
    e0 = table + 4 * sum(map(len, g.edges[:s]))                   # its first edge

    def patched(fmt, pos, *vals):
        b = bytearray(blob)
        struct.pack_into(fmt, b, pos, *vals)
        return bytes(b)

    words_at = flags_at + n + (-n % 4)
    k = struct.unpack_from("<I", blob, words_at)[0]
    w0 = words_at + 4  # the first byte of the edge words
    assert k > 8 and blob[w0:w0 + 6] == b"the a ", "damages below assume EDGE_WORDS' start"
    return {
        "empty-header": blob[:15],
        "magic": b"MLMX" + blob[4:],
        "version": patched("<H", 4, 5),
        "version-3-with-join-bias": patched("<H", 4, 3),
        "join-bias-nan": patched("<f", len(blob) - 4, float("nan")),
        "join-bias-inf": patched("<f", len(blob) - 4, float("-inf")),
        "join-bias-too-large": patched("<f", len(blob) - 4, 100.5),
        "no-join-bias": blob[:-4],
        "version-2-with-edge-words": patched("<H", 4, 2),
        "version-1": patched("<H", 4, 1),
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
        "copy-flag-2": patched("<B", flags_at + s, 2),
        "copy-flag-ff": patched("<B", flags_at + n - 1, 0xFF),
        "no-copy-flags": blob[:flags_at],
        "flags-unpadded": blob[:flags_at + n],
        "flags-overpadded": blob + bytes(4),
        **({"padding-not-0": patched("<B", flags_at + n, 1)} if n % 4 else {}),
        "no-edge-words": blob[:words_at],
        "edge-length-past-end": patched("<I", words_at, k + 4),
        "edge-length-huge": patched("<I", words_at, 0xFFFFFFFF),
        "edge-length-short": patched("<I", words_at, k - 1),
        "edge-word-capital": patched("<B", w0, ord("T")),
        "edge-word-underscore": patched("<B", w0 + 1, ord("_")),
        "edge-leading-space": patched("<B", w0, ord(" ")),
        "edge-double-space": patched("<B", w0 + 4, ord(" ")),
        "edge-trailing-space": patched("<B", w0 + k - 1, ord(" ")),
        "edge-nul-inside": patched("<B", w0 + 1, 0),
        **({"edge-padding-not-0": patched("<B", w0 + k, 1)} if k % 4 else {}),
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


# ------------------------------------------------------------------------------ copy rule

@pytest.mark.parametrize("text,words", [
    ("Turn on the Kid's Room lights!", b"turn on the kids room lights"),
    ("turn on the 3D printer", b"turn on the 3d printer"),
    ("  Hey,   LIGHTS... on-please  ", b"hey lights on please"),
    ("set it to 21°C", b"set it to 21 c"),          # a non-ASCII byte separates words
    ("Küche: Licht an ☀", b"k che licht an"),         # lowering is ASCII only, as on the device
    ("it's 5 o'clock", b"its 5 oclock"),
    ("'", b""), ("", b""), ("?!", b""),
])
def test_prompt_words(text, words):
    assert prompt_words(text) == words


def test_prompt_words_are_cut_at_a_whole_word():
    w = "abcd"                                       # words of 4 bytes: 5 with their space
    assert prompt_words(" ".join([w] * 51)) == b" ".join([w.encode()] * 51)  # 254 bytes
    assert prompt_words(" ".join([w] * 52)) == b" ".join([w.encode()] * 51)  # 259: cut inside
    exact = " ".join([w] * 50) + " " + "x" * 5       # 255 bytes: kept whole
    assert prompt_words(exact) == exact.encode() and len(exact) == G.COPY_MAX
    assert prompt_words(exact + " more") == exact.encode()          # the cut falls on a space
    assert prompt_words(exact + "y") == exact[:-6].encode()         # inside the last word
    assert prompt_words("x" * 300) == b""                           # one word longer than all


def test_copy_states_are_the_copy_key_values():
    """The states after "key=" and in the value are flagged exactly for the copy keys."""
    assert "kind" not in COPY_KEYS and set(COPY_KEYS) <= set(SLOT_KEYS) | {"scene"}
    for intent, keys in INTENTS.items():
        for k in keys:
            head = f"{intent} {k}=".encode()
            at = GRAMMAR.run(GRAMMAR.start, head)
            assert at >= 0 and not GRAMMAR.copy[GRAMMAR.run(GRAMMAR.start, head[:-1])]
            assert GRAMMAR.copy[at] == (k in COPY_KEYS), (intent, k)
            value = (KINDS[0] if k == "kind" else "ab_1").encode()
            inside = GRAMMAR.run(at, value)
            assert GRAMMAR.copy[inside] == (k in COPY_KEYS)
            assert not GRAMMAR.copy[GRAMMAR.run(inside, b"\n")]


def test_minimize_keeps_copy_states_apart():
    """Without the copy flags light.on's `name` value and motor.start's `id` value are one
    state (both end the line); with them, two."""
    plain = G.build(copy=False)
    name, ident = b"light.on name=x", b"motor.start id=3"
    assert plain.run(plain.start, name) == plain.run(plain.start, ident)
    a, b = GRAMMAR.run(GRAMMAR.start, name), GRAMMAR.run(GRAMMAR.start, ident)
    assert a != b and GRAMMAR.copy[a] and not GRAMMAR.copy[b]


# prompts: words from a small alphabet (so spans and near-misses are likely), with the noise
# the words are read through: capitals, apostrophes, punctuation, digits, non-ASCII
WORDS = ["kitchen", "pool", "house", "kid's", "room", "3d", "printer", "the", "on", "a", "Lights",
         "LIVING", "21", "o", "pump_house", "café", "storage", "door"]
SEPS = [" ", "  ", ", ", "! ", " - ", "/", "? ", " ☀ "]


@st.composite
def prompts(draw):
    ws = draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=10))
    return "".join(w + draw(st.sampled_from(SEPS)) for w in ws)


@st.composite
def copied_lines(draw):
    """(prompt, line): an action line whose copy-key values are spans of the prompt's words
    that begin and end at a word that is not an edge word (any word, when all of them are)."""
    text = draw(prompts())
    words = prompt_words(text).split(b" ") if prompt_words(text) else []
    ok = [i for i, w in enumerate(words) if w not in GRAMMAR.edge_words] or range(len(words))
    intent = draw(st.sampled_from(list(INTENTS)))
    fields = []
    for k in INTENTS[intent]:
        if not draw(st.booleans()):
            continue
        if k in COPY_KEYS:
            if not words:
                continue
            i = draw(st.sampled_from(ok))
            j = draw(st.sampled_from([j for j in ok if j >= i]))
            v = b"_".join(words[i:j + 1]).decode()
        elif k == "kind":
            v = draw(st.sampled_from(KINDS))
        else:
            v = draw(st.text(VALUE_CHARS, min_size=1, max_size=6))
        fields.append(f"{k}={v}")
    return text, " ".join([intent] + fields)


@settings(max_examples=800, deadline=None)
@given(copied_lines())
def test_spans_of_the_prompt_are_accepted(case):
    text, line = case
    assert GRAMMAR.accepts(line, prompt_words(text)), (text, prompt_words(text), line)


def copy_values_are_spans(line: str, words: bytes) -> bool:
    """Every copy-key value of line is a span of S (vacuous for an S without words)."""
    if not words:
        return True
    cp = GRAMMAR.copy_rule(words)
    fields = [f.split("=", 1) for f in line.split(" ")[1:]]
    return all(cp.is_span(v.encode()) for k, v in fields if k in COPY_KEYS)


@settings(max_examples=800, deadline=None)
@given(prompts(), st.one_of(action_lines(), copied_lines().map(lambda c: c[1])))
def test_accepted_exactly_when_the_values_are_spans(text, line):
    """Any valid line: the copy rule accepts it iff every copy-key value is a span of S."""
    words = prompt_words(text)
    assert GRAMMAR.accepts(line, words) == copy_values_are_spans(line, words), (words, line)


@pytest.mark.parametrize("text,line,ok", [
    ("turn on the pool house lights", "light.on area=pool_house", True),
    ("turn on the pool house lights", "light.on area=pool_ket", False),
    ("turn on the pool house lights", "light.on area=pool", True),      # a shorter span
    ("turn on the pool house lights", "light.on area=poo", False),      # not a whole word
    ("turn on the pool house lights", "light.on area=ool_house", False),
    ("turn on the pool house lights", "light.on area=house_pool", False),
    ("turn on the pool house lights", "light.on area=pool__house", False),
    ("turn on the pool house lights", "light.on area=pool_house_", False),
    ("turn on the pool house lights", "light.on area=lights_on", False),  # past the end
    ("open the storage door", "cover.open name=storid_door", False),
    ("open the storage door", "cover.open name=storage_door", True),
    ("Turn on the Kid's Room lights!", "light.on area=kids_room", True),
    ("Turn on the Kid's Room lights!", "light.on area=kid_s_room", False),
    ("turn on the 3d printer", "switch.on device=3d_printer", True),
    ("fan speed to 3", "fan.set speed=3", True),                        # not a copy key
    ("fan speed to three", "fan.set speed=3", True),
    ("what's the temp on line 2", "sensor.get line=2 kind=temperature", True),  # kind: an enum
    ("", "light.on", True),
    ("☀ ?!", "light.on area=kitchen", True),    # no words: the rule is off (no dead ends)
    ("the", "light.on area=kitchen", False),
    ("kitchen", "light.on area=kitchen name=kitchen", True),            # a word used twice
    # edge words: a value neither begins nor ends with one (grammar.EDGE_WORDS)
    ("heat up the powder room", "climate.warmer area=powder_room", True),
    ("heat up the powder room", "climate.warmer area=the", False),
    ("heat up the powder room", "climate.warmer area=the_powder_room", False),
    ("lights out in the media room", "light.off area=lights_out_in", False),
    ("lights out in the media room", "light.off area=out_in_the_media", True),  # through them
    ("make me a cup of tea", "coffee.make type=cup_of_tea", True),
    ("make me a cup of tea", "coffee.make type=cup_of", False),
    ("in the", "light.on area=the", True),   # only edge words: any word (no dead end)
    ("in the", "light.on area=in_the", True),
    ("to the a", "light.on area=kitchen", False),
])
def test_copy_rule_examples(text, line, ok):
    assert is_valid(line) and GRAMMAR.accepts(line)
    assert GRAMMAR.accepts(line, prompt_words(text)) == ok


def test_copy_rule_refuses_at_the_first_wrong_byte():
    cp = GRAMMAR.copy_rule(prompt_words("turn on the pool house lights"))
    head = GRAMMAR.run_copy(GRAMMAR.start, 0, b"light.on area=pool_", cp)
    assert head[0] >= 0 and head[1]
    assert GRAMMAR.step_copy(*head, ord("k"), cp)[0] == -1
    assert GRAMMAR.step_copy(*head, ord("h"), cp)[0] >= 0
    # a prompt without words: the rule is off, else "scene.on " would be a dead end
    empty = G.Copy(b"")
    at_key = GRAMMAR.run_copy(GRAMMAR.start, 0, b"scene.on name", empty)
    assert at_key[0] >= 0 and GRAMMAR.step_copy(*at_key, ord("="), empty)[0] >= 0
    assert GRAMMAR.run_copy(GRAMMAR.start, 0, b"scene.on name=x\n", empty)[0] == GRAMMAR.final


@settings(max_examples=300, deadline=None)
@given(prompts(), st.lists(st.integers(0, 10 ** 6), min_size=60, max_size=60))
def test_copy_rule_has_no_dead_ends(text, choices):
    """Walking random allowed bytes from the start, something is always allowed until the
    line is complete: the rule never leaves the decoder without a byte to write."""
    cp = GRAMMAR.copy_rule(prompt_words(text))
    state, p = GRAMMAR.start, 0
    for c in choices:
        if state == GRAMMAR.final:
            break
        nxt = [r for r in (GRAMMAR.step_copy(state, p, b, cp) for b in range(256)) if r[0] >= 0]
        assert nxt, (text, state)
        state, p = nxt[c % len(nxt)]


def brute_argmax(ref, logits, state, p, cp) -> int:
    """The allowed token with the largest logit, lowest id on a tie, by trying every token."""
    c = ref.m.config
    best = -1
    for t, tok in enumerate(ref.m.vocab):
        if t in (c["bos_id"], c["sep_id"]) or not tok:
            continue
        if ref.grammar.run_copy(state, p, tok, cp)[0] >= 0 and (best < 0 or logits[t] > logits[best]):
            best = t
    return best if best >= 0 else c["eos_id"]


def test_reference_argmax_with_the_copy_rule():
    """Reference's per-state cache plus per-step copy check picks what trying every token
    picks, ties included (integer logits tie often)."""
    m = random_mlm(TINY)
    m.vocab = trained_like_vocab()
    ref = Reference(m)
    rng = np.random.default_rng(0)
    cp = GRAMMAR.copy_rule(prompt_words("turn on the kid's room lights in the pool house"))
    states = []
    for line in [b"light.on area=kids_room name=pool_house\n", b"cover.set area=pool name=kids_",
                 b"sensor.get line=1 kind=flow\n", b"switch.on device=lights_in"]:
        sp = (GRAMMAR.start, 0)
        for b in line:
            states.append(sp)
            sp = GRAMMAR.step_copy(*sp, b, cp)
            assert sp[0] >= 0, line
    for i, (state, p) in enumerate(states):
        logits = rng.integers(-3, 3, len(m.vocab)).astype(np.float32)
        if i % 3 == 0:
            logits[rng.integers(0, len(m.vocab), 20)] = 5.0  # many ties at the top
        best = ref._best_allowed(logits, state, p, cp, 1)[0][0]
        assert best == brute_argmax(ref, logits, state, p, cp)


def test_cli_refuses_a_version_1_model_clearly(tmp_path):
    """`exporter eval` and `predict` on a model exported before the copy flags: an error that
    says to re-export, not a traceback."""
    import json
    from click.testing import CliRunner
    from exporter.cli import main
    from exporter.mlm_format import save
    v1 = G.build(copy=False).to_bytes()
    v1 = v1[:4] + struct.pack("<H", 1) + v1[6:len(v1) - (G.HEADER.unpack_from(v1)[2] + 3) // 4 * 4]
    m = random_mlm(TINY)
    m.grammar = v1
    save(m, tmp_path / "old.mlm")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"text": "turn on the lights", "action": "light.on"}) + "\n")
    for args in (["eval", "--data", str(rows)],
                 ["predict", "--input", str(rows), "--output", str(tmp_path / "p.jsonl")]):
        r = CliRunner().invoke(main, args + ["--model", str(tmp_path / "old.mlm")])
        assert r.exit_code == 1 and "re-export" in r.output and "Traceback" not in r.output, r.output
