"""The action language of ACTIONS.md as a byte-level DFA, for grammar-constrained decoding.

At each step the decoder allows only tokens whose bytes keep the output a prefix of an action
line followed by "\\n" (docs/numerics.md, "Constrained decoding"). The automaton is built from
actions.SPEC (INTENTS, KINDS, the value rule, the `none` literal), never re-typed, so editing the
table in ACTIONS.md changes the grammar of the next export. Construction:

    start --intent trie--> (intent, last=-1) --" "--> key trie of the slots after `last`
          --"key="--> value loop [a-z0-9_]+ (or the KINDS trie for `kind`) --> (intent, slot)
    every (intent, last) state --"\\n"--> final; `none` --"\\n"--> final

Slots come in table order, each at most once, any subset; a space must be followed by a slot.
The result is minimized (Moore's partition refinement: most intents share their slot lists, so
their key tries merge) and stored in the model file as a compact blob of byte-range edges
(docs/model-format.md), read in place by firmware/lib/microlm/src/grammar.c.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from . import actions

MAGIC = b"MLMG"
VERSION = 1
HEADER = struct.Struct("<4sHHHHI")  # magic, version, n_states, start, final, n_edges: 16 bytes
EDGE = struct.Struct("<BBH")        # lo, hi, next: the byte range lo..hi (inclusive) goes to next
NEWLINE, SPACE = ord("\n"), ord(" ")
SPECIAL = (256, 257)                # BOS, SEP: their vocab bytes are placeholders, never output


class GrammarError(ValueError):
    """A grammar blob that is not a valid automaton."""


def value_bytes(spec: actions.Spec) -> tuple[bytes, bool]:
    """The bytes a slot value may contain, read off the document's `value := [...]+` rule, and
    whether an empty value is allowed (a `*` rule)."""
    chars = bytes(b for b in range(128) if spec.value_re.fullmatch(chr(b)))
    if not chars or any(b in chars for b in (SPACE, NEWLINE, ord("="))):
        raise ValueError(f"value rule {spec.value_re.pattern!r} cannot be delimited")
    return chars, spec.value_re.fullmatch("") is not None


# ------------------------------------------------------------------------------- building

class _DFA:
    """A DFA under construction: trans[state] = {byte: next}; a missing byte is the dead state."""

    def __init__(self, trans: list | None = None, start: int = 0, final: int = 1):
        """An empty automaton with a start and a final state, or the given one."""
        self.trans: list[dict[int, int]] = [{}, {}] if trans is None else trans
        self.start, self.final = start, final

    def new(self) -> int:
        self.trans.append({})
        return len(self.trans) - 1

    def edge(self, s: int, byte: int, to: int):
        if self.trans[s].get(byte, to) != to:
            raise ValueError(f"grammar is ambiguous at byte {chr(byte)!r}")
        self.trans[s][byte] = to

    def word(self, s: int, w: str) -> int:
        """Follow or create a trie path for w from s; the state at its end."""
        for b in w.encode("ascii"):
            if b not in self.trans[s]:
                self.trans[s][b] = self.new()
            s = self.trans[s][b]
        return s


def build_dfa(spec: actions.Spec = actions.SPEC) -> _DFA:
    """The unminimized automaton, straight from the document (one key trie per intent and
    last slot; minimize() merges the equal ones)."""
    d = _DFA()
    chars, empty_ok = value_bytes(spec)

    def after(s: int, keys: tuple, last: int):
        """s ends the intent or slot `last`: newline, or a space and a later slot."""
        d.edge(s, NEWLINE, d.final)
        if last + 1 < len(keys):
            d.edge(s, SPACE, key_trie(keys, last))

    def key_trie(keys: tuple, last: int) -> int:
        root = d.new()
        for j in range(last + 1, len(keys)):
            at = d.word(root, keys[j] + "=")
            if keys[j] == "kind":  # the one slot with an enumerated value
                for k in spec.kinds:
                    after(d.word(at, k), keys, j)
                continue
            loop = d.new()
            for c in chars:
                d.edge(at, c, loop)
                d.edge(loop, c, loop)
            after(loop, keys, j)
            if empty_ok:
                after(at, keys, j)
        return root

    d.edge(d.word(d.start, spec.none), NEWLINE, d.final)
    for intent, keys in spec.intents.items():
        after(d.word(d.start, intent), keys, -1)
    return d


def minimize(d: _DFA) -> _DFA:
    """The minimal DFA of the same language: drop states that cannot reach the final state,
    then refine the partition {final, others} by (class, edges to classes) until stable."""
    n = len(d.trans)
    back = [[] for _ in range(n)]
    for s, t in enumerate(d.trans):
        for to in t.values():
            back[to].append(s)
    live, todo = {d.final}, [d.final]
    while todo:
        for s in back[todo.pop()]:
            if s not in live:
                live.add(s)
                todo.append(s)
    trans = [{b: to for b, to in t.items() if to in live} for t in d.trans]
    cls = [int(s == d.final) for s in range(n)]
    n_cls = 0
    while True:
        sig = [(cls[s], tuple(sorted((b, cls[to]) for b, to in trans[s].items())))
               for s in range(n)]
        ids: dict = {}
        cls = [ids.setdefault(x, len(ids)) for x in sig]
        if len(ids) == n_cls:
            break
        n_cls = len(ids)
    # one state per class, numbered in breadth-first order from the start state
    out, number, order = [], {cls[d.start]: 0}, [d.start]
    for s in order:
        out.append({})
        for b, to in sorted(trans[s].items()):
            if cls[to] not in number:
                number[cls[to]] = len(order)
                order.append(to)
            out[-1][b] = number[cls[to]]
    return _DFA(out, 0, number.get(cls[d.final], -1))


def build(spec: actions.Spec = actions.SPEC, minimized: bool = True) -> "Grammar":
    d = build_dfa(spec)
    return Grammar.from_dfa(minimize(d) if minimized else d)


@lru_cache(maxsize=1)
def default_blob() -> bytes:
    """The blob of ACTIONS.md's grammar, what the exporter embeds (built once per process)."""
    return build().to_bytes()


