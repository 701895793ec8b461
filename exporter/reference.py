"""Bit-exact numpy reference of the device's forward pass, tokenizer and decoder.

Every function mirrors a C function in firmware/lib/microlm/src/ and follows docs/numerics.md:
float32 only, the same operations in the same order, float sums strictly left to right
(`_sum_seq`: numpy's `sum` is pairwise, `add.accumulate` is sequential), integer dot products
exact. `exporter predict` and `exporter eval` run this, so the host sees the device's tokens.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .grammar import Grammar, words
from .mlm_format import MLMFile, QTensor

f32 = np.float32
F = lambda h: f32(float.fromhex(h))  # noqa: E731  (hex literals: no decimal double-rounding)

LOG2E = F("0x1.715476p+0")
LN2_HI = F("0x1.63p-1")
LN2_LO = F("-0x1.bd0106p-13")
C2, C3, C4, C5, C6 = (F("0x1p-1"), F("0x1.555556p-3"), F("0x1.555556p-5"),
                      F("0x1.111112p-7"), F("0x1.6c16c2p-10"))
ONE, HALF, Q127 = f32(1.0), f32(0.5), f32(127.0)


def _sum_seq(a: np.ndarray, axis=-1) -> np.ndarray:
    """Left-to-right float32 sum starting from 0.0f, as a C loop computes it."""
    a = np.asarray(a, dtype=f32)
    if a.shape[axis] == 0:
        return np.zeros(np.delete(a.shape, axis), dtype=f32)
    return np.take(np.add.accumulate(a, axis=axis, dtype=f32), -1, axis=axis)


def round_away(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=f32)
    return np.where(v >= 0, v + HALF, v - HALF).astype(np.int32)  # astype truncates to zero


def quantize(x: np.ndarray, gs: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per group of gs consecutive values: (q int8[n], s float32[n/gs])."""
    x = np.asarray(x, dtype=f32).reshape(-1, gs)
    s = (np.abs(x).max(axis=1) / Q127).astype(f32)
    safe = np.where(s == 0, ONE, s)[:, None]
    q = np.clip(round_away(x / safe), -127, 127)
    q = np.where(s[:, None] == 0, 0, q)
    return q.astype(np.int8).reshape(-1), s


def group_dots(xq: np.ndarray, wg: np.ndarray) -> np.ndarray:
    """int32 dot product of every row's group g with xq's group g: (rows, groups).

    wg is the weight as float32 in (groups, rows, gs) layout (weights_by_group). Products of
    int8 values summed over a group stay integers below 2**24 (gs * 127 * 127 for gs <= 1040),
    which float32 represents exactly whatever the summation order, so BLAS computes the
    integer dot products exactly and fast."""
    ng, rows, gs = wg.shape
    assert gs * 127 * 127 < 2 ** 24, "group too large for exact float32 dot products"
    x = xq.astype(f32).reshape(ng, gs, 1)
    return np.matmul(wg, x)[:, :, 0].T


