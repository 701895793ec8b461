"""The firmware's protocol loop (firmware/src/app.c) under its C test harness
(firmware/test/test_app.c: a scripted board, app.c included so its static line reader and
UTF-8 check are reached), built with the host gcc: without a model, and with the shipped one."""
import subprocess

import pytest

from engine_lib import ROOT, _compile

MODEL = ROOT / "exporter" / "default_model" / "model.mlm"
HARNESS = ROOT / "firmware" / "test" / "test_app.c"


@pytest.fixture(scope="module")
def test_app(tmp_path_factory):
    # the engine build of tests/engine_lib.py, with the harness (it includes app.c) as the extra
    # source; always rebuilt: engine_lib's staleness check does not watch firmware/src
    return _compile(tmp_path_factory.mktemp("app") / "test_app", f'#include "{HARNESS}"\n',
                    [f"-I{ROOT / 'firmware' / 'src'}"])


@pytest.mark.parametrize("model", [None, MODEL], ids=["no-model", "shipped-model"])
def test_protocol_loop(test_app, model):
    r = subprocess.run([str(test_app)] + ([str(model)] if model else []), capture_output=True,
                       text=True, timeout=120)
    summary = r.stdout.strip().splitlines()[-1]
    assert r.returncode == 0 and summary.endswith(" 0 failed"), r.stdout[-3000:]
    assert int(summary.split()[0]) > 30  # the checks ran
