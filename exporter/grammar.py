"""The action language of ACTIONS.md as a byte-level DFA, for grammar-constrained decoding.

At each step the decoder allows only tokens whose bytes keep the output a prefix of an action
line followed by "\\n" (docs/numerics.md, "Constrained decoding"). The automaton is built from
actions.SPEC (INTENTS, KINDS, the value rule, the `none` literal), never re-typed, so editing the
table in ACTIONS.md changes the grammar of the next export. Construction:

    start --intent trie--> (intent, last=-1) --" "--> key trie of the slots after `last`
          --"key="--> value loop [a-z0-9_]+ (or the KINDS trie for `kind`) --> (intent, slot)
    every (intent, last) state --"\\n"--> final; `none` --"\\n"--> final

Slots come in table order, each at most once, any subset; a space must be followed by a slot.
The states inside a value of a copy key (actions.COPY_KEYS: the one after "key=" and the value
loop) carry a `copy` flag: there the decoder also holds the value to a span of the prompt's
words (the copy rule, `Copy` below). The result is minimized (Moore's partition refinement:
most intents share their slot lists, so their key tries merge; flagged and unflagged states
never merge) and stored in the model file as a compact blob of byte-range edges and one flag
byte per state (docs/model-format.md), read in place by firmware/lib/microlm/src/grammar.c.
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from . import actions

MAGIC = b"MLMG"
VERSION = 4                         # 2: a copy flag per state after the edges; 3: edge words;
                                    # 4: the join bias
READS = (2, 3, 4)                   # version 2 has no edge words, 2 and 3 no join bias (0)
HEADER = struct.Struct("<4sHHHHI")  # magic, version, n_states, start, final, n_edges: 16 bytes
EDGE = struct.Struct("<BBH")        # lo, hi, next: the byte range lo..hi (inclusive) goes to next
NEWLINE, SPACE, UNDERSCORE = ord("\n"), ord(" "), ord("_")
# Bytes of the prompt's words S the copy rule keeps: positions 0..255 fit a 256-bit set (the
# device's bitmap). grammar.c's MLM_WORDS_MAX is the same number.
COPY_MAX = 255
SPECIAL = (256, 257)                # BOS, SEP: their vocab bytes are placeholders, never output
# Words a copied value may neither begin nor end with (unless every word of S is one). A room or
# device name is a noun phrase; the articles, prepositions and possessives around it in a command
# are not part of it, nor are the state, unit and filler words after it, yet the model sometimes
# takes them in: on the shipped model's dev split "heat up the powder room" gave `area=the`,
# "lights out in the media room" `area=lights_out_in`, "i want the garage pergola closed"
# `name=pergola_closed`. None begins or ends a name of the corpus; "half" ("half bath"), "it"
# ("it room"), "up" ("wake up" scene), "open" ("open plan") could, so they are not here.
# The last six are words commands put right after a name, which the join bias (below) would
# otherwise join to it: "put the house in dinner mode" (name=dinner), "get the mini fridge
# running", "the tv socket" and "the coffee machine plug" (device=tv, device=coffee_machine: the
# examples of ACTIONS.md). English, so they are stored in the model file, not in the firmware.
EDGE_WORDS = ("the", "a", "an", "in", "on", "at", "of", "to", "from", "with", "into", "for",
              "my", "your", "our", "this", "that",
              "off", "closed", "halfway", "down", "please", "now", "thanks", "percent", "degrees",
              "all", "you", "i", "and", "or", "is", "are", "turn", "make",
              "mode", "running", "spinning", "going", "socket", "plug")


# The join bias: added to the logit of every token that begins with "_" while a copied value is
# written and stands at a space of S before a word that is not an edge word, i.e. to joining
# that word ("slow" + "_cooker") against ending the value there. The model stops a name before
# a word it has never seen ("the slow cooker" -> device=slow); a bonus on joining, like the word
# insertion bonus of a speech decoder, evens that out. Never across an edge word: "the
# conservatory to seventeen" must not become area=conservatory_to_seventeen. 2.0 was chosen
# on the corpus's dev split with the shipped weights and checked on two more seeds
# (docs/model.md, "The join bias"); `exporter export --join-bias` sets another, 0 switches it
# off.
JOIN_BIAS = 2.0
JOIN_BIAS_MAX = 100.0               # |bias| beyond it is no bias but a rule: refused


def _bias_problem(bias: float) -> str | None:
    """Why a join bias cannot be stored (as the float32 the device adds), or None."""
    b = np.float32(bias)
    if np.isfinite(b) and abs(b) <= JOIN_BIAS_MAX:
        return None
    return f"join bias {bias} is not a number in [-{JOIN_BIAS_MAX:g}, {JOIN_BIAS_MAX:g}]"


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

    def __init__(self, trans: list | None = None, start: int = 0, final: int = 1,
                 copy: set | None = None):
        """An empty automaton with a start and a final state, or the given one. copy: the
        states inside a copy key's value."""
        self.trans: list[dict[int, int]] = [{}, {}] if trans is None else trans
        self.start, self.final = start, final
        self.copy: set[int] = set() if copy is None else copy

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


