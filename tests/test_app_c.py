"""The firmware's protocol loop (firmware/src/app.c) under its C test harness
(firmware/test/test_app.c: a scripted board, app.c included so its static line reader and
UTF-8 check are reached), built with the host gcc: without a model, and with the shipped one."""
import subprocess

import pytest

from engine_lib import CFLAGS, ROOT, SRC

MODEL = ROOT / "exporter" / "default_model" / "model.mlm"


@pytest.fixture(scope="module")
def test_app(tmp_path_factory):
    exe = tmp_path_factory.mktemp("app") / "test_app"
    cmd = ["gcc", *CFLAGS, f"-I{ROOT / 'firmware' / 'src'}", f"-I{SRC}",
           str(ROOT / "firmware" / "test" / "test_app.c"), *map(str, sorted(SRC.glob("[a-z]*.c"))),
           "-lm", "-o", str(exe)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return exe


@pytest.mark.parametrize("model", [None, MODEL], ids=["no-model", "shipped-model"])
def test_protocol_loop(test_app, model):
    r = subprocess.run([str(test_app)] + ([str(model)] if model else []), capture_output=True,
                       text=True, timeout=120)
    summary = r.stdout.strip().splitlines()[-1]
    assert r.returncode == 0 and summary.endswith(" 0 failed"), r.stdout[-3000:]
    assert int(summary.split()[0]) > 30  # the checks ran
