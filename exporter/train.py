"""Train a command model: utterance -> action line. nanoGPT-style: one loop, no framework.

A training row is `[BOS] utterance [SEP] action \\n`. The device is given the utterance and only
has to write the action, so the loss is on the tokens after SEP; for micro (PROMPT_LOSS) also on
the utterance's own tokens, weighted by prompt_loss (0.3): predicting the commands' words as
well taught it to read phrasings it never saw (docs/model.md). Logs and evals report the
action's loss alone.

One process, or data parallel under torchrun (the `exporter` script is a Python file):

    torchrun --standalone --nproc_per_node=2 $(which exporter) train --preset micro

Each rank takes a disjoint slice of every global batch and DDP averages the gradients, so N
ranks take the same steps as one process with the same --batch-size.

From the middle of the run on, an exponential moving average of the weights (decay --ema,
0.998) is kept beside them, and it is the model: the evals, model.safetensors, export. On this
task the average of the last ~500 steps beat the last step's weights by 0.45 to 1.5 points
exact match on dev and test (docs/model.md), at no training cost; it only reads the weights, so
the training trajectory is the same with or without it.

A checkpoint directory holds model.safetensors, config.json, tokenizer.json, train.json
(arguments, eval history, loss curve), optimizer.pt (the optimizer and, once averaging has
begun, the raw weights and the average's state) and loss.png. `resume` continues a stopped run
and ends with the same weights as a run that never stopped: the data order, the learning rate
and the dropout masks are functions of (seed, step), so the weights, the average, the optimizer
and the step are the whole state.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import random
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from .model import PRESETS, ModelConfig, Transformer
from .tokenizer import EOS, Tokenizer

# A run's hyperparameters; None: the preset's value. A resumed run keeps its own (train.json).
DEFAULTS = dict(preset="micro", steps=5000, batch_size=64, lr=3e-3, warmup=100, weight_decay=None,
                dropout=None, seed=0, vocab_size=None, ema=0.998, prompt_loss=None)
# AdamW weight decay per preset (a ModelConfig preset: 0.1). nano: 0.3 beat 0.1 on three training
# seeds of three (dev and test together, +1.0 points on average). micro: exact match is a wash
# (a third of a point either way, less than the spread between seeds), but with 0.1 three runs of
# seven read a whole out-of-domain test template as a command (`none` recall 88.8-93.8 %), with
# 0.3 none of six did (97.9-100 %) (docs/model.md).
WEIGHT_DECAY = {"nano": 0.3, "micro": 0.3, "small": 0.1}
# Weight of the utterance's tokens in the loss per preset (others and a ModelConfig: 0). micro:
# +1.4 points on two seeds of two; nano: -4.3 on test in its one run, its 180k weights have no
# room to spare for predicting the commands' words. small: not measured (docs/model.md).
PROMPT_LOSS = {"micro": 0.3}
# What runs saved before a setting existed did, so that they still resume as they were.
BEFORE = dict(ema=0.0, prompt_loss=0.0)
# How often to log, evaluate (on how many dev rows) and save. A resumed run keeps these too,
# unless given again: they do not change the weights.
CADENCE = dict(eval_every=500, save_every=500, log_every=100, eval_rows=500, em_rows=300)


def _print(msg):
    print(msg, flush=True)  # a log file or CI shows progress as it happens


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
    """(x, y, y_prompt): the targets of every position of x, y the action's tokens and y_prompt
    the utterance's (and SEP), -100 (ignored by the loss) elsewhere."""
    T = max(len(ids) for ids, _ in examples) - 1
    x = torch.full((len(examples), T), pad, dtype=torch.long)
    y = torch.full((len(examples), T), -100, dtype=torch.long)
    yp = torch.full((len(examples), T), -100, dtype=torch.long)
    for i, (ids, start) in enumerate(examples):
        t = torch.tensor(ids)
        x[i, :len(ids) - 1] = t[:-1]
        y[i, start - 1:len(ids) - 1] = t[start:]
        yp[i, :start - 1] = t[1:start]
    return x, y, yp


