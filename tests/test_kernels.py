"""Each C kernel (firmware/lib/microlm/src/kernels_ref.c) against its numpy reference
(exporter/reference.py), bit for bit: floats are compared as their uint32 patterns, so even a
sign of zero or one ulp fails. One test per kernel, as TFLite Micro tests its kernels."""
import numpy as np
import pytest

from exporter import reference as R
from exporter.export import rope_tables

import engine_lib as E
from engine_lib import ptr

f32 = np.float32
GROUP_SIZES = [16, 32, 64]


@pytest.fixture(scope="module")
def lib():
    return E.lib()


def bits_equal(a, b) -> bool:
    a, b = np.asarray(a, f32), np.asarray(b, f32)
    return a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))


def assert_bits(c, ref, what=""):
    c, ref = np.asarray(c, f32), np.asarray(ref, f32)
    if not bits_equal(c, ref):
        bad = np.flatnonzero(c.view(np.uint32).reshape(-1) != ref.view(np.uint32).reshape(-1))
        i = bad[0]
        raise AssertionError(f"{what}: {len(bad)} of {c.size} differ; first at {i}: "
                             f"C {c.reshape(-1)[i]!r} vs reference {ref.reshape(-1)[i]!r}")


def activations(rng, n, kind):
    """Test vectors: the kinds of values the kernels meet, and the awkward ones."""
    if kind == "normal":
        return rng.normal(0, 1, n).astype(f32)
    if kind == "wide":  # magnitudes spread over many octaves, both signs
        return (rng.normal(0, 1, n) * 10.0 ** rng.uniform(-6, 6, n)).astype(f32)
    if kind == "large":
        return (rng.normal(0, 1, n) * 1e30).astype(f32)
    if kind == "negative":
        return -np.abs(rng.normal(0, 3, n)).astype(f32)
    if kind == "zeros":
        return np.zeros(n, f32)
    if kind == "sparse":
        x = rng.normal(0, 1, n).astype(f32)
        x[rng.random(n) < 0.7] = 0
        return x
    if kind == "ties":  # x / s lands on k + 0.5: round_away's tie rule decides
        x = (rng.integers(-126, 126, n) + 0.5).astype(f32)
        x[::7] = 127.0
        return x
    raise ValueError(kind)


KINDS = ["normal", "wide", "large", "negative", "zeros", "sparse", "ties"]


# ------------------------------------------------------------------------------ kernels

def test_round_away(lib):
    rng = np.random.default_rng(1)
    halves = np.arange(-20, 20, dtype=f32) + f32(0.5)
    near = np.array([0.49999997, -0.49999997, 0.5, -0.5, 1.4999999, -1.4999999, 0.0, -0.0,
                     2.5, -2.5, 126.5, -126.5, 8388607.5, -8388607.5, 1e9, -1e9], f32)
    rand = np.concatenate([rng.normal(0, 100, 2000), rng.uniform(-2e9, 2e9, 500)]).astype(f32)
    for v in np.concatenate([halves, near, rand]):
        assert lib.mlm_round_away(v) == int(R.round_away(v)), v


@pytest.mark.parametrize("gs", GROUP_SIZES)
@pytest.mark.parametrize("kind", KINDS)
def test_quantize(lib, gs, kind):
    rng = np.random.default_rng(gs * 31 + KINDS.index(kind))
    for groups in [1, 2, 3, 7]:
        n = gs * groups
        x = activations(rng, n, kind)
        if kind == "normal" and groups > 1:
            x[:gs] = 0  # an all-zero group among non-zero ones: s = 0, q = 0
        q, s = np.zeros(n, np.int8), np.zeros(groups, f32)
        lib.mlm_quantize(ptr(x), n, gs, ptr(q), ptr(s))
        rq, rs = R.quantize(x, gs)
        assert np.array_equal(q, rq), (kind, gs, groups)
        assert_bits(s, rs, f"scales {kind} gs={gs}")


