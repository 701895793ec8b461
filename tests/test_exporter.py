"""Unit tests of the exporter: tokenizer, model, quantizer, model file, reference decoder."""
import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from exporter import mlm_format, reference
from exporter.export import build_mlm, quantize_weight, random_mlm, rope_tables, write_c_array
from exporter.model import PRESETS, ModelConfig, Transformer, apply_rope
from exporter.tokenizer import BOS, FIRST_MERGE, SEP, Tokenizer

TEXTS = ["turn on the kitchen lights", "turn off the bedroom lights", "light.on area=kitchen",
         "light.off area=bedroom", "set the thermostat to 21 degrees", "climate.set temperature=21"]
SMALL = dict(dim=64, hidden_dim=128, n_layers=2, n_heads=4, n_kv_heads=2, seq_len=32,
             group_size=32, norm_eps=1e-5, rope_theta=10000.0)


@pytest.fixture(scope="module")
def tok():
    return Tokenizer.train(TEXTS * 10, 300)


def test_tokenizer_learns_merges_and_round_trips(tok):
    assert tok.vocab_size > FIRST_MERGE
    ids = tok.encode("turn on the kitchen lights")
    assert len(ids) < len("turn on the kitchen lights")  # merges were applied
    assert tok.decode(ids) == "turn on the kitchen lights"
    assert all(i < tok.vocab_size for i in ids)
    # every merge builds from earlier tokens only, so the device can rebuild the vocab
    assert all(l < FIRST_MERGE + i and r < FIRST_MERGE + i for i, (l, r) in enumerate(tok.merges))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_tokenizer_round_trips_any_unicode(tok, text):
    ids = tok.encode(text)
    assert b"".join(tok.vocab[i] for i in ids) == text.encode("utf-8")
    assert BOS not in ids and SEP not in ids


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["kitchen", "lights", "the", "Sun", "room", " ", "  ", "=", ".", "21",
                                 "ü", "light.on", "area=", "\n"]) | st.text(max_size=8), max_size=12))
def test_tokenizer_run_cache_gives_the_reference_tokens(tok, parts):
    """Tokenizer.encode/prompt encode run by run through a cache: the tokens must be those of
    the plain greedy encoder on the whole text, which the device runs."""
    text = "".join(parts)
    assert tok.encode(text) == reference.encode(tok._rank, text.encode("utf-8"))
    assert tok.encode(text) == tok.encode(text)  # the second time from the cache
    assert tok.prompt(text)[1:-1] == reference.encode(tok._rank, reference.prompt_bytes(text))


def test_tokenizer_without_letter_only_merges_skips_the_cache():
    # a merge across a space ("a" + " "): runs are not independent, so the whole text is encoded
    t = Tokenizer([(ord("a"), ord(" ")), (FIRST_MERGE, ord("b"))])
    assert not t._runs
    assert t.encode("a b") == [FIRST_MERGE + 1]
    assert t.encode("xa b") == reference.encode(t._rank, b"xa b")


def test_tokenizer_greedy_lowest_rank_first():
    # merges: (a,b)->258, (b,c)->259: in "abc" the lower-ranked pair a+b wins
    t = Tokenizer([(ord("a"), ord("b")), (ord("b"), ord("c"))])
    assert t.encode("abc") == [258, ord("c")]
    t2 = Tokenizer([(ord("b"), ord("c")), (ord("a"), ord("b"))])
    assert t2.encode("abc") == [ord("a"), 258]


def test_tokenizer_save_load(tmp_path, tok):
    tok.save(tmp_path / "t.json")
    assert Tokenizer.load(tmp_path / "t.json").merges == tok.merges
    (tmp_path / "bad.json").write_text(json.dumps({"merges": []}))
    with pytest.raises(ValueError):
        Tokenizer.load(tmp_path / "bad.json")


def test_model_shapes_and_presets():
    for name, cfg in PRESETS.items():
        cfg.check()
    m = Transformer(ModelConfig(**SMALL, vocab_size=300))
    out = m(torch.randint(0, 300, (2, 10)))
    assert out.shape == (2, 10, 300)
    assert m.output.weight is m.tok_embeddings.weight  # tied head
    assert 0.8e6 < Transformer(PRESETS["micro"]).n_params() <= 1.2e6


def test_model_is_causal():
    m = Transformer(ModelConfig(**SMALL, vocab_size=300)).eval()
    a = torch.randint(0, 300, (1, 12))
    b = a.clone()
    b[0, 8:] = (b[0, 8:] + 1) % 300
    assert torch.allclose(m(a)[0, :8], m(b)[0, :8], atol=1e-6)


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="n_kv_heads"):
        ModelConfig(dim=64, n_heads=4, n_kv_heads=3).check()


def test_rope_matches_reference_rotation():
    cos, sin = rope_tables(16, 8, 10000.0)
    v = np.random.default_rng(0).normal(size=16).astype(np.float32)  # two heads of 8
    ref = reference.rope(v, cos[5], sin[5], 8)
    t = apply_rope(torch.tensor(v).view(1, 2, 1, 8), torch.tensor(cos[5]), torch.tensor(sin[5]))
    assert np.allclose(t.flatten().numpy(), ref, atol=1e-6)
    assert np.allclose(np.linalg.norm(ref), np.linalg.norm(v), rtol=1e-5)  # a rotation