def batch_loss(net, x, y, yp, n_targets: int, prompt_loss: float):
    """(the action's loss, the objective) of a batch from make_batch: the sum
    over the action's tokens, plus prompt_loss times the sum over the utterance's, both divided
    by n_targets, the action tokens of the whole global batch (under torchrun a rank holds a
    slice: the slices' sums add up to the batch's mean, and x world undoes DDP's averaging).
    The utterance's tokens count because learning to predict the commands' own words made the
    model read phrasings it never saw better (docs/model.md, "Loss on the utterance too"). The
    output layer runs only where a token is scored (Transformer.forward's `where`)."""
    targets = y != -100
    scored = targets | (yp != -100) if prompt_loss else targets
    ce = F.cross_entropy(net(x, scored), torch.where(targets, y, yp)[scored], reduction="none")
    on_action = targets[scored]
    loss = ce[on_action].sum() / n_targets
    return loss, loss + prompt_loss * ce[~on_action].sum() / n_targets


def lr_at(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


class BatchOrder:
    """Row indices of the global batch of every step. Each epoch is a seeded permutation whose
    last partial batch is dropped, so the data order is a function of the step: no cursor to
    save. Within every chunk of BUCKET batches the rows are sorted by length before they are cut
    into batches (and the batches shuffled back), so a batch pads to little more than its own
    rows' length: utterances run from 5 to 60 tokens, and padding to a random batch's longest
    row wasted about 40 % of every step."""
    BUCKET = 32

    def __init__(self, lengths, batch_size: int, seed: int):
        self.lengths, self.B, self.seed = list(lengths), batch_size, seed
        self.per_epoch = len(self.lengths) // batch_size
        self._epoch, self._batches = None, None

    def _make(self, epoch: int) -> list[list[int]]:
        rng = random.Random(f"microlm-train-{self.seed}-{epoch}")
        order = list(range(len(self.lengths)))
        rng.shuffle(order)
        order = order[:self.per_epoch * self.B]
        batches, span = [], self.B * self.BUCKET
        for c in range(0, len(order), span):
            chunk = sorted(order[c:c + span], key=lambda i: self.lengths[i])
            part = [chunk[i:i + self.B] for i in range(0, len(chunk), self.B)]
            rng.shuffle(part)
            batches += part
        return batches

    def rows(self, step: int) -> list[int]:
        epoch, i = divmod(step, self.per_epoch)
        if epoch != self._epoch:
            self._epoch, self._batches = epoch, self._make(epoch)
        return self._batches[i]


@torch.no_grad()
def greedy(model, prompts, eos: int = EOS, max_new: int | None = None, batch: int = 256) -> list[list[int]]:
    """Greedy float decoding of many prompts at once: the tokens model.generate gives, in a
    fraction of the time. Rows are padded on the right; attention is causal, so the logits at a
    row's own last position never see the padding after it. A row leaves the batch when it
    writes eos, has max_new tokens or fills the context. Prompts longer than the context get []."""
    T, dev = model.config.seq_len, next(model.parameters()).device
    was_training = model.training
    model.eval()
    outs = [[] for _ in prompts]
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))  # less padding
    for b in range(0, len(order), batch):
        seqs = {i: list(prompts[i]) for i in order[b:b + batch] if len(prompts[i]) <= T}
        active = list(seqs)
        while active:
            x = torch.zeros(len(active), max(len(seqs[i]) for i in active), dtype=torch.long)
            for j, i in enumerate(active):
                x[j, :len(seqs[i])] = torch.tensor(seqs[i])
            last = torch.tensor([len(seqs[i]) - 1 for i in active])
            nxt = model(x.to(dev))[torch.arange(len(active)), last.to(dev)].argmax(-1).tolist()
            for i, t in zip(active, nxt):
                seqs[i].append(t)
                outs[i].append(t)
            active = [i for i, t in zip(active, nxt)
                      if t != eos and len(seqs[i]) <= T and len(outs[i]) != max_new]
    model.train(was_training)
    return outs


def _em(tok, preds, golds) -> float:
    from .actions import actions_equal
    ok = sum(actions_equal(tok.decode(p).split("\n", 1)[0], g) for p, g in zip(preds, golds))
    return ok / max(1, len(golds))


