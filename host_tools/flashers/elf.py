"""Just enough ELF to know where a firmware image loads: its PT_LOAD segments."""

from __future__ import annotations

import struct
from pathlib import Path

from ..errors import FlashError

PT_LOAD = 1


def load_segments(path: Path) -> list[tuple[int, int]]:
    """(physical address, file size) of every PT_LOAD segment with bytes in the file."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or len(data) < 52:
        raise FlashError(f"{path} is not an ELF file (QEMU boards take the firmware.elf)")
    bits, endian = data[4], {1: "<", 2: ">"}.get(data[5])
    if bits not in (1, 2) or endian is None:
        raise FlashError(f"{path}: unsupported ELF class or byte order")
    try:
        if bits == 1:
            phoff, = struct.unpack_from(endian + "I", data, 28)
            phentsize, phnum = struct.unpack_from(endian + "HH", data, 42)
            fmt, idx = endian + "IIIIIIII", (0, 3, 4)       # type, paddr, filesz
        else:
            phoff, = struct.unpack_from(endian + "Q", data, 32)
            phentsize, phnum = struct.unpack_from(endian + "HH", data, 54)
            fmt, idx = endian + "IIQQQQQQ", (0, 4, 5)
        segs = []
        for i in range(phnum):
            f = struct.unpack_from(fmt, data, phoff + i * phentsize)
            if f[idx[0]] == PT_LOAD and f[idx[2]] > 0:
                segs.append((f[idx[1]], f[idx[2]]))
        return segs
    except struct.error:
        raise FlashError(f"{path}: truncated ELF program headers") from None


def check_no_overlap(path: Path, address: int, size: int) -> None:
    """Refuse a firmware whose loaded bytes overlap ``[address, address + size)``."""
    for paddr, filesz in load_segments(path):
        if paddr < address + size and address < paddr + filesz:
            raise FlashError(f"firmware {path} loads {filesz} bytes at {paddr:#x}, overlapping "
                             f"the model at {address:#x}..{address + size:#x}; refusing")
