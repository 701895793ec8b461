"""An in-process stand-in for a microlm device speaking serial protocol v1 (docs/protocol.md).

For unit tests of host_tools' parsing, timeouts and errors only: it is not the firmware, and
end-to-end tests must run the real firmware.

    with FakeDevice() as dev:             # a TCP server thread: dev.url is socket://127.0.0.1:N
        ...

Run as a program it also stands in for the processes the flashers start:
    python fake_device.py qemu <qemu arguments>    serves on -serial tcp:...,server=on
    python fake_device.py native --model FILE      opens a pty, prints pty=/dev/pts/N
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time

MAX_LINE = 255


def escape(data: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b <= 0x7E and b != 0x5C else f"\\x{b:02x}" for b in data)


def split_tokens(text: bytes) -> list[bytes]:
    """Pseudo-tokens: runs of letters, and every other byte alone."""
    toks: list[bytes] = []
    for b in text:
        c = bytes([b])
        if toks and c.isalpha() and toks[-1][-1:].isalpha():
            toks[-1] += c
        else:
            toks.append(c)
    return toks


# Prompts with a fixed behaviour, for tests.
SCRIPT: dict[str, list[bytes]] = {
    "unicode": [b"caf", b"\xc3", b"\xa9", b" ", b"\\", b"\t", b"\n"],
}


class Device:
    """The protocol logic: feed it received bytes, it calls ``write(str_line)``."""

    def __init__(self, write, *, model_ok: bool = True, token_delay: float = 0.0,
                 board: str = "fake", has_grammar: bool = True):
        self.write = write
        self.grammar = "on" if has_grammar else "none"   # "on", "off" or "none"
        self.beam = 1
        self.model_ok = model_ok
        self.token_delay = token_delay
        self.board = board
        self.buf = b""
        self.discarding = False
        self.closed = False

    def boot(self) -> None:
        self.write(f"# microlm 0.1.0 board={self.board}")
        if self.model_ok:
            self.write("i model=ok params=1024 vocab=64 seq_len=128")
        else:
            self.write("e 10 no model: bad magic")
        self.write("# ready")

    def feed(self, data: bytes) -> None:
        self.buf += data
        while not self.closed:
            nl = self.buf.find(b"\n")
            if nl < 0:
                if len(self.buf) > MAX_LINE and not self.discarding:
                    self.write("e 2 line too long")
                    self.discarding = True
                if self.discarding:
                    self.buf = b""
                return
            line, self.buf = self.buf[:nl], self.buf[nl + 1:]
            if self.discarding:
                self.discarding = False
                continue
            if line.endswith(b"\r"):
                line = line[:-1]
            if len(line) > MAX_LINE:
                self.write("e 2 line too long")
                continue
            self.command(line)

    def command(self, line: bytes) -> None:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return self.write("e 3 bad utf-8")
        cmd, _, arg = text.partition(" ")
        if cmd == "ping":
            self.write("ok ping")
        elif cmd == "info":
            self.write(f"i proto=1 fw=0.1.0 board={self.board} clock=instr")
            if self.model_ok:
                self.write("i model=ok params=1024 dim=16 layers=1 heads=2 kv_heads=1 vocab=64 "
                           f"seq_len=128 model_bytes=4096 arena_used=2048 grammar={self.grammar} "
                           f"beam={self.beam} arena_size=65536")
            else:
                self.write("i model=none")
            self.write("ok info")
        elif cmd == "gen":
            self.gen(arg)
        elif cmd == "grammar" and arg.rstrip(" ") in ("on", "off"):
            if not self.model_ok:
                return self.write("e 10 no model: bad magic")
            if self.grammar == "none" and arg.rstrip(" ") == "on":
                return self.write("e 6 no grammar")
            if self.grammar != "none":
                self.grammar = arg.rstrip(" ")
            self.write("ok grammar")
        elif cmd == "beam" and arg.rstrip(" ") in [str(k) for k in range(1, 9)]:
            if not self.model_ok:
                return self.write("e 10 no model: bad magic")
            k = int(arg)
            if k > 4:                                 # the fake's arena holds 4 lines
                return self.write(f"e 7 no room: beam {k} needs {2048 + 15000 * k} bytes of "
                                  "arena, the board has 65536")
            self.beam = k
            self.write("ok beam")
        else:
            self.write("e 1 unknown command")

    def gen(self, prompt: str) -> None:
        if not self.model_ok:
            return self.write("e 10 no model: bad magic")
        if not prompt:
            return self.write("e 4 empty prompt")
        if len(prompt.split()) > 40:
            return self.write("e 5 prompt too long")
        if prompt == "hang":
            return                                    # never answers: host must time out
        if prompt == "die":
            self.write("t 0 7 100 li")
            self.closed = True
            return
        if prompt == "garbage":
            self.write("t 0 7 100 li")
            return self.write("x what is this")
        if prompt == "noaction":
            return self.write("ok gen")
        out = SCRIPT.get(prompt)
        if out is None:
            action = b"light.on area=kitchen" if "kitchen" in prompt else b"none"
            if self.grammar != "on":                  # something to tell the modes apart
                action = b"light.on area=kitchen!" if "kitchen" in prompt else b"nothing"
            if self.beam > 1:
                action += b" beam=%d" % self.beam
            out = split_tokens(action + b"\n")
        n_prompt = len(prompt.split()) + 2
        stamp = 1000 * n_prompt
        t_first = stamp
        for i, tok in enumerate(out):
            if self.token_delay:
                time.sleep(self.token_delay)
            if prompt.startswith("comment") and i == 1:
                self.write("# a log line in the middle")
            self.write(f"t {i} {sum(tok) % 64} {stamp} {escape(tok)}")
            stamp += 500
        action = b"".join(out).rstrip(b"\n")
        self.write("a " + escape(action))
        self.write(f"s prompt={n_prompt} gen={len(out)} t_first={t_first} "
                   f"t_total={stamp - 500} unit=instr")
        self.write("ok gen")


class FakeDevice:
    """A protocol v1 device on a local TCP port (like QEMU's ``-serial tcp:...,server=on``).
    Boot lines go to the first connection only, as with QEMU's ``wait=on``."""

    def __init__(self, port: int = 0, **device_kw):
        self.device_kw = device_kw
        self.srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", port))
        self.srv.listen(1)
        self.port = self.srv.getsockname()[1]
        self.url = f"socket://127.0.0.1:{self.port}"
        self.received: list[bytes] = []
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.serve, daemon=True)

    def start(self) -> "FakeDevice":
        self._thread.start()
        return self

    def serve(self) -> None:
        self.srv.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.srv.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            with conn:
                self._session(conn, boot=self.connections == 1)

    def _session(self, conn: socket.socket, boot: bool) -> None:
        def write(line: str) -> None:
            try:
                conn.sendall(line.encode("utf-8") + b"\n")
            except OSError:
                pass
        dev = Device(write, **self.device_kw)
        if boot:
            dev.boot()
        conn.settimeout(0.1)
        while not self._stop.is_set() and not dev.closed:
            try:
                data = conn.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                return
            self.received.append(data)
            dev.feed(data)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.srv.close()

    def __enter__(self) -> "FakeDevice":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


# -- stand-ins for the processes the flashers start ------------------------------------------
def _qemu(args: list[str]) -> None:
    serial = next(args[i + 1] for i, a in enumerate(args) if a == "-serial")
    loader = next(args[i + 1] for i, a in enumerate(args) if a == "-device")
    model = loader.split("file=", 1)[1].split(",addr=")[0].replace(",,", ",")
    port = int(serial.split(":")[2].split(",")[0])
    print(f"fake qemu: {' '.join(args)}", flush=True)
    with open(model, "rb"):
        pass
    dev = FakeDevice(port)      # raises "Address already in use" like QEMU would
    dev.start()
    dev._thread.join()


def _native(args: list[str]) -> None:
    import tty
    model = args[args.index("--model") + 1]
    with open(model, "rb"):
        pass
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    print(f"pty={os.ttyname(slave)}", flush=True)
    dev = Device(lambda line: os.write(master, line.encode("utf-8") + b"\n"))
    dev.boot()                  # before anyone opened the pty, as the host build does
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:         # EIO: no one has the pty open right now
            time.sleep(0.05)
            continue
        dev.feed(data)


if __name__ == "__main__":
    {"qemu": _qemu, "native": _native}[sys.argv[1]](sys.argv[2:])