def test_dot_i8(lib):
    rng = np.random.default_rng(2)
    for n in [1, 2, 3, 15, 16, 17, 32, 64, 100, 1024]:
        for _ in range(10):
            a = rng.integers(-128, 128, n).astype(np.int8)
            b = rng.integers(-128, 128, n).astype(np.int8)
            assert lib.mlm_dot_i8(ptr(a), ptr(b), n) == int(R.idot(a, b))
    extreme = np.full(1024, -128, np.int8)  # largest magnitude: 2^24, still exact in int32
    assert lib.mlm_dot_i8(ptr(extreme), ptr(extreme), 1024) == 1024 * 128 * 128


@pytest.mark.parametrize("gs", GROUP_SIZES)
def test_matmul_q8(lib, gs):
    rng = np.random.default_rng(gs)
    for rows in [1, 3, 7, 33]:
        for groups in [1, 2, 5]:
            cols = gs * groups
            for kind in ["normal", "wide", "zeros", "sparse", "ties"]:
                xq, xs = R.quantize(activations(rng, cols, kind), gs)
                wq = rng.integers(-127, 128, (rows, cols)).astype(np.int8)
                ws = (np.abs(rng.normal(0, 1, (rows, groups))) * 10.0 ** rng.uniform(-4, 2)
                      ).astype(f32)
                wq[0, :gs] = 0  # a zero weight group, as the quantizer makes for zero weights
                ws[0, 0] = 0
                out = np.zeros(rows, f32)
                lib.mlm_matmul_q8(ptr(out), ptr(xq), ptr(xs), ptr(wq), ptr(ws), rows, cols, gs)
                assert_bits(out, R.matmul(xq, xs, wq, ws, gs), f"rows={rows} cols={cols} {kind}")


def test_rmsnorm(lib):
    rng = np.random.default_rng(3)
    for n in [1, 2, 16, 48, 64, 100, 288]:
        for kind in ["normal", "wide", "negative", "zeros", "ties"]:
            for eps in [f32(1e-5), f32(1e-6), f32(0.0) if kind != "zeros" else f32(1e-5)]:
                x = activations(rng, n, kind)
                w = rng.uniform(0.5, 1.5, n).astype(f32)
                out = np.zeros(n, f32)
                lib.mlm_rmsnorm(ptr(out), ptr(x), ptr(w), n, eps)
                assert_bits(out, R.rmsnorm(x, w, eps), f"n={n} {kind} eps={eps}")
                inplace = x.copy()  # out == x is allowed
                lib.mlm_rmsnorm(ptr(inplace), ptr(inplace), ptr(w), n, eps)
                assert_bits(inplace, out, "in place")


def test_expf(lib):
    rng = np.random.default_rng(4)
    special = np.array([0.0, -0.0, 1.0, -1.0, 88.0, 88.5, 89.0, 1e10, -87.0, -87.00001,
                        -86.99999, -100.0, -1e10, 1e-30, -1e-30, 0.34657359, -0.34657359,
                        0.6931472, -0.6931472, 87.9999, -86.5], f32)
    x = np.concatenate([np.linspace(-100, 100, 200001, dtype=f32),
                        rng.uniform(-100, 100, 20000).astype(f32),
                        rng.normal(0, 1, 5000).astype(f32), special])
    c = np.array([lib.mlm_expf(v) for v in x], f32)
    assert_bits(c, R.expf(x), "expf")


def test_logf(lib):
    """Beam search takes the log of a softmax sum, in [1, vocab_size]; the rest of the normal
    range is checked too."""
    rng = np.random.default_rng(14)
    x = np.concatenate([np.linspace(1, 4096, 100001, dtype=f32),
                        rng.uniform(1, 4096, 20000).astype(f32),
                        np.exp(rng.uniform(-87, 88, 20000)).astype(f32),
                        f32(2.0) ** np.arange(-126, 128, dtype=f32),
                        np.array([1.0, 1.0000001, 0.99999994, 1.4142135, 1.4142137, 0.70710677,
                                  2.7182817, 3.4028235e38, 1.1754944e-38], f32)])
    c = np.array([lib.mlm_logf(v) for v in x], f32)
    assert_bits(c, R.logf(x), "logf")


