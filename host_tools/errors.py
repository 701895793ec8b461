"""Exceptions for expected failures.

Every expected failure (unknown board, board not running, connection refused, timeout, a device
error line) is a ``HostToolsError`` whose message is one line meant for a person; the CLI prints
it without a traceback. Anything else is a bug and keeps its traceback.
"""


class HostToolsError(Exception):
    """An expected failure with a one-line, human-readable message."""


class BoardError(HostToolsError):
    """Unknown board, bad manifest, or a board that is not running."""


class LinkError(HostToolsError):
    """The serial link could not be opened, or broke."""


class LinkTimeout(LinkError):
    """The device did not answer in time."""


class ProtocolError(HostToolsError):
    """The device sent something protocol v1 does not allow."""


class CommandError(HostToolsError):
    """A command the host refuses to send (too long, contains a newline)."""


class FlashError(HostToolsError):
    """A board could not be flashed or started (refused model, missing firmware, ...)."""


class DeviceError(HostToolsError):
    """An ``e <code> <reason>`` line: the device refused or failed a command."""

    def __init__(self, code: int, reason: str, command: str = ""):
        self.code = code
        self.reason = reason
        self.command = command
        where = f" to '{command}'" if command else ""
        super().__init__(f"device error {code}{where}: {reason}")
