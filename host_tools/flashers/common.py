"""What every flasher shares: finding (or building) the firmware, checking the model,
starting a detached process, and waiting for the device's boot lines."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from ..boards import Board, get_board, repo_root
from ..errors import DeviceError, FlashError, LinkError
from ..protocol import Boot, Client, parse_boot
from ..running import RunningBoard, find_running, proc_start_time, state_dir, state_path

Log = Callable[[str], None]
DEFAULT_MODEL = Path("exporter") / "default_model" / "model.mlm"


def _quiet(_: str) -> None:
    pass


def as_board(board: Board | str) -> Board:
    return board if isinstance(board, Board) else get_board(board)


# -- firmware -------------------------------------------------------------------------------
def pio_command(root: Path) -> list[str]:
    """The project's PlatformIO wrapper (scripts/pio) if there is one, else ``pio``."""
    wrapper = root / "scripts" / "pio"
    if wrapper.is_file():
        return [str(wrapper)] if os.access(wrapper, os.X_OK) else ["bash", str(wrapper)]
    for cand in (shutil.which("pio"), Path(sys.executable).parent / "pio"):
        if cand and Path(cand).exists():
            return [str(cand)]
    raise FlashError("no PlatformIO to build the firmware with (no scripts/pio, no pio on PATH)")


def build(board: Board, log: Log = _quiet, root: Path | None = None) -> None:
    root = root or repo_root()
    cmd = pio_command(root) + ["run", "-e", board.env]
    shown = " ".join(cmd)
    log(f"building firmware: {shown}")
    try:
        p = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, text=True, errors="replace")
    except OSError as e:
        raise FlashError(f"cannot run {shown}: {e}") from None
    lines: list[str] = []
    assert p.stdout is not None
    for line in p.stdout:
        line = line.rstrip("\n")
        log(line)
        lines.append(line.strip())
    if p.wait() != 0:
        why = next((ln for ln in lines if "error" in ln.lower()), None) or \
            next((ln for ln in reversed(lines) if ln), "")
        raise FlashError(f"building firmware failed: '{shown}' exited {p.returncode}"
                         + (f": {why}" if why else ""))


def resolve_firmware(board: Board, firmware: str | Path | None, artifact: str,
                     log: Log = _quiet) -> Path:
    """``firmware`` if given (must exist), else ``.pio/build/<env>/<artifact>``, built with
    PlatformIO if missing."""
    if firmware is not None:
        path = Path(firmware)
        _check_readable(path, "firmware")
        return path.resolve()
    root = repo_root()
    path = root / ".pio" / "build" / board.env / artifact
    if not path.is_file():
        build(board, log, root)
        if not path.is_file():
            raise FlashError(f"the build did not produce {path}")
    return path


# -- model ----------------------------------------------------------------------------------
def resolve_model(board: Board, model: str | Path | None) -> tuple[Path, int]:
    """The model file and its size; refuses a missing, unreadable, empty or oversize file."""
    if model is None:
        path = repo_root() / DEFAULT_MODEL
        if not path.exists():
            raise FlashError(f"no model given and no default model at {path} "
                             "(pass --model FILE, or export one with the exporter)")
    else:
        path = Path(model)
    _check_readable(path, "model")
    size = path.stat().st_size
    part = board.model_partition
    if size == 0:
        raise FlashError(f"model {path} is empty")
    if size > part.size:
        raise FlashError(f"model {path} is {size} bytes, larger than the model partition of "
                         f"{board.name} ({part.size} bytes at {part.address:#x}); refusing")
    return path.resolve(), size


def _check_readable(path: Path, what: str) -> None:
    if not path.exists():
        raise FlashError(f"{what} file not found: {path}")
    if not path.is_file():
        raise FlashError(f"{what} path is not a file: {path}")
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as e:
        raise FlashError(f"cannot read {what} file {path}: {e.strerror or e}") from None


# -- processes ------------------------------------------------------------------------------
def stop_previous(board: Board, log: Log = _quiet) -> None:
    """Stop an instance of ``board`` that an earlier flash started."""
    rb = find_running(board.name)
    if rb is not None:
        log(f"stopping the running {board.name} (pid {rb.pid})")
        rb.stop()


def spawn(cmd: list[str], log_path: Path, cwd: Path | None = None) -> subprocess.Popen:
    """Start ``cmd`` detached: own session (survives the CLI), output to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as out:
        try:
            return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    close_fds=True, cwd=cwd)
        except OSError as e:
            raise FlashError(f"cannot start {cmd[0]}: {e.strerror or e}") from None


def log_tail(path: Path, n: int = 3) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return " | ".join(lines[-n:])


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class PortBusy(FlashError):
    """The process could not listen on the port chosen for it: try another."""


def connect(url: str, proc: subprocess.Popen, log_path: Path, timeout: float) -> Client:
    """Open the device's link, retrying while the process comes up. Raises ``PortBusy`` if
    the process could not listen on its port, ``FlashError`` if it died."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return Client.open(url)
        except LinkError as e:
            if proc.poll() is not None:
                tail = log_tail(log_path)
                if "Address already in use" in tail:
                    raise PortBusy(tail) from None
                raise FlashError(f"{Path(proc.args[0]).name} exited with code {proc.returncode}"
                                 + (f": {tail}" if tail else "")) from None
            if time.monotonic() > deadline:
                raise FlashError(f"could not connect to {url} within {timeout:g} s ({e})") from None
            time.sleep(0.05)


def probe(dev: Client) -> Boot:
    """The model status of a device that may have started before we connected, so that its
    boot lines may be partly or wholly gone: ``ping`` (its reply comes after any boot lines
    still to come, which are kept); without a complete boot, ``info``, and for a device
    without a model, ``gen``, whose error says why."""
    log: list[str] = []
    dev.command("ping", log=log, keep_input=True)
    if any(ln.split()[:2] == ["#", "ready"] for ln in log):
        boot = parse_boot(log)
        if boot.model_ok is not None:
            return boot
    info = dev.info()
    keys = list(info)
    model_keys = keys[keys.index("model"):] if "model" in keys else keys
    line = "i " + " ".join(f"{k}={info[k]}" for k in model_keys)
    boot = Boot(log, info.get("model") == "ok", line, info)
    if not boot.model_ok:
        try:
            dev.gen("?")
        except DeviceError as e:
            if e.code == 10:
                boot.model_line = f"e {e.code} {e.reason}"
    return boot


def finish(board: Board, proc: subprocess.Popen, url: str, firmware: Path, model: Path,
           boot: Boot, log_path: Path, record: bool, started: float) -> RunningBoard:
    rb = RunningBoard(board=board.name, kind=board.kind, pid=proc.pid, url=url,
                      firmware=str(firmware), model=str(model), started=started,
                      proc_start=proc_start_time(proc.pid), log=str(log_path),
                      boot=boot.lines, model_ok=boot.model_ok, model_line=boot.model_line,
                      temp_log=not record, _proc=proc)
    if record:
        rb.save(state_path(board.name))
    return rb


def log_path_for(board: Board, record: bool) -> Path:
    """build/boards/<board>.log for a recorded board; a temporary file otherwise (tests
    that start boards must not clobber the log of a board someone flashed)."""
    if record:
        return state_dir() / f"{board.name}.log"
    fd, name = tempfile.mkstemp(prefix=f"microlm-{board.name}-", suffix=".log")
    os.close(fd)
    return Path(name)


def guarded(proc: subprocess.Popen, fn, *args, **kw):
    """Run ``fn``; if it fails, do not leave ``proc`` running."""
    try:
        return fn(*args, **kw)
    except BaseException:
        kill(proc)
        raise

