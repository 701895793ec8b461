"""The training loop: determinism, bit-identical resume, data parallel on 2 CPU processes, eval
history and plot, batched greedy decoding, the `train` command. Tiny models: seconds each."""
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from safetensors.torch import load_file

from exporter import corpus as C
from exporter import train as T
from exporter.cli import main
from exporter.model import ModelConfig, Transformer

TINY = ModelConfig(dim=32, hidden_dim=64, n_layers=1, n_heads=2, n_kv_heads=1, vocab_size=300,
                   dropout=0.0)  # tests that want dropout ask for it
QUIET = dict(preset=TINY, batch_size=16, lr=1e-2, warmup=4, threads=1, progress=False, log=lambda m: None)


@pytest.fixture(scope="module")
def data():
    return C.generate(seed=0, n_train=300, n_dev=40, n_test=10)


def weights(out: Path) -> dict:
    return load_file(str(out / "model.safetensors"))


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_same_seed_same_weights(tmp_path, data):
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        T.train(data, tmp_path / name, steps=12, seed=seed, eval_every=100, **QUIET)
    assert same(weights(tmp_path / "a"), weights(tmp_path / "b"))
    assert not same(weights(tmp_path / "a"), weights(tmp_path / "c"))


def test_stopped_and_resumed_run_ends_bit_identical(tmp_path, data):
    # dropout > 0: the masks must replay too; evals and saves in between must not disturb
    kw = dict(steps=30, dropout=0.1, eval_every=7, save_every=5, **QUIET)
    full = T.train(data, tmp_path / "full", **kw)
    part = T.train(data, tmp_path / "part", max_steps_this_run=13, **kw)
    assert part["step"] == 13 and json.loads((tmp_path / "part/train.json").read_text())["step"] == 13
    assert not same(weights(tmp_path / "full"), weights(tmp_path / "part"))
    T.train(data, tmp_path / "part", resume=tmp_path / "part", max_steps_this_run=9, threads=1,
            progress=False, log=lambda m: None)
    again = T.train(data, tmp_path / "part", resume=tmp_path / "part", threads=1, progress=False,
                    log=lambda m: None)
    assert again["step"] == 30
    assert same(weights(tmp_path / "full"), weights(tmp_path / "part"))
    # the dev evals saw the same weights at the same steps
    assert [(h["step"], h["dev_loss"], h["dev_em"]) for h in full["history"]] == \
           [(h["step"], h["dev_loss"], h["dev_em"]) for h in again["history"]]
    assert [h["step"] for h in full["history"]] == [7, 14, 21, 28, 30]


def test_resume_refuses_other_settings_data_or_a_torn_checkpoint(tmp_path, data):
    out = tmp_path / "run"
    T.train(data, out, steps=10, max_steps_this_run=4, eval_every=100, **QUIET)
    quiet = dict(threads=1, progress=False, log=lambda m: None)
    with pytest.raises(ValueError, match="lr=0.5"):
        T.train(data, out, resume=out, lr=0.5, **quiet)
    other = dict(data, train=data["train"][1:])
    with pytest.raises(ValueError, match="training rows differ"):
        T.train(other, out, resume=out, **quiet)
    opt = torch.load(out / "optimizer.pt")
    torch.save(dict(opt, step=3), out / "optimizer.pt")
    with pytest.raises(ValueError, match="different steps"):
        T.train(data, out, resume=out, **quiet)