def test_softmax(lib):
    rng = np.random.default_rng(5)
    for n in [1, 2, 3, 8, 31, 64, 257]:
        for kind in ["normal", "wide", "negative", "zeros", "ties"]:
            a = activations(rng, n, kind) * f32(3)
            c = a.copy()
            lib.mlm_softmax(ptr(c), n)
            assert_bits(c, R.softmax(a), f"n={n} {kind}")
    a = np.array([0.0, -90.0, -200.0, 5.0, 5.0], f32)  # underflowing terms and a tied max
    c = a.copy()
    lib.mlm_softmax(ptr(c), len(c))
    assert_bits(c, R.softmax(a), "underflow")


def test_silu_mul(lib):
    rng = np.random.default_rng(6)
    for n in [1, 5, 64, 128, 333]:
        for kind in ["normal", "wide", "negative", "zeros", "ties"]:
            h1 = activations(rng, n, kind) * f32(4)
            h3 = rng.normal(0, 2, n).astype(f32)
            out = np.zeros(n, f32)
            lib.mlm_silu_mul(ptr(out), ptr(h1), ptr(h3), n)
            assert_bits(out, R.silu_mul(h1, h3), f"n={n} {kind}")
            inplace = h1.copy()  # out == h1, as forward.c calls it
            lib.mlm_silu_mul(ptr(inplace), ptr(inplace), ptr(h3), n)
            assert_bits(inplace, out, "in place")
    h1 = np.array([-100.0, -89.0, -88.0, 88.0, 100.0, 0.0, -0.0], f32)  # expf clamps
    h3 = np.ones_like(h1)
    out = np.zeros_like(h1)
    lib.mlm_silu_mul(ptr(out), ptr(h1), ptr(h3), len(h1))
    assert_bits(out, R.silu_mul(h1, h3), "extremes")


@pytest.mark.parametrize("head_size", [2, 4, 8, 16, 32, 64])
def test_rope(lib, head_size):
    rng = np.random.default_rng(head_size)
    cos, sin = rope_tables(64, head_size, 10000.0)
    for n_heads in [1, 2, 3, 8]:
        n = n_heads * head_size
        for pos in [0, 1, 17, 63]:
            for kind in ["normal", "wide", "zeros", "ties"]:
                v = activations(rng, n, kind)
                c = v.copy()
                cr, sr = np.ascontiguousarray(cos[pos]), np.ascontiguousarray(sin[pos])
                lib.mlm_rope(ptr(c), n, head_size, ptr(cr), ptr(sr))
                assert_bits(c, R.rope(v, cr, sr, head_size), f"n={n} pos={pos} {kind}")
    # arbitrary angles too: the kernel must not depend on cos^2 + sin^2 = 1
    v = rng.normal(0, 1, 4 * head_size).astype(f32)
    cr = rng.normal(0, 1, head_size // 2).astype(f32)
    sr = rng.normal(0, 1, head_size // 2).astype(f32)
    c = v.copy()
    lib.mlm_rope(ptr(c), len(v), head_size, ptr(cr), ptr(sr))
    assert_bits(c, R.rope(v, cr, sr, head_size), "random tables")


def test_crc32_matches_zlib(lib):
    import zlib
    rng = np.random.default_rng(7)
    for n in [0, 1, 2, 3, 15, 16, 1000, 65537]:
        data = rng.integers(0, 256, n).astype(np.uint8)
        assert lib.mlm_crc32(0, ptr(data), n) == zlib.crc32(data.tobytes())
        half = n // 2  # chained like zlib.crc32(b, crc)
        c1 = lib.mlm_crc32(0, ptr(data), half)
        assert lib.mlm_crc32(c1, ptr(data[half:]), n - half) == zlib.crc32(data.tobytes())
    assert lib.mlm_crc32(0, None, 0) == 0
    check = np.frombuffer(b"123456789", np.uint8).copy()
    assert lib.mlm_crc32(0, ptr(check), 9) == 0xCBF43926  # the CRC-32 check value
