"""Byte-level BPE tokenizer: ids 0..255 are bytes, 256 BOS, 257 SEP, 258.. merges by rank.

Hugging Face `tokenizers` learns the merges (it is fast and well kept); the encoder is the
project's own greedy-by-rank loop (reference.encode), simple enough that the firmware runs the
same algorithm and matches it token for token. No pre-tokenizer: merges may span spaces, which
suits short commands.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import reference

BOS, SEP, EOS = 256, 257, 10  # EOS is the newline byte: the device stops at end of line
FIRST_MERGE = 258


def _byte_decoder() -> dict[str, int]:
    """Inverse of the GPT-2 byte-to-unicode table the ByteLevel alphabet uses."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


class Tokenizer:
    def __init__(self, merges: list[tuple[int, int]]):
        self.merges = [tuple(m) for m in merges]
        self.vocab = [bytes([b]) for b in range(256)] + [b"<s>", b"<sep>"]
        for l, r in self.merges:
            self.vocab.append(self.vocab[l] + self.vocab[r])
        self._rank = {pair: FIRST_MERGE + i for i, pair in enumerate(self.merges)}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def encode(self, text: str) -> list[int]:
        return reference.encode(self.vocab_size, self.merges, FIRST_MERGE, text.encode("utf-8"))

    def decode(self, ids) -> str:
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")

    @classmethod
    def train(cls, texts, vocab_size: int) -> "Tokenizer":
        """Learn vocab_size - 258 merges from texts (none may contain a newline)."""
        if not 258 <= vocab_size <= 65535:
            raise ValueError(f"vocab_size must be in 258..65535, got {vocab_size}")
        from tokenizers import Tokenizer as HFTok, models, pre_tokenizers, trainers
        hf = HFTok(models.BPE())
        hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size - 2, min_frequency=2, show_progress=False,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
        hf.train_from_iterator((t.replace("\n", " ") for t in texts), trainer=trainer)
        dec = _byte_decoder()
        to_bytes = lambda s: bytes(dec[c] for c in s)  # noqa: E731
        ids = {bytes([b]): b for b in range(256)}
        merges = []
        for entry in json.loads(hf.to_str())["model"]["merges"]:
            a, b = entry.split(" ") if isinstance(entry, str) else entry
            a, b = to_bytes(a), to_bytes(b)
            if a + b in ids or b"\n" in a + b:
                continue
            merges.append((ids[a], ids[b]))
            ids[a + b] = FIRST_MERGE + len(merges) - 1
        return cls(merges[: vocab_size - FIRST_MERGE])

    def save(self, path):
        Path(path).write_text(json.dumps({"kind": "microlm-bpe", "merges": self.merges}))

    @classmethod
    def load(cls, path) -> "Tokenizer":
        d = json.loads(Path(path).read_text())
        if d.get("kind") != "microlm-bpe":
            raise ValueError(f"{path}: not a microlm tokenizer file")
        return cls(d["merges"])
