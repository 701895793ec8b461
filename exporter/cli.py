"""`exporter`: corpus, train, export, predict, info."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

DEFAULT_MODEL = Path(__file__).parent / "default_model" / "model.mlm"
BEAM_WIDTH = click.IntRange(1, 8)  # 8: reference.BEAM_MAX, the firmware's MLM_BEAM_MAX
BEAM_HELP = ("beam search with this many lines, as the device's `beam K` (docs/numerics.md); "
             "1: greedy")


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
@click.option("--mix", "mix_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="your own JSONL (`text`, `action`) to mix into the training split")
@click.option("--mix-repeat", default=20, show_default=True,
              help="copies of each of your rows (a few dozen would drown in 320,000 generated ones; "
                   "training sees each row about once, so 20 copies are 20 looks)")
def corpus(out, seed, mix_path, mix_repeat):
    """Generate the command corpus (train/dev/test JSONL) from ACTIONS.md."""
    from . import corpus as C
    splits = C.generate(seed=seed)
    if mix_path:
        user = _read_jsonl(mix_path)
        try:
            splits["train"] = C.mix_user_data(splits["train"], user, repeat=mix_repeat, seed=seed)
        except ValueError as e:
            _fail(f"{mix_path}: {e}")
        click.echo(f"mixed {len(user)} rows of {mix_path} into train ({mix_repeat} copies each)")
    for name, rows in splits.items():
        C.write_jsonl(rows, out / f"{name}.jsonl")
        click.echo(f"{out / (name + '.jsonl')}: {len(rows)} rows")


@main.command()
@click.option("--preset", type=click.Choice(["nano", "micro", "small"]), default="micro", show_default=True)
@click.option("--out", type=click.Path(path_type=Path),
              help="checkpoint directory  [default: the --resume directory, else runs/<preset>]")
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="directory with train.jsonl and dev.jsonl (default: generate the corpus)")
@click.option("--steps", default=5000, show_default=True)
@click.option("--batch-size", default=64, show_default=True, help="global: split across torchrun processes")
@click.option("--lr", default=3e-3, show_default=True, help="peak learning rate (cosine to a tenth)")
@click.option("--warmup", default=100, show_default=True, help="linear warmup steps")
@click.option("--weight-decay", type=float,
              help="AdamW, on matrices only  [default: the preset's: nano and micro 0.3, small 0.1]")
@click.option("--dropout", type=float, help="attention dropout while training  [default: the preset's]")
@click.option("--ema", default=0.998, show_default=True,
              help="decay of the weight average kept over the second half of the run, which is "
                   "the model that is saved and evaluated; 0: the last step's weights")
@click.option("--prompt-loss", type=float,
              help="weight of the loss on the utterance's own tokens beside the action's; 0: only "
                   "the action counts  [default: the preset's: micro 0.3, nano and small 0]")
@click.option("--seed", default=0, show_default=True,
              help="corpus, tokenizer, initial weights, data order, dropout")
@click.option("--vocab-size", type=int, help="BPE vocabulary  [default: the preset's]")
@click.option("--eval-every", default=500, show_default=True,
              help="dev loss and float exact match, train.json history and loss.png every N steps")
@click.option("--save-every", default=500, show_default=True,
              help="checkpoint (resumable) every N steps; 0: only at the end")
@click.option("--log-every", default=100, show_default=True,
              help="a log line every N steps when stdout is not a terminal (else a progress bar)")
@click.option("--resume", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="continue the run saved in this directory (its settings and corpus)")
@click.option("--max-steps-this-run", type=int, help="stop and save after N steps (continue with --resume)")
@click.option("--threads", type=int, help="torch CPU threads  [default: torch's choice]")
@click.pass_context
def train(ctx, preset, out, data, steps, batch_size, lr, warmup, weight_decay, dropout, ema,
          prompt_loss, seed, vocab_size, eval_every, save_every, log_every, resume, max_steps_this_run, threads):
    """Train a command model (CPU is enough for the default preset).

    Data parallel: torchrun --standalone --nproc_per_node=N $(which exporter) train ..."""
    import os
    from click.core import ParameterSource
    from . import corpus as C
    from .train import train as run
    kw = dict(preset=preset, steps=steps, batch_size=batch_size, lr=lr, warmup=warmup,
              weight_decay=weight_decay, dropout=dropout, ema=ema, prompt_loss=prompt_loss, seed=seed,
              vocab_size=vocab_size, eval_every=eval_every, save_every=save_every, log_every=log_every)
    if resume:  # the run keeps its own settings: pass on only what was given (checked against them)
        kw = {k: v for k, v in kw.items() if ctx.get_parameter_source(k) != ParameterSource.DEFAULT}
        try:
            seed = json.loads((resume / "train.json").read_text())["seed"]
        except (OSError, ValueError, KeyError) as e:
            _fail(f"{resume}: not a resumable checkpoint ({e})")
    out = out or resume or Path("runs") / preset
    if data:
        splits = {s: _read_jsonl(data / f"{s}.jsonl")
                  for s in ("train", "dev") if (data / f"{s}.jsonl").exists()}
        if "train" not in splits:
            _fail(f"{data}: no train.jsonl")
    else:
        splits = C.generate(seed=seed)
    try:
        # log: train's own flushing print, which the progress bar (rich) can put above itself
        info = run(splits, out, **kw, threads=threads, resume=resume, max_steps_this_run=max_steps_this_run)
    except (FileNotFoundError, ValueError) as e:
        _fail(str(e))
    if os.environ.get("RANK", "0") == "0":  # under torchrun: once
        click.echo(f"checkpoint: {out}  (step {info['step']}/{info['steps']}, {info['train_seconds']} s)")


@main.command()
@click.argument("checkpoint", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--quant", type=click.Choice(["int8"]), default="int8", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/model"), show_default=True)
@click.option("--check", "check_n", default=50, show_default=True,
              help="compare float and quantized outputs on this many dev commands (0: skip)")
@click.option("--grammar/--no-grammar", default=True, show_default=True,
              help="embed the action language's DFA (from ACTIONS.md) for constrained decoding")
@click.option("--copy/--no-copy", default=True, show_default=True,
              help="the grammar's copy rule: values of name-like slots (area, name, device, ...) "
                   "must be words of the utterance; --no-copy when your data maps synonyms "
                   "(\"lounge\" -> living_room)")
@click.option("--join-bias", type=float, default=None, show_default="2.0, grammar.JOIN_BIAS",
              help="added to the logit of joining a copied name's next word (\"slow\" + "
                   "\"_cooker\") against ending it: choose it on your dev split with "
                   "`exporter eval --join-bias`; 0: off")
def export(checkpoint, quant, out, check_n, grammar, copy, join_bias):
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
        # the model file keeps the run's settings and results, not its history
        train_info = {k: v for k, v in train_info.items() if not isinstance(v, (list, dict))}
    from .grammar import JOIN_BIAS
    try:
        m = build_mlm(weights, cfg.to_dict(), tok, {"train": train_info, "params": model.n_params()},
                      quant, grammar=grammar, copy=copy,
                      join_bias=JOIN_BIAS if join_bias is None else join_bias)
    except ValueError as e:  # a join bias out of range
        _fail(str(e))
    info = export_files(m, out)
    click.echo(f"{out / 'model.mlm'}: {info['model_bytes']:,} bytes, {model.n_params():,} parameters, {quant}")
    if m.grammar:
        from .grammar import Grammar
        g = Grammar.from_bytes(m.grammar)
        click.echo(f"grammar: {g.n_states} states, {g.n_edges} edges, {len(m.grammar):,} bytes, "
                   f"copy rule {'on' if any(g.copy) else 'off'}"
                   + (f", {len(g.edge_words)} edge words" if g.edge_words else "")
                   + (f", join bias {g.join_bias:g}" if any(g.copy) else ""))
    else:
        click.echo("grammar: none (decoding is unconstrained)")
    click.echo(f"{out / 'model_data.c'}: C array for firmware that compiles the model in")
    if check_n:
        _check(model, tok, m, check_n)


def _check(model, tok, m, n):
    """Float model vs the quantized model as the device runs it, on corpus dev commands."""
    from . import corpus as C
    from .eval import float_predictions, reference_predictions, score
    from .reference import Reference
    rows = C.generate(seed=0)["dev"][:n]
    texts = [r["text"] for r in rows]
    fl = float_predictions(model, tok, texts)
    q = reference_predictions(Reference(m), texts)
    same = sum(a == b for a, b in zip(fl, q))
    click.echo(f"check on {n} dev commands: exact match float {score(rows, fl)['exact_match']}%, "
               f"int8 {score(rows, q)['exact_match']}% (with the grammar), "
               f"identical outputs {same}/{n}")


@main.command()
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=DEFAULT_MODEL,
              show_default="the shipped default model")
@click.option("--input", "inp", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="JSONL, one object with a `text` field per line")
@click.option("--output", "outp", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--beam", default=1, show_default=True, type=BEAM_WIDTH, help=BEAM_HELP)
def predict(model_path, inp, outp, beam):
    """Run the bit-exact device reference: the tokens the board would produce."""
    from .grammar import GrammarError
    from .mlm_format import FormatError, load
    from .reference import Reference
    try:
        ref = Reference(load(model_path), beam=beam)
    except (OSError, FormatError, GrammarError) as e:
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
@click.option("--model", "model_path", type=click.Path(path_type=Path),
              help="a .mlm file [default: the shipped default model]")
@click.option("--preset", type=click.Choice(["nano", "micro", "small", "all"]),
              help="describe training presets instead of a model file")
def info(model_path, preset):
    """Parameters, flash and RAM of a model file or of the presets."""
    from .export import arena_bytes, beam_bytes, flash_bytes
    if preset:
        from .model import PRESETS, Transformer
        names = list(PRESETS) if preset == "all" else [preset]
        click.echo(f"{'preset':8} {'params':>10} {'flash':>12} {'RAM':>10} {'beam 2':>9} "
                   f"{'beam 4':>9}  shape")
        for name in names:
            c = PRESETS[name].to_dict()
            n = Transformer(PRESETS[name]).n_params()
            click.echo(f"{name:8} {n:>10,} {'~' + format(flash_bytes(c), ','):>12} "
                       f"{arena_bytes(c):>10,} {'+' + format(beam_bytes(c, 2), ','):>9} "
                       f"{'+' + format(beam_bytes(c, 4), ','):>9}  dim={c['dim']} layers={c['n_layers']} "
                       f"heads={c['n_heads']}/{c['n_kv_heads']} hidden={c['hidden_dim']} "
                       f"vocab={c['vocab_size']} seq_len={c['seq_len']}")
        click.echo("flash: the .mlm file (weights read in place); RAM: the engine's run state "
                   "(activations, int8 KV cache, logits), as the firmware's `info` reports it; "
                   "beam K: the RAM `beam K` adds (docs/numerics.md)")
        return
    from .mlm_format import FormatError, load
    model_path = model_path or DEFAULT_MODEL
    try:
        data = Path(model_path).read_bytes()
        m = load(model_path)
    except (OSError, FormatError) as e:
        _fail(f"{model_path}: {e}")
    n = sum(t.q.size for t in m.tensors.values() if hasattr(t, "q"))
    click.echo(f"{model_path}: flash {len(data):,} bytes, RAM {arena_bytes(m.config):,} bytes "
               f"(+{beam_bytes(m.config, 2):,} with `beam 2`, +{beam_bytes(m.config, 4):,} with "
               f"`beam 4`), {n:,} int8 weights")
    click.echo(" ".join(f"{k}={v}" for k, v in m.config.items()))
    click.echo(json.dumps(m.meta, sort_keys=True))


@main.command("eval")
@click.option("--model", "model_path", type=click.Path(exists=True, path_type=Path), default=DEFAULT_MODEL,
              show_default="the shipped default model",
              help="a .mlm file (run through the bit-exact reference) or a float checkpoint directory")
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="JSONL with `text` and `action` (e.g. build/corpus/test.jsonl)")
@click.option("--grammar/--no-grammar", default=True, show_default=True,
              help="grammar-constrained decoding (.mlm models that carry a grammar)")
@click.option("--beam", default=1, show_default=True, type=BEAM_WIDTH, help=BEAM_HELP)
@click.option("--limit", type=int, help="only the first N rows")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.option("--errors", "n_errors", default=0, show_default=True, help="print this many wrong predictions")
@click.option("--join-bias", type=float, default=None, show_default="the model file's",
              help="decode .mlm models with this join bias instead of theirs (to choose one "
                   "for `exporter export --join-bias`)")
def eval_cmd(model_path, data, grammar, beam, limit, as_json, n_errors, join_bias):
    """Exact match, intent accuracy, `none` precision/recall and a per-intent table."""
    from .eval import evaluate
    from .grammar import GrammarError
    rows = _read_jsonl(data)[:limit]
    if not rows:
        _fail(f"{data}: no rows")
    try:
        res = evaluate(model_path, rows, constrained=grammar, beam=beam, join_bias=join_bias)
    except GrammarError as e:  # e.g. a model exported before the grammar's version 2
        _fail(f"{model_path}: {e}")
    except ValueError as e:  # a beam asked of a float checkpoint
        _fail(f"{model_path}: {e}")
    if as_json:
        click.echo(json.dumps(res, indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    con = Console()
    t = Table(title=f"{res['kind']} {model_path} on {data} ({res['n']} rows, {res['seconds']} s)")
    t.add_column("intent")
    t.add_column("n", justify="right")
    t.add_column("exact %", justify="right")
    for k, v in res["per_intent"].items():
        t.add_row(str(k), str(v["n"]), f"{v['exact_match']:.1f}")
    con.print(t)
    g = "" if res["kind"] == "float" else \
        f" ({'constrained' if grammar else 'unconstrained'}{f', beam {beam}' if beam > 1 else ''}" \
        + (f", join bias {res['join_bias']:g}" if res["join_bias"] is not None else "") + ")"
    con.print(f"exact match {res['exact_match']}%  intent {res['intent_accuracy']}%  "
              f"valid {res['valid']}%  none precision {res['none_precision']}%  "
              f"none recall {res['none_recall']}%{g}")
    if res["held_out_names"]["n"]:
        h, k = res["held_out_names"], res["known_names"]
        con.print(f"rows naming a dev/test-only name of the corpus: {h['n']}, exact match "
                  f"{h['exact_match']}%; the other {k['n']}: {k['exact_match']}%")
    if res["wrong_intent"] or res["wrong_slots_only"]:
        top = ", ".join(f"{c['gold']} -> {c['pred']} {c['n']}" for c in res["confusions"][:5])
        keys = ", ".join(f"{k} {v}" for k, v in res["wrong_slot_keys"].items())
        con.print(f"wrong rows: {res['wrong_intent']} wrong intent ({top or '-'}); "
                  f"{res['wrong_slots_only']} right intent, wrong slots ({keys or '-'})", markup=False)
    for e in res["errors"][:n_errors]:
        con.print(f"  {e['text']!r}: {e['pred']!r} (expected {e['gold']!r})", markup=False)


if __name__ == "__main__":
    sys.exit(main())
