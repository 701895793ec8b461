"""Byte-level BPE tokenizer: ids 0..255 are bytes, 256 BOS, 257 SEP, 258.. merges by rank.

Hugging Face `tokenizers` learns the merges (it is fast and well kept); the encoder is the
project's own greedy-by-rank loop (reference.encode), simple enough that the firmware runs the
same algorithm and matches it token for token, with no pre-tokenizer.

Merges are learned only inside runs of ASCII letters. Because no merge contains a space, a
digit or punctuation, the plain greedy encoder never merges across them, so a word is the
same tokens wherever it stands: "sunroom" in "lights on in the sunroom" and in
"light.on area=sunroom" encode alike, which is what lets the model copy a name it never saw.
Digits stay single bytes, so any number is spelled the same way in the text and the action.
"""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

from . import reference

BOS, SEP, EOS = 256, 257, 10  # EOS is the newline byte: the device stops at end of line
FIRST_MERGE = 258
_RUNS = re.compile(rb"[A-Za-z]+|[^A-Za-z]+")
_CACHE_MAX = 500_000  # distinct runs kept; a training corpus has far fewer


class Tokenizer:
    def __init__(self, merges: list[tuple[int, int]]):
        self.merges = [tuple(m) for m in merges]
        self.vocab = [bytes([b]) for b in range(256)] + [b"<s>", b"<sep>"]
        for l, r in self.merges:
            self.vocab.append(self.vocab[l] + self.vocab[r])
        self._rank = reference.merge_ranks(self.merges, FIRST_MERGE)
        # When every merge spells letters only, no pair across a letter/non-letter boundary has
        # a rank, so greedy BPE on the whole text equals greedy BPE on each run of letters (or
        # of other bytes) alone: runs can be encoded once and remembered. Encoding the training
        # rows this way takes a few seconds instead of 25; the tokens are the same (tests/test_exporter.py).
        self._runs = all(re.fullmatch(rb"[A-Za-z]+", v) for v in self.vocab[FIRST_MERGE:])
        self._cache: dict[bytes, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def encode(self, text: str) -> list[int]:
        return self.encode_bytes(text.encode("utf-8"))

    def encode_bytes(self, data: bytes) -> list[int]:
        """reference.encode(data), run by run through a cache when that gives the same tokens."""
        if not self._runs:
            return reference.encode(self._rank, data)
        if len(self._cache) > _CACHE_MAX:
            self._cache.clear()
        out = []
        for run in _RUNS.findall(data):
            ids = self._cache.get(run)
            if ids is None:
                ids = self._cache[run] = reference.encode(self._rank, run)
            out += ids
        return out

    def prompt(self, text: str) -> list[int]:
        """The model's input for an utterance: [BOS] + encode(lowered text) + [SEP], exactly as
        the device builds it (reference.prompt_bytes)."""
        return [BOS] + self.encode_bytes(reference.prompt_bytes(text)) + [SEP]

    def decode(self, ids) -> str:
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")

    @classmethod
    def train(cls, texts, vocab_size: int) -> "Tokenizer":
        """Learn up to vocab_size - 258 merges from the letter runs of texts."""
        if not 258 <= vocab_size <= 65535:
            raise ValueError(f"vocab_size must be in 258..65535, got {vocab_size}")
        from tokenizers import Tokenizer as HFTok, models, pre_tokenizers, trainers
        letters = string.ascii_letters
        hf = HFTok(models.BPE())
        hf.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        trainer = trainers.BpeTrainer(
            vocab_size=len(letters) + vocab_size - FIRST_MERGE, min_frequency=2,
            show_progress=False, initial_alphabet=list(letters), special_tokens=[])
        # prompts are lowered before encoding (reference.prompt_bytes) and actions are
        # lowercase, so uppercase merges would never be used
        words = (" ".join(re.findall(r"[a-z]+", t.lower())) for t in texts)
        hf.train_from_iterator(words, trainer=trainer)
        ids = {c.encode(): ord(c) for c in letters}
        merges = []
        for entry in json.loads(hf.to_str())["model"]["merges"]:
            a, b = (entry.split(" ") if isinstance(entry, str) else entry)
            a, b = a.encode(), b.encode()
            if a + b in ids or a not in ids or b not in ids:
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