def build_dfa(spec: actions.Spec = actions.SPEC, copy_keys=actions.COPY_KEYS) -> _DFA:
    """The unminimized automaton, straight from the document (one key trie per intent and
    last slot; minimize() merges the equal ones). The states of the values of copy_keys get
    the copy flag (() for none: a grammar without the copy rule)."""
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
            if keys[j] in copy_keys:  # "key=" enters the value, " " or "\n" leaves it
                d.copy |= {at, loop}
            after(loop, keys, j)
            if empty_ok:
                after(at, keys, j)
        return root

    d.edge(d.word(d.start, spec.none), NEWLINE, d.final)
    for intent, keys in spec.intents.items():
        after(d.word(d.start, intent), keys, -1)
    return d


def minimize(d: _DFA) -> _DFA:
    """The minimal DFA of the same language and copy flags: drop states that cannot reach the
    final state, then refine the partition by (final, copy) by (class, edges to classes) until
    stable. Starting from (final, copy) keeps a copy state from merging with a state outside a
    value that has the same future bytes (light.on's `name` value and motor.start's `id` value
    both end the line)."""
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
    cls = [int(s == d.final) + 2 * int(s in d.copy) for s in range(n)]
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
    copy = {i for i, s in enumerate(order) if s in d.copy}
    return _DFA(out, 0, number.get(cls[d.final], -1), copy)


def build(spec: actions.Spec = actions.SPEC, minimized: bool = True, copy: bool = True,
          edge_words=EDGE_WORDS, join_bias: float = JOIN_BIAS) -> "Grammar":
    """The grammar of the action language; copy=False: no copy flags (no copy rule), no edge
    words and no join bias (there is no copied value to join)."""
    d = build_dfa(spec, actions.COPY_KEYS if copy else ())
    return Grammar.from_dfa(minimize(d) if minimized else d, edge_words if copy else (),
                            join_bias if copy else 0.0)


@lru_cache(maxsize=4)
def default_blob(copy: bool = True, join_bias: float = JOIN_BIAS) -> bytes:
    """The blob of ACTIONS.md's grammar, what the exporter embeds (built once per process);
    copy=False: without the copy rule (`exporter export --no-copy`)."""
    return build(copy=copy, join_bias=join_bias).to_bytes()


# ------------------------------------------------------------------------------- copy rule

def words(data: bytes) -> bytes:
    """S, the prompt's words the copy rule matches values against: from the bytes the model
    reads (reference.prompt_bytes), apostrophes deleted ("kid's" -> "kids"), the maximal runs
    of [a-z0-9] joined by single spaces; at most COPY_MAX bytes, cut back to a whole word when
    the cut falls inside one. mlm_prompt_words in grammar.c builds the same bytes."""
    s = b" ".join(re.findall(rb"[a-z0-9]+", data.replace(b"'", b"")))
    if len(s) > COPY_MAX:
        cut = s[:COPY_MAX]
        s = cut if s[COPY_MAX] == SPACE else cut[:max(cut.rfind(b" "), 0)]
    return s


class Copy:
    """The copy rule's view of S: sets of positions 0..len(S) as int bitmasks (bit p =
    position p), so a step over every candidate position is one and, one shift.

    edge: words a value may neither begin nor end with (EDGE_WORDS, from the model file); when
    every word of S is one, none is (the rule must leave a value to write). A value may run on
    through an edge word ("bed_and_breakfast" were "and" one), so the positions it may reach
    are those up to the last allowed end (`ahead`): from each an allowed end is still ahead.

    An empty S (a prompt without an ASCII letter or digit, e.g. in another script) switches
    the rule off: nothing could be copied, and refusing every "=" of a copy key would strand
    lines whose next slot can only be a copy key (`scene.on ` has only name=) with no allowed
    byte. With a word in S there is no dead end: a started value can always finish its word,
    or run on to the next allowed end."""

    def __init__(self, s: bytes, edge=()):
        self.s, self.edge = s, frozenset(edge)
        self.match = [0] * 256  # match[b]: positions p < len(S) whose S[p] the value byte b matches
        for p, c in enumerate(s):
            self.match[UNDERSCORE if c == SPACE else c] |= 1 << p  # "_" stands for a space
        spans, p = [], 0  # (start, end, word): end is the space after the word, or len(S)
        for w in s.split(b" ") if s else []:
            spans.append((p, p + len(w), w))
            p += len(w) + 1
        keep = [w for w in spans if w[2] not in self.edge] or spans
        self.starts = sum(1 << a for a, _, _ in keep)  # where a value may begin
        self.ends = sum(1 << b for _, b, _ in keep)    # where it may stop
        self.ahead = (1 << max((b + 1 for _, b, _ in keep), default=0)) - 1  # up to the last end
        self.joins = self.starts >> 1  # the spaces before those words (the join bias's places)

    def is_span(self, value: bytes) -> bool:
        """Is value (with "_" for spaces) a run of whole words of S that begins and ends with
        a word that is not an edge word? What the rule enforces, written word by word."""
        words = self.s.split(b" ") if self.s else []
        ok = [w not in self.edge for w in words]
        ok = ok if any(ok) else [True] * len(words)
        return any(ok[i] and ok[j] and b"_".join(words[i:j + 1]) == value
                   for i in range(len(words)) for j in range(i, len(words)))


