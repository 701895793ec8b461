"""The C engine (firmware/lib/microlm/src) built with the host gcc and loaded through ctypes.

`lib()` compiles every engine source into build/test/libmicrolm.so when a source (or this file)
is newer than the library, with the flags docs/numerics.md requires, and returns the loaded
library with argument types set. `Engine` wraps a loaded model and its run state. A small shim
compiled into the library reports sizeof/offsetof of the public structs, so the ctypes mirrors
below are checked against the compiler instead of trusted.

`fuzz_harness()` builds a separate executable with AddressSanitizer and UBSan that feeds blobs
to mlm_model_load (and runs a model that loads), so the malformed-blob tests catch a read one
byte past the blob, not only a crash.
"""
from __future__ import annotations

import ctypes as C
import os
import struct
import subprocess
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "firmware" / "lib" / "microlm" / "src"
BUILD = ROOT / "build" / "test"
CFLAGS = ["-O2", "-std=c99", "-ffp-contract=off", "-Wall", "-Wextra", "-Werror"]

MLM_MAX_LAYERS = 16
from exporter.reference import BEAM_LEN as MLM_BEAM_LEN, BEAM_MAX as MLM_BEAM_MAX  # noqa: E402
MLM_WORDS_MAX = 255                          # S of the copy rule (exporter.grammar.COPY_MAX)
MLM_COPY_SET = (MLM_WORDS_MAX + 1 + 31) // 32  # uint32 words of a set of positions of S
STATUS = ["MLM_OK", "MLM_E_MAGIC", "MLM_E_SIZE", "MLM_E_CRC", "MLM_E_FORMAT", "MLM_E_CONFIG",
          "MLM_E_TENSOR", "MLM_E_ARENA", "MLM_E_PROMPT", "MLM_E_ARG", "MLM_E_TOKENIZER",
          "MLM_E_GRAMMAR"]
(MLM_OK, MLM_E_MAGIC, MLM_E_SIZE, MLM_E_CRC, MLM_E_FORMAT, MLM_E_CONFIG, MLM_E_TENSOR,
 MLM_E_ARENA, MLM_E_PROMPT, MLM_E_ARG, MLM_E_TOKENIZER, MLM_E_GRAMMAR) = range(len(STATUS))

_SHIM = r"""
#include <stddef.h>
#include "microlm.h"
/* Layout facts for the ctypes mirrors in tests/engine_lib.py. */
size_t mlmtest_layout(int i)
{
    switch (i) {
    case 0: return sizeof(mlm_config);
    case 1: return sizeof(mlm_tensor);
    case 2: return sizeof(mlm_model);
    case 3: return offsetof(mlm_model, n_params);
    case 4: return sizeof(mlm_ctx);
    case 5: return offsetof(mlm_ctx, arena_used);
    case 6: return sizeof(mlm_gen_stats);
    case 7: return MLM_MAX_LAYERS;
    case 8: return offsetof(mlm_model, grammar);
    case 9: return sizeof(mlm_grammar);
    case 10: return offsetof(mlm_ctx, constrained);
    case 11: return offsetof(mlm_ctx, words);
    case 12: return sizeof(mlm_words);
    case 13: return MLM_WORDS_MAX;
    case 14: return offsetof(mlm_ctx, beam_k);
    case 15: return MLM_BEAM_MAX;
    case 16: return MLM_BEAM_LEN;
    }
    return 0;
}
"""

