"""Presets and the sizes `exporter info` prints: the RAM figure must be the firmware's own."""
import pytest

import engine_lib as E
from exporter import mlm_format as F
from exporter.export import arena_bytes, flash_bytes, random_mlm
from exporter.model import PRESETS, Transformer


@pytest.mark.parametrize("cfg", [
    dict(dim=64, hidden_dim=128, n_layers=2, n_heads=4, n_kv_heads=2, seq_len=32, group_size=32),
    dict(dim=48, hidden_dim=96, n_layers=3, n_heads=6, n_kv_heads=6, seq_len=24, group_size=16),
    dict(dim=32, hidden_dim=96, n_layers=1, n_heads=2, n_kv_heads=1, seq_len=17, group_size=32),
])
def test_arena_bytes_equals_firmware(cfg):
    m = random_mlm(dict(cfg, norm_eps=1e-5, rope_theta=10000.0))
    blob = F.to_bytes(m)
    assert arena_bytes(m.config) == E.Engine(blob).arena_bytes
    assert abs(flash_bytes(m.config) - len(blob)) / len(blob) < 0.05


def test_presets_fit_their_boards():
    sizes = {name: (Transformer(c).n_params(), arena_bytes(c.to_dict())) for name, c in PRESETS.items()}
    assert sizes["nano"][1] <= 64 * 1024            # Cortex-M0+/M3 class RAM
    assert 0.8e6 <= sizes["micro"][0] <= 1.2e6      # ~1M, Cortex-M4 / ESP32
    assert 8e6 <= sizes["small"][0] <= 10e6         # the ~9M "micro LLM"
    assert 6 <= PRESETS["small"].n_layers <= 8
