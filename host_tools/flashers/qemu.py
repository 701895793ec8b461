"""Flash an emulated board: start QEMU with the firmware ELF and the model placed at the model
partition (``-device loader``), its serial port a TCP server on a free local port.

    from host_tools.flashers import qemu
    with qemu.start("qemu-m4", model="model.mlm") as rb:     # RunningBoard; stops on exit
        with rb.connect() as dev:
            print(dev.gen("turn on the kitchen lights").action)
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

from ..boards import Board
from ..errors import FlashError
from ..running import RunningBoard
from . import common
from .common import Log, _quiet
from .elf import check_no_overlap

ARTIFACT = "firmware.elf"
PORT_TRIES = 3


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _opt(path: Path) -> str:
    return str(path).replace(",", ",,")   # QEMU option values escape commas by doubling


def command(board: Board, firmware: Path, model: Path, port: int) -> list[str]:
    """The QEMU command line for ``board`` (from the manifest's ``microlm.qemu``)."""
    q = board.microlm.get("qemu")
    if not isinstance(q, dict) or "machine" not in q:
        raise FlashError(f"board {board.name}: manifest has no microlm.qemu.machine")
    cmd = [q.get("binary", "qemu-system-arm"), "-machine", q["machine"]]
    if q.get("cpu"):
        cmd += ["-cpu", q["cpu"]]
    cmd += ["-display", "none", "-monitor", "none",
            "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on",
            "-kernel", str(firmware),
            "-device", f"loader,file={_opt(model)},addr={board.model_partition.address:#x},"
                       "force-raw=on"]
    cmd += [str(a) for a in q.get("args", [])]
    return cmd


def start(board: Board | str, firmware: str | Path | None = None, model: str | Path | None = None,
          *, record: bool = False, boot_timeout: float = 60.0, log: Log = _quiet) -> RunningBoard:
    """Start ``board`` under QEMU and wait for ``# ready``.

    ``firmware`` defaults to ``.pio/build/<env>/firmware.elf`` (built if missing), ``model``
    to ``exporter/default_model/model.mlm``. A model larger than the partition, a missing
    file, or a firmware that overlaps the partition is refused before QEMU starts.
    ``record=True`` (the CLI) stops an earlier instance of the board and writes
    ``build/boards/<board>.json`` so later commands find it."""
    board = common.as_board(board)
    if board.kind != "qemu":
        raise FlashError(f"board {board.name} is of kind '{board.kind}', not an emulated one")
    model_path, size = common.resolve_model(board, model)
    command(board, Path("firmware.elf"), model_path, 0)     # manifest check, before building
    fw = common.resolve_firmware(board, firmware, ARTIFACT, log)
    check_no_overlap(fw, board.model_partition.address, size)
    if record:
        common.stop_previous(board, log)
    log_path = common.log_path_for(board, record)

    for attempt in range(PORT_TRIES):
        port = free_port()
        url = f"socket://127.0.0.1:{port}"
        cmd = command(board, fw, model_path, port)
        started = time.time()
        proc = common.spawn(cmd, log_path)
        try:
            dev = common.guarded(proc, common.connect, url, proc, log_path, 10.0)
        except common.PortBusy:
            if attempt + 1 == PORT_TRIES:
                raise
            continue
        with dev:
            boot = common.guarded(proc, dev.wait_ready, boot_timeout)   # starts on connect
        return common.guarded(proc, common.finish, board, proc, url, fw, model_path, boot,
                              log_path, record, started)
    raise AssertionError("unreachable")
