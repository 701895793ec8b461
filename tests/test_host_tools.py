"""Unit tests of host_tools. None needs the firmware: the device is tests/fake_device.py
(the end-to-end tests on QEMU with the real firmware live elsewhere)."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from host_tools import flashers
from host_tools.boards import get_board, load_boards
from host_tools.cli import cli
from host_tools.errors import (BoardError, CommandError, DeviceError, FlashError, LinkError,
                               LinkTimeout, ProtocolError)
from host_tools.flashers import common, native, qemu
from host_tools.link import CHUNK, Link
from host_tools.protocol import Client, escape, parse_pairs, parse_token, unescape
from host_tools.running import find_running, state_path

sys.path.insert(0, str(Path(__file__).parent))
from fake_device import FakeDevice  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FAKE = Path(__file__).resolve().parent / "fake_device.py"


@pytest.fixture
def device():
    with FakeDevice() as d:
        yield d


@pytest.fixture
def client(device):
    with Client.open(device.url, timeout=5) as c:
        yield c


def elf32(segments: list[tuple[int, int]]) -> bytes:
    """A minimal little-endian ELF32 with PT_LOAD segments (paddr, filesz)."""
    phoff, n = 52, len(segments)
    hdr = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    hdr += struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, 0, phoff, 0, 0x05000000, 52, 32, n, 40, 0, 0)
    ph = b"".join(struct.pack("<IIIIIIII", 1, 0x1000, a, a, size, size, 5, 4)
                  for a, size in segments)
    return hdr + ph


# -- registry -------------------------------------------------------------------------------
def test_registry_reads_repo_manifests():
    boards = load_boards(REPO)
    assert "qemu-m4" in boards
    b = boards["qemu-m4"]
    assert b.kind == "qemu" and b.env == "qemu-m4"
    assert b.model_partition.size > 0
    assert b.microlm["qemu"]["machine"].startswith("mps2")


def test_unknown_board_lists_known_ones(monkeypatch):
    monkeypatch.setenv("MICROLM_ROOT", str(REPO))
    with pytest.raises(BoardError, match=r"unknown board 'nope' \(known boards: .*qemu-m4"):
        get_board("nope")


def test_registry_root_override_and_filters(tmp_path, monkeypatch):
    (tmp_path / "boards").mkdir()
    (tmp_path / "boards" / "plain.json").write_text('{"name": "no microlm section"}')
    (tmp_path / "boards" / "x.json").write_text(json.dumps({"name": "X", "microlm": {
        "kind": "qemu", "model_partition": {"address": 16, "size": 32}}}))
    monkeypatch.setenv("MICROLM_ROOT", str(tmp_path))
    boards = load_boards()
    assert list(boards) == ["x"]
    assert boards["x"].env == "x" and boards["x"].model_partition.end == 48
    (tmp_path / "boards" / "bad.json").write_text('{"microlm": {"kind": "qemu"}}')
    with pytest.raises(BoardError, match="bad.json: bad microlm section"):
        load_boards()


# -- parsing --------------------------------------------------------------------------------
@given(st.binary(max_size=64))
def test_escape_roundtrip(data):
    text = escape(data)
    assert all(0x20 <= ord(c) <= 0x7E for c in text)
    assert unescape(text.encode()) == data


def test_unescape_cases():
    assert unescape(rb"a\x0a") == b"a\n"
    assert unescape(rb"\x5c\xC3\xa9") == b"\\\xc3\xa9"
    with pytest.raises(ProtocolError):
        unescape(rb"bad\q")
    with pytest.raises(ProtocolError):
        unescape(b"trailing\\x4")


def test_parse_token_and_pairs():
    assert parse_token("3 17 12345  ") == (3, 17, 12345, b" ")     # a space token
    assert parse_token("0 5 10 a b") == (0, 5, 10, b"a b")
    assert parse_token("1 2 3") == (1, 2, 3, b"")
    with pytest.raises(ProtocolError):
        parse_token("x 2 3 a")
    assert parse_pairs("proto=1 fw=0.1.0 t=-5") == {"proto": 1, "fw": "0.1.0", "t": -5}
    with pytest.raises(ProtocolError):
        parse_pairs("novalue")


# -- the client against a fake device ------------------------------------------------------
def test_boot_lines(device):
    with Client.open(device.url) as c:
        boot = c.wait_ready(5)
    assert boot.model_ok is True
    assert boot.model_line.startswith("i model=ok")
    assert boot.lines[-1] == "# ready"


def test_boot_without_model():
    with FakeDevice(model_ok=False) as d, Client.open(d.url, timeout=5) as c:
        boot = c.wait_ready(5)
        assert boot.model_ok is False and boot.model_line == "e 10 no model: bad magic"
        c.ping()                                  # a device without a model still answers
        assert c.info()["model"] == "none"
        with pytest.raises(DeviceError) as ei:
            c.gen("turn on the kitchen lights")
        assert ei.value.code == 10 and ei.value.reason == "no model: bad magic"


def test_ping_and_info(client):
    client.ping()
    info = client.info()
    assert info["proto"] == 1 and info["fw"] == "0.1.0" and info["clock"] == "instr"
    assert info["model"] == "ok" and info["arena_size"] == 65536


def test_gen(client):
    seen = []
    r = client.gen("turn on the kitchen lights", on_token=seen.append)
    assert r.action == "light.on area=kitchen"
    assert r.data == b"light.on area=kitchen\n"
    assert seen == r.tokens
    assert [t.index for t in r.tokens] == list(range(len(r.tokens)))
    assert r.stats == {"prompt": 7, "gen": len(r.tokens), "t_first": 7000,
                       "t_total": 7000 + 500 * (len(r.tokens) - 1), "unit": "instr"}
    assert r.unit == "instr" and r.device_first == 7000
    assert r.device_per_token == pytest.approx((r.stats["t_total"] - 7000) / (r.stats["gen"] - 1))
    assert 0 <= r.ttft_ms <= r.wall_ms and r.ms_per_token >= 0
    d = r.to_dict()
    assert d["tokens"][-1]["hex"] == "0a" and d["device"]["t_first"] == 7000
    json.dumps(d)


def test_gen_streams_tokens_as_they_arrive():
    with FakeDevice(token_delay=0.05) as d, Client.open(d.url, timeout=5) as c:
        arrivals = []
        t0 = time.monotonic()
        r = c.gen("turn on the kitchen lights", on_token=lambda t: arrivals.append(time.monotonic()))
        end = time.monotonic()
    assert len(arrivals) == len(r.tokens) > 5
    assert arrivals[0] - t0 < (end - t0) / 2          # the first one long before the end
    assert r.ms_per_token >= 40                       # host timing sees the device's pace


def test_gen_escapes(client):
    r = client.gen("unicode")
    assert [t.bytes for t in r.tokens] == [b"caf", b"\xc3", b"\xa9", b" ", b"\\", b"\t", b"\n"]
    assert r.data.decode() == "café \\\t\n"
    assert r.action == "café \\\t"


def test_hash_lines_are_skipped(client):
    r = client.gen("comment kitchen")
    assert r.action == "light.on area=kitchen" and "# a log line in the middle" in r.log


def test_device_errors(client):
    with pytest.raises(DeviceError) as ei:
        client.gen("")
    assert (ei.value.code, ei.value.reason) == (4, "empty prompt")
    assert "device error 4 to 'gen': empty prompt" in str(ei.value)
    with pytest.raises(DeviceError, match="prompt too long"):
        client.gen(" ".join(["w"] * 50))
    with pytest.raises(DeviceError) as ei:
        client.command("bogus")
    assert ei.value.code == 1
    client.ping()                                    # still responsive


def test_device_errors_for_garbage(client):
    for junk, code in ((b"y" * 400, 2), (b"gen \xff\xfe", 3)):
        with pytest.raises(DeviceError) as ei:
            client.command(junk, check=False)
        assert ei.value.code == code
    assert client.command("info")[0].startswith("i proto=1")


def test_host_refuses_bad_lines_before_sending(client, device):
    with pytest.raises(CommandError, match="prompt is 252 bytes; a command line holds at "
                                           "most 251 bytes of prompt"):
        client.gen("x" * 252)
    with pytest.raises(CommandError, match="256 bytes; the protocol allows 255"):
        client.command("info" + " " * 252)
    with pytest.raises(CommandError, match="line break"):
        client.gen("two\nlines")
    client.gen("y" * 251)                            # 255 bytes with "gen ": allowed
    assert all(b"x" * 10 not in chunk and b"two" not in chunk for chunk in device.received)


def test_timeout_then_recovers(client):
    client.timeout = 0.3
    t0 = time.monotonic()
    with pytest.raises(LinkTimeout, match=r"no reply to 'gen' .* within 0.3 s"):
        client.gen("hang")
    assert time.monotonic() - t0 < 2
    client.timeout = 5
    client.ping()


def test_protocol_violations(client):
    with pytest.raises(ProtocolError, match="unexpected line during 'gen': 'x what is this'"):
        client.gen("garbage")


def test_link_closed_mid_command(client):
    with pytest.raises(LinkError, match="closed"):
        client.gen("die")


def test_connection_refused():
    with pytest.raises(LinkError, match="connection refused"):
        Client.open(f"socket://127.0.0.1:{qemu.free_port()}")


def test_link_writes_in_chunks():
    class Recorder:
        def __init__(self):
            self.writes = []

        def write(self, b):
            self.writes.append(bytes(b))

        def flush(self):
            pass

        def close(self):
            pass

    link = Link.__new__(Link)
    link.url, link._ser = "rec", Recorder()
    link.write(bytes(3000))
    assert [len(w) for w in link._ser.writes] == [CHUNK, CHUNK, 3000 - 2 * CHUNK]
    assert CHUNK <= 1024


# -- flashing -------------------------------------------------------------------------------
@pytest.fixture
def root(tmp_path, monkeypatch):
    """A repo root with one QEMU board (a small partition) and one host board."""
    (tmp_path / "boards").mkdir()
    wrapper = tmp_path / "fake-qemu"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE} qemu \"$@\"\n")
    wrapper.chmod(0o755)
    (tmp_path / "boards" / "emu.json").write_text(json.dumps({"name": "Emu", "microlm": {
        "kind": "qemu", "env": "emu", "description": "fake emulated board",
        "model_partition": {"address": 0x1000, "size": 4096}, "clock": "instr",
        "qemu": {"binary": str(wrapper), "machine": "mps2-an386", "cpu": "cortex-m4",
                 "args": ["-icount", "shift=0,align=off,sleep=off"]}}}))
    (tmp_path / "boards" / "host.json").write_text(json.dumps({"name": "Host", "microlm": {
        "kind": "posix", "env": "host", "description": "fake host build",
        "model_partition": {"address": 0, "size": 1 << 20}, "clock": "us"}}))
    fw = tmp_path / "firmware.elf"
    fw.write_bytes(elf32([(0, 0x800)]))
    prog = tmp_path / "program"
    prog.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE} native \"$@\"\n")
    prog.chmod(0o755)
    (tmp_path / "model.mlm").write_bytes(b"MLM0" + bytes(1000))
    monkeypatch.setenv("MICROLM_ROOT", str(tmp_path))
    yield tmp_path
    for name in ("emu", "host"):
        rb = find_running(name, tmp_path)
        if rb:
            rb.stop()


@pytest.fixture
def no_spawn(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("a process was started")
    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_flash_refuses_oversize_model(root, no_spawn):
    big = root / "big.mlm"
    big.write_bytes(bytes(4097))
    with pytest.raises(FlashError, match=r"4097 bytes, larger than the model partition of emu "
                                         r"\(4096 bytes at 0x1000\); refusing"):
        qemu.start("emu", root / "firmware.elf", big)


def test_flash_refuses_missing_and_unreadable_files(root, no_spawn):
    with pytest.raises(FlashError, match="model file not found"):
        qemu.start("emu", root / "firmware.elf", root / "nope.mlm")
    with pytest.raises(FlashError, match="model path is not a file"):
        qemu.start("emu", root / "firmware.elf", root)
    with pytest.raises(FlashError, match="no default model"):
        qemu.start("emu", root / "firmware.elf")
    (root / "empty.mlm").write_bytes(b"")
    with pytest.raises(FlashError, match="is empty"):
        qemu.start("emu", root / "firmware.elf", root / "empty.mlm")
    with pytest.raises(FlashError, match="firmware file not found"):
        qemu.start("emu", root / "nope.elf", root / "model.mlm")
    if os.geteuid() != 0:                       # root reads anything
        (root / "locked.mlm").write_bytes(b"x")
        (root / "locked.mlm").chmod(0)
        with pytest.raises(FlashError, match="cannot read model file"):
            qemu.start("emu", root / "firmware.elf", root / "locked.mlm")


def test_flash_refuses_firmware_overlapping_the_model(root, no_spawn):
    (root / "fat.elf").write_bytes(elf32([(0, 0x800), (0x1200, 16)]))
    with pytest.raises(FlashError, match="overlapping the model at 0x1000"):
        qemu.start("emu", root / "fat.elf", root / "model.mlm")
    (root / "fw.bin").write_bytes(bytes(64))
    with pytest.raises(FlashError, match="not an ELF"):
        qemu.start("emu", root / "fw.bin", root / "model.mlm")


def test_missing_default_firmware_is_built(root, monkeypatch):
    calls = []
    monkeypatch.setattr(common, "build", lambda board, log, r: calls.append(board.env))
    with pytest.raises(FlashError, match=r"did not produce .*\.pio/build/emu/firmware\.elf"):
        qemu.start("emu", None, root / "model.mlm")
    assert calls == ["emu"]


def test_pio_command_prefers_the_wrapper(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "pio").write_text("#!/bin/sh\n")
    (tmp_path / "scripts" / "pio").chmod(0o755)
    assert common.pio_command(tmp_path) == [str(tmp_path / "scripts" / "pio")]


def test_probe_a_device_whose_boot_lines_are_gone():
    with FakeDevice(model_ok=False) as d:
        Link(d.url).close()                       # the boot lines went to someone else
        with Client.open(d.url, timeout=5) as c:
            boot = common.probe(c)
    assert boot.model_ok is False and boot.model_line == "e 10 no model: bad magic"
    with FakeDevice() as d, Client.open(d.url, timeout=5) as c:
        boot = common.probe(c)                    # boot lines arrive: they are used
    assert boot.model_ok and boot.lines[-1] == "# ready"


def test_qemu_command_line(root):
    board = get_board("emu")
    cmd = qemu.command(board, Path("/fw/firmware.elf"), Path("/m/a,b.mlm"), 4321)
    assert cmd[cmd.index("-machine") + 1] == "mps2-an386"
    assert cmd[cmd.index("-serial") + 1] == "tcp:127.0.0.1:4321,server=on,wait=on"
    assert cmd[cmd.index("-kernel") + 1] == "/fw/firmware.elf"
    assert cmd[cmd.index("-device") + 1] == "loader,file=/m/a,,b.mlm,addr=0x1000,force-raw=on"
    assert cmd[-2:] == ["-icount", "shift=0,align=off,sleep=off"]


def test_qemu_flash_lifecycle(root):
    """start (a stand-in QEMU), record, talk, replace, stop: the flasher's process handling."""
    rb = qemu.start("emu", root / "firmware.elf", root / "model.mlm", record=True)
    assert rb.alive() and rb.model_ok and rb.url.startswith("socket://127.0.0.1:")
    assert json.loads(state_path("emu").read_text())["pid"] == rb.pid
    assert find_running("emu").url == rb.url
    with rb.connect(timeout=5) as dev:
        assert dev.gen("kitchen").action == "light.on area=kitchen"
    with rb.connect(timeout=5) as dev:           # a second connection: no re-flash needed
        dev.ping()
    rb2 = qemu.start("emu", root / "firmware.elf", root / "model.mlm", record=True)
    assert not rb.alive() and rb2.alive() and rb2.pid != rb.pid
    assert rb2.stop() and not rb2.alive()
    assert find_running("emu") is None and not state_path("emu").exists()


