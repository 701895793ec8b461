"""The .mlm model file: a 16-byte container header + a FlatBuffer (exporter/schema/microlm.fbs).

Written with the `flatbuffers` runtime's Builder and read with its Table accessor. We do not
commit flatc-generated code: flatc's Python output imports a top-level `microlm` package, and
the schema is small enough that its field slots are listed once below, next to the schema.
docs/model-format.md describes the layout.
"""
from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import flatbuffers
import numpy as np
from flatbuffers import number_types as nt
from flatbuffers.table import Table

MAGIC = b"MLMB"
CONTAINER_VERSION = 1
FILE_IDENT = b"MLM1"
HEADER = struct.Struct("<4sIII")

# Field slots, in schema order (a FlatBuffer table's vtable holds one entry per field).
CONFIG_FIELDS = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size",
                 "seq_len", "group_size", "norm_eps", "rope_theta", "bos_id", "sep_id", "eos_id"]
CONFIG_FLOATS = {"norm_eps", "rope_theta"}
T_NAME, T_DTYPE, T_SHAPE, T_DATA, T_SCALES, T_FDATA = range(6)
K_OFFSETS, K_BYTES, K_MKEYS, K_MIDS = range(4)
M_CONFIG, M_TOKENIZER, M_TENSORS, M_GRAMMAR, M_META = range(5)
F32, I8 = 0, 1


class FormatError(ValueError):
    """A .mlm file that is not a valid model."""


@dataclass
class QTensor:
    """int8 weights [rows, cols] with one float32 scale per group of `gs` along cols."""
    q: np.ndarray
    s: np.ndarray

    @property
    def shape(self):
        return self.q.shape


@dataclass
class MLMFile:
    config: dict
    tensors: dict            # name -> QTensor or float32 ndarray
    vocab: list              # list of bytes, one per token id
    merges: list             # list of (left, right); merge i produces token first_merge + i
    meta: dict = field(default_factory=dict)
    grammar: bytes = b""

    @property
    def first_merge(self) -> int:
        return self.config["sep_id"] + 1


def _vec(b: flatbuffers.Builder, arr: np.ndarray, align: int | None = None) -> int:
    """A vector of a 1-D array; CreateNumpyVector aligns only to the element size, and int8
    weights need 16 bytes, so this is its body with an alignment argument."""
    arr = np.ascontiguousarray(arr).reshape(-1)
    raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    b.StartVector(arr.itemsize, arr.size, align or arr.dtype.alignment)
    b.head = b.head - len(raw)
    b.Bytes[b.head:b.head + len(raw)] = raw
    b.vectorNumElems = arr.size
    return b.EndVector()


def to_bytes(m: MLMFile) -> bytes:
    """Serialize to container header + FlatBuffer."""
    b = flatbuffers.Builder(1 << 20)
    tensor_offs = []
    for name, t in m.tensors.items():
        name_off = b.CreateString(name)
        if isinstance(t, QTensor):
            q = np.asarray(t.q, dtype=np.int8)
            shape = _vec(b, np.asarray(q.shape, dtype=np.uint32))
            data = _vec(b, q.reshape(-1), align=16)
            scales = _vec(b, np.asarray(t.s, dtype=np.float32).reshape(-1))
            b.StartObject(6)
            b.PrependUOffsetTRelativeSlot(T_NAME, name_off, 0)
            b.PrependUint8Slot(T_DTYPE, I8, 255)  # default 255 forces the value to be written
            b.PrependUOffsetTRelativeSlot(T_SHAPE, shape, 0)
            b.PrependUOffsetTRelativeSlot(T_DATA, data, 0)
            b.PrependUOffsetTRelativeSlot(T_SCALES, scales, 0)
        else:
            f = np.asarray(t, dtype=np.float32)
            shape = _vec(b, np.asarray(f.shape, dtype=np.uint32))
            fdata = _vec(b, f.reshape(-1))
            b.StartObject(6)
            b.PrependUOffsetTRelativeSlot(T_NAME, name_off, 0)
            b.PrependUint8Slot(T_DTYPE, F32, 255)
            b.PrependUOffsetTRelativeSlot(T_SHAPE, shape, 0)
            b.PrependUOffsetTRelativeSlot(T_FDATA, fdata, 0)
        tensor_offs.append(b.EndObject())
    b.StartVector(4, len(tensor_offs), 4)
    for off in reversed(tensor_offs):
        b.PrependUOffsetTRelative(off)
    b.vectorNumElems = len(tensor_offs)
    tensors_vec = b.EndVector()

    # tokenizer
    offsets = np.zeros(len(m.vocab) + 1, dtype=np.uint32)
    offsets[1:] = np.cumsum([len(v) for v in m.vocab])
    vbytes = np.frombuffer(b"".join(m.vocab), dtype=np.uint8)
    keys = np.array([(l << 16) | r for l, r in m.merges], dtype=np.uint32)
    ids = np.arange(m.first_merge, m.first_merge + len(m.merges), dtype=np.uint16)
    order = np.argsort(keys, kind="stable")
    k_off = _vec(b, offsets)
    b_off = _vec(b, vbytes)
    mk_off = _vec(b, keys[order])
    mi_off = _vec(b, ids[order])
    b.StartObject(4)
    b.PrependUOffsetTRelativeSlot(K_OFFSETS, k_off, 0)
    b.PrependUOffsetTRelativeSlot(K_BYTES, b_off, 0)
    b.PrependUOffsetTRelativeSlot(K_MKEYS, mk_off, 0)
    b.PrependUOffsetTRelativeSlot(K_MIDS, mi_off, 0)
    tok_off = b.EndObject()

    b.StartObject(len(CONFIG_FIELDS))
    for i, k in enumerate(CONFIG_FIELDS):
        if k in CONFIG_FLOATS:
            b.PrependFloat32Slot(i, float(m.config[k]), float("nan"))
        else:
            b.PrependUint32Slot(i, int(m.config[k]), 0xFFFFFFFF)
    cfg_off = b.EndObject()

    # 4-aligned: the firmware reads the grammar's u32 offsets and edges in place
    grammar_off = _vec(b, np.frombuffer(m.grammar, dtype=np.uint8), align=4) if m.grammar else 0
    meta_off = b.CreateString(json.dumps(m.meta, sort_keys=True))
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(M_CONFIG, cfg_off, 0)
    b.PrependUOffsetTRelativeSlot(M_TOKENIZER, tok_off, 0)
    b.PrependUOffsetTRelativeSlot(M_TENSORS, tensors_vec, 0)
    if grammar_off:
        b.PrependUOffsetTRelativeSlot(M_GRAMMAR, grammar_off, 0)
    b.PrependUOffsetTRelativeSlot(M_META, meta_off, 0)
    root = b.EndObject()
    # FlatBuffers aligns relative to the buffer's end; a length that is a multiple of 16 makes
    # that absolute, so with the 16-byte header every int8 data vector is 16-byte aligned in
    # flash. Finish pads the front to minalign.
    b.minalign = max(b.minalign, 16)
    b.Finish(root, file_identifier=FILE_IDENT)
    fb = bytes(b.Output())
    return HEADER.pack(MAGIC, CONTAINER_VERSION, len(fb), zlib.crc32(fb)) + fb