def test_quantize_weight_error_is_bounded():
    w = np.random.default_rng(1).normal(size=(24, 96)).astype(np.float32)
    qt = quantize_weight(w, 32)
    assert qt.q.dtype == np.int8 and qt.s.shape == (24, 3)
    deq = qt.q.astype(np.float32) * np.repeat(qt.s, 32, axis=1)
    assert np.max(np.abs(deq - w) / np.repeat(qt.s, 32, axis=1)) <= 0.5 + 1e-5
    assert np.abs(qt.q).max() == 127
    with pytest.raises(ValueError):
        quantize_weight(w[:, :40], 32)


def test_quantize_rounds_half_away_from_zero():
    q, s = reference.quantize(np.array([127, 0.5, -0.5, 1.5, -1.5, 0, 0, 0], np.float32), 8)
    assert s[0] == 1 and list(q[:5]) == [127, 1, -1, 2, -2]
    q, s = reference.quantize(np.zeros(8, np.float32), 8)
    assert s[0] == 0 and not q.any()


def test_expf_is_accurate():
    x = np.linspace(-80, 80, 10001, dtype=np.float32)
    rel = np.abs(reference.expf(x) / np.exp(x.astype(np.float64)) - 1)
    assert rel.max() < 1e-6
    assert reference.expf(np.float32(-100.0)) == 0


def test_sum_seq_is_sequential():
    a = np.array([1e8, 1.0, -1e8, 1.0], np.float32)  # sequential float32: ((1e8+1)-1e8)+1 = 1
    assert reference._sum_seq(a) == np.float32(1.0)


def test_mlm_round_trip_and_alignment(tmp_path):
    m = random_mlm(SMALL)
    blob = mlm_format.to_bytes(m)
    m2 = mlm_format.from_bytes(blob)
    assert m2.config == m.config and m2.merges == m.merges and m2.vocab == m.vocab
    for k, t in m.tensors.items():
        t2 = m2.tensors[k]
        if isinstance(t, mlm_format.QTensor):
            assert np.array_equal(t.q, t2.q) and np.array_equal(t.s, t2.s)
            # int8 weights 16-byte aligned in the file, for in-place SIMD reads from flash
            assert blob.find(t.q.tobytes()) % 16 == 0
        else:
            assert np.array_equal(t, t2)
    write_c_array(blob, tmp_path / "model_data.c")
    c = (tmp_path / "model_data.c").read_text()
    assert f"microlm_model_data_len = {len(blob)};" in c and "aligned(16)" in c


@pytest.mark.parametrize("damage", ["magic", "truncate", "flip", "short"])
def test_damaged_model_file_is_refused(damage):
    blob = bytearray(mlm_format.to_bytes(random_mlm(SMALL)))
    if damage == "magic":
        blob[0] ^= 1
    elif damage == "truncate":
        blob = blob[:-100]
    elif damage == "flip":
        blob[len(blob) // 2] ^= 0x10
    else:
        blob = blob[:10]
    with pytest.raises(mlm_format.FormatError):
        mlm_format.from_bytes(bytes(blob))


def test_reference_follows_the_float_model():
    """The int8 reference's logits track the float network they were quantized from."""
    torch.manual_seed(0)
    cfg = ModelConfig(**SMALL, vocab_size=300)
    net = Transformer(cfg).eval()
    tok = Tokenizer.train(TEXTS * 10, 300)
    cfg.vocab_size = tok.vocab_size
    net = Transformer(cfg).eval()
    m = build_mlm({k: v.numpy() for k, v in net.state_dict().items()}, cfg.to_dict(), tok)
    ref = reference.Reference(m)
    ids = [BOS] + tok.encode("turn on the kitchen lights") + [SEP]
    with torch.no_grad():
        fl = net(torch.tensor([ids]))[0].numpy()
    for pos, t in enumerate(ids):
        q = ref.forward(t, pos)
        corr = np.corrcoef(q, fl[pos])[0, 1]
        assert corr > 0.98, (pos, corr)


def test_prompt_lowers_ascii_only(tok):
    assert tok.prompt("Turn ON the Kitchen Lights") == tok.prompt("turn on the kitchen lights")
    assert reference.prompt_bytes("KÜCHE Ä") == "kÜche Ä".encode()  # non-ASCII left alone
    ids = tok.prompt("sunroom")
    assert ids[0] == BOS and ids[-1] == SEP


def test_merges_stay_inside_words(tok):
    """A word is the same tokens wherever it stands, so names can be copied into actions."""
    for l, r in tok.merges:
        assert (tok.vocab[l] + tok.vocab[r]).isalpha()
    word = tok.encode("kitchen")
    assert tok.encode("lights in the kitchen")[-len(word):] == word
    assert tok.encode("light.on area=kitchen")[-len(word):] == word
    assert tok.encode("21") == [ord("2"), ord("1")]  # digits stay single bytes