def test_unrecorded_start_is_a_context_manager(root):
    with flashers.start("emu", root / "firmware.elf", root / "model.mlm") as rb:
        assert rb.alive() and not state_path("emu").exists()
        assert "fake qemu:" in Path(rb.log).read_text()
    assert not rb.alive() and not Path(rb.log).exists()


def test_qemu_that_dies_is_reported(root, tmp_path):
    board = get_board("emu")
    bad = root / "dead-qemu"
    bad.write_text("#!/bin/sh\necho 'qemu-system-arm: -machine: bad' >&2\nexit 1\n")
    bad.chmod(0o755)
    m = json.loads(board.path.read_text())
    m["microlm"]["qemu"]["binary"] = str(bad)
    board.path.write_text(json.dumps(m))
    with pytest.raises(FlashError, match=r"dead-qemu exited with code 1: qemu-system-arm: "):
        qemu.start("emu", root / "firmware.elf", root / "model.mlm")


def test_native_flash_lifecycle(root):
    rb = native.start("host", root / "program", root / "model.mlm", record=True)
    try:
        assert rb.url.startswith("/dev/pts/") and rb.model_ok
        assert rb.boot[0] == "# microlm 0.1.0 board=fake" and rb.boot[-1] == "# ready"
        with rb.connect(timeout=5) as dev:
            assert dev.gen("the kitchen").action == "light.on area=kitchen"
    finally:
        rb.stop()
    assert not rb.alive()


