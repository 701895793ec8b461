"""Flashers: one module per kind of board (the manifest's ``microlm.kind``).

Each has ``start(board, firmware=None, model=None, *, record=False) -> RunningBoard``.
"""

from __future__ import annotations

from pathlib import Path

from ..boards import Board
from ..errors import FlashError
from ..running import RunningBoard
from . import common, native, qemu

KINDS = {"qemu": qemu, "posix": native}


def flasher_for(board: Board):
    try:
        return KINDS[board.kind]
    except KeyError:
        raise FlashError(f"board {board.name} is of kind '{board.kind}', which host_tools cannot "
                         f"flash yet (it can: {', '.join(KINDS)})") from None


def start(board: Board | str, firmware: str | Path | None = None,
          model: str | Path | None = None, **kw) -> RunningBoard:
    board = common.as_board(board)
    return flasher_for(board).start(board, firmware, model, **kw)