def save(m: MLMFile, path) -> int:
    data = to_bytes(m)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)
    return len(data)


# ---------------------------------------------------------------------------------------- read

def _field(t: Table, slot: int) -> int:
    return t.Offset(4 + 2 * slot)


def _np_vec(t: Table, slot: int, flags, dtype) -> np.ndarray:
    o = _field(t, slot)
    if not o:
        return np.zeros(0, dtype=dtype)
    return t.GetVectorAsNumpy(flags, o).astype(dtype, copy=True)


def _sub(t: Table, slot: int) -> Table | None:
    o = _field(t, slot)
    return Table(t.Bytes, t.Indirect(o + t.Pos)) if o else None


def from_bytes(data: bytes) -> MLMFile:
    if len(data) < HEADER.size:
        raise FormatError("file shorter than the 16-byte header")
    magic, version, n, crc = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise FormatError(f"bad magic {magic!r}: not a microlm model")
    if version != CONTAINER_VERSION:
        raise FormatError(f"container version {version}, expected {CONTAINER_VERSION}")
    fb = data[HEADER.size:HEADER.size + n]
    if len(fb) != n:
        raise FormatError(f"truncated: header says {n} bytes, file has {len(fb)}")
    if zlib.crc32(fb) != crc:
        raise FormatError("CRC mismatch: corrupted model")
    if fb[4:8] != FILE_IDENT:
        raise FormatError("FlatBuffer identifier is not MLM1")
    buf = bytearray(fb)
    root = Table(buf, flatbuffers.encode.Get(nt.UOffsetTFlags.packer_type, buf, 0))

    ct = _sub(root, M_CONFIG)
    config = {}
    for i, k in enumerate(CONFIG_FIELDS):
        o = _field(ct, i)
        flags = nt.Float32Flags if k in CONFIG_FLOATS else nt.Uint32Flags
        config[k] = ct.Get(flags, o + ct.Pos) if o else 0

    tensors = {}
    o = _field(root, M_TENSORS)
    vec, count = root.Vector(o), root.VectorLen(o)
    for j in range(count):
        tt = Table(buf, root.Indirect(vec + 4 * j))
        name = tt.String(_field(tt, T_NAME) + tt.Pos).decode()
        o = _field(tt, T_DTYPE)
        dtype = tt.Get(nt.Uint8Flags, o + tt.Pos) if o else F32
        shape = tuple(int(v) for v in _np_vec(tt, T_SHAPE, nt.Uint32Flags, np.uint32))
        if dtype == I8:
            q = _np_vec(tt, T_DATA, nt.Int8Flags, np.int8).reshape(shape)
            s = _np_vec(tt, T_SCALES, nt.Float32Flags, np.float32).reshape(shape[0], -1)
            tensors[name] = QTensor(q, s)
        else:
            tensors[name] = _np_vec(tt, T_FDATA, nt.Float32Flags, np.float32).reshape(shape)

    kt = _sub(root, M_TOKENIZER)
    offsets = _np_vec(kt, K_OFFSETS, nt.Uint32Flags, np.int64)
    vbytes = bytes(_np_vec(kt, K_BYTES, nt.Uint8Flags, np.uint8))
    vocab = [vbytes[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]
    keys = _np_vec(kt, K_MKEYS, nt.Uint32Flags, np.int64)
    ids = _np_vec(kt, K_MIDS, nt.Uint16Flags, np.int64)
    merges = [None] * len(ids)
    first = config["sep_id"] + 1
    for key, tid in zip(keys, ids):
        merges[tid - first] = (int(key) >> 16, int(key) & 0xFFFF)

    grammar = bytes(_np_vec(root, M_GRAMMAR, nt.Uint8Flags, np.uint8))
    o = _field(root, M_META)
    meta = json.loads(root.String(o + root.Pos)) if o else {}
    return MLMFile(config, tensors, vocab, merges, meta, grammar)


def load(path) -> MLMFile:
    return from_bytes(Path(path).read_bytes())
