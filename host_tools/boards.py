"""Board registry: every ``boards/*.json`` manifest that has a ``microlm`` section.

The repository root is found relative to this package (``host_tools/..``); the environment
variable ``MICROLM_ROOT`` overrides it (tests, installed copies).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BoardError

ROOT_ENV = "MICROLM_ROOT"


def repo_root() -> Path:
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "boards").is_dir():
        return here
    return Path.cwd().resolve()


@dataclass(frozen=True)
class Region:
    address: int
    size: int

    @property
    def end(self) -> int:
        return self.address + self.size


@dataclass(frozen=True)
class Board:
    """One board manifest. ``name`` is the manifest's file name without ``.json``."""

    name: str
    kind: str             # "qemu", "posix", ... : selects the flasher
    env: str              # PlatformIO env that builds its firmware
    description: str
    title: str            # the manifest's human name
    model_partition: Region
    clock: str
    path: Path
    microlm: dict = field(repr=False)   # the whole microlm section, for the flashers
    manifest: dict = field(repr=False)  # the whole manifest

    @classmethod
    def from_manifest(cls, path: Path, data: dict) -> "Board":
        m = data["microlm"]
        name = path.stem
        try:
            part = m["model_partition"]
            return cls(
                name=name,
                kind=str(m["kind"]),
                env=str(m.get("env", name)),
                description=str(m.get("description", data.get("name", ""))),
                title=str(data.get("name", name)),
                model_partition=Region(int(part["address"]), int(part["size"])),
                clock=str(m.get("clock", "")),
                path=path,
                microlm=m,
                manifest=data,
            )
        except (KeyError, TypeError, ValueError) as e:
            raise BoardError(f"{path}: bad microlm section ({type(e).__name__}: {e})") from None


def load_boards(root: Path | None = None) -> dict[str, Board]:
    """All boards with a ``microlm`` section, by name, sorted."""
    root = root or repo_root()
    bdir = root / "boards"
    if not bdir.is_dir():
        raise BoardError(f"no boards/ folder under {root} (set {ROOT_ENV} to the microlm repo)")
    boards = {}
    for path in sorted(bdir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise BoardError(f"{path}: cannot read manifest: {e}") from None
        if isinstance(data, dict) and isinstance(data.get("microlm"), dict):
            boards[path.stem] = Board.from_manifest(path, data)
    return boards


def get_board(name: str, root: Path | None = None) -> Board:
    boards = load_boards(root)
    try:
        return boards[name]
    except KeyError:
        known = ", ".join(boards) or "none"
        raise BoardError(f"unknown board '{name}' (known boards: {known})") from None