# ------------------------------------------------------------------------------- matching

@dataclass
class Grammar:
    start: int
    final: int
    edges: list  # per state: [(lo, hi, next)] sorted by lo, non-overlapping

    @classmethod
    def from_dfa(cls, d: _DFA) -> "Grammar":
        edges = []
        for t in d.trans:
            ranges = []
            for b in sorted(t):  # runs of consecutive bytes with the same target
                if ranges and ranges[-1][1] == b - 1 and ranges[-1][2] == t[b]:
                    ranges[-1] = (ranges[-1][0], b, t[b])
                else:
                    ranges.append((b, b, t[b]))
            edges.append(ranges)
        return cls(d.start, d.final, edges)

    @property
    def n_states(self) -> int:
        return len(self.edges)

    @property
    def n_edges(self) -> int:
        return sum(map(len, self.edges))

    def to_bytes(self) -> bytes:
        if self.n_states > 0xFFFF:
            raise ValueError(f"{self.n_states} states: the format holds 65535")
        offsets = np.cumsum([0] + [len(e) for e in self.edges], dtype=np.uint32)
        return (HEADER.pack(MAGIC, VERSION, self.n_states, self.start, self.final, self.n_edges)
                + offsets.astype("<u4").tobytes()
                + b"".join(EDGE.pack(*e) for es in self.edges for e in es))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Grammar":
        """Parse and verify a blob: the same checks as the firmware's loader (grammar.c)."""
        if len(data) < HEADER.size:
            raise GrammarError(f"grammar blob of {len(data)} bytes is shorter than its header")
        magic, version, n, start, final, n_edges = HEADER.unpack_from(data)
        if magic != MAGIC or version != VERSION:
            raise GrammarError(f"not a grammar blob: magic {magic!r}, version {version}")
        if n == 0 or start >= n or final >= n:
            raise GrammarError(f"bad header: {n} states, start {start}, final {final}")
        table = HEADER.size + 4 * (n + 1)
        if len(data) != table + EDGE.size * n_edges:
            raise GrammarError(f"{len(data)} bytes, expected {table + EDGE.size * n_edges}")
        off = np.frombuffer(data, "<u4", n + 1, HEADER.size).astype(np.int64)
        if off[0] != 0 or off[-1] != n_edges or np.any(np.diff(off) < 0):
            raise GrammarError("edge offsets are not increasing from 0 to n_edges")
        flat = [EDGE.unpack_from(data, table + EDGE.size * i) for i in range(n_edges)]
        edges = [flat[off[s]:off[s + 1]] for s in range(n)]
        for s, es in enumerate(edges):
            for i, (lo, hi, to) in enumerate(es):
                if lo > hi or to >= n or (i and es[i - 1][1] >= lo):
                    raise GrammarError(f"state {s}: bad or unsorted edge {(lo, hi, to)}")
        if edges[final]:
            raise GrammarError("the final state has edges: nothing may follow the newline")
        return cls(start, final, edges)

    @cached_property
    def table(self) -> np.ndarray:
        """Dense transitions [n_states + 1, 256]; row n_states is the dead state (-1)."""
        dead = self.n_states
        t = np.full((dead + 1, 256), dead, np.int32)
        for s, es in enumerate(self.edges):
            for lo, hi, to in es:
                t[s, lo:hi + 1] = to
        return t

    def step(self, state: int, byte: int) -> int:
        """The next state, or -1 when the byte is not allowed (from -1: -1)."""
        if state < 0:
            return -1
        to = int(self.table[state, byte])
        return -1 if to == self.n_states else to

    def run(self, state: int, data: bytes) -> int:
        for b in data:
            state = self.step(state, b)
        return state

    def accepts(self, line: str | bytes) -> bool:
        """Is line (without its newline) a complete action line?"""
        line = line.encode("utf-8") if isinstance(line, str) else line
        return self.run(self.start, line + b"\n") == self.final

    def allowed_mask(self, state: int, vocab: list[bytes], special=SPECIAL) -> np.ndarray:
        """allowed[t]: running token t's bytes from state never fails. Tokens without bytes
        and the special ones are never allowed; from the final (or dead) state nothing is."""
        lens = np.fromiter(map(len, vocab), np.int64, len(vocab))
        mat = np.zeros((len(vocab), max(lens.max(initial=0), 1)), np.uint8)
        for i, v in enumerate(vocab):
            mat[i, :len(v)] = np.frombuffer(v, np.uint8)
        dead = self.n_states
        s = np.full(len(vocab), dead if state < 0 else state, np.int32)
        for j in range(mat.shape[1]):  # all tokens at once, one byte position at a time
            on = j < lens
            s[on] = self.table[s[on], mat[on, j]]
        allowed = (lens > 0) & (s != dead)
        allowed[[t for t in special if t < len(vocab)]] = False
        return allowed
