"""`exporter`: corpus, train, export, predict, info."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

DEFAULT_MODEL = Path(__file__).parent / "default_model" / "model.mlm"


def _fail(msg: str):
    raise click.ClickException(msg)


def _read_jsonl(path: Path, validate: bool = True, fields=("text", "action")):
    from .corpus import read_jsonl
    try:
        return read_jsonl(path, validate=validate, fields=fields)
    except (OSError, ValueError) as e:
        _fail(str(e))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="microlm")
def main():
    """Train, quantize and export micro language models for microcontrollers."""


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/corpus"), show_default=True)
@click.option("--seed", default=0, show_default=True)
def corpus(out, seed):
    """Generate the command corpus (train/dev/test JSONL) from ACTIONS.md."""
    from . import corpus as C
    splits = C.generate(seed=seed)
    for name, rows in splits.items():
        C.write_jsonl(rows, out / f"{name}.jsonl")
        click.echo(f"{out / (name + '.jsonl')}: {len(rows)} rows")


@main.command()
@click.option("--preset", type=click.Choice(["nano", "micro", "small"]), default="micro", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/micro"), show_default=True)
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="directory with train.jsonl and dev.jsonl (default: generate the corpus)")
@click.option("--steps", default=3000, show_default=True)
@click.option("--batch-size", default=64, show_default=True)
@click.option("--lr", default=3e-3, show_default=True)
@click.option("--seed", default=0, show_default=True)
def train(preset, out, data, steps, batch_size, lr, seed):
    """Train a command model from scratch (CPU is enough for the default preset)."""
    from . import corpus as C
    from .train import train as run
    if data:
        splits = {s: _read_jsonl(data / f"{s}.jsonl")
                  for s in ("train", "dev") if (data / f"{s}.jsonl").exists()}
        if "train" not in splits:
            _fail(f"{data}: no train.jsonl")
    else:
        splits = C.generate(seed=seed)
    info = run(splits, out, preset=preset, steps=steps, batch_size=batch_size, lr=lr, seed=seed,
               log=click.echo)  # click.echo flushes: progress shows up in a log file too
    click.echo(f"checkpoint: {out}  ({info['train_seconds']} s)")


@main.command()
@click.argument("checkpoint", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--quant", type=click.Choice(["int8"]), default="int8", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/model"), show_default=True)
@click.option("--check", "check_n", default=50, show_default=True,
              help="compare float and quantized outputs on this many dev commands (0: skip)")
def export(checkpoint, quant, out, check_n):
    """Quantize a checkpoint and write model.mlm + model_data.c/.h."""
    from .export import build_mlm, export_files
    from .train import load_checkpoint
    try:
        model, cfg, tok = load_checkpoint(checkpoint)
    except (FileNotFoundError, ValueError) as e:
        _fail(str(e))
    weights = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    train_info = {}
    if (checkpoint / "train.json").exists():
        train_info = json.loads((checkpoint / "train.json").read_text())
    m = build_mlm(weights, cfg.to_dict(), tok, {"train": train_info, "params": model.n_params()}, quant)
    info = export_files(m, out)
    click.echo(f"{out / 'model.mlm'}: {info['model_bytes']:,} bytes, {model.n_params():,} parameters, {quant}")
    click.echo(f"{out / 'model_data.c'}: C array for firmware that compiles the model in")
    if check_n:
        _check(model, tok, m, check_n)


def _check(model, tok, m, n):
    """Float model vs the quantized model as the device runs it, on corpus dev commands."""
    from . import corpus as C
    from .actions import actions_equal
    from .reference import Reference
    from .tokenizer import BOS, EOS, SEP
    ref = Reference(m)
    rows = C.generate(seed=0)["dev"][:n]
    agree = float_ok = q_ok = 0
    for r in rows:
        p = tok.prompt(r["text"])
        fl = tok.decode(model.generate(p, EOS, model.config.seq_len - len(p) + 1)).split("\n")[0]
        q = ref.predict(r["text"])
        agree += fl == q
        float_ok += actions_equal(fl, r["action"])
        q_ok += actions_equal(q, r["action"])
    click.echo(f"check on {n} dev commands: float exact-match {float_ok / n:.3f}, "
               f"int8 exact-match {q_ok / n:.3f}, identical outputs {agree / n:.3f}")


@main.command()
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=DEFAULT_MODEL,
              show_default="the shipped default model")
@click.option("--input", "inp", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="JSONL, one object with a `text` field per line")
@click.option("--output", "outp", type=click.Path(dir_okay=False, path_type=Path), required=True)
def predict(model_path, inp, outp):
    """Run the bit-exact device reference: the tokens the board would produce."""
    from .mlm_format import FormatError, load
    from .reference import Reference
    try:
        ref = Reference(load(model_path))
    except (OSError, FormatError) as e:
        _fail(f"{model_path}: {e}")
    rows = _read_jsonl(inp, validate=False, fields=("text",))
    outp.parent.mkdir(parents=True, exist_ok=True)
    with open(outp, "w", encoding="utf-8") as f:
        for r in rows:
            try:
                pred = ref.predict(r["text"])
            except ValueError as e:  # prompt longer than the context
                pred, r = "", dict(r, error=str(e))
            f.write(json.dumps(dict(r, pred=pred)) + "\n")
    click.echo(f"{outp}: {len(rows)} predictions")


@main.command()
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=DEFAULT_MODEL,
              show_default="the shipped default model")
def info(model_path):
    """Describe a .mlm model: config, size, parameters."""
    from .mlm_format import FormatError, load
    try:
        data = Path(model_path).read_bytes()
        m = load(model_path)
    except (OSError, FormatError) as e:
        _fail(f"{model_path}: {e}")
    n = sum(t.q.size for t in m.tensors.values() if hasattr(t, "q"))
    click.echo(f"{model_path}: {len(data):,} bytes, {n:,} int8 weights")
    click.echo(" ".join(f"{k}={v}" for k, v in m.config.items()))
    click.echo(json.dumps(m.meta, sort_keys=True))


if __name__ == "__main__":
    sys.exit(main())
