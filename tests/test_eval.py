"""exporter eval's metrics, and the exporter CLI around the corpus."""
import json

from click.testing import CliRunner

from exporter.cli import main
from exporter.eval import score


def test_score_metrics():
    rows = [{"text": "a", "action": "light.on area=kitchen"},
            {"text": "b", "action": "light.on area=kitchen name=lamp"},
            {"text": "c", "action": "none"},
            {"text": "d", "action": "none"},
            {"text": "e", "action": "valve.open id=3"}]
    preds = ["light.on area=kitchen",            # exact
             "light.on name=lamp area=kitchen",   # slots out of table order: not an action line
             "none",                               # none, right
             "light.off",                          # none missed
             "none"]                               # a command taken for none
    s = score(rows, preds)
    assert s["n"] == 5
    assert s["exact_match"] == 40.0
    assert s["intent_accuracy"] == 40.0   # row 2 does not parse, so it has no intent
    assert s["valid"] == 80.0
    assert s["none_precision"] == 50.0 and s["none_recall"] == 50.0
    assert s["per_intent"]["light.on"] == {"n": 2, "exact_match": 50.0}
    assert s["per_intent"]["valve.open"] == {"n": 1, "exact_match": 0.0}


def test_corpus_cli_mixes_user_rows(tmp_path):
    mine = tmp_path / "mine.jsonl"
    mine.write_text(json.dumps({"text": "fire up the espresso robot",
                                "action": "coffee.make type=espresso"}) + "\n")
    r = CliRunner().invoke(main, ["corpus", "--out", str(tmp_path / "c"), "--mix", str(mine),
                                  "--mix-repeat", "3"])
    assert r.exit_code == 0, r.output
    train = (tmp_path / "c" / "train.jsonl").read_text().splitlines()
    assert sum("espresso robot" in l for l in train) == 3
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "x", "action": "light.explode"}) + "\n")
    r = CliRunner().invoke(main, ["corpus", "--out", str(tmp_path / "c2"), "--mix", str(bad)])
    assert r.exit_code == 1 and "unknown intent" in r.output and "Traceback" not in r.output