def test_the_weight_average_is_the_model_and_leaves_training_alone(tmp_path, data):
    kw = dict(steps=12, ema=0.7, eval_every=100, **QUIET)
    T.train(data, tmp_path / "plain", **dict(kw, ema=0.0))
    T.train(data, tmp_path / "full", **kw)
    # one step per run (resume), to see the raw weights after every step
    out, raw = tmp_path / "steps", []
    for i in range(12):
        T.train(data, out, resume=out if i else None, max_steps_this_run=1, **kw)
        state = torch.load(out / "optimizer.pt")
        raw.append(state.get("weights") or weights(out))  # before the average: the same file
        assert ("weights" in state) == (i + 1 >= 6)  # the average starts at steps // 2
    assert same(raw[-1], weights(tmp_path / "plain"))  # averaging did not change the steps taken
    assert same(weights(out), weights(tmp_path / "full"))  # and resumes bit for bit
    avg = {k: v.clone() for k, v in raw[5].items()}
    for w in raw[6:]:
        for k in avg:
            avg[k] += 0.3 * (w[k] - avg[k])
    got = weights(out)
    assert all(torch.allclose(got[k], avg[k], rtol=0, atol=1e-6) for k in avg)
    assert not all(torch.allclose(got[k], raw[-1][k], rtol=0, atol=1e-4) for k in avg)
    with pytest.raises(ValueError, match="ema=1"):
        T.train(data, tmp_path / "bad", **dict(kw, ema=1.0))


def test_runs_saved_before_weight_averaging_still_resume(tmp_path, data):
    kw = dict(steps=8, eval_every=100, **QUIET)
    T.train(data, tmp_path / "full", ema=0.0, **kw)
    out = tmp_path / "old"
    T.train(data, out, ema=0.0, max_steps_this_run=5, **kw)
    info = json.loads((out / "train.json").read_text())
    del info["ema"]  # as written before the setting existed
    (out / "train.json").write_text(json.dumps(info))
    again = T.train(data, out, resume=out, threads=1, progress=False, log=lambda m: None)
    assert again["ema"] == 0.0 and same(weights(out), weights(tmp_path / "full"))


def test_weight_decay_defaults_to_the_presets(tmp_path, data):
    """nano and micro train with weight decay 0.3, a custom config with 0.1, unless given."""
    one = dict(QUIET, steps=1, eval_every=100, save_every=0)
    for name, kw, want in (("nano", dict(preset="nano", vocab_size=300), 0.3),
                           ("tiny", {}, 0.1), ("given", dict(preset="nano", vocab_size=300,
                                                             weight_decay=0.2), 0.2)):
        assert T.train(data, tmp_path / name, **dict(one, **kw))["weight_decay"] == want
        assert json.loads((tmp_path / name / "train.json").read_text())["weight_decay"] == want
    assert T.WEIGHT_DECAY["micro"] == 0.3 and T.DEFAULTS["preset"] == "micro"


def test_prompt_loss_defaults_to_the_presets(tmp_path, data):
    """micro weights the utterance's tokens 0.3, nano and a custom config not at all, unless given."""
    one = dict(QUIET, steps=1, eval_every=100, save_every=0)
    for name, kw, want in (("micro", dict(preset="micro", vocab_size=300), 0.3),
                           ("nano", dict(preset="nano", vocab_size=300), 0.0), ("tiny", {}, 0.0),
                           ("given", dict(preset="nano", vocab_size=300, prompt_loss=0.2), 0.2)):
        assert T.train(data, tmp_path / name, **dict(one, **kw))["prompt_loss"] == want
        assert json.loads((tmp_path / name / "train.json").read_text())["prompt_loss"] == want
    with pytest.raises(ValueError, match="prompt_loss"):
        T.train(data, tmp_path / "bad", **dict(one, prompt_loss=-1.0))


def test_history_loss_curve_plot_and_plain_log(tmp_path, data):
    lines = []
    info = T.train(data, tmp_path, steps=20, eval_every=10, log_every=5,
                   **dict(QUIET, log=lines.append))
    steps = [ln.split()[1] for ln in lines if ln.startswith("step")]
    assert steps == ["1/20", "5/20", "10/20", "15/20", "20/20"]
    assert sum(ln.startswith("eval") for ln in lines) == 2
    saved = json.loads((tmp_path / "train.json").read_text())
    assert saved["history"] == info["history"]
    h = saved["history"]
    assert [e["step"] for e in h] == [10, 20]
    assert set(h[0]) == {"step", "train_loss", "dev_loss", "dev_em", "lr", "elapsed"}
    assert h[1]["dev_loss"] < math.log(300) - 1 and 0 <= h[1]["dev_em"] <= 1  # well below uniform
    assert [s for s, _ in saved["loss_curve"]] == [5, 10, 15, 20]
    assert saved["loss_curve"][-1][1] < saved["loss_curve"][0][1]
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    model, cfg, tok = T.load_checkpoint(tmp_path)
    assert same(model.state_dict(), {**weights(tmp_path), "output.weight": weights(tmp_path)["tok_embeddings.weight"]})


