"""End to end on the emulated Cortex-M4 board (QEMU mps2-an386): the firmware runs the shipped
model and its tokens must equal, id for id, those of the bit-exact host reference
(`exporter predict`'s engine), with the grammar on (then every output must be an ACTIONS.md
action line) and with it off."""
import shutil
import subprocess
from pathlib import Path

import pytest

from exporter import grammar as G
from exporter.actions import COPY_KEYS, actions_equal, is_valid
from exporter.corpus import DEMO_COMMANDS
from exporter.export import _align16, arena_bytes, beam_bytes
from exporter.mlm_format import load, save
from exporter.reference import Reference, prompt_words
from host_tools.errors import DeviceError
from host_tools.flashers import qemu

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "exporter" / "default_model" / "model.mlm"
FIRMWARE = ROOT / ".pio" / "build" / "qemu-m4" / "firmware.elf"

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-arm") is None,
                                reason="qemu-system-arm not installed (make test installs it)")


@pytest.fixture(scope="module")
def firmware():
    # `make test` builds first; build here too so the test also runs on its own.
    subprocess.run([str(ROOT / "scripts" / "pio"), "run", "-s", "-e", "qemu-m4"], cwd=ROOT, check=True)
    return FIRMWARE


@pytest.fixture(scope="module")
def model_file():
    """The shipped model, which carries the action grammar (exporter export writes it)."""
    assert load(MODEL).grammar, "the shipped model has no grammar: re-export it"
    return MODEL


def variant(model_file: Path, tmp_path: Path, grammar: bytes) -> Path:
    m = load(model_file)
    m.grammar = grammar
    save(m, tmp_path / "variant.mlm")
    return tmp_path / "variant.mlm"


@pytest.fixture(scope="module")
def board(firmware, model_file):
    with qemu.start("qemu-m4", firmware=firmware, model=model_file) as rb:
        assert rb.model_ok, rb.boot
        with rb.connect(timeout=60) as dev:
            yield dev


@pytest.fixture(scope="module")
def ref(model_file):
    return Reference(load(model_file))


@pytest.fixture(scope="module")
def ref_free(model_file):
    return Reference(load(model_file), constrained=False)


def test_info_reports_model_and_ram(board, ref, model_file):
    info = board.info()
    c = ref.m.config
    assert info["model"] == "ok" and info["board"] == "qemu-m4" and info["clock"] == "instr"
    assert (info["dim"], info["layers"], info["vocab"], info["seq_len"]) == \
        (c["dim"], c["n_layers"], c["vocab_size"], c["seq_len"])
    assert info["model_bytes"] == model_file.stat().st_size
    assert 0 < info["arena_used"] <= info["arena_size"]
    assert info["grammar"] == "on"


@pytest.mark.parametrize("text,expected", DEMO_COMMANDS, ids=[t for t, _ in DEMO_COMMANDS])
def test_device_tokens_equal_reference(board, ref, text, expected):
    streamed = []
    r = board.gen(text, on_token=streamed.append)
    device_ids = [t.id for t in r.tokens]
    assert device_ids == ref.generate(text), "device and host reference disagree"
    assert [t.id for t in streamed] == device_ids  # each token was delivered as it came
    assert r.action == ref.predict(text)
    assert is_valid(r.action), f"not an action line: {r.action!r}"
    # the accuracy regression check on the device: the shipped model gets every demo command right
    assert actions_equal(r.action, expected), f"{text!r}: {r.action!r}, expected {expected!r}"
    assert r.stats["prompt"] == len(ref.prompt(text))
    stamps = [t.stamp for t in r.tokens]
    assert stamps == sorted(stamps) and r.stats["t_total"] >= stamps[-1] > 0


@pytest.mark.parametrize("text,expected", DEMO_COMMANDS, ids=[t for t, _ in DEMO_COMMANDS])
def test_device_tokens_without_grammar_equal_reference(board, ref_free, text, expected):
    board.grammar(False)
    try:
        r = board.gen(text)
        assert board.info()["grammar"] == "off"
    finally:
        board.grammar(True)
    assert [t.id for t in r.tokens] == ref_free.generate(text), "device and host reference disagree"
    assert r.action == ref_free.predict(text)


def test_model_without_grammar(firmware, model_file, ref_free, tmp_path):
    with qemu.start("qemu-m4", firmware=firmware, model=variant(model_file, tmp_path, b"")) as rb:
        assert rb.model_ok, rb.boot
        with rb.connect(timeout=30) as dev:
            assert dev.info()["grammar"] == "none"
            with pytest.raises(DeviceError) as e:
                dev.grammar(True)
            assert e.value.code == 6 and e.value.reason == "no grammar"
            dev.grammar(False)
            text = DEMO_COMMANDS[0][0]
            assert [t.id for t in dev.gen(text).tokens] == ref_free.generate(text)


