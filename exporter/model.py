"""The micro Llama decoder in PyTorch: RMSNorm, rotary embeddings, grouped-query attention,
SwiGLU, tied token embedding / output head. The same family as llama2.c, so its checkpoints
map one to one; the device computes this network in int8 (docs/numerics.md).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    dim: int = 128
    hidden_dim: int = 384
    n_layers: int = 4
    n_heads: int = 4
    n_kv_heads: int = 2
    vocab_size: int = 512
    seq_len: int = 96
    group_size: int = 32
    norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    dropout: float = 0.1   # attention dropout, training only: the command data is small

    def check(self):
        problems = []
        if self.dim % self.n_heads:
            problems.append("dim must be a multiple of n_heads")
        if self.n_heads % self.n_kv_heads:
            problems.append("n_heads must be a multiple of n_kv_heads")
        if (self.dim // self.n_heads) % 2:
            problems.append("head size must be even (rotary pairs)")
        for k in ("dim", "hidden_dim"):
            if getattr(self, k) % self.group_size:
                problems.append(f"{k} must be a multiple of group_size")
        if problems:
            raise ValueError("bad model config: " + "; ".join(problems))
        return self

    def to_dict(self):
        return asdict(self)


# Presets span the boards (ARCHITECTURE.md): nano for Cortex-M0+/M3, micro (default) for
# Cortex-M4/ESP32, small (~9M) for parts with external RAM and the host.
PRESETS = {
    "nano": ModelConfig(dim=64, hidden_dim=192, n_layers=3, n_heads=4, n_kv_heads=2, vocab_size=512),
    # 6 layers with a narrower MLP (1.10M parameters, under the 1.2M budget) and dropout 0.25:
    # on phrasings never seen in training depth beats width (docs/model.md, "Results")
    "micro": ModelConfig(n_layers=6, hidden_dim=320, dropout=0.25),
    "small": ModelConfig(dim=320, hidden_dim=864, n_layers=7, n_heads=8, n_kv_heads=4,
                         vocab_size=2048, seq_len=128),
}


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rope_angles(seq_len: int, head_size: int, theta: float) -> torch.Tensor:
    """angle[pos, i] for the pair (2i, 2i+1) of every head (llama2.c's interleaved layout)."""
    freqs = 1.0 / (theta ** (torch.arange(0, head_size, 2, dtype=torch.float64) / head_size))
    return torch.outer(torch.arange(seq_len, dtype=torch.float64), freqs)


def apply_rope(x, cos, sin):
    # x: (B, H, T, hs); rotate pairs (x0, x1) -> (x0 c - x1 s, x0 s + x1 c)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.n_heads, self.n_kv, self.hs = c.n_heads, c.n_kv_heads, c.dim // c.n_heads
        self.wq = nn.Linear(c.dim, c.dim, bias=False)
        self.wk = nn.Linear(c.dim, self.n_kv * self.hs, bias=False)
        self.wv = nn.Linear(c.dim, self.n_kv * self.hs, bias=False)
        self.wo = nn.Linear(c.dim, c.dim, bias=False)
        self.dropout = c.dropout

    def forward(self, x, cos, sin):
        B, T, _ = x.shape
        q = self.wq(x).view(B, T, self.n_heads, self.hs).transpose(1, 2)
        k = self.wk(x).view(B, T, self.n_kv, self.hs).transpose(1, 2)
        v = self.wv(x).view(B, T, self.n_kv, self.hs).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if self.training and self.dropout:
            y = self._attend_dropout(q, k, v)
        else:  # SDPA's fused kernel; heads h*rep .. h*rep+rep-1 share kv head h
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, -1))

    def _attend_dropout(self, q, k, v):
        """Causal attention with dropout on the probabilities, written out. SDPA with dropout
        falls back to its unfused path on CPU and draws the mask with bernoulli_, which took 14 %
        of a micro training step; a mask from rand_like is the same distribution at a fraction
        of the cost. The rep query heads of a kv head are stacked along the rows, so k and v
        are not copied rep times."""
        B, H, T, hs = q.shape
        rep, kv = H // self.n_kv, self.n_kv
        att = (q.reshape(B, kv, rep * T, hs) @ k.transpose(-1, -2)) * (1.0 / math.sqrt(hs))
        future = torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1).repeat(rep, 1)
        att = att.masked_fill(future, float("-inf")).softmax(-1)
        att = att * ((torch.rand_like(att) >= self.dropout) * (1.0 / (1.0 - self.dropout)))
        return (att @ v).view(B, H, T, -1)


class FeedForward(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.w1 = nn.Linear(c.dim, c.hidden_dim, bias=False)
        self.w2 = nn.Linear(c.hidden_dim, c.dim, bias=False)
        self.w3 = nn.Linear(c.dim, c.hidden_dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.attention = Attention(c)
        self.feed_forward = FeedForward(c)
        self.attention_norm = RMSNorm(c.dim, c.norm_eps)
        self.ffn_norm = RMSNorm(c.dim, c.norm_eps)

    def forward(self, x, cos, sin):
        x = x + self.attention(self.attention_norm(x), cos, sin)
        return x + self.feed_forward(self.ffn_norm(x))


class Transformer(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.config = c.check()
        self.tok_embeddings = nn.Embedding(c.vocab_size, c.dim)
        self.layers = nn.ModuleList(Block(c) for _ in range(c.n_layers))
        self.norm = RMSNorm(c.dim, c.norm_eps)
        self.output = nn.Linear(c.dim, c.vocab_size, bias=False)
        self.output.weight = self.tok_embeddings.weight  # tied
        ang = rope_angles(c.seq_len, c.dim // c.n_heads, c.rope_theta)
        self.register_buffer("rope_cos", ang.cos().float(), persistent=False)
        self.register_buffer("rope_sin", ang.sin().float(), persistent=False)
        self.apply(self._init)
        for name, p in self.named_parameters():  # GPT-2 scaled init of residual projections
            if name.endswith(("wo.weight", "w2.weight")):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * c.n_layers))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def forward(self, tokens, where=None):
        """Logits (B, T, vocab); with `where` (a (B, T) bool mask) only at those positions,
        (n, vocab): training needs them only at the action's tokens, a third of the positions,
        and skips the rest of the output layer and its softmax."""
        T = tokens.shape[1]
        x = self.tok_embeddings(tokens)
        cos, sin = self.rope_cos[:T], self.rope_sin[:T]
        for layer in self.layers:
            x = layer(x, cos, sin)
        x = self.norm(x)
        return self.output(x if where is None else x[where])

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())  # tied weights counted once

    @torch.no_grad()
    def generate(self, prompt: list[int], eos: int, max_new: int) -> list[int]:
        """Greedy float decoding (no KV cache: the float model is for training and checks).
        Runs in eval mode (no dropout) and restores the mode it found."""
        was_training = self.training
        self.eval()
        toks, out = list(prompt), []
        while len(out) < max_new and len(toks) <= self.config.seq_len:
            nxt = int(self(torch.tensor([toks]))[0, -1].argmax())
            out.append(nxt)
            toks.append(nxt)
            if nxt == eos:
                break
        self.train(was_training)
        return out
