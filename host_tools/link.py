"""Serial link: a pyserial URL, lines in with timeouts, lines out in chunks of at most 1 KiB.

Anything ``serial.serial_for_url`` opens works: ``/dev/ttyUSB0``, ``/dev/pts/N``,
``socket://127.0.0.1:PORT`` (QEMU's ``-serial tcp:...,server=on``).
"""

from __future__ import annotations

import time

import serial

from .errors import LinkError, LinkTimeout

BAUDRATE = 115200
CHUNK = 1024          # a pty (and some USB bridges) lose data on bigger writes
_POLL = 0.05          # granularity of the read loop; a read returns as soon as a byte arrives


class Link:
    """A line-oriented serial link. Use as a context manager, or call ``close()``."""

    def __init__(self, url: str, *, baudrate: int = BAUDRATE, open_timeout: float = 5.0):
        self.url = url
        self.received = 0           # bytes received since opened
        self._buf = bytearray()
        try:
            self._ser = serial.serial_for_url(url, baudrate=baudrate, timeout=_POLL,
                                              write_timeout=open_timeout, do_not_open=True)
            _open_keeping_input(self._ser)
        except (serial.SerialException, OSError, ValueError) as e:
            raise LinkError(f"cannot open {url}: {_reason(e)}") from None

    # -- lines in -------------------------------------------------------------------------
    def read_line(self, timeout: float) -> bytes:
        """The next line without its ``\\n`` (and a ``\\r`` before it), waiting at most
        ``timeout`` seconds. Raises ``LinkTimeout`` or ``LinkError`` (link closed)."""
        deadline = time.monotonic() + timeout
        while True:
            nl = self._buf.find(b"\n")
            if nl >= 0:
                line = bytes(self._buf[:nl])
                del self._buf[:nl + 1]
                return line[:-1] if line.endswith(b"\r") else line
            if time.monotonic() >= deadline:
                raise LinkTimeout(f"no line from {self.url} within {timeout:g} s")
            self._fill()

    def _fill(self) -> None:
        try:
            data = self._ser.read(max(1, self._ser.in_waiting))
        except (serial.SerialException, OSError) as e:
            raise LinkError(f"link to {self.url} closed: {_reason(e)}") from None
        self.received += len(data)
        self._buf += data

    def discard_input(self) -> bytes:
        """Drop whatever has arrived and not been read (stale replies); return it."""
        try:
            while self._ser.in_waiting:
                data = self._ser.read(self._ser.in_waiting)
                self.received += len(data)
                self._buf += data
        except (serial.SerialException, OSError) as e:
            raise LinkError(f"link to {self.url} closed: {_reason(e)}") from None
        stale = bytes(self._buf)
        self._buf.clear()
        return stale

    # -- lines out ------------------------------------------------------------------------
    def write_line(self, line: bytes) -> None:
        self.write(line + b"\n")

    def write(self, data: bytes) -> None:
        try:
            for i in range(0, len(data), CHUNK):
                self._ser.write(data[i:i + CHUNK])
                self._ser.flush()
        except (serial.SerialException, OSError) as e:
            raise LinkError(f"cannot write to {self.url}: {_reason(e)}") from None

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        try:
            self._ser.close()
        except (serial.SerialException, OSError):
            pass

    def __enter__(self) -> "Link":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _open_keeping_input(ser) -> None:
    """Open without discarding input: pyserial flushes what has arrived when it opens a port,
    and a device that starts when we connect (QEMU with ``wait=on``) or just started (a pty)
    may already have written its boot lines. Stale input is dropped before each command
    instead (``discard_input``)."""
    names = [n for n in ("reset_input_buffer", "_reset_input_buffer") if hasattr(ser, n)]
    for n in names:
        setattr(ser, n, lambda: None)      # instance attributes shadow the methods
    try:
        ser.open()
    finally:
        for n in names:
            delattr(ser, n)


def _reason(e: Exception) -> str:
    """pyserial wraps OSErrors in long messages; keep the part a person needs."""
    text = str(e)
    for marker in ("Connection refused", "No such file or directory", "Permission denied",
                   "timed out", "socket disconnected", "returned no data"):
        if marker in text:
            return {"returned no data": "device disconnected"}.get(marker, marker.lower())
    return text.splitlines()[0] if text else type(e).__name__
