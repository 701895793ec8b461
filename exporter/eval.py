"""Score a command model on labelled utterances: exact match (ACTIONS.md equality), intent
accuracy, `none` precision and recall, validity, a per-intent table, and where the wrong rows
go (intent confusions, wrong slot keys).

A model is either a float checkpoint directory (greedy decoding in PyTorch) or a quantized
`.mlm` file run through the bit-exact reference, i.e. the tokens the device produces.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

from .actions import NONE, actions_equal, is_valid, parse_action


def _intent(line: str) -> str | None:
    if not is_valid(line):
        return None
    return line.split(" ", 1)[0]


def held_out_values() -> set[str]:
    """The slot values of the corpus's dev/test-only name pools ("sunroom", "fairy_lights"):
    a row naming one can only be right by copying."""
    from .actions import to_value
    from .corpus import NAMES
    return {to_value(n) for train, dev, test in NAMES.values() for n in dev + test}


def score(rows: list[dict], preds: list[str]) -> dict:
    """Metrics of predictions against rows' `action`s."""
    n = len(rows)
    em = intent_ok = valid = 0
    tp = pred_none = gold_none = 0
    held = held_out_values()
    unseen = [0, 0]  # rows whose gold names a dev/test-only name of the corpus: [count, exact]
    per = defaultdict(lambda: [0, 0])  # gold intent -> [count, exact]
    confused = Counter()  # (gold intent, predicted intent or "invalid") of the wrong rows
    slots = Counter()     # slot key -> wrong rows with the right intent whose value for it differs
    for r, p in zip(rows, preds):
        gold = r["action"]
        gi, pi = _intent(gold), _intent(p)
        ok = actions_equal(p, gold)
        em += ok
        valid += pi is not None
        intent_ok += pi == gi
        per[gi][0] += 1
        per[gi][1] += ok
        gold_slots = parse_action(gold).slots if gi is not None else {}
        if held & set(gold_slots.values()):
            unseen[0] += 1
            unseen[1] += ok
        if not ok and pi != gi:
            confused[(gi, pi or "invalid")] += 1
        elif not ok and gi is not None:  # same intent, both parse: which keys' values differ
            a, b = gold_slots, parse_action(p).slots
            slots.update(k for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k))
        g_none, p_none = gold == NONE, p == NONE
        gold_none += g_none
        pred_none += p_none
        tp += g_none and p_none
    pct = lambda a, b: round(100.0 * a / b, 2) if b else None  # noqa: E731
    return {
        "n": n,
        "exact_match": pct(em, n),
        "intent_accuracy": pct(intent_ok, n),
        "valid": pct(valid, n),
        "none_precision": pct(tp, pred_none),
        "none_recall": pct(tp, gold_none),   # `none` accuracy on the out-of-domain part
        "per_intent": {k: {"n": c, "exact_match": pct(e, c)} for k, (c, e) in sorted(per.items())},
        # copying measured apart: the rows that name something training never names, the rest
        "held_out_names": {"n": unseen[0], "exact_match": pct(unseen[1], unseen[0])},
        "known_names": {"n": n - unseen[0], "exact_match": pct(em - unseen[1], n - unseen[0])},
        "wrong_intent": sum(confused.values()),
        "wrong_slots_only": n - em - sum(confused.values()),
        "confusions": [{"gold": g, "pred": q, "n": c} for (g, q), c in confused.most_common()],
        "wrong_slot_keys": dict(slots.most_common()),
    }


def predict_float(checkpoint: Path, texts: list[str]) -> list[str]:
    from .train import load_checkpoint
    model, cfg, tok = load_checkpoint(checkpoint)
    return float_predictions(model, tok, texts)


def float_predictions(model, tok, texts: list[str]) -> list[str]:
    """Greedy action lines of a float model, batched ("" for a prompt past the context)."""
    from .train import greedy
    outs = greedy(model, [tok.prompt(t) for t in texts])
    return [tok.decode(ids).split("\n", 1)[0] for ids in outs]


def reference_predictions(ref, texts: list[str]) -> list[str]:
    """The device's action lines, from the bit-exact reference ("" where the device would
    refuse the prompt as too long)."""
    out = []
    for t in texts:
        try:
            out.append(ref.predict(t))
        except ValueError:
            out.append("")
    return out


def evaluate(model: Path, rows: list[dict], constrained: bool = True, beam: int = 1,
             join_bias: float | None = None) -> dict:
    """beam > 1: the device's beam search; join_bias: instead of the model file's (.mlm
    models only: ValueError for a checkpoint). The result's join_bias is the one decoded with
    (None: no grammar, or a float checkpoint)."""
    texts = [r["text"] for r in rows]
    t0 = time.time()
    if Path(model).is_dir():
        if beam > 1:
            raise ValueError("beam search is the device's decoder: evaluate an exported .mlm")
        if join_bias is not None:
            raise ValueError("the join bias is the grammar's: evaluate an exported .mlm")
        kind, preds = "float", predict_float(Path(model), texts)
    else:
        from .mlm_format import load
        from .reference import Reference
        ref = Reference(load(model), constrained=constrained, beam=beam, join_bias=join_bias)
        kind, preds = "int8", reference_predictions(ref, texts)
        join_bias = ref.grammar.join_bias if ref.grammar is not None else None  # the one used
    res = score(rows, preds)
    res.update(model=str(model), kind=kind, constrained=constrained if kind != "float" else None,
               beam=beam if kind != "float" else None,
               join_bias=join_bias if kind != "float" else None, seconds=round(time.time() - t0, 1))
    res["errors"] = [{"text": r["text"], "gold": r["action"], "pred": p}
                     for r, p in zip(rows, preds) if not actions_equal(p, r["action"])]
    return res