def weights_by_group(wq: np.ndarray, gs: int) -> np.ndarray:
    rows, cols = wq.shape
    return np.ascontiguousarray(wq.reshape(rows, cols // gs, gs).transpose(1, 0, 2), dtype=f32)


def matmul(xq: np.ndarray, xs: np.ndarray, wq: np.ndarray, ws: np.ndarray, gs: int,
           wg: np.ndarray | None = None) -> np.ndarray:
    """out[r] = sum over groups g, in order, of ((float)idot_g * ws[r,g]) * xs[g].
    wg: weights_by_group(wq, gs), when the caller keeps it (Reference does)."""
    rows, cols = wq.shape
    ng = cols // gs
    idot = group_dots(xq, weights_by_group(wq, gs) if wg is None else wg)
    terms = (idot * ws.reshape(rows, ng)) * xs.reshape(1, ng)
    return _sum_seq(terms, axis=1)


def rmsnorm(x: np.ndarray, w: np.ndarray, eps) -> np.ndarray:
    ss = _sum_seq(x * x)
    ss = ss / f32(x.shape[-1])
    ss = ss + f32(eps)
    ss = ONE / np.sqrt(ss, dtype=f32)
    return w * (ss * x)


def expf(x) -> np.ndarray:
    x = np.asarray(x, dtype=f32)
    under = x < f32(-87.0)
    x = np.minimum(x, f32(88.0))
    x = np.where(under, f32(0.0), x)  # keep the bit tricks below in range; result zeroed later
    n = round_away(x * LOG2E)
    nf = n.astype(f32)
    r = x - nf * LN2_HI
    r = r - nf * LN2_LO
    p = C6
    p = p * r + C5
    p = p * r + C4
    p = p * r + C3
    p = p * r + C2
    p = p * r + ONE
    p = p * r + ONE
    pow2 = ((n + 127).astype(np.uint32) << 23).view(f32)
    return np.where(under, f32(0.0), p * pow2).astype(f32)


LG1, LG2, LG3, LG4 = (F("0x1.555554p-1"), F("0x1.999c26p-2"), F("0x1.23d3dcp-2"),
                      F("0x1.f13c4cp-3"))
LN2_HI_LOG, LN2_LO_LOG = F("0x1.62e3p-1"), F("0x1.2fefa2p-17")
SQRT2_HALF_BITS = 0x3F3504F3  # the bits of sqrt(2)/2: the mantissa is reduced to [sqrt(2)/2, sqrt(2))


def logf(x) -> np.ndarray:
    """The device's own natural log for normal x > 0 (musl's logf, written out in float32):
    x = 2^k * m with m in [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f), and an even
    polynomial in s. Beam search only takes the log of a softmax sum, which lies in [1, vocab]."""
    x = np.asarray(x, dtype=f32)
    ix = x.view(np.uint32).astype(np.int64) + (0x3F800000 - SQRT2_HALF_BITS)
    k = (ix >> 23) - 0x7F
    m = ((ix & 0x007FFFFF) + SQRT2_HALF_BITS).astype(np.uint32).view(f32)
    f = m - ONE
    s = f / (f32(2.0) + f)
    z = s * s
    w = z * z
    t1 = w * (LG2 + w * LG4)
    t2 = z * (LG1 + w * LG3)
    r = t2 + t1
    hfsq = HALF * f * f
    dk = k.astype(f32)
    return ((((s * (hfsq + r)) + dk * LN2_LO_LOG) - hfsq) + f) + dk * LN2_HI_LOG


def log_softmax_at(a: np.ndarray, ids) -> np.ndarray:
    """log softmax(a) at ids: (a_i - max) - logf(sum_seq(expf(a - max)))."""
    a = np.asarray(a, dtype=f32)
    m = a.max()
    return (a[ids] - m) - logf(_sum_seq(expf(a - m)))


def softmax(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=f32)
    e = expf(a - a.max())
    return e / _sum_seq(e)


def silu_mul(h1: np.ndarray, h3: np.ndarray) -> np.ndarray:
    s = ONE / (ONE + expf(-h1))
    return (h1 * s) * h3


def rope(v: np.ndarray, cos_row: np.ndarray, sin_row: np.ndarray, head_size: int) -> np.ndarray:
    """Rotate consecutive pairs of every head of v by the position's angles."""
    v = np.asarray(v, dtype=f32).reshape(-1, head_size // 2, 2)
    x0, x1 = v[..., 0], v[..., 1]
    out = np.empty_like(v)
    out[..., 0] = x0 * cos_row - x1 * sin_row
    out[..., 1] = x0 * sin_row + x1 * cos_row
    return out.reshape(-1)


def idot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """int8 dot products along the last axis, exact in int32."""
    return (a.astype(np.int32) * b.astype(np.int32)).sum(-1)


# ------------------------------------------------------------------------------ tokenizer

def merge_ranks(merges: list, first_merge: int) -> dict:
    """(left, right) -> merged token id, which is also the merge's rank."""
    return {tuple(pair): first_merge + i for i, pair in enumerate(merges)}


def encode(rank: dict, data: bytes) -> list[int]:
    """Greedy BPE by rank: merge the adjacent pair with the lowest merged id (leftmost on a
    tie) until none merges. Same algorithm as firmware tokenizer.c."""
    toks = list(data)
    while len(toks) > 1:
        best, best_i = None, -1
        for i in range(len(toks) - 1):
            t = rank.get((toks[i], toks[i + 1]))
            if t is not None and (best is None or t < best):
                best, best_i = t, i
        if best is None:
            break
        toks[best_i:best_i + 2] = [best]
    return toks


def prompt_bytes(text: str) -> bytes:
    """What the model reads: the UTF-8 text with ASCII A-Z lowered (bytes.lower touches ASCII
    only, as the device does). Actions are lowercase, so case carries nothing the model needs,
    and "Sunroom" and "sunroom" become the same tokens."""
    return text.encode("utf-8").lower()


def prompt_words(text: str) -> bytes:
    """S, the prompt's words for the copy rule (docs/numerics.md, "Constrained decoding"):
    "Turn on the Kid's Room lights!" -> b"turn on the kids room lights"."""
    return words(prompt_bytes(text))


# ------------------------------------------------------------------------------ model

BEAM_MAX = 8    # firmware MLM_BEAM_MAX
BEAM_LEN = 32   # firmware MLM_BEAM_LEN: a beam search's lines are at most this many tokens


class Reference:
    """The device's engine in numpy: forward pass with a quantized KV cache, greedy decoding,
    constrained by the model's grammar when it has one and `constrained` is true (as the
    device's default): the grammar's DFA and, in its copy states, the copy rule."""

    def __init__(self, m: MLMFile, constrained: bool = True, beam: int = 1,
                 beam_len: int = BEAM_LEN, join_bias: float | None = None):
        if not 1 <= beam <= BEAM_MAX or not 1 <= beam_len:
            raise ValueError(f"beam must be 1..{BEAM_MAX} and beam_len at least 1, "
                             f"not {beam} and {beam_len}")
        self.m = m
        self.beam, self.beam_len = beam, beam_len
        self.grammar = Grammar.from_bytes(m.grammar) if constrained and m.grammar else None
        if self.grammar is not None and join_bias is not None:  # eval's override: a sweep
            self.grammar = dataclasses.replace(self.grammar, join_bias=join_bias)
        # the join bias (grammar.JOIN_BIAS) and the tokens it goes to: those beginning with "_"
        self._bias = f32(self.grammar.join_bias if self.grammar is not None else 0.0)
        self._joins = np.array([i for i, v in enumerate(m.vocab) if v[:1] == b"_"], np.int64)
        # grammar state -> (token ids the DFA allows, ascending; which of them the copy rule
        # has a say on)
        self._masks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        c = m.config
        self.dim, self.hidden, self.n_layers = c["dim"], c["hidden_dim"], c["n_layers"]
        self.n_heads, self.n_kv = c["n_heads"], c["n_kv_heads"]
        self.hs = self.dim // self.n_heads
        self.kv_dim = self.hs * self.n_kv
        self.seq_len, self.gs, self.eps = c["seq_len"], c["group_size"], f32(c["norm_eps"])
        self.inv_sqrt_hs = ONE / np.sqrt(f32(self.hs), dtype=f32)
        self.t = m.tensors
        self._wg = {}   # float32 copies of the int8 weights, by group: fast exact dot products
        self._rank = merge_ranks(m.merges, m.first_merge)
        self.reset()

    def reset(self):
        L, S = self.n_layers, self.seq_len
        self.kc = np.zeros((L, S, self.n_kv, self.hs), np.int8)
        self.vc = np.zeros((L, S, self.n_kv, self.hs), np.int8)
        self.ks = np.zeros((L, S, self.n_kv), f32)
        self.vs = np.zeros((L, S, self.n_kv), f32)

    def _mm(self, xq, xs, name):
        w: QTensor = self.t[name]
        if name not in self._wg:
            self._wg[name] = weights_by_group(w.q, self.gs)
        return matmul(xq, xs, w.q, w.s, self.gs, self._wg[name])

    def forward(self, token: int, pos: int, want_logits: bool = True):
        gs, hs = self.gs, self.hs
        emb: QTensor = self.t["tok_embeddings"]
        x = emb.q[token].astype(f32) * np.repeat(emb.s[token], gs)
        cos, sin = self.t["rope_cos"][pos], self.t["rope_sin"][pos]
        for l in range(self.n_layers):
            p = f"layers.{l}."
            xb = rmsnorm(x, self.t[p + "attn_norm"], self.eps)
            xq, xs = quantize(xb, gs)
            q = rope(self._mm(xq, xs, p + "wq"), cos, sin, hs)
            k = rope(self._mm(xq, xs, p + "wk"), cos, sin, hs)
            v = self._mm(xq, xs, p + "wv")
            # the KV cache and attention, every head at once (the same operations per head)
            kq, ks = quantize(k, hs)
            vq, vs = quantize(v, hs)
            self.kc[l, pos], self.ks[l, pos] = kq.reshape(self.n_kv, hs), ks
            self.vc[l, pos], self.vs[l, pos] = vq.reshape(self.n_kv, hs), vs
            grp = self.n_heads // self.n_kv           # query heads per kv head
            qq, qs = quantize(q, hs)
            K = np.repeat(self.kc[l, :pos + 1], grp, axis=1)          # (T, heads, hs)
            d = idot(K, qq.reshape(self.n_heads, hs)).astype(f32)      # (T, heads)
            a = ((d * qs) * np.repeat(self.ks[l, :pos + 1], grp, axis=1)) * self.inv_sqrt_hs
            e = expf(a - a.max(axis=0))
            pr = e / _sum_seq(e, axis=0)
            w = pr * np.repeat(self.vs[l, :pos + 1], grp, axis=1)
            V = np.repeat(self.vc[l, :pos + 1], grp, axis=1).astype(f32)
            out = _sum_seq(w[:, :, None] * V, axis=0).reshape(self.dim)
            oq, os_ = quantize(out, gs)
            x = x + self._mm(oq, os_, p + "wo")
            xb = rmsnorm(x, self.t[p + "ffn_norm"], self.eps)
            xq, xs = quantize(xb, gs)
            hh = silu_mul(self._mm(xq, xs, p + "w1"), self._mm(xq, xs, p + "w3"))
            hq, hsc = quantize(hh, gs)
            x = x + self._mm(hq, hsc, p + "w2")
        if not want_logits:
            return None
        xb = rmsnorm(x, self.t["norm"], self.eps)
        xq, xs = quantize(xb, gs)
        return self._mm(xq, xs, "tok_embeddings")

    def encode(self, data: bytes) -> list[int]:
        return encode(self._rank, data)

    def prompt(self, text: str) -> list[int]:
        c = self.m.config
        return [c["bos_id"]] + self.encode(prompt_bytes(text)) + [c["sep_id"]]

    def _prefill(self, text: str) -> list[int]:
        """The prompt's tokens, all but the last run into a fresh KV cache (as the device's
        prefill; the last one produces the first generated token)."""
        toks = self.prompt(text)
        if len(toks) > self.seq_len:
            raise ValueError(f"prompt too long: {len(toks)} tokens, context is {self.seq_len}")
        self.reset()
        for pos, t in enumerate(toks[:-1]):
            self.forward(t, pos, want_logits=False)
        return toks

    def generate(self, text: str, max_new: int | None = None) -> list[int]:
        """Greedy tokens after the prompt, ending with eos (included) or a full context; with
        a beam of more than one, beam_search's."""
        if self.beam > 1:
            return self.beam_search(text, max_new)
        c = self.m.config
        toks = self._prefill(text)
        pos, tok, out = len(toks) - 1, toks[-1], []
        budget = self.seq_len - len(toks) + 1 if max_new is None else max_new
        g = self.grammar
        state, p = (g.start if g else -1), 0  # grammar state, copy set P (empty at the start)
        cp = g.copy_rule(prompt_words(text)) if g else None
        while len(out) < budget and pos < self.seq_len:
            logits = self._join(self.forward(tok, pos), state, p, cp)
            (tok, state, p), = self._best_allowed(logits, state, p, cp, 1)
            out.append(tok)
            pos += 1
            if tok == c["eos_id"] or (g is not None and state == g.final):  # line complete
                break
        return out

    def beam_search(self, text: str, max_new: int | None = None) -> list[int]:
        """firmware beam.c (docs/numerics.md, "Beam search"): the intent greedily, up to and
        including the first token with a space (or the whole line), then a beam of K partial
        lines over the slots. Each live line runs its last token and offers its K best allowed
        tokens (the greedy order), scored by the sum of its tokens' log-softmax; the best K of
        all offers, in score order, go on (a complete one to the finished list) until K lines
        are finished, none is live, or the length runs out. The answer: the finished line of
        the best score per token, else the best live one. Lines are at most beam_len tokens."""
        c, K = self.m.config, self.beam
        eos, g = c["eos_id"], self.grammar
        toks = self._prefill(text)
        pos, tok, out = len(toks) - 1, toks[-1], []
        budget = min(self.beam_len, self.seq_len - len(toks) + 1 if max_new is None else max_new)
        state, p = (g.start if g else -1), 0
        cp = g.copy_rule(prompt_words(text)) if g else None
        complete = lambda t, st: t == eos or (g is not None and st == g.final)  # noqa: E731
        score = f32(0.0)
        while True:  # the intent
            if len(out) >= budget or pos >= self.seq_len:
                return out
            logits = self._join(self.forward(tok, pos), state, p, cp)
            (tok, state, p), = self._best_allowed(logits, state, p, cp, 1)
            score = score + log_softmax_at(logits, [tok])[0]
            out.append(tok)
            pos += 1
            if complete(tok, state):
                return out
            if b" " in self.decode(out):
                break
        n0 = len(out)
        # a live line: (score, its tokens after out, grammar state, P, its KV cache, last token)
        beams = [(score, [], state, p, self._cache(), tok)]
        done: list[tuple] = []  # finished: (score / length, tokens), best first
        while beams and n0 + len(beams[0][1]) < budget and pos < self.seq_len:
            offers = []
            for sc, bt, st, pp, cache, last in beams:
                self.kc, self.vc, self.ks, self.vs = (a.copy() for a in cache)
                logits = self._join(self.forward(last, pos), st, pp, cp)
                top = self._best_allowed(logits, st, pp, cp, K)
                lps = log_softmax_at(logits, [t for t, _, _ in top])
                for (t, st2, p2), lp in zip(top, lps):
                    offers.append((sc + lp, bt + [t], st2, p2, self._cache(), t))
            offers.sort(key=lambda o: -o[0])  # stable: ties keep the offer order
            beams = []
            for o in offers:
                if complete(o[5], o[2]):
                    norm = o[0] / f32(n0 + len(o[1]))
                    done.insert(sum(d[0] >= norm for d in done), (norm, o[1]))
                else:
                    beams.append(o)
                if len(beams) + len(done) >= K:
                    break
            pos += 1
            if len(done) >= K:
                break
        return out + (done[0][1] if done else beams[0][1])

    def _cache(self):
        return self.kc, self.vc, self.ks, self.vs

    def _join(self, logits: np.ndarray, state: int, p: int, cp) -> np.ndarray:
        """The logits with the join bias on the "_" tokens in a copy state whose P holds a
        place to join a word (firmware mlm_grammar_join: one float32 add each, before the
        choice and the beam's scores)."""
        if self._bias == 0 or state < 0 or not self.grammar.copy[state] or not p & cp.joins:
            return logits
        logits = logits.copy()
        logits[self._joins] += self._bias
        return logits

    def _best_allowed(self, logits, state, p, cp, k) -> list[tuple[int, int, int]]:
        """The k best tokens the grammar allows from (state, P), as (token, state, P) after
        it: by logit, the lowest id first on a tie; [eos] when none is allowed (a vocabulary
        without every single byte). Unconstrained: the k best of the vocabulary (state -1).
        The DFA's part is a cached list per state; the copy rule depends on P, so it is
        checked per step, and only on the DFA's candidates it has a say on, best logit first,
        until k pass (mostly the first ones: the device checks lazily the same way)."""
        if self.grammar is None:
            if k == 1:  # first index of the max: the lowest id wins a tie
                return [(int(np.argmax(logits)), -1, 0)]
            return [(int(t), -1, 0) for t in np.argsort(-logits, kind="stable")[:k]]
        ids, checked = self._state_masks(state)
        if k == 1 and ids.size and not checked.any():  # the DFA alone decides: no sort needed
            t = int(ids[np.argmax(logits[ids])])
            return [(t, *self.grammar.run_copy(state, p, self.m.vocab[t], cp))]
        top = []
        # best first; a stable sort keeps ascending ids among equal logits
        for i in np.argsort(-logits[ids], kind="stable"):
            t = int(ids[i])
            st, pp = self.grammar.run_copy(state, p, self.m.vocab[t], cp)
            if st >= 0:
                top.append((t, st, pp))
                if len(top) == k:
                    break
        return top or [(self.m.config["eos_id"], -1, 0)]

    def allowed(self, state: int) -> np.ndarray:
        """Ids the grammar's DFA allows from state, ascending (computed once per state:
        evaluating thousands of commands visits the same few hundred states)."""
        return self._state_masks(state)[0]

    def _state_masks(self, state: int) -> tuple[np.ndarray, np.ndarray]:
        if state not in self._masks:
            c, g = self.m.config, self.grammar
            ids = np.flatnonzero(g.allowed_mask(state, self.m.vocab, (c["bos_id"], c["sep_id"])))
            self._masks[state] = (ids, g.copy_mask(state, self.m.vocab)[ids])
        return self._masks[state]

    def decode(self, tokens: list[int]) -> bytes:
        return b"".join(self.m.vocab[t] for t in tokens)

    def predict(self, text: str) -> str:
        """The action line the device would print for this text."""
        out = self.decode(self.generate(text))
        return out.split(b"\n", 1)[0].decode("utf-8", errors="replace")