_FUZZ = r"""
/* Reads records [u32 LE length][bytes] from argv[1]; for each, copies the bytes into a buffer
 * of exactly that length (so ASan sees any read past it), loads it, prints the status, and
 * runs a model that loads: a context, three forward steps, a short generation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "microlm.h"
static int count(void *u, int i, int t, const uint8_t *b, size_t n)
{ (void)i; (void)t; (void)b; (void)n; return ++*(int *)u >= 4; }
int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 2;
    unsigned char h[4];
    while (fread(h, 1, 4, f) == 4) {
        size_t n = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16 | (size_t)h[3] << 24;
        unsigned char *blob = malloc(n ? n : 1);
        if (!blob || fread(blob, 1, n, f) != n) return 2;
        static mlm_model m;
        mlm_status st = mlm_model_load(&m, blob, n);
        printf("%d", (int)st);
        if (st == MLM_OK) {
            size_t need = mlm_arena_bytes(&m.cfg);
            void *arena = need < ((size_t)1 << 28) ? malloc(need) : NULL;
            mlm_ctx c;
            if (arena && mlm_ctx_init(&c, &m, arena, need) == MLM_OK) {
                int steps = m.cfg.seq_len < 3 ? (int)m.cfg.seq_len : 3;
                for (int p = 0; p < steps; p++) mlm_forward(&c, p, p, 1);
                int k = 0;
                mlm_gen_stats gs;
                printf(" %d", (int)mlm_generate(&c, (const uint8_t *)"turn on", 7, 4, count, &k, &gs));
            }
            free(arena);
        }
        printf("\n");
        free(blob);
    }
    fclose(f);
    return 0;
}
"""


# ---------------------------------------------------------------------------------- build

def _sources() -> list[Path]:
    return sorted(SRC.glob("*.c"))


def _stale(target: Path) -> bool:
    if not target.exists():
        return True
    deps = list(SRC.glob("*.[ch]")) + [Path(__file__)]
    return target.stat().st_mtime < max(p.stat().st_mtime for p in deps)