# -- the CLI --------------------------------------------------------------------------------
def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_boards(monkeypatch):
    monkeypatch.setenv("MICROLM_ROOT", str(REPO))
    r = run("boards")
    assert r.exit_code == 0 and "qemu-m4" in r.output and "3 MiB @ 0x100000" in r.output
    rows = json.loads(run("boards", "--json").output)
    assert {"name": "qemu-m4", "kind": "qemu"}.items() <= rows[[x["name"] for x in rows]
                                                                .index("qemu-m4")].items()


def test_cli_send(device):
    r = run("send", "--port", device.url, "turn on the kitchen lights")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "light.on area=kitchen"                  # the streamed tokens
    assert lines[1] == "action  light.on area=kitchen"
    assert lines[2].startswith("host    first token ") and "ms/token" in lines[2]
    assert "device  first token 7,000 instr, 500 instr/token" in lines[3]


def test_cli_send_json_and_verbose(device):
    r = run("send", "-p", device.url, "--json", "kitchen")
    d = json.loads(r.output)
    assert d["action"] == "light.on area=kitchen" and d["device"]["unit"] == "instr"
    assert d["host"]["ttft_ms"] is not None
    r = run("send", "-p", device.url, "-v", "unicode")
    assert r.exit_code == 0 and "t   1 id=" in r.output and r"b'\xc3'" in r.output


