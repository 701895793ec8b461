"""The PyTorch model's attention: the written-out training path (dropout) against SDPA."""
import pytest
import torch
import torch.nn.functional as F

from exporter.model import Attention, ModelConfig, rope_angles


def sdpa_reference(q, k, v):
    """Grouped-query causal attention the plain way: kv heads repeated, SDPA without dropout."""
    rep = q.shape[1] // k.shape[1]
    return F.scaled_dot_product_attention(q, k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1),
                                          is_causal=True)


@pytest.mark.parametrize("B,T,heads,kv,hs", [(1, 1, 1, 1, 2), (2, 7, 4, 2, 8), (3, 19, 6, 3, 4),
                                             (4, 33, 8, 1, 16), (2, 96, 4, 4, 32)])
def test_dropout_path_is_attention(B, T, heads, kv, hs):
    torch.manual_seed(T)
    att = Attention(ModelConfig(dim=heads * hs, hidden_dim=32, n_heads=heads, n_kv_heads=kv,
                                group_size=2, dropout=1e-12))  # keeps every probability
    q, k, v = torch.randn(B, heads, T, hs), torch.randn(B, kv, T, hs), torch.randn(B, kv, T, hs)
    torch.testing.assert_close(att._attend_dropout(q, k, v), sdpa_reference(q, k, v))
    # the eval path (SDPA with enable_gqa) is the same attention
    att.eval()
    x = torch.randn(B, T, heads * hs)
    ang = rope_angles(T, hs, 10000.0)
    cos, sin = ang.cos().float(), ang.sin().float()
    with torch.no_grad():
        y_eval = att(x, cos, sin)
        att.train()
        y_train = att(x, cos, sin)  # dropout 1e-12: nothing dropped
    torch.testing.assert_close(y_train, y_eval)


def test_dropout_drops_the_asked_fraction_and_replays():
    att = Attention(ModelConfig(dim=64, hidden_dim=64, n_heads=4, n_kv_heads=2, group_size=32, dropout=0.25))
    q, k = torch.randn(8, 4, 40, 16), torch.randn(8, 2, 40, 16)
    v = torch.eye(40).expand(8, 2, 40, 40)  # hs = 40 for v: the output is the dropped probabilities
    torch.manual_seed(5)
    p = att._attend_dropout(q, k, v)
    torch.manual_seed(5)
    assert torch.equal(att._attend_dropout(q, k, v), p)  # a function of the torch seed
    causal = torch.ones(40, 40).tril().bool().expand_as(p)
    kept = (p[causal] != 0).float().mean().item()
    assert abs(kept - 0.75) < 0.02
    full = torch.softmax((q.reshape(8, 2, 80, 16) @ k.transpose(-1, -2)).view(8, 4, 40, 40) / 4
                         + torch.full((40, 40), float("-inf")).triu(1), -1)
    nz = p != 0
    torch.testing.assert_close(p[nz], full[nz] / 0.75)  # kept ones scaled by 1 / (1 - p)
    assert (p[~causal] == 0).all()
