"""Flash the POSIX host build: run ``program --model FILE``; it opens a pseudo-terminal as its
serial port and prints ``pty=/dev/pts/N`` on its stdout."""

from __future__ import annotations

import re
import time
from pathlib import Path

from ..boards import Board
from ..errors import FlashError
from ..running import RunningBoard
from . import common
from .common import Log, _quiet

ARTIFACT = "program"
_PTY = re.compile(r"pty=(\S+)")


def command(board: Board, program: Path, model: Path) -> list[str]:
    extra = board.microlm.get("native", {}).get("args", [])
    return [str(program), "--model", str(model), *map(str, extra)]


def wait_pty(proc, log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            m = _PTY.search(log_path.read_text(errors="replace"))
        except OSError:
            m = None
        if m:
            return m.group(1)
        if proc.poll() is not None:
            tail = common.log_tail(log_path)
            raise FlashError(f"{Path(proc.args[0]).name} exited with code {proc.returncode} "
                             "before printing pty=..." + (f": {tail}" if tail else ""))
        if time.monotonic() > deadline:
            raise FlashError(f"{Path(proc.args[0]).name} printed no pty=... within {timeout:g} s"
                             " (is its stdout flushed?)")
        time.sleep(0.02)


def start(board: Board | str, firmware: str | Path | None = None, model: str | Path | None = None,
          *, record: bool = False, boot_timeout: float = 10.0, log: Log = _quiet) -> RunningBoard:
    """Start the host build of the firmware and wait until it answers. Same contract as
    ``qemu.start``; ``firmware`` defaults to ``.pio/build/<env>/program``."""
    board = common.as_board(board)
    if board.kind != "posix":
        raise FlashError(f"board {board.name} is of kind '{board.kind}', not a host build")
    model_path, _ = common.resolve_model(board, model)
    program = common.resolve_firmware(board, firmware, ARTIFACT, log)
    if record:
        common.stop_previous(board, log)
    log_path = common.log_path_for(board, record)
    started = time.time()
    proc = common.spawn(command(board, program, model_path), log_path)
    url = common.guarded(proc, wait_pty, proc, log_path, boot_timeout)
    dev = common.guarded(proc, common.connect, url, proc, log_path, boot_timeout)
    with dev:
        dev.timeout = boot_timeout
        boot = common.guarded(proc, common.probe, dev)
    return common.guarded(proc, common.finish, board, proc, url, program, model_path, boot,
                          log_path, record, started)