def test_grammar_command(client):
    assert client.info()["grammar"] == "on"
    client.grammar(False)
    assert client.info()["grammar"] == "off"
    assert client.gen("kitchen").action == "light.on area=kitchen!"   # the fake's unconstrained
    client.grammar(True)
    assert client.info()["grammar"] == "on"
    assert client.gen("kitchen").action == "light.on area=kitchen"
    with FakeDevice(has_grammar=False) as d, Client.open(d.url, timeout=5) as c:
        assert c.info()["grammar"] == "none"
        with pytest.raises(DeviceError) as ei:
            c.grammar(True)
        assert (ei.value.code, ei.value.reason) == (6, "no grammar")
        c.grammar(False)                           # already off: fine


def sent_commands(device) -> list[bytes]:
    return [l for l in b"".join(device.received).split(b"\n") if l]


def test_cli_send_no_grammar(device):
    r = run("send", "-p", device.url, "--no-grammar", "turn on the kitchen lights")
    assert r.exit_code == 0, r.output
    assert "action  light.on area=kitchen!" in r.output
    assert sent_commands(device) == [b"info", b"grammar off", b"gen turn on the kitchen lights",
                                     b"grammar on"]                # restored afterwards
    r = run("send", "-p", device.url, "kitchen")                   # the default: unchanged
    assert "action  light.on area=kitchen\n" in r.output
    assert sent_commands(device)[-1] == b"gen kitchen"
    with FakeDevice(has_grammar=False) as d:                      # nothing to restore
        r = run("send", "-p", d.url, "--no-grammar", "--json", "kitchen")
        assert r.exit_code == 0 and json.loads(r.output)["action"] == "light.on area=kitchen!"
        assert sent_commands(d) == [b"info", b"grammar off", b"gen kitchen"]


