"""A board started by a flasher, and its state file ``build/boards/<board>.json``.

The state file lets a later ``host_tools send`` find a board that ``host_tools flash`` started
in an earlier process: pid, serial URL, firmware, model, start time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

from .boards import repo_root
from .errors import BoardError
from .protocol import DEFAULT_TIMEOUT, Client


def state_dir(root: Path | None = None) -> Path:
    return (root or repo_root()) / "build" / "boards"


def state_path(board: str, root: Path | None = None) -> Path:
    return state_dir(root) / f"{board}.json"


@dataclass
class RunningBoard:
    board: str
    kind: str
    pid: int
    url: str
    firmware: str
    model: str
    started: float                      # epoch seconds
    proc_start: int | None = None       # /proc/<pid>/stat start time: guards against pid reuse
    log: str | None = None              # the process's stdout/stderr
    boot: list[str] = field(default_factory=list)
    model_ok: bool | None = None
    model_line: str | None = None
    state_file: str | None = None       # set when recorded
    temp_log: bool = False              # the log is a temporary file: removed by stop()
    _proc: subprocess.Popen | None = field(default=None, repr=False, compare=False)

    # -- process ----------------------------------------------------------------------------
    def alive(self) -> bool:
        return _alive(self.pid, self.proc_start, self._proc)

    def stop(self, timeout: float = 5.0) -> bool:
        """End the process (SIGTERM, then SIGKILL) and forget the state file.
        Returns whether a running process was stopped."""
        was = self.alive()
        if was:
            _signal(self.pid, signal.SIGTERM)
            if not _wait_gone(self, timeout):
                _signal(self.pid, signal.SIGKILL)
                _wait_gone(self, timeout)
        if self.temp_log and self.log:
            Path(self.log).unlink(missing_ok=True)
        if self.state_file:
            try:
                p = Path(self.state_file)
                if p.exists() and json.loads(p.read_text()).get("pid") == self.pid:
                    p.unlink()
            except (OSError, ValueError):
                pass
        return was

    def connect(self, timeout: float = DEFAULT_TIMEOUT) -> Client:
        """A protocol client on the board's serial link (close it, or use ``with``)."""
        return Client.open(self.url, timeout=timeout)

    def __enter__(self) -> "RunningBoard":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- state file -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_proc"}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.state_file = str(path)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "RunningBoard | None":
        try:
            d = json.loads(path.read_text())
            d["state_file"] = str(path)
            return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as e:
            raise BoardError(f"{path}: unreadable state file ({e}); delete it") from None


def find_running(board: str, root: Path | None = None) -> RunningBoard | None:
    """The recorded instance of ``board`` if its process still runs; stale state is removed."""
    path = state_path(board, root)
    rb = RunningBoard.load(path)
    if rb is None:
        return None
    if not rb.alive():
        path.unlink(missing_ok=True)
        return None
    return rb


def require_running(board: str, root: Path | None = None) -> RunningBoard:
    rb = find_running(board, root)
    if rb is None:
        raise BoardError(f"board '{board}' is not running; start it with: "
                         f"host_tools flash --board {board}")
    return rb


# -- processes ------------------------------------------------------------------------------
def proc_start_time(pid: int) -> int | None:
    """Start time of a process in clock ticks since boot (Linux), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[19])   # field 22 of stat(5); fields[0] is field 3


def _alive(pid: int, start: int | None, proc: subprocess.Popen | None) -> bool:
    if proc is not None:
        return proc.poll() is None
    try:
        os.waitpid(pid, os.WNOHANG)   # reap it if it is our own child
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat[stat.rindex(")") + 2] == "Z":
            return False
    except OSError:
        return True   # no /proc: trust kill(0)
    return start is None or proc_start_time(pid) == start


def _signal(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)           # started in its own session: pgid == pid
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _wait_gone(rb: RunningBoard, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if rb._proc is not None:
            try:
                rb._proc.wait(timeout=0.05)
                return True
            except subprocess.TimeoutExpired:
                continue
        if not rb.alive():
            return True
        time.sleep(0.05)
    return not rb.alive()