def test_progress_bar_runs(tmp_path, data, capsys):
    T.train(data, tmp_path, steps=6, eval_every=3, **dict(QUIET, progress=True, log=print))
    out = capsys.readouterr().out
    assert "6/6" in out and "eval      3" in out


def test_batched_greedy_equals_generate():
    torch.manual_seed(0)
    cfg = ModelConfig(dim=32, hidden_dim=64, n_layers=2, n_heads=2, n_kv_heads=1, vocab_size=300, seq_len=32)
    model = Transformer(cfg)
    for p in model.parameters():  # large weights: clear argmax margins, no near-ties
        torch.nn.init.normal_(p, 0.0, 0.5)
    g = torch.Generator().manual_seed(1)
    lengths = [1, 2, 3, 5, 5, 8, 13, 20, 31, 32, 33]  # 32 fills the context, 33 does not fit
    prompts = [torch.randint(0, 300, (n,), generator=g).tolist() for n in lengths]
    eos = model.generate(prompts[2], -1, 3)[-1]  # a token some rows write early: they stop first
    want = [model.generate(p, eos, cfg.seq_len - len(p) + 1) for p in prompts]
    assert T.greedy(model, prompts, eos, batch=4) == want
    assert any(w and w[-1] == eos for w in want) and want[-1] == [] and len(want[-2]) == 1
    assert T.greedy(model, prompts, eos, max_new=2) == [w[:2] for w in want]


def test_batch_loss_counts_the_action_and_weights_the_utterance():
    """The objective is the action tokens' cross entropy plus prompt_loss times the utterance's
    (its words and SEP, not BOS), each summed and divided by the batch's action tokens; computed
    here by hand from the logits at every position."""
    torch.manual_seed(0)
    model = Transformer(TINY)
    tok = T.Tokenizer([])  # bytes only
    rows = [{"text": t, "action": a} for t, a in (("turn on the kitchen lights", "light.on area=kitchen"),
                                                  ("pause", "media.pause"), ("how are you", "none"))]
    ex = T.encode_rows(tok, rows, TINY.seq_len)
    x, y, yp = T.make_batch(ex)
    logp = torch.log_softmax(model(x), -1)
    action = utterance = 0.0
    for i, (ids, start) in enumerate(ex):
        for pos in range(len(ids) - 1):  # position pos predicts ids[pos + 1]
            nll = -logp[i, pos, ids[pos + 1]]
            if pos >= start - 1:  # ids[start - 1] is SEP: from there on the action's tokens
                action = action + nll
            else:
                utterance = utterance + nll
    n = sum(len(ids) - start for ids, start in ex)
    assert n == int((y != -100).sum())
    for w in (0.0, 0.3, 1.0):
        loss, objective = T.batch_loss(model, x, y, yp, n, w)
        assert torch.allclose(loss, action / n, atol=1e-5)
        assert torch.allclose(objective, (action + w * utterance) / n, atol=1e-5)


DDP_SCRIPT = """
    import json, os, sys, torch
    from exporter import train as T
    from exporter.model import ModelConfig
    made = []
    class Recorded(T.Transformer):  # keep a handle on the trained module and its first weights
        def __init__(self, c):
            super().__init__(c)
            made.append(self)
            self.initial = {k: v.clone() for k, v in self.state_dict().items()}
    T.Transformer = Recorded
    data, out = json.load(open(sys.argv[1])), sys.argv[2]
    T.train(data, out, preset=ModelConfig(**json.loads(sys.argv[3])), steps=8, batch_size=16, lr=1e-2,
            warmup=2, eval_every=4, progress=False)
    torch.save({"initial": made[0].initial, "final": made[0].state_dict()},
               os.path.join(out, "rank%s.pt" % os.environ["RANK"]))
"""


