"""The ``host_tools`` command line.

Exit codes: 0 success, 1 a host-side failure (unknown board, board not running, link, timeout,
refused flash), 2 bad usage, 3 the device answered with an error line.
"""

from __future__ import annotations

import codecs
import functools
import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import flashers
from .boards import get_board, load_boards
from .errors import DeviceError, HostToolsError
from .protocol import BEAM_MAX, DEFAULT_TIMEOUT, Client, GenResult, Token
from .running import find_running, require_running

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_FAIL, EXIT_DEVICE = 1, 3


def _fail(e: HostToolsError, as_json: bool) -> None:
    if as_json:
        body = {"message": str(e), "type": type(e).__name__}
        if isinstance(e, DeviceError):
            body.update(code=e.code, reason=e.reason)
        click.echo(json.dumps({"error": body}))
        click.echo(f"error: {e}", err=True)
    else:
        err.print(f"[red]error:[/red] {escape(str(e))}")
    raise SystemExit(EXIT_DEVICE if isinstance(e, DeviceError) else EXIT_FAIL)


def expected_errors(fn):
    """Expected failures become one line on stderr and an exit code, not a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kw):
        try:
            return fn(*args, **kw)
        except HostToolsError as e:
            out.file.flush()
            _fail(e, kw.get("as_json", False))
        except KeyboardInterrupt:
            click.echo("\ninterrupted", err=True)
            raise SystemExit(130)
        except BrokenPipeError:             # output piped into `head` and the like
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(1)
    return wrapper


def _show_path(p: str | Path) -> str:
    try:
        return os.path.relpath(p) if not os.path.relpath(p).startswith("../..") else str(p)
    except ValueError:
        return str(p)


def _size(n: int) -> str:
    for unit, div in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n:,} B"


def _url(board: str | None, port: str | None) -> str:
    if bool(board) == bool(port):
        raise click.UsageError("give either --board NAME or --port URL")
    if port:
        return port
    get_board(board)                       # unknown board -> list the known ones
    return require_running(board).url


json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
timeout_option = click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
                              help="Seconds to wait for each line from the device.")
target_options = [
    click.option("--board", "-b", metavar="NAME", help="A board started by 'host_tools flash'."),
    click.option("--port", "-p", metavar="URL",
                 help="A serial port or pyserial URL: /dev/ttyUSB0, socket://127.0.0.1:PORT."),
]


def target(fn):
    for opt in reversed(target_options):
        fn = opt(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Exit codes: 0 ok, 1 host-side failure (unknown board, board not running, "
                    "link, timeout, refused flash), 2 bad usage, 3 the device answered with an "
                    "error line.")
@click.version_option(package_name="microlm")
def cli() -> None:
    """Host tools of microlm: flash boards (real or emulated) and talk to them."""


# -- boards ---------------------------------------------------------------------------------
@cli.command()
@json_option
@expected_errors
def boards(as_json: bool) -> None:
    """List the boards (boards/*.json with a microlm section)."""
    rows = []
    for b in load_boards().values():
        rb = find_running(b.name)
        rows.append({"name": b.name, "kind": b.kind, "env": b.env, "description": b.description,
                     "model_partition": {"address": b.model_partition.address,
                                         "size": b.model_partition.size},
                     "running": rb.url if rb else None})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    t = Table(box=None, pad_edge=False)
    for col in ("name", "kind", "description", "model partition", "running"):
        t.add_column(col, no_wrap=col != "description")
    for r in rows:
        p = r["model_partition"]
        t.add_row(r["name"], r["kind"], r["description"],
                  f"{_size(p['size'])} @ {p['address']:#x}", r["running"] or "-")
    out.print(t)


# -- flash / stop ---------------------------------------------------------------------------
@cli.command()
@click.option("--board", "-b", "board_name", required=True, metavar="NAME")
@click.option("--model", "-m", type=click.Path(dir_okay=False, path_type=Path),
              help="Model file (.mlm). Default: exporter/default_model/model.mlm.")
@click.option("--firmware", "-f", type=click.Path(dir_okay=False, path_type=Path),
              help="Firmware (firmware.elf, or the host program). Default: built by PlatformIO.")
@click.option("--boot-timeout", type=float, default=60.0, show_default=True)
@json_option
@expected_errors
def flash(board_name: str, model: Path | None, firmware: Path | None, boot_timeout: float,
          as_json: bool) -> None:
    """Flash a board with a model, start it, and wait until it is ready.

    An emulated board keeps running after this command; 'send' and 'info' talk to it and
    'stop' ends it. Flashing a board again replaces the running instance."""
    board = get_board(board_name)
    log = (lambda s: click.echo(s, err=True)) if as_json else \
        (lambda s: err.print(s, style="dim", markup=False))
    rb = flashers.start(board, firmware, model, record=True, boot_timeout=boot_timeout, log=log)
    if as_json:
        click.echo(json.dumps(rb.to_dict(), indent=2))
    else:
        out.print(f"[bold]{board.name}[/bold] running: pid {rb.pid}, serial [cyan]{escape(rb.url)}[/cyan]")
        out.print(f"  firmware  {_show_path(rb.firmware)}", markup=False)
        out.print(f"  model     {_show_path(rb.model)} ({Path(rb.model).stat().st_size} bytes)",
                  markup=False)
        out.print(f"  device    {rb.model_line or '(no model status line at boot)'}",
                  markup=False)
    if rb.model_ok is False:
        msg = (f"{board.name} rejected the model ({rb.model_line}); the board still runs and "
               f"answers ping/info; stop it with: host_tools stop --board {board.name}")
        click.echo(f"error: {msg}", err=True)
        raise SystemExit(EXIT_FAIL)


@cli.command()
@click.option("--board", "-b", "board_name", required=True, metavar="NAME")
@json_option
@expected_errors
def stop(board_name: str, as_json: bool) -> None:
    """Stop a board started by 'flash'."""
    get_board(board_name)
    rb = find_running(board_name)
    stopped = rb.stop() if rb else False
    if as_json:
        click.echo(json.dumps({"board": board_name, "stopped": stopped,
                               "pid": rb.pid if rb else None}))
    elif stopped:
        out.print(f"stopped {board_name} (pid {rb.pid})")
    else:
        out.print(f"{board_name} was not running")


# -- talking to a device --------------------------------------------------------------------
@cli.command()
@target
@timeout_option
@json_option
@expected_errors
def info(board: str | None, port: str | None, timeout: float, as_json: bool) -> None:
    """Ask a device what it is: firmware, board, model, RAM."""
    with Client.open(_url(board, port), timeout=timeout) as dev:
        data = dev.info()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    width = max(map(len, data), default=0)
    for k, v in data.items():
        out.print(f"{k:<{width}}  {v}", markup=False)


@cli.command()
@target
@timeout_option
@json_option
@click.option("--verbose", "-v", is_flag=True, help="One line per token: index, id, stamp, time.")
@click.option("--no-grammar", is_flag=True,
              help="Decode without the model's grammar for this command (the device's grammar "
                   "is turned off before and back on after).")
@click.option("--beam", type=click.IntRange(1, BEAM_MAX), default=None, metavar="K",
              help="Decode this command by beam search with K lines (docs/numerics.md); the "
                   "device's setting is restored after.")
@click.argument("text")
@expected_errors
def send(board: str | None, port: str | None, timeout: float, as_json: bool, verbose: bool,
         no_grammar: bool, beam: int | None, text: str) -> None:
    """Send TEXT to the model and stream its answer, with timings.

    Prints each token as it arrives, then the action line, the host's time to first token and
    ms per token (wall clock), and the device's own figures (its clock unit: instructions on
    QEMU, cycles or microseconds on real boards)."""
    url = _url(board, port)
    stream = None if as_json else (_TokenLines() if verbose else _TokenText())
    with Client.open(url, timeout=timeout) as dev:
        info = dev.info() if no_grammar or beam else {}
        # back on afterwards only if it was on: a model without a grammar would refuse `on`
        restore = no_grammar and info.get("grammar") == "on"
        beam_was, beam_set = info.get("beam", 1), False
        try:
            if no_grammar:
                dev.grammar(False)
            if beam and beam != beam_was:
                dev.beam(beam)
                beam_set = True
            res = dev.gen(text, on_token=stream)
        finally:
            if stream:
                stream.close()
            if restore:
                dev.grammar(True)
            if beam_set:
                dev.beam(beam_was)
    if as_json:
        click.echo(json.dumps(res.to_dict(), indent=2))
    else:
        _summary(res)


class _TokenText:
    """Writes tokens' text as it arrives (decoding UTF-8 split across tokens)."""

    def __init__(self) -> None:
        self.dec = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.last = "\n"

    def __call__(self, t: Token) -> None:
        s = self.dec.decode(t.bytes)
        if s:
            out.file.write(s)
            out.file.flush()
            self.last = s[-1]

    def close(self) -> None:
        tail = self.dec.decode(b"", final=True)
        if tail or self.last != "\n":
            out.file.write(tail + "\n")
            out.file.flush()


class _TokenLines:
    def __call__(self, t: Token) -> None:
        out.print(f"t {t.index:>3} id={t.id:<5} stamp={t.stamp:<10} {t.host_ms:9.1f} ms  "
                  f"{t.bytes!r}", markup=False)

    def close(self) -> None:
        pass


def _num(x: float | None, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def _summary(r: GenResult) -> None:
    unit = r.unit or "?"
    action = escape(r.action) if r.action is not None else "(no action line)"
    out.print(f"[bold]action[/bold]  {action}")
    out.print(f"[bold]host[/bold]    first token {_num(r.ttft_ms, '.1f')} ms, "
              f"{_num(r.ms_per_token, '.2f')} ms/token, {len(r.tokens)} tokens in "
              f"{r.wall_ms:.1f} ms (wall clock)")
    s = r.stats
    out.print(f"[bold]device[/bold]  first token {_num(r.device_first, ',d')} {unit}, "
              f"{_num(r.device_per_token, ',.0f')} {unit}/token "
              f"(prompt {s.get('prompt', '?')} tokens, generated {s.get('gen', '?')}, "
              f"total {_num(s.get('t_total'), ',d')} {unit})")


def main() -> None:
    cli(prog_name="host_tools")
