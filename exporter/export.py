"""Checkpoint -> quantized model: int8 per-group weights, rope tables, tokenizer, in a .mlm file
(FlatBuffer) and a C array for firmware that compiles the model in."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from . import __version__, grammar as G, reference
from .mlm_format import MLMFile, QTensor
from .tokenizer import BOS, EOS, SEP, Tokenizer

LAYER_MAP = {  # device tensor name -> PyTorch parameter name (llama2.c / Meta naming)
    "attn_norm": "attention_norm.weight", "ffn_norm": "ffn_norm.weight",
    "wq": "attention.wq.weight", "wk": "attention.wk.weight", "wv": "attention.wv.weight",
    "wo": "attention.wo.weight", "w1": "feed_forward.w1.weight",
    "w2": "feed_forward.w2.weight", "w3": "feed_forward.w3.weight",
}
NORMS = ("attn_norm", "ffn_norm")


def quantize_weight(w: np.ndarray, gs: int) -> QTensor:
    """int8 with one scale per group of gs along the input dimension (same rule as the
    device's activation quantizer, reference.quantize)."""
    w = np.asarray(w, dtype=np.float32)
    if w.ndim != 2 or w.shape[1] % gs:
        raise ValueError(f"cannot quantize shape {w.shape} with group size {gs}")
    q, s = reference.quantize(w.reshape(-1), gs)
    return QTensor(q.reshape(w.shape), s.reshape(w.shape[0], -1))


def rope_tables(seq_len: int, head_size: int, theta: float):
    freqs = 1.0 / (theta ** (np.arange(0, head_size, 2, dtype=np.float64) / head_size))
    ang = np.outer(np.arange(seq_len, dtype=np.float64), freqs)
    return np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)