# ------------------------------------------------------------------------------- matching

@dataclass
class Grammar:
    start: int
    final: int
    edges: list  # per state: [(lo, hi, next)] sorted by lo, non-overlapping
    copy: tuple | None = None  # per state: 1 inside a copy key's value, else 0 (None: all 0)
    edge_words: tuple = ()     # words a copied value may not begin or end with (EDGE_WORDS)
    join_bias: float = 0.0     # added to "_"-tokens' logits in copy states (JOIN_BIAS), float32

    def __post_init__(self):
        self.copy = tuple(int(c) for c in self.copy) if self.copy is not None \
            else (0,) * len(self.edges)
        if len(self.copy) != len(self.edges):
            raise ValueError(f"{len(self.copy)} copy flags for {len(self.edges)} states")
        self.edge_words = tuple(w.encode() if isinstance(w, str) else bytes(w)
                                for w in self.edge_words)
        if not all(re.fullmatch(rb"[a-z0-9]+", w) for w in self.edge_words):
            raise ValueError(f"edge words must be words of S ([a-z0-9]+): {self.edge_words}")
        if _bias_problem(self.join_bias):
            raise ValueError(_bias_problem(self.join_bias))
        self.join_bias = float(np.float32(self.join_bias))  # the device adds a float32

    @classmethod
    def from_dfa(cls, d: _DFA, edge_words=(), join_bias: float = 0.0) -> "Grammar":
        edges = []
        for t in d.trans:
            ranges = []
            for b in sorted(t):  # runs of consecutive bytes with the same target
                if ranges and ranges[-1][1] == b - 1 and ranges[-1][2] == t[b]:
                    ranges[-1] = (ranges[-1][0], b, t[b])
                else:
                    ranges.append((b, b, t[b]))
            edges.append(ranges)
        return cls(d.start, d.final, edges, tuple(int(s in d.copy) for s in range(len(d.trans))),
                   tuple(edge_words), join_bias)

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
        flags = bytes(self.copy)
        words = b" ".join(self.edge_words)
        return (HEADER.pack(MAGIC, VERSION, self.n_states, self.start, self.final, self.n_edges)
                + offsets.astype("<u4").tobytes()
                + b"".join(EDGE.pack(*e) for es in self.edges for e in es)
                + flags + bytes(-len(flags) % 4)
                + struct.pack("<I", len(words)) + words + bytes(-len(words) % 4)
                + struct.pack("<f", self.join_bias))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Grammar":
        """Parse and verify a blob: the same checks as the firmware's loader (grammar.c)."""
        if len(data) < HEADER.size:
            raise GrammarError(f"grammar blob of {len(data)} bytes is shorter than its header")
        magic, version, n, start, final, n_edges = HEADER.unpack_from(data)
        if magic != MAGIC:
            raise GrammarError(f"not a grammar blob: magic {magic!r}")
        if version not in READS:
            raise GrammarError(f"grammar blob version {version}, this exporter reads {READS}"
                               + (" (version 1 has no copy flags: re-export the model with "
                                  "`exporter export`)" if version == 1 else ""))
        if n == 0 or start >= n or final >= n:
            raise GrammarError(f"bad header: {n} states, start {start}, final {final}")
        table = HEADER.size + 4 * (n + 1)
        flags_at = table + EDGE.size * n_edges
        words_at = flags_at + n + (-n % 4)  # version 3: u32 length, the edge words, padding
        words = b""
        if version >= 3 and len(data) >= words_at + 4:
            k = struct.unpack_from("<I", data, words_at)[0]
            words = data[words_at + 4:words_at + 4 + k]
            if len(words) != k or not re.fullmatch(rb"[a-z0-9]+( [a-z0-9]+)*|", words) \
                    or any(data[words_at + 4 + k:words_at + 4 + k + (-k % 4)]):
                raise GrammarError("edge words are not [a-z0-9]+ words joined by single "
                                   "spaces, or the padding after them is not 0")
            words_at += 4 + k + (-k % 4)
        elif version >= 3:
            raise GrammarError(f"{len(data)} bytes: the edge words are missing")
        bias = 0.0
        if version >= 4 and len(data) >= words_at + 4:
            bias = struct.unpack_from("<f", data, words_at)[0]
            if _bias_problem(bias):
                raise GrammarError(_bias_problem(bias))
            words_at += 4
        elif version >= 4:
            raise GrammarError(f"{len(data)} bytes: the join bias is missing")
        if len(data) != words_at:
            raise GrammarError(f"{len(data)} bytes, expected {words_at}")
        copy = data[flags_at:flags_at + n]
        if any(f > 1 for f in copy) or any(data[flags_at + n:flags_at + n + (-n % 4)]):
            raise GrammarError("copy flags are not 0 or 1, or the padding after them is not 0")
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
        return cls(start, final, edges, tuple(copy), tuple(words.split()), bias)

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

    @cached_property
    def _rows(self) -> list:
        return self.table.tolist()

    def copy_rule(self, words: bytes) -> Copy:
        """The copy rule for S = words under this grammar's edge words."""
        return Copy(words, self.edge_words)

    def step_copy(self, state: int, p: int, byte: int, cp: Copy) -> tuple[int, int]:
        """One byte under the DFA and the copy rule (docs/numerics.md, "Constrained decoding"):
        (next state, next copy set P), state -1 when the byte is not allowed. P (a bitmask of
        positions of S) only means something in copy states."""
        to = self._rows[state][byte] if state >= 0 else self.n_states
        if to == self.n_states:
            return -1, 0
        if not cp.s:  # no words: the rule is off (see Copy)
            return to, p
        if self.copy[to]:
            if self.copy[state]:  # a value byte: matching positions move on
                p = ((p & cp.match[byte]) << 1) & cp.ahead
            else:                 # "key=": the value may begin at a start
                p = cp.starts
            return (to, p) if p else (-1, 0)
        if self.copy[state] and not p & cp.ends:  # the value ends, but not at a word end
            return -1, 0
        return to, p

    def run_copy(self, state: int, p: int, data: bytes, cp: Copy) -> tuple[int, int]:
        """(state, P) after data's bytes with the copy rule; (-1, 0) once a byte fails."""
        for b in data:
            state, p = self.step_copy(state, p, b, cp)
            if state < 0:
                break
        return state, p

    def accepts(self, line: str | bytes, words: bytes | None = None) -> bool:
        """Is line (without its newline) a complete action line? With words (S of a prompt,
        see words()): one the constrained decoder can write for that prompt (the copy rule)."""
        line = (line.encode("utf-8") if isinstance(line, str) else line) + b"\n"
        if words is None:
            return self.run(self.start, line) == self.final
        return self.run_copy(self.start, 0, line, self.copy_rule(words))[0] == self.final

    def _walk(self, state: int, vocab: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every token at once: (lengths, the state after its bytes from state (n_states:
        dead), whether its path is ever in a copy state, the start included)."""
        lens = np.fromiter(map(len, vocab), np.int64, len(vocab))
        mat = np.zeros((len(vocab), max(lens.max(initial=0), 1)), np.uint8)
        for i, v in enumerate(vocab):
            mat[i, :len(v)] = np.frombuffer(v, np.uint8)
        dead = self.n_states
        flags = np.array(self.copy + (0,), bool)  # the dead state is no copy state
        s = np.full(len(vocab), dead if state < 0 else state, np.int32)
        touch = flags[s].copy()
        for j in range(mat.shape[1]):  # all tokens at once, one byte position at a time
            on = j < lens
            s[on] = self.table[s[on], mat[on, j]]
            touch |= flags[s]
        return lens, s, touch

    def allowed_mask(self, state: int, vocab: list[bytes], special=SPECIAL) -> np.ndarray:
        """allowed[t]: running token t's bytes from state never fails (the DFA alone). Tokens
        without bytes and the special ones are never allowed; from the final (or dead) state
        nothing is."""
        lens, s, _ = self._walk(state, vocab)
        allowed = (lens > 0) & (s != self.n_states)
        allowed[[t for t in special if t < len(vocab)]] = False
        return allowed

    def copy_mask(self, state: int, vocab: list[bytes]) -> np.ndarray:
        """copy[t]: the copy rule has a say on token t from state (its path starts in, enters
        or leaves a copy state); for the other tokens the DFA decides alone."""
        return self._walk(state, vocab)[2]