@torch.no_grad()
def evaluate(model, tok, examples, em_rows: int) -> tuple[float, float]:
    """(masked loss, greedy exact match of the first em_rows) on encoded examples."""
    dev, was_training = next(model.parameters()).device, model.training
    model.eval()
    total = n = 0
    for b in range(0, len(examples), 128):
        x, y, yp = make_batch(examples[b:b + 128])
        total += batch_loss(model, x.to(dev), y.to(dev), yp.to(dev), 1, 0.0)[0].item()  # the sum
        n += int((y != -100).sum())
    model.train(was_training)
    ex = examples[:em_rows]
    # a few tokens past the longest answer can no longer be right: an untrained model that
    # never writes eos would otherwise fill the context on every row
    cap = max((len(ids) - s for ids, s in ex), default=0) + 4
    em = _em(tok, greedy(model, [ids[:s] for ids, s in ex], max_new=cap),
             [tok.decode(ids[s:-1]) for ids, s in ex])
    return total / max(1, n), em


def _replace(path: Path, write):
    """Write to a temporary name, then rename: a run killed while saving keeps the old file whole."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _weights(model) -> dict:
    # output.weight is tok_embeddings.weight (tied): stored once
    return {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if k != "output.weight"}


def save_checkpoint(out: Path, model, cfg: ModelConfig, tok: Tokenizer, info: dict,
                    resume_state: dict | None = None):
    """model: the weights to publish (model.safetensors). resume_state: what else `resume`
    needs (optimizer.pt): the optimizer, and the raw weights when model is their average."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    step = str(info.get("step", info.get("steps")))
    if resume_state is not None:
        _replace(out / "optimizer.pt", lambda p: torch.save(dict(resume_state, step=int(step)), p))
    sd = _weights(model)
    _replace(out / "model.safetensors", lambda p: save_file(sd, str(p), metadata={"step": step}))
    (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    tok.save(out / "tokenizer.json")
    _replace(out / "train.json", lambda p: p.write_text(json.dumps(info, indent=2)))  # last: marks a whole checkpoint


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


def plot_losses(info: dict, path: Path):
    """Train loss and dev loss against step (log scale), dev exact match on a second axis."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure  # not pyplot: no global backend to disturb (notebooks)
    fig = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    if info["loss_curve"]:
        ax.plot(*zip(*info["loss_curve"]), label="train loss", color="tab:blue")
    h = info["history"]
    steps = [e["step"] for e in h]
    if h:
        ax.plot(steps, [e["dev_loss"] for e in h], "o-", label="dev loss", color="tab:orange")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss on action tokens")
    ax.grid(alpha=0.3)
    em = ax.twinx()
    if h:
        em.plot(steps, [e["dev_em"] for e in h], "s--", label="dev exact match", color="tab:green")
    em.set_ylim(0, 1)
    em.set_ylabel("dev exact match (float, greedy)")
    lines = ax.get_lines() + em.get_lines()
    ax.legend(lines, [l.get_label() for l in lines], loc="center right")
    ax.set_title(f"{info['preset'] if isinstance(info['preset'], str) else 'custom'}: "
                 f"{info['params']:,} parameters, batch {info['batch_size']}")
    fig.tight_layout()
    _replace(Path(path), lambda p: fig.savefig(p, format="png", dpi=100))


def _progress_bar():
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    return Progress(TextColumn("train"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("loss {task.fields[loss]:.4f}  lr {task.fields[lr]:.2e}  "
                               "{task.fields[tps]:,.0f} tok/s"),
                    TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())


def _distributed():
    """(rank, world size, device, whether we started the process group). torchrun sets
    WORLD_SIZE/RANK/LOCAL_RANK; without them this is one process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world == 1:
        return 0, 1, device, False
    started = not dist.is_initialized()
    if started:
        dist.init_process_group("nccl" if cuda else "gloo")
    return dist.get_rank(), dist.get_world_size(), device, started


def train(data: dict, out: Path, preset: str | ModelConfig | None = None, steps: int | None = None,
          batch_size: int | None = None, lr: float | None = None, warmup: int | None = None,
          seed: int | None = None, vocab_size: int | None = None, log=_print,
          threads: int | None = None, *, weight_decay: float | None = None,
          dropout: float | None = None, ema: float | None = None, prompt_loss: float | None = None,
          eval_every: int | None = None,
          save_every: int | None = None, resume: Path | str | None = None,
          max_steps_this_run: int | None = None, log_every: int | None = None,
          eval_rows: int | None = None, em_rows: int | None = None,
          progress: bool | None = None) -> dict:
    """Train on data["train"] (eval on data["dev"]) and write a checkpoint to `out`; returns
    the train.json dict.

    Hyperparameters left None take DEFAULTS (preset "micro", 5000 steps, batch 64, lr 3e-3,
    warmup 100, seed 0, ema 0.998; vocab size, dropout, weight decay and prompt_loss: the
    preset's, see WEIGHT_DECAY and PROMPT_LOSS). prompt_loss: the weight of the utterance's
    tokens in the loss beside the action's (1); 0: the action only.
    ema: the decay of the weight average kept from step steps // 2 on; 0: none, the last
    step's weights are the model. `preset` may be a ModelConfig. With `resume` (a checkpoint
    directory) they come from the checkpoint, and a different value is an error: a resumed run
    is the same run. The corpus must be the same too.

    Every eval_every steps (CADENCE: 500): dev loss on the first eval_rows (500) dev rows,
    greedy exact match on the first em_rows (300) of them, a train.json history entry and
    loss.png. Every save_every steps (500; 0: never) and at the end: a checkpoint that `resume`
    continues. max_steps_this_run stops early (and saves). progress: a rich bar (default: when
    stdout is a terminal), else a line every log_every (100) steps. batch_size is global: under
    torchrun each rank takes batch_size / world.
    """
    given = dict(preset=preset, steps=steps, batch_size=batch_size, lr=lr, warmup=warmup,
                 weight_decay=weight_decay, dropout=dropout, seed=seed, vocab_size=vocab_size, ema=ema,
                 prompt_loss=prompt_loss)
    if prompt_loss is not None and not 0 <= prompt_loss <= 10:
        raise ValueError(f"prompt_loss={prompt_loss}: the utterance's weight in the loss is in [0, 10]")
    if ema is not None and not 0 <= ema < 1:
        raise ValueError(f"ema={ema}: the decay of the weight average is in [0, 1) (0: no average)")
    if isinstance(preset, ModelConfig):
        given["preset"] = preset.to_dict()
    prev = None
    if resume:
        resume = Path(resume)
        if not (resume / "train.json").is_file() or not (resume / "optimizer.pt").is_file():
            raise FileNotFoundError(f"{resume}: not a resumable checkpoint (needs train.json and optimizer.pt)")
        prev = json.loads((resume / "train.json").read_text())
        args = {k: prev[k] if k in prev else BEFORE[k] for k in DEFAULTS}
        clash = [f"{k}={v!r} (the run has {args[k]!r})" for k, v in given.items()
                 if v is not None and v != args[k]]
        if clash:
            raise ValueError(f"{resume}: a resumed run keeps its settings; got " + ", ".join(clash))
    else:
        args = {k: DEFAULTS[k] if v is None else v for k, v in given.items()}
        for key, per_preset, other in (("weight_decay", WEIGHT_DECAY, 0.1), ("prompt_loss", PROMPT_LOSS, 0.0)):
            if args[key] is None:  # the preset's, or `other` for presets without one and ModelConfigs
                args[key] = per_preset.get(args["preset"], other) if isinstance(args["preset"], str) else other
    every = dict(eval_every=eval_every, save_every=save_every, log_every=log_every,
                 eval_rows=eval_rows, em_rows=em_rows)
    every = {k: (prev or CADENCE).get(k, CADENCE[k]) if v is None else v for k, v in every.items()}
    if threads:
        torch.set_num_threads(threads)
    rank, world, device, started = _distributed()
    try:
        return _train(data, Path(out), args, every, prev, resume, (rank, world, device), log,
                      max_steps_this_run, progress)
    finally:
        if started:
            dist.destroy_process_group()


def _train(data, out, args, every, prev, resume, ddp, log, max_steps_this_run, progress):
    steps, B, lr, warmup, seed = (args[k] for k in ("steps", "batch_size", "lr", "warmup", "seed"))
    eval_every, save_every, log_every, eval_rows, em_rows = (every[k] for k in CADENCE)
    log_every = max(1, log_every)
    rank, world, device = ddp
    # the corpus fingerprint: resuming on other rows, or ranks reading different rows, would
    # silently train something else
    digest = hashlib.sha256(json.dumps([[r["text"], r["action"]] for r in data["train"]]).encode()).hexdigest()
    if world > 1:
        box = [digest]
        dist.broadcast_object_list(box, src=0)
        if box[0] != digest:
            raise ValueError(f"rank {rank} has other training rows than rank 0")
    if prev and prev.get("data_sha256") != digest:
        raise ValueError(f"{resume}: the training rows differ from the run's (same --data, or the "
                         f"same --seed for the generated corpus)")
    if resume:
        model, cfg, tok = load_checkpoint(resume)
    else:
        cfg = ModelConfig(**(PRESETS[args["preset"]].to_dict() if isinstance(args["preset"], str)
                             else args["preset"]))
        args["dropout"] = cfg.dropout = cfg.dropout if args["dropout"] is None else args["dropout"]
        args["vocab_size"] = args["vocab_size"] or cfg.vocab_size
        tok = None
        if rank == 0:
            texts = [r["text"] for r in data["train"]] + [r["action"] for r in data["train"]]
            tok = Tokenizer.train(texts, args["vocab_size"])
        if world > 1:  # one tokenizer, learnt once: do not count on every rank learning the same
            box = [tok]
            dist.broadcast_object_list(box, src=0)
            tok = box[0]
        cfg.vocab_size = tok.vocab_size
        torch.manual_seed(seed)  # the same initial weights on every rank (DDP broadcasts rank 0's too)
        model = Transformer(cfg)
    model.to(device)
    train_ex = encode_rows(tok, data["train"], cfg.seq_len)
    dev_ex = encode_rows(tok, data.get("dev", [])[:eval_rows], cfg.seq_len) if rank == 0 else []
    if B % world or len(train_ex) < B:
        raise ValueError(f"batch size {B} must be a multiple of the {world} processes and at most "
                         f"the {len(train_ex)} training rows")
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    # the weight average: rank 0 only, the ranks' weights are the same
    averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(args["ema"])) \
        if args["ema"] and rank == 0 else None
    average_from = steps // 2  # from the middle: the early weights are far from the end's
    start, history, curve, seconds0 = 0, [], [], 0.0
    if prev:
        state = torch.load(resume / "optimizer.pt", map_location=device)
        with safe_open(str(resume / "model.safetensors"), "pt") as f:
            w_step = int((f.metadata() or {}).get("step", -1))
        start = prev["step"]
        if not state["step"] == w_step == start:
            raise ValueError(f"{resume}: train.json, model.safetensors and optimizer.pt are from "
                             f"different steps ({start}, {w_step}, {state['step']})")
        opt.load_state_dict(state["optimizer"])
        if "weights" in state:  # model.safetensors holds the average, optimizer.pt the raw weights
            model.load_state_dict(state["weights"], strict=False)
        if averaged is not None and "ema" in state:
            averaged.load_state_dict(state["ema"])
        history, curve, seconds0 = prev["history"], prev["loss_curve"], prev["train_seconds"]
    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)

    batches = BatchOrder([len(ids) for ids, _ in train_ex], B, seed)
    stop = steps if max_steps_this_run is None else min(steps, start + max_steps_this_run)
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        log(f"{args['preset'] if isinstance(args['preset'], str) else 'custom config'}: "
            f"{model.n_params():,} parameters, vocab {tok.vocab_size}, {len(train_ex):,} training "
            f"rows, batch {B}" + (f" over {world} processes" if world > 1 else "") +
            (f", resuming at step {start}" if start else "") + f", {device}")
    t0, ntok, recent, aside = time.time(), 0, deque(maxlen=log_every), 0.0  # aside: eval/save time

    def published():
        """The weights that are the model: the average once it has begun."""
        return averaged.module if averaged is not None and averaged.n_averaged > 0 else model

    def resume_state():
        state = {"optimizer": opt.state_dict()}
        if published() is not model:
            state.update(weights=_weights(model), ema=averaged.state_dict())
        return state

    def info(done):
        h = history[-1] if history else {}
        return dict(args, **every, params=model.n_params(), step=done, world_size=world, data_sha256=digest,
                    train_seconds=round(seconds0 + time.time() - t0, 1),
                    final_loss=float(np.mean(recent)) if recent else (prev or {}).get("final_loss"),
                    dev_loss=h.get("dev_loss"), dev_exact_match=h.get("dev_em"),
                    dev_em_rows=min(em_rows, len(dev_ex)), history=history, loss_curve=curve)

    show_bar = rank == 0 and (sys.stdout.isatty() if progress is None else progress)
    bar = _progress_bar() if show_bar else None
    with bar or contextlib.nullcontext():
        task = bar and bar.add_task("train", total=steps, completed=start, loss=float("nan"), lr=0.0, tps=0.0)
        for step in range(start, stop):
            rows = batches.rows(step)
            n_targets = sum(len(train_ex[i][0]) - train_ex[i][1] for i in rows)
            x, y, yp = make_batch([train_ex[i] for i in rows[rank::world]])  # this rank's slice
            lr_now = lr_at(step, steps, lr, warmup)
            for g in opt.param_groups:
                g["lr"] = lr_now
            torch.manual_seed(seed * 1_000_003 + step * 1024 + rank)  # dropout masks: a function of the step
            loss, objective = batch_loss(net, x.to(device), y.to(device), yp.to(device), n_targets,
                                         args["prompt_loss"])
            opt.zero_grad(set_to_none=True)
            (objective * world).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if averaged is not None and step + 1 >= average_from:
                averaged.update_parameters(model)  # the first call copies the weights
            loss = loss.detach()
            if world > 1:
                dist.all_reduce(loss)  # the whole batch's loss, for the log
            recent.append(loss.item())
            ntok += sum(len(train_ex[i][0]) - 1 for i in rows)
            done = step + 1
            if rank:
                continue
            el = time.time() - t0 - aside  # training time only: tok/s and eta without the evals
            if done % log_every == 0 or done == steps:
                curve.append([done, round(float(np.mean(recent)), 5)])
            if bar:
                bar.update(task, completed=done, loss=np.mean(recent), lr=lr_now, tps=ntok / el)
            elif done % log_every == 0 or done in (start + 1, stop):
                eta = el / (done - start) * (steps - done)
                log(f"step {done:5d}/{steps} loss {np.mean(recent):.4f} lr {lr_now:.2e} "
                    f"{ntok / el:,.0f} tok/s {time.time() - t0:.0f}s eta {eta:.0f}s")
            if dev_ex and (eval_every and done % eval_every == 0 or done == steps):  # 0: at the end
                te = time.time()
                dev_loss, em = evaluate(published(), tok, dev_ex, em_rows)
                history.append(dict(step=done, train_loss=round(float(np.mean(recent)), 5),
                                    dev_loss=round(dev_loss, 5), dev_em=round(em, 4), lr=lr_now,
                                    elapsed=round(seconds0 + time.time() - t0, 1)))
                log(f"eval  {done:5d}: dev loss {dev_loss:.4f}, dev exact match {em:.3f} "
                    f"(float{', weight average' if published() is not model else ''}, "
                    f"first {min(em_rows, len(dev_ex))} rows; {time.time() - te:.1f}s)")
                plot_losses(info(done), out / "loss.png")
                aside += time.time() - te
            if save_every and done % save_every == 0 and done != stop:
                te = time.time()
                save_checkpoint(out, published(), cfg, tok, info(done), resume_state())
                aside += time.time() - te
    done = max(start, stop)
    result = info(done)
    if rank == 0:
        save_checkpoint(out, published(), cfg, tok, result, resume_state())
        plot_losses(result, out / "loss.png")
        if done < steps:
            log(f"stopped at step {done}/{steps}: continue with --resume {out}")
    return result
