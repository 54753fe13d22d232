"""Tests of optbook.lmo: brute force over vertices, dense SVD, sparse input, bad input."""


import numpy as np
import pytest
import scipy.sparse as sp

from optbook.lmo import l1_ball, nuclear_ball, simplex


@pytest.mark.parametrize("seed", range(5))
def test_l1_ball_brute_force(seed):
    g = np.random.default_rng(seed).standard_normal(6)
    r = 2.5
    vertices = [s * r * np.eye(6)[i] for i in range(6) for s in (-1, 1)]
    best = min(v @ g for v in vertices)
    s = l1_ball(g, r)
    assert s @ g == pytest.approx(best) and np.abs(s).sum() == pytest.approx(r)


@pytest.mark.parametrize("seed", range(5))
def test_simplex_brute_force(seed):
    g = np.random.default_rng(seed).standard_normal(7)
    s = simplex(g)
    assert s @ g == min(np.eye(7) @ g) and s.sum() == 1 and s.min() == 0


def test_l1_ball_matrix_and_float32():
    g = np.array([[0.1, -3.0], [2.0, 0.0]], dtype=np.float32)
    s = l1_ball(g, 1.0)
    assert s.dtype == np.float32 and s.shape == (2, 2) and s[0, 1] == 1.0


@pytest.mark.parametrize("shape", [(2, 5), (30, 20), (80, 60)])
def test_nuclear_ball_against_dense_svd(shape):
    G = np.random.default_rng(0).standard_normal(shape)
    S = nuclear_ball(G, 3.0)
    sv = np.linalg.svd(G, compute_uv=False)
    assert np.vdot(G, S) == pytest.approx(-3.0 * sv[0], rel=1e-10)
    assert np.linalg.svd(S, compute_uv=False).sum() == pytest.approx(3.0, rel=1e-10)
    assert np.linalg.matrix_rank(S) == 1


def test_nuclear_ball_brute_force_is_minimal():
    """No rank-one matrix of the ball (sampled) does better than the LMO."""
    rng = np.random.default_rng(2)
    G = rng.standard_normal((4, 3))
    S = nuclear_ball(G, 1.0)
    for _ in range(2000):
        u, v = rng.standard_normal(4), rng.standard_normal(3)
        V = np.outer(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
        assert np.vdot(G, V) >= np.vdot(G, S) - 1e-12


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_nuclear_ball_sparse(fmt):
    rng = np.random.default_rng(3)
    G = sp.random(200, 150, density=0.05, random_state=3, format=fmt)
    S = nuclear_ball(G, 2.0)
    sv = np.linalg.svd(G.toarray(), compute_uv=False)[0]
    assert S.shape == (200, 150)
    assert float(np.sum(G.toarray() * S)) == pytest.approx(-2.0 * sv, rel=1e-8)


def test_inputs_not_modified():
    g = np.array([1.0, -2.0, 0.5])
    g0 = g.copy()
    l1_ball(g, 1.0)
    simplex(g)
    np.testing.assert_array_equal(g, g0)


@pytest.mark.parametrize("call, exc", [
    (lambda: l1_ball([1.0, np.nan], 1.0), ValueError),
    (lambda: l1_ball([1.0, 2.0], 0.0), ValueError),
    (lambda: l1_ball([1.0, 2.0], -1.0), ValueError),
    (lambda: l1_ball([], 1.0), ValueError),
    (lambda: l1_ball("ab", 1.0), TypeError),
    (lambda: simplex([[1.0, 2.0]]), ValueError),
    (lambda: simplex([np.inf, 1.0]), ValueError),
    (lambda: simplex([]), ValueError),
    (lambda: nuclear_ball(np.ones(3), 1.0), ValueError),
    (lambda: nuclear_ball(np.ones((3, 3)), -2.0), ValueError),
    (lambda: nuclear_ball(np.full((3, 3), np.nan), 1.0), ValueError),
    (lambda: nuclear_ball(sp.csr_matrix(np.array([[np.inf, 0.0], [0.0, 1.0]])), 1.0), ValueError),
    (lambda: nuclear_ball(np.ones((0, 3)), 1.0), ValueError),
    (lambda: nuclear_ball(None, 1.0), TypeError),
])
def test_bad_input(call, exc):
    with pytest.raises(exc):
        call()


def test_all_vertices_tie_break():
    # g = 0: any vertex is a minimizer; a vertex is returned
    assert np.abs(l1_ball(np.zeros(3), 2.0)).sum() == 2.0
    assert simplex(np.zeros(3)).sum() == 1.0