def build_mlm(weights: dict, cfg: dict, tok: Tokenizer, meta: dict | None = None,
              quant: str = "int8", grammar: bool = True, copy: bool = True,
              join_bias: float = G.JOIN_BIAS) -> MLMFile:
    """weights: PyTorch-named float arrays (a state_dict as numpy). grammar: embed the action
    language's DFA (exporter/grammar.py, from ACTIONS.md) for constrained decoding. copy: with
    the copy rule (values of actions.COPY_KEYS are spans of the prompt's words); False writes
    the grammar without copy flags, for data whose names are not copied (synonyms). join_bias:
    the grammar's bonus on joining a copied value's next word (grammar.JOIN_BIAS)."""
    if quant != "int8":
        raise ValueError(f"quantization {quant!r} is not supported yet (int8 is)")
    gs = cfg["group_size"]
    if tok.vocab_size != cfg["vocab_size"]:
        raise ValueError(f"tokenizer has {tok.vocab_size} tokens, model {cfg['vocab_size']}")
    t = {"tok_embeddings": quantize_weight(weights["tok_embeddings.weight"], gs)}
    for l in range(cfg["n_layers"]):
        for name, src in LAYER_MAP.items():
            w = np.asarray(weights[f"layers.{l}.{src}"], dtype=np.float32)
            t[f"layers.{l}.{name}"] = w if name in NORMS else quantize_weight(w, gs)
    t["norm"] = np.asarray(weights["norm.weight"], dtype=np.float32)
    cos, sin = rope_tables(cfg["seq_len"], cfg["dim"] // cfg["n_heads"], cfg["rope_theta"])
    t["rope_cos"], t["rope_sin"] = cos, sin
    config = {k: cfg[k] for k in ("dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads",
                                  "vocab_size", "seq_len", "group_size", "norm_eps", "rope_theta")}
    config.update(bos_id=BOS, sep_id=SEP, eos_id=EOS)
    for k in ("norm_eps", "rope_theta"):  # stored as float32: keep the value the device sees
        config[k] = float(np.float32(config[k]))
    meta = dict(meta or {}, quant=quant, exporter=__version__)
    blob = G.default_blob(copy, float(join_bias)) if grammar else b""
    return MLMFile(config, t, list(tok.vocab), list(tok.merges), meta, blob)


def random_mlm(cfg: dict, seed: int = 0, n_merges: int = 40, grammar: bool = True,
               copy: bool = True) -> MLMFile:
    """An untrained model with random weights, for tests of the engine and the format."""
    rng = np.random.default_rng(seed)
    texts = ["turn on the kitchen lights", "set the thermostat to 21 degrees",
             "light.on area=kitchen", "open the garage door please"]
    tok = Tokenizer.train(texts * 4, 258 + n_merges)
    cfg = dict(cfg, vocab_size=tok.vocab_size)
    d, h, kv = cfg["dim"], cfg["hidden_dim"], cfg["dim"] // cfg["n_heads"] * cfg["n_kv_heads"]
    shapes = {"attention.wq.weight": (d, d), "attention.wk.weight": (kv, d),
              "attention.wv.weight": (kv, d), "attention.wo.weight": (d, d),
              "feed_forward.w1.weight": (h, d), "feed_forward.w3.weight": (h, d),
              "feed_forward.w2.weight": (d, h)}
    w = {"tok_embeddings.weight": rng.normal(0, 0.5, (cfg["vocab_size"], d)),
         "norm.weight": rng.uniform(0.5, 1.5, d)}
    for l in range(cfg["n_layers"]):
        for k, s in shapes.items():
            w[f"layers.{l}.{k}"] = rng.normal(0, 1.0 / np.sqrt(s[1]), s)
        w[f"layers.{l}.attention_norm.weight"] = rng.uniform(0.5, 1.5, d)
        w[f"layers.{l}.ffn_norm.weight"] = rng.uniform(0.5, 1.5, d)
    return build_mlm(w, cfg, tok, {"random_seed": seed}, grammar=grammar, copy=copy)


def write_c_array(blob: bytes, path_c, symbol: str = "microlm_model_data"):
    """model_data.c/.h: the .mlm bytes as a const, 16-byte aligned array, kept in flash."""
    path_c = Path(path_c)
    path_h = path_c.with_suffix(".h")
    guard = symbol.upper() + "_H"
    path_h.write_text(
        f"/* Generated by exporter {__version__}: do not edit. */\n#ifndef {guard}\n#define {guard}\n"
        f"#include <stdint.h>\n#include <stddef.h>\n"
        f"extern const uint8_t {symbol}[];\nextern const size_t {symbol}_len;\n#endif\n")
    rows = ",\n".join("  " + ",".join(f"0x{b:02x}" for b in blob[i:i + 16])
                      for i in range(0, len(blob), 16))
    path_c.write_text(
        f"/* Generated by exporter {__version__}: do not edit. A microlm model (.mlm),\n"
        f" * docs/model-format.md; aligned so int8 weights are word-aligned in flash. */\n"
        f'#include "{path_h.name}"\n'
        f"__attribute__((aligned(16))) const uint8_t {symbol}[] = {{\n{rows}\n}};\n"
        f"const size_t {symbol}_len = {len(blob)};\n")


def _align16(n: int) -> int:
    return (n + 15) & ~15


def arena_bytes(cfg: dict) -> int:
    """RAM of the device's run state for a config: the same carving, in the same order, as
    layout() in firmware/lib/microlm/src/forward.c (checked against it by a test)."""
    d, h, S, L = cfg["dim"], cfg["hidden_dim"], cfg["seq_len"], cfg["n_layers"]
    kv = d // cfg["n_heads"] * cfg["n_kv_heads"]
    widest = max(d, h)
    bufs = [4 * d, 4 * d, 4 * d, 4 * h, 4 * h, 4 * d, 4 * kv, 4 * kv, 4 * S,
            4 * cfg["vocab_size"], widest, 4 * (widest // cfg["group_size"]),
            L * S * kv, L * S * kv, 4 * L * S * cfg["n_kv_heads"],
            4 * L * S * cfg["n_kv_heads"], 2 * S]
    used = 0
    for b in bufs:
        used = _align16(used) + b
    return used


def beam_bytes(cfg: dict, k: int) -> int:
    """RAM a beam of k lines adds on a 32-bit device: mlm_beam_bytes() in
    firmware/lib/microlm/src/beam.c (struct mlm_beam with its lines, offers, finished lines and
    5 pointers of 4 bytes, then k slots of BEAM_LEN KV rows with their scales, and their
    tokens), checked against the emulated M4 by tests/test_e2e_qemu.py."""
    from .grammar import COPY_MAX
    from .reference import BEAM_LEN, BEAM_MAX
    line = 16 + 4 * ((COPY_MAX + 1 + 31) // 32)   # score, state, 3 uint16 + pad, the copy set P
    finished = (6 + 2 * BEAM_LEN + 3) // 4 * 4    # norm, n, tokens; 4-aligned
    state = _align16(4 + (2 * BEAM_MAX + BEAM_MAX ** 2) * line + BEAM_MAX * finished + 5 * 4)
    kv = cfg["dim"] // cfg["n_heads"] * cfg["n_kv_heads"]
    rows = cfg["n_layers"] * BEAM_LEN * k
    return (state + 2 * _align16(rows * kv) + 2 * _align16(4 * rows * cfg["n_kv_heads"])
            + _align16(2 * k * BEAM_LEN))


def flash_bytes(cfg: dict, grammar: bool = True) -> int:
    """Approximate size of the .mlm file for a config (weights, scales, norms, rope tables,
    tokenizer, the grammar unless left out); exact for a given model: `exporter info --model`."""
    d, h, L, V, gs = cfg["dim"], cfg["hidden_dim"], cfg["n_layers"], cfg["vocab_size"], cfg["group_size"]
    kv = d // cfg["n_heads"] * cfg["n_kv_heads"]
    int8 = V * d + L * (2 * d * d + 2 * kv * d + 3 * h * d)
    floats = int8 // gs + (2 * L + 1) * d + cfg["seq_len"] * (d // cfg["n_heads"])
    tokenizer = 4 * (V + 1) + 4 * V + 6 * max(0, V - 258)   # offsets, ~4 bytes per token, merges
    dfa = len(G.default_blob()) + 8 if grammar else 0  # + its length field and alignment
    return int8 + 4 * floats + tokenizer + dfa + 64 * (9 * L + 4)  # + FlatBuffer overhead


def export_files(m: MLMFile, out_dir) -> dict:
    from .mlm_format import to_bytes
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    blob = to_bytes(m)
    (out / "model.mlm").write_bytes(blob)
    write_c_array(blob, out / "model_data.c")
    info = {"model_bytes": len(blob), "config": m.config, "meta": m.meta,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S")}
    (out / "model.json").write_text(json.dumps(info, indent=2, sort_keys=True))
    return info