def test_beam_command(client):
    assert client.info()["beam"] == 1
    client.beam(4)
    assert client.info()["beam"] == 4
    assert client.gen("kitchen").action == "light.on area=kitchen beam=4"
    with pytest.raises(DeviceError) as ei:
        client.beam(8)
    assert ei.value.code == 7 and "no room: beam 8 needs" in ei.value.reason
    assert client.info()["beam"] == 4                          # unchanged by the refusal
    client.beam(1)
    for bad in (0, 9, "4"):
        with pytest.raises(CommandError):
            client.beam(bad)


def test_cli_send_beam(device):
    r = run("send", "-p", device.url, "--beam", "4", "--json", "kitchen")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["action"] == "light.on area=kitchen beam=4"
    assert sent_commands(device) == [b"info", b"beam 4", b"gen kitchen", b"beam 1"]
    r = run("send", "-p", device.url, "--beam", "1", "kitchen")  # already greedy: no commands
    assert r.exit_code == 0 and sent_commands(device)[-2:] == [b"info", b"gen kitchen"]
    r = run("send", "-p", device.url, "--beam", "6", "kitchen")
    assert r.exit_code == 3 and "device error 7 to 'beam': no room: beam 6 needs 92048 bytes" in r.output
    assert sent_commands(device)[-1] == b"beam 6"                 # no gen after the refusal
    r = run("send", "-p", device.url, "--beam", "9", "kitchen")
    assert r.exit_code == 2 and "9 is not in the range 1<=x<=8" in r.output