def test_two_processes_with_torchrun(tmp_path, data):
    (tmp_path / "run.py").write_text(textwrap.dedent(DDP_SCRIPT))
    (tmp_path / "data.json").write_text(json.dumps(data))
    out = tmp_path / "out"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                        str(tmp_path / "run.py"), str(tmp_path / "data.json"), str(out),
                        json.dumps(TINY.to_dict())], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "over 2 processes" in r.stdout and r.stdout.count("eval ") == 2  # rank 0 logs, once
    r0, r1 = torch.load(out / "rank0.pt"), torch.load(out / "rank1.pt")
    assert same(r0["initial"], r1["initial"]) and same(r0["final"], r1["final"])
    assert not any(torch.equal(r0["initial"][k], r0["final"][k]) for k in r0["final"])
    raw = torch.load(out / "optimizer.pt")["weights"]  # model.safetensors holds their average
    assert same(raw, {k: r0["final"][k] for k in raw})
    saved = weights(out)
    # the two halves of each batch make the whole batch: one process takes (nearly) the same steps
    T.train(data, tmp_path / "one", preset=TINY, steps=8, batch_size=16, lr=1e-2, warmup=2,
            eval_every=100, threads=1, progress=False, log=lambda m: None)
    one = weights(tmp_path / "one")
    # (float sums in another order: Adam turns the rounding of near-zero gradients into ~2e-5;
    # a step on other rows moves the weights by ~1e-2)
    assert all(torch.allclose(one[k], saved[k], atol=1e-4) for k in one)


def test_cli_train_stop_resume(tmp_path, data):
    d = tmp_path / "data"
    for split in ("train", "dev"):
        C.write_jsonl(data[split], d / f"{split}.jsonl")
    out = tmp_path / "run"
    base = ["train", "--data", str(d), "--threads", "1"]
    r = CliRunner().invoke(main, base + ["--preset", "nano", "--out", str(out), "--steps", "6",
                                         "--batch-size", "8", "--vocab-size", "300", "--eval-every", "3",
                                         "--log-every", "2", "--max-steps-this-run", "4"])
    assert r.exit_code == 0, r.output
    assert "step     4/6" in r.output and "stopped at step 4/6" in r.output
    r = CliRunner().invoke(main, base + ["--resume", str(out), "--batch-size", "8"])
    assert r.exit_code == 0, r.output
    assert "resuming at step 4" in r.output and "step 6/6" in r.output
    info = json.loads((out / "train.json").read_text())
    assert (info["preset"], info["step"], info["batch_size"], info["vocab_size"]) == ("nano", 6, 8, 300)
    r = CliRunner().invoke(main, base + ["--resume", str(out), "--lr", "0.1"])
    assert r.exit_code != 0 and "keeps its settings" in r.output


def test_cli_export_join_bias(tmp_path, data):
    """`exporter export` writes the grammar's join bias (grammar.JOIN_BIAS unless --join-bias
    says otherwise, none with --no-copy) and refuses one the device would not take."""
    from exporter import grammar as G
    from exporter.mlm_format import load
    out = tmp_path / "run"
    T.train(data, out, steps=2, eval_every=100, **QUIET)
    biases = {}
    for name, extra in [("default", []), ("set", ["--join-bias", "1.5"]), ("nocopy", ["--no-copy"])]:
        r = CliRunner().invoke(main, ["export", str(out), "--check", "0", "--out",
                                      str(tmp_path / name), *extra])
        assert r.exit_code == 0, r.output
        biases[name] = G.Grammar.from_bytes(load(tmp_path / name / "model.mlm").grammar).join_bias
    assert biases == {"default": G.JOIN_BIAS, "set": 1.5, "nocopy": 0.0}
    r = CliRunner().invoke(main, ["export", str(out), "--check", "0", "--out", str(tmp_path / "x"),
                                  "--join-bias", "1e9"])
    assert r.exit_code == 1 and "join bias 1000000000.0 is not a number in [-100, 100]" in r.output
    assert not (tmp_path / "x" / "model.mlm").exists()