def _compile(target: Path, extra_src: str, flags: list[str]) -> Path:
    """Compile the engine plus one extra source into target, atomically (parallel runs)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
        extra = Path(tmp) / "extra.c"
        extra.write_text(extra_src)
        out = Path(tmp) / target.name
        cmd = ["gcc", *CFLAGS, *flags, f"-I{SRC}", *map(str, _sources()), str(extra),
               "-o", str(out), "-lm"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"engine build failed:\n{' '.join(cmd)}\n{r.stderr}")
        os.replace(out, target)
    return target


def build_shared() -> Path:
    target = BUILD / "libmicrolm.so"
    if _stale(target):
        _compile(target, _SHIM, ["-fPIC", "-shared"])
    return target


def fuzz_harness() -> Path | None:
    """The ASan/UBSan blob harness, or None when this gcc has no sanitizer runtime."""
    target = BUILD / "fuzz_load"
    if _stale(target):
        try:
            _compile(target, _FUZZ, ["-g", "-fsanitize=address,undefined",
                                     "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"])
        except RuntimeError:
            return None
    return target


def run_fuzz(blobs: list[bytes]) -> list[list[int]]:
    """Statuses per blob from the sanitizer harness: [load] or [load, generate]."""
    exe = fuzz_harness()
    if exe is None:
        import pytest
        pytest.skip("gcc sanitizer runtime not available")
    with tempfile.NamedTemporaryFile(dir=BUILD, suffix=".bin", delete=False) as f:
        for b in blobs:
            f.write(struct.pack("<I", len(b)) + b)
        path = f.name
    try:
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=0",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        r = subprocess.run([str(exe), path], capture_output=True, text=True, env=env, timeout=900)
    finally:
        os.unlink(path)
    if r.returncode != 0:
        raise AssertionError(f"fuzz harness failed (rc {r.returncode}):\n{r.stderr[-6000:]}")
    return [[int(v) for v in line.split()] for line in r.stdout.splitlines()]


# ---------------------------------------------------------------------------- ctypes mirrors

class Config(C.Structure):
    _fields_ = [(n, C.c_uint32) for n in ("dim", "hidden_dim", "n_layers", "n_heads",
                                          "n_kv_heads", "vocab_size", "seq_len", "group_size")] + \
               [("norm_eps", C.c_float)] + \
               [(n, C.c_uint32) for n in ("bos_id", "sep_id", "eos_id", "head_size", "kv_dim")]


class Tensor(C.Structure):
    _fields_ = [("q", C.POINTER(C.c_int8)), ("s", C.POINTER(C.c_float)),
                ("f", C.POINTER(C.c_float)), ("rows", C.c_uint32), ("cols", C.c_uint32)]


class Layer(C.Structure):
    _fields_ = [(n, Tensor) for n in ("attn_norm", "ffn_norm", "wq", "wk", "wv", "wo", "w1",
                                      "w2", "w3")]


class Grammar(C.Structure):
    _fields_ = [("offsets", C.POINTER(C.c_uint32)), ("edges", C.c_void_p),
                ("copy", C.POINTER(C.c_uint8)), ("edge_words", C.POINTER(C.c_uint8)),
                ("edge_len", C.c_uint32), ("join_bias", C.c_float),
                ("n_states", C.c_uint16), ("start", C.c_uint16), ("final", C.c_uint16)]


class Words(C.Structure):
    _fields_ = [("s", C.c_uint8 * MLM_WORDS_MAX), ("n", C.c_uint16), ("reach", C.c_uint16),
                ("starts", C.c_uint32 * MLM_COPY_SET), ("ends", C.c_uint32 * MLM_COPY_SET),
                ("joins", C.c_uint32 * MLM_COPY_SET)]

    @property
    def value(self) -> bytes:
        return bytes(self.s[:self.n])


class Model(C.Structure):
    _fields_ = [("cfg", Config)] + \
               [(n, Tensor) for n in ("tok_embeddings", "norm", "rope_cos", "rope_sin")] + \
               [("layers", Layer * MLM_MAX_LAYERS),
                ("vocab_offsets", C.POINTER(C.c_uint32)), ("vocab_bytes", C.POINTER(C.c_uint8)),
                ("merge_keys", C.POINTER(C.c_uint32)), ("merge_ids", C.POINTER(C.c_uint16)),
                ("n_merges", C.c_uint32), ("blob_size", C.c_uint32), ("n_params", C.c_uint32),
                ("grammar", Grammar)]


_FP = C.POINTER(C.c_float)


class Ctx(C.Structure):
    _fields_ = [("m", C.POINTER(Model))] + \
               [(n, _FP) for n in ("x", "xb", "xb2", "hb", "hb2", "q", "k", "v", "att",
                                   "logits")] + \
               [("xq", C.POINTER(C.c_int8)), ("xs", _FP), ("kc", C.POINTER(C.c_int8)),
                ("vc", C.POINTER(C.c_int8)), ("ks", _FP), ("vs", _FP),
                ("tokens", C.POINTER(C.c_uint16)), ("arena_used", C.c_size_t),
                ("arena_start", C.c_void_p), ("arena", C.c_void_p), ("arena_size", C.c_size_t),
                ("run_bytes", C.c_size_t), ("beam_k", C.c_int), ("beam", C.c_void_p),
                ("constrained", C.c_int), ("gstate", C.c_int),
                ("copy", C.c_uint32 * MLM_COPY_SET), ("words", Words)]


class GenStats(C.Structure):
    _fields_ = [("prompt_tokens", C.c_int), ("gen_tokens", C.c_int), ("stopped_eos", C.c_int)]


TOKEN_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_int, C.c_int, C.POINTER(C.c_uint8), C.c_size_t)

_lib = None


def lib() -> C.CDLL:
    global _lib
    if _lib is not None:
        return _lib
    L = C.CDLL(str(build_shared()))
    P = C.c_void_p
    sigs = {
        "mlmtest_layout": (C.c_size_t, [C.c_int]),
        "mlm_status_str": (C.c_char_p, [C.c_int]),
        "mlm_crc32": (C.c_uint32, [C.c_uint32, P, C.c_size_t]),
        "mlm_model_load": (C.c_int, [C.POINTER(Model), P, C.c_size_t]),
        "mlm_arena_bytes": (C.c_size_t, [C.POINTER(Config)]),
        "mlm_ctx_init": (C.c_int, [C.POINTER(Ctx), C.POINTER(Model), P, C.c_size_t]),
        "mlm_forward": (None, [C.POINTER(Ctx), C.c_int, C.c_int, C.c_int]),
        "mlm_encode": (C.c_int, [C.POINTER(Model), P, C.c_size_t, P, C.c_int]),
        "mlm_token_bytes": (P, [C.POINTER(Model), C.c_int, C.POINTER(C.c_size_t)]),
        "mlm_generate": (C.c_int, [C.POINTER(Ctx), P, C.c_size_t, C.c_int, TOKEN_FN, P,
                                   C.POINTER(GenStats)]),
        "mlm_set_grammar": (C.c_int, [C.POINTER(Ctx), C.c_int]),
        "mlm_set_beam": (C.c_int, [C.POINTER(Ctx), C.c_int]),
        "mlm_beam_bytes": (C.c_size_t, [C.POINTER(Config), C.c_int]),
        "mlm_grammar_token": (C.c_int, [C.POINTER(Model), C.c_int, C.c_int, C.POINTER(Words),
                                        P]),
        "mlm_prompt_words": (None, [C.POINTER(Words), C.POINTER(Grammar), P, C.c_size_t]),
        # kernels (kernels.h)
        "mlm_round_away": (C.c_int32, [C.c_float]),
        "mlm_quantize": (None, [P, C.c_int, C.c_int, P, P]),
        "mlm_dot_i8": (C.c_int32, [P, P, C.c_int]),
        "mlm_matmul_q8": (None, [P, P, P, P, P, C.c_int, C.c_int, C.c_int]),
        "mlm_rmsnorm": (None, [P, P, P, C.c_int, C.c_float]),
        "mlm_expf": (C.c_float, [C.c_float]),
        "mlm_logf": (C.c_float, [C.c_float]),
        "mlm_softmax": (None, [P, C.c_int]),
        "mlm_silu_mul": (None, [P, P, P, C.c_int]),
        "mlm_rope": (None, [P, C.c_int, C.c_int, P, P]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(L, name)
        fn.restype, fn.argtypes = res, args
    layout = [C.sizeof(Config), C.sizeof(Tensor), C.sizeof(Model), Model.n_params.offset,
              C.sizeof(Ctx), Ctx.arena_used.offset, C.sizeof(GenStats), MLM_MAX_LAYERS,
              Model.grammar.offset, C.sizeof(Grammar), Ctx.constrained.offset,
              Ctx.words.offset, C.sizeof(Words), MLM_WORDS_MAX, Ctx.beam_k.offset,
              MLM_BEAM_MAX, MLM_BEAM_LEN]
    got = [L.mlmtest_layout(i) for i in range(len(layout))]
    assert got == layout, f"ctypes mirrors out of date: C {got}, ctypes {layout}"
    _lib = L
    return L


def _bits(words) -> int:
    """A set of positions as uint32 words (bit p of word p // 32) -> an int bitmask."""
    return sum(int(v) << (32 * i) for i, v in enumerate(words))


def ptr(a: np.ndarray) -> int:
    assert a.flags.c_contiguous
    return a.ctypes.data


def aligned(data: bytes, align: int = 16, offset: int = 0) -> np.ndarray:
    """A uint8 copy of data starting at an address = offset (mod align)."""
    raw = np.zeros(len(data) + 2 * align, np.uint8)
    start = (-raw.ctypes.data + offset) % align
    a = raw[start:start + len(data)]
    a[:] = np.frombuffer(data, np.uint8)
    return a


# ---------------------------------------------------------------------------------- engine

def load_status(blob: bytes, offset: int = 0) -> tuple[int, Model, np.ndarray]:
    """mlm_model_load on a copy of blob; returns (status, model, the copy, kept alive)."""
    buf = aligned(blob, 16, offset)
    m = Model()
    st = lib().mlm_model_load(C.byref(m), ptr(buf), len(buf))
    return st, m, buf


class Engine:
    """A loaded model and its run state, for comparing with exporter.reference."""

    def __init__(self, blob: bytes, arena_extra: int = 0):
        st, self.model, self._blob = load_status(blob)
        if st != MLM_OK:
            raise ValueError(f"model load failed: {status_name(st)}")
        L = lib()
        self.cfg = self.model.cfg
        self.arena_bytes = L.mlm_arena_bytes(C.byref(self.cfg))
        self._arena = aligned(bytes(self.arena_bytes + arena_extra), 16)
        self.ctx = Ctx()
        st = L.mlm_ctx_init(C.byref(self.ctx), C.byref(self.model), ptr(self._arena),
                            len(self._arena))
        if st != MLM_OK:
            raise ValueError(f"ctx init failed: {status_name(st)}")

    def set_beam(self, k: int) -> int:
        return lib().mlm_set_beam(C.byref(self.ctx), k)

    def set_grammar(self, on: bool) -> int:
        return lib().mlm_set_grammar(C.byref(self.ctx), int(on))

    def grammar_token(self, state: int, token: int) -> int:
        """The grammar state after token from state by the DFA alone, -1 when not allowed."""
        return lib().mlm_grammar_token(C.byref(self.model), state, token, None, None)

    def grammar_token_copy(self, state: int, token: int, words: bytes, p: int) -> tuple[int, int]:
        """(state, P) after token from (state, P) with the copy rule against S = words; P as
        an int bitmask (bit i = position i of S), as exporter.grammar.Copy keeps it. S is its
        own S (lowercase words joined by single spaces), so mlm_prompt_words builds it, with
        the allowed starts and ends under the model's edge words."""
        w = self._words(words)
        assert w.value == words, (w.value, words)
        arr = (C.c_uint32 * MLM_COPY_SET)(*[(p >> (32 * i)) & 0xFFFFFFFF
                                             for i in range(MLM_COPY_SET)])
        st = lib().mlm_grammar_token(C.byref(self.model), state, token, C.byref(w), arr)
        return st, _bits(arr)

    def copy_places(self, words: bytes) -> tuple[int, int, int]:
        """(starts, ends, joins) of S = words under the model's edge words, as int bitmasks
        (exporter.grammar.Copy's)."""
        w = self._words(words)
        return _bits(w.starts), _bits(w.ends), _bits(w.joins)

    def _words(self, words: bytes) -> Words:
        """mlm_prompt_words of words under the model's grammar (its edge words)."""
        w = Words()
        src = np.frombuffer(words, np.uint8).copy() if words else np.zeros(1, np.uint8)
        lib().mlm_prompt_words(C.byref(w), C.byref(self.model.grammar), ptr(src), len(words))
        return w

    def forward(self, token: int, pos: int, want_logits: bool = True) -> np.ndarray | None:
        lib().mlm_forward(C.byref(self.ctx), token, pos, int(want_logits))
        if not want_logits:
            return None
        return np.ctypeslib.as_array(self.ctx.logits, (self.cfg.vocab_size,)).copy()

    def encode(self, data: bytes, max_tokens: int | None = None) -> list[int] | None:
        cap = len(data) if max_tokens is None else max_tokens
        out = np.zeros(max(cap, 1), np.uint16)
        src = np.frombuffer(data, np.uint8).copy() if data else np.zeros(1, np.uint8)
        n = lib().mlm_encode(C.byref(self.model), ptr(src), len(data), ptr(out), cap)
        return None if n < 0 else [int(t) for t in out[:n]]

    def token_bytes(self, token: int) -> bytes | None:
        n = C.c_size_t()
        p = lib().mlm_token_bytes(C.byref(self.model), token, C.byref(n))
        return None if p is None else C.string_at(p, n.value)

    def generate(self, text: bytes, max_new: int = 0, stop_at: int | None = None):
        """(status, tokens seen by the callback, stats); stop_at: callback index that says stop."""
        seen = []

        def on_token(user, index, token, data, n):
            assert index == len(seen)
            seen.append((token, C.string_at(data, n) if n else b""))
            return 1 if stop_at is not None and index >= stop_at else 0

        cb = TOKEN_FN(on_token)
        st = GenStats()
        src = np.frombuffer(text, np.uint8).copy() if text else np.zeros(1, np.uint8)
        rc = lib().mlm_generate(C.byref(self.ctx), ptr(src), len(text), max_new, cb, None,
                                C.byref(st))
        for tok, data in seen:
            assert data == self.token_bytes(tok)
        return rc, [t for t, _ in seen], st


def prompt_words(text: bytes) -> bytes:
    """S of a prompt text as the device builds it (mlm_prompt_words)."""
    w = Words()
    src = np.frombuffer(text, np.uint8).copy() if text else np.zeros(1, np.uint8)
    lib().mlm_prompt_words(C.byref(w), None, ptr(src), len(text))
    return w.value


def status_name(st: int) -> str:
    return STATUS[st] if 0 <= st < len(STATUS) else f"status {st}"
