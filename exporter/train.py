"""Train a command model: utterance -> action line. nanoGPT-style: one loop, no framework.

A training row is `[BOS] utterance [SEP] action \\n`; the loss counts only the tokens after
SEP, because the device is given the utterance and only has to write the action.
"""
from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from .model import PRESETS, ModelConfig, Transformer
from .tokenizer import BOS, EOS, SEP, Tokenizer


def encode_rows(tok: Tokenizer, rows, seq_len: int):
    """Token rows and the index where the action starts; rows that do not fit are dropped."""
    out = []
    for r in rows:
        p = tok.prompt(r["text"])
        ids = p + tok.encode(r["action"]) + [EOS]
        if len(ids) <= seq_len + 1:  # +1: the last token is only a target
            out.append((ids, len(p)))
    return out


def make_batch(examples, pad: int = 0):
    T = max(len(ids) for ids, _ in examples) - 1
    x = torch.full((len(examples), T), pad, dtype=torch.long)
    y = torch.full((len(examples), T), -100, dtype=torch.long)  # -100: ignored by the loss
    for i, (ids, start) in enumerate(examples):
        t = torch.tensor(ids)
        x[i, :len(ids) - 1] = t[:-1]
        y[i, start - 1:len(ids) - 1] = t[start:]
    return x, y


def lr_at(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def exact_match(model, tok, rows, limit=None) -> float:
    from .actions import actions_equal
    model.eval()
    rows = rows[:limit] if limit else rows
    ok = 0
    for r in rows:
        p = tok.prompt(r["text"])
        out = model.generate(p, EOS, model.config.seq_len - len(p) + 1)
        pred = tok.decode(out).split("\n", 1)[0]
        ok += actions_equal(pred, r["action"])
    model.train()
    return ok / max(1, len(rows))


def save_checkpoint(out: Path, model, cfg: ModelConfig, tok: Tokenizer, info: dict):
    out.mkdir(parents=True, exist_ok=True)
    sd = {k: v.contiguous() for k, v in model.state_dict().items() if k != "output.weight"}
    save_file(sd, str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    tok.save(out / "tokenizer.json")
    (out / "train.json").write_text(json.dumps(info, indent=2))


def load_checkpoint(path):
    path = Path(path)
    for f in ("model.safetensors", "config.json", "tokenizer.json"):
        if not (path / f).is_file():
            raise FileNotFoundError(f"{path}: not a checkpoint directory (missing {f})")
    cfg = ModelConfig(**json.loads((path / "config.json").read_text()))
    tok = Tokenizer.load(path / "tokenizer.json")
    model = Transformer(cfg)
    sd = load_file(str(path / "model.safetensors"))
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if unexpected or set(missing) - {"output.weight"}:
        raise ValueError(f"{path}: weights do not match the config "
                         f"(missing {missing}, unexpected {unexpected})")
    return model, cfg, tok


def train(data: dict, out: Path, preset: str = "micro", steps: int = 3000, batch_size: int = 64,
          lr: float = 3e-3, warmup: int = 100, seed: int = 0, vocab_size: int | None = None,
          log=print, threads: int | None = None) -> dict:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(threads)
    cfg = ModelConfig(**PRESETS[preset].to_dict())
    texts = [r["text"] for r in data["train"]] + [r["action"] for r in data["train"]]
    tok = Tokenizer.train(texts, vocab_size or cfg.vocab_size)
    cfg.vocab_size = tok.vocab_size
    model = Transformer(cfg)
    train_ex = encode_rows(tok, data["train"], cfg.seq_len)
    log(f"preset {preset}: {model.n_params():,} parameters, vocab {tok.vocab_size}, "
        f"{len(train_ex):,} training rows")
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    rng = random.Random(seed)
    order, cursor, t0, ntok, losses = [], 0, time.time(), 0, []
    for step in range(steps):
        if cursor + batch_size > len(order):
            order, cursor = list(range(len(train_ex))), 0
            rng.shuffle(order)
        x, y = make_batch([train_ex[i] for i in order[cursor:cursor + batch_size]])
        cursor += batch_size
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, lr, warmup)
        loss = F.cross_entropy(model(x).view(-1, cfg.vocab_size), y.view(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ntok += x.numel()
        losses.append(loss.item())
        if step % 100 == 0 or step == steps - 1:
            el = time.time() - t0
            log(f"step {step:5d}/{steps} loss {np.mean(losses[-100:]):.4f} "
                f"lr {g['lr']:.2e} {ntok / el:,.0f} tok/s {el:.0f}s")
    dev_em = exact_match(model, tok, data.get("dev", []), limit=300)
    info = {"preset": preset, "steps": steps, "batch_size": batch_size, "lr": lr, "seed": seed,
            "params": model.n_params(), "train_seconds": round(time.time() - t0, 1),
            "final_loss": float(np.mean(losses[-100:])), "dev_exact_match_float_300": dev_em}
    log(f"dev exact match (float, first 300): {dev_em:.3f}")
    save_checkpoint(Path(out), model, cfg, tok, info)
    return info