def test_cli_device_error(device):
    r = run("send", "--port", device.url, "")
    assert r.exit_code == 3
    assert "error: device error 4 to 'gen': empty prompt" in r.output
    assert "Traceback" not in r.output
    r = run("send", "--port", device.url, "--json", "")
    assert r.exit_code == 3
    assert json.loads(r.stdout)["error"]["code"] == 4


def test_cli_timeout_and_refused(device):
    r = run("send", "--port", device.url, "--timeout", "0.3", "hang")
    assert r.exit_code == 1 and "timed out: no reply to 'gen'" in r.output
    r = run("info", "--port", f"socket://127.0.0.1:{qemu.free_port()}")
    assert r.exit_code == 1 and "connection refused" in r.output


def test_cli_board_errors(root):
    r = run("send", "--board", "nope", "hi")
    assert r.exit_code == 1 and "unknown board 'nope' (known boards: emu, host)" in r.output
    r = run("send", "--board", "emu", "hi")
    assert r.exit_code == 1
    assert "board 'emu' is not running; start it with: host_tools flash --board emu" in r.output
    assert run("send", "hi").exit_code == 2
    assert run("send", "-b", "emu", "-p", "socket://x:1", "hi").exit_code == 2
    r = run("flash", "--board", "emu", "--model", str(root / "nope.mlm"))
    assert r.exit_code == 1 and "model file not found" in r.output


def test_cli_flash_send_stop(root):
    r = run("flash", "-b", "emu", "-m", str(root / "model.mlm"), "-f", str(root / "firmware.elf"))
    assert r.exit_code == 0, r.output
    assert "emu running: pid" in r.output and "i model=ok" in r.output
    r = run("boards")
    assert "socket://127.0.0.1:" in r.output
    r = run("send", "-b", "emu", "the kitchen please")
    assert r.exit_code == 0 and "action  light.on area=kitchen" in r.output
    r = run("info", "-b", "emu", "--json")
    assert json.loads(r.output)["board"] == "fake"
    r = run("stop", "-b", "emu")
    assert r.exit_code == 0 and "stopped emu" in r.output
    assert "emu was not running" in run("stop", "-b", "emu").output


def test_cli_entry_point_no_traceback(root):
    exe = Path(sys.executable).parent / "host_tools"
    if not exe.exists():
        pytest.skip("console script not installed")
    p = subprocess.run([str(exe), "send", "-b", "emu", "x"], capture_output=True, text=True,
                       env={**os.environ, "MICROLM_ROOT": str(root)})
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.strip() == ("error: board 'emu' is not running; start it with: "
                                "host_tools flash --board emu")