def test_damaged_grammar_is_refused_by_firmware(firmware, model_file, tmp_path):
    blob = bytearray(G.default_blob())
    _, _, n, _, _, n_edges = G.HEADER.unpack_from(blob)
    last_next = 16 + 4 * (n + 1) + 4 * (n_edges - 1) + 2
    blob[last_next:last_next + 2] = b"\xff\xff"  # the last edge's target: out of range
    bad = variant(model_file, tmp_path, bytes(blob))  # CRC recomputed: the grammar check refuses
    with qemu.start("qemu-m4", firmware=firmware, model=bad) as rb:
        assert rb.model_ok is False
        assert "e 10 no model: model grammar invalid" in rb.boot, rb.boot


# prompts where the shipped model, without the copy rule, writes a name that is not in the
# utterance ("color=turot", "area=wine_celm", "area=li_room"); with it, words of the utterance
COPY_PROMPTS = ["Switch the lights to turquoise", "Soften the light in the wine cellar",
                "umm id like the lamps on in the media room", "put the pool cover up"]


@pytest.mark.parametrize("text", COPY_PROMPTS)
def test_device_applies_the_copy_rule(board, ref, text):
    r = board.gen(text)
    assert [t.id for t in r.tokens] == ref.generate(text), "device and host reference disagree"
    words = ref.grammar.copy_rule(prompt_words(text))
    values = [f.split("=", 1)[1] for f in r.action.split(" ")[1:]
              if f.split("=", 1)[0] in COPY_KEYS]
    assert values and all(words.is_span(v.encode()) for v in values), r.action


def test_model_without_copy_rule(firmware, model_file, tmp_path):
    """`exporter export --no-copy`'s grammar: the device decodes as the reference does
    without the rule, and the rule is what made the difference."""
    plain = variant(model_file, tmp_path, G.default_blob(copy=False))
    ref_plain, ref = Reference(load(plain)), Reference(load(model_file))
    with qemu.start("qemu-m4", firmware=firmware, model=plain) as rb:
        assert rb.model_ok, rb.boot
        with rb.connect(timeout=60) as dev:
            outs = [[t.id for t in dev.gen(text).tokens] for text in COPY_PROMPTS]
    assert outs == [ref_plain.generate(text) for text in COPY_PROMPTS]
    assert any(o != ref.generate(text) for o, text in zip(outs, COPY_PROMPTS))


BEAM_PROMPTS = [t for t, _ in DEMO_COMMANDS[:12]] + COPY_PROMPTS + [
    "heat up the powder room", "roof window in the veranda to a hundred percent"]


def test_device_beam_search_equals_reference(board, model_file):
    """`beam 4` on the M4: the same tokens as the reference's beam search, then greedy again
    after `beam 1`."""
    ref4 = Reference(load(model_file), beam=4)
    run_state = _align16(arena_bytes(ref4.m.config))  # the beam starts 16-byte aligned
    board.beam(2)
    assert board.info()["arena_used"] == run_state + beam_bytes(ref4.m.config, 2)
    board.beam(4)
    try:
        info = board.info()
        assert info["beam"] == 4  # and `exporter info`'s figure is what the device takes:
        assert info["arena_used"] == run_state + beam_bytes(ref4.m.config, 4)
        outs = {text: board.gen(text) for text in BEAM_PROMPTS}
    finally:
        board.beam(1)
    for text, r in outs.items():
        assert [t.id for t in r.tokens] == ref4.generate(text), text
        assert is_valid(r.action), r.action
    assert outs["heat up the powder room"].action == "climate.warmer area=powder_room"
    assert board.gen("heat up the powder room").action == "climate.warmer area=room"  # greedy


def test_demo_command_is_understood(board):
    r = board.gen("turn on the kitchen lights")
    assert actions_equal(r.action, "light.on area=kitchen"), r.action


def test_device_survives_bad_input(board):
    for line, code in [(b"hello", 1), (b"x" * 300, 2), (b"gen \xff\xfe", 3), (b"gen ", 4),
                       (b"gen " + b"a b " * 60, 5)]:
        with pytest.raises(DeviceError) as e:
            board.command(line, check=False)  # unchecked: the device must cope
        assert e.value.code == code, (line[:20], e.value)
        board.ping()  # still responsive


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty"])
def test_damaged_model_is_refused_by_firmware(firmware, model_file, tmp_path, damage):
    blob = bytearray(model_file.read_bytes())
    if damage == "flip":
        blob[len(blob) // 2] ^= 0x40          # CRC catches it
    elif damage == "truncate":
        blob = blob[: len(blob) // 2]         # header length runs past the data
    else:
        blob = bytearray(64)                  # no magic: an erased partition
    bad = tmp_path / "bad.mlm"
    bad.write_bytes(bytes(blob))
    with qemu.start("qemu-m4", firmware=firmware, model=bad) as rb:
        assert rb.model_ok is False
        assert any(l.startswith("e 10 no model") for l in rb.boot), rb.boot
        with rb.connect(timeout=30) as dev:
            dev.ping()
            assert dev.info()["model"] == "none"
            with pytest.raises(DeviceError) as e:
                dev.gen("turn on the kitchen lights")
            assert e.value.code == 10
