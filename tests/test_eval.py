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
    assert s["wrong_intent"] == 3 and s["wrong_slots_only"] == 0
    assert s["confusions"] == [{"gold": g, "pred": p, "n": 1} for g, p in
                               [("light.on", "invalid"), ("none", "light.off"), ("valve.open", "none")]]


def test_score_breaks_wrong_rows_down():
    rows = [{"text": t, "action": a} for t, a in [
        ("a", "light.on area=kitchen"), ("b", "light.on area=kitchen"), ("c", "light.dim"),
        ("d", "light.brighten"), ("e", "light.brighten"), ("f", "cover.set name=blinds position=50")]]
    preds = ["light.on area=the", "light.on area=kitchen name=lamp", "light.dim",
             "light.dim", "light.dim", "cover.set name=blinds"]
    s = score(rows, preds)
    assert s["exact_match"] == round(100 / 6, 2)
    assert s["wrong_intent"] == 2 and s["wrong_slots_only"] == 3
    assert s["confusions"] == [{"gold": "light.brighten", "pred": "light.dim", "n": 2}]
    assert s["wrong_slot_keys"] == {"area": 1, "name": 1, "position": 1}


def test_score_measures_held_out_names_apart():
    """Rows that name a dev/test-only name of the corpus ("sunroom", "fairy lights") are scored
    apart from the rest: the copying of unseen names, measured on its own."""
    from exporter import corpus as C
    from exporter.eval import held_out_values
    held = held_out_values()
    assert "sunroom" in held and "fairy_lights" in held and "kitchen" not in held
    assert not held & {C.to_value(n) for train, _, _ in C.NAMES.values() for n in train}
    rows = [{"text": t, "action": a} for t, a in [
        ("a", "light.on area=sunroom"), ("b", "light.on name=fairy_lights"),
        ("c", "light.on area=kitchen"), ("d", "none"), ("e", "light.off area=kitchen")]]
    preds = ["light.on area=sunroom", "light.on area=fairy", "light.on area=kitchen", "none", "light.on"]
    s = score(rows, preds)
    assert s["held_out_names"] == {"n": 2, "exact_match": 50.0}
    assert s["known_names"] == {"n": 3, "exact_match": round(200 / 3, 2)}
    assert score(rows[2:], preds[2:])["held_out_names"] == {"n": 0, "exact_match": None}


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


def test_eval_cli_reports_where_wrong_rows_go(tmp_path):
    """A random model gets the rows wrong; the table's summary line and --json say how."""
    from exporter.export import random_mlm
    from exporter.mlm_format import to_bytes
    model = tmp_path / "m.mlm"
    model.write_bytes(to_bytes(random_mlm(dict(dim=32, hidden_dim=64, n_layers=1, n_heads=4,
                                              n_kv_heads=2, seq_len=40, group_size=16,
                                              norm_eps=1e-5, rope_theta=10000.0))))
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"text": t, "action": a}) + "\n" for t, a in
                            [("turn on the kitchen lights", "light.on area=kitchen"),
                             ("what's the weather", "none"), ("open valve 3", "valve.open id=3"),
                             ("lights on in the sunroom", "light.on area=sunroom")]))
    r = CliRunner().invoke(main, ["eval", "--model", str(model), "--data", str(data), "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.output)
    assert res["wrong_intent"] + res["wrong_slots_only"] == 4 - round(res["exact_match"] * 4 / 100)
    assert sum(c["n"] for c in res["confusions"]) == res["wrong_intent"]
    assert res["held_out_names"]["n"] == 1 and res["known_names"]["n"] == 3
    r = CliRunner().invoke(main, ["eval", "--model", str(model), "--data", str(data)])
    assert r.exit_code == 0 and f"wrong rows: {res['wrong_intent']} wrong intent" in r.output
    assert "rows naming a dev/test-only name of the corpus: 1" in " ".join(r.output.split())


def test_eval_join_bias(tmp_path):
    """--join-bias decodes with another join bias than the model file's: the shipped model
    stops "the wine cellar" and "study time" before their unseen last word without one (0),
    joins them with its own (grammar.JOIN_BIAS); out of range or on a float checkpoint it is a
    clear error."""
    data = tmp_path / "rows.jsonl"
    rows = [("put the wine cellar light on 85 percent", "light.set area=wine_cellar brightness=85"),
            ("go into study time mode", "scene.on name=study_time"),
            ("put the house in dinner mode", "scene.on name=dinner")]
    data.write_text("".join(json.dumps({"text": t, "action": a}) + "\n" for t, a in rows))
    runs = {}
    for extra in ([], ["--join-bias", "0"]):
        r = CliRunner().invoke(main, ["eval", "--data", str(data), "--json", *extra])
        assert r.exit_code == 0, r.output
        runs[bool(extra)] = json.loads(r.output)
    assert runs[False]["exact_match"] == 100.0 and runs[False]["join_bias"] == 2.0
    assert runs[True]["join_bias"] == 0.0
    assert sorted(e["pred"] for e in runs[True]["errors"]) == \
        ["light.set area=wine brightness=85", "scene.on name=study"]
    r = CliRunner().invoke(main, ["eval", "--data", str(data), "--join-bias", "nan"])
    assert r.exit_code == 1 and "join bias nan is not a number in [-100, 100]" in r.output
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    r = CliRunner().invoke(main, ["eval", "--model", str(ckpt), "--data", str(data),
                                  "--join-bias", "1"])
    assert r.exit_code == 1 and "evaluate an exported .mlm" in r.output


def test_eval_and_predict_beam(tmp_path):
    """--beam K runs the reference's beam search in eval and predict alike; a beam on a
    float checkpoint, or wider than the device's, is a clear error."""
    from exporter.mlm_format import load
    from exporter.reference import Reference
    from exporter.cli import DEFAULT_MODEL as shipped
    texts = ["heat up the powder room", "turn on the floor lamp", "what's the weather like"]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"text": t, "action": a}) + "\n" for t, a in
                            zip(texts, ["climate.warmer area=powder_room",
                                        "light.on name=floor_lamp", "none"])))
    r = CliRunner().invoke(main, ["predict", "--input", str(data), "--output",
                                  str(tmp_path / "p.jsonl"), "--beam", "4"])
    assert r.exit_code == 0, r.output
    preds = [json.loads(line)["pred"] for line in open(tmp_path / "p.jsonl")]
    assert preds == [Reference(load(shipped), beam=4).predict(t) for t in texts]
    runs = {}
    for k in (1, 4):
        r = CliRunner().invoke(main, ["eval", "--data", str(data), "--json", "--beam", str(k)])
        assert r.exit_code == 0, r.output
        runs[k] = json.loads(r.output)
        assert runs[k]["beam"] == k
    # the shipped model reads "the powder room" as area=room greedily, whole with the beam
    assert [e["text"] for e in runs[1]["errors"]] == ["heat up the powder room"]
    assert runs[4]["exact_match"] == 100.0
    r = CliRunner().invoke(main, ["eval", "--data", str(data), "--beam", "9"])
    assert r.exit_code == 2 and "9 is not in the range" in r.output
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    r = CliRunner().invoke(main, ["eval", "--model", str(ckpt), "--data", str(data), "--beam", "2"])
    assert r.exit_code == 1 and "evaluate an exported .mlm" in r.output
