"""Theorem checks of the chapter on implicit differentiation."""

import numpy as np
import pytest
from theorem_checks import assert_upper

from optbook.datasets import make_correlated_regression
from optbook.implicit import implicit_vjp, unrolled_vjp

SEEDS = [0, 1, 2]


def ridge(seed, tight):
    """Ridge on a design with A^T A/n having eigenvalues geomspace(1, 1/30).

    ``tight``: b = A u_min, so that x* is an eigenvector of H for its
    smallest eigenvalue and the bound of thm-unrolled-ridge holds with equality."""
    n, d, lam = 100, 20, 0.01
    A, b, _ = make_correlated_regression(n, d, condition_number=30.0, rng=seed)
    H = A.T @ A / n + lam * np.eye(d)
    w, U = np.linalg.eigh(H)
    if tight:
        b = A @ U[:, 0]
    x_star = np.linalg.solve(H, A.T @ b / n)
    return A, b, lam, H, w[0], w[-1], x_star


def unrolled_errors(A, b, lam, H, x_star, gamma, x0, K):
    """||J_k - J*|| and ||-H^{-1} x_k - J*|| for k = 0..K, with J_k = dx_k/dlam
    of gradient descent computed by the exact chain rule (and checked against
    optbook's unrolled_vjp at k = K)."""
    n, d = A.shape
    c = A.T @ b / n
    Hinv = np.linalg.inv(H)
    J_star = -Hinv @ x_star
    x, J = x0.copy(), np.zeros(d)
    unrolled, implicit = [], []
    for k in range(K + 1):
        unrolled.append(np.linalg.norm(J - J_star))
        implicit.append(np.linalg.norm(-Hinv @ x - J_star))
        if k < K:
            J = J - gamma * (H @ J) - gamma * x
            x = x - gamma * (H @ x - c)
    upd = lambda z, th: z - gamma * (A.T @ (A @ z - b) / n + th[0] * z)
    for v in np.random.default_rng(0).standard_normal((1, d)):
        _, g = unrolled_vjp(upd, x0, np.array([lam]), v, K, mode="forward")
        assert abs(g[0] - v @ J) <= 1e-10 * np.linalg.norm(J_star) * np.linalg.norm(v)
    # the implicit estimate at x_k is what implicit_vjp returns at the point x_k
    F = lambda z, th: A.T @ (A @ z - b) / n + th[0] * z
    gi = implicit_vjp(F, x, np.array([lam]), np.eye(d)[0])
    assert abs(gi[0] - (-np.linalg.solve(H, x))[0]) <= 1e-12 * np.linalg.norm(J_star)
    # the same zero set written with a nonsymmetric preconditioner P: d_x F = P H is
    # not symmetric, and the implicit estimate -v^T (PH)^{-1} P x_k = -v^T H^{-1} x_k
    # is unchanged, so a transposition error in implicit_vjp fails here
    P = np.eye(d) + 0.5 * np.triu(np.random.default_rng(1).standard_normal((d, d)), 1)
    F_pre = lambda z, th: P @ (A.T @ (A @ z - b) / n + th[0] * z)
    w = np.random.default_rng(2).standard_normal(d)
    gp = implicit_vjp(F_pre, x, np.array([lam]), w)
    tol = 1e-9 * np.linalg.norm(J_star) * np.linalg.norm(w)
    assert abs(gp[0] - w @ (-np.linalg.solve(H, x))) <= tol
    return np.array(unrolled), np.array(implicit), np.linalg.norm(J_star)


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_unrolled_ridge(seed):
    r"""thm-unrolled-ridge: for gradient descent on ridge with 0 < gamma < 2/L_lam,
    rho = max|1 - gamma h| over the spectrum of H_lam,

    (a) ||J_k - J*|| <= rho^k ||J*|| + gamma k rho^{k-1} ||x_0 - x*||  (unrolled),
    (b) ||-H^{-1} x_k - J*|| <= rho^k ||x_0 - x*|| / mu_lam            (implicit at x_k),

    at every k. Non-vacuity: on the tight instance (x_0 = 0, x* an eigenvector
    of the smallest eigenvalue, gamma <= 2/(L+mu)) the worst ratio lhs/rhs over
    k = 1..K is above 0.99 for both bounds; on a random instance the ratio at
    the last iterations is above 0.05. Since d_x F = H is symmetric for ridge,
    the implicit estimate is also computed from F written with a nonsymmetric
    preconditioner (same zero set, same estimate), so that a transposition
    error in implicit_vjp fails this test (test_implicit.py's
    test_implicit_vjp_several_hyperparameters_and_nonsymmetric also catches it)."""
    K = 400
    k = np.arange(K + 1)
    for tight in [True, False]:
        A, b, lam, H, mu, L, x_star = ridge(seed, tight)
        x0 = (np.zeros(A.shape[1]) if tight
              else np.random.default_rng(seed + 10).standard_normal(A.shape[1]))
        e0 = np.linalg.norm(x0 - x_star)
        for gamma in [0.5 / L, 1 / L, 2 / (L + mu), 1.5 / L]:
            rho = max(abs(1 - gamma * mu), abs(1 - gamma * L))
            un, im, nJ = unrolled_errors(A, b, lam, H, x_star, gamma, x0, K)
            rhs_un = rho ** k * nJ + gamma * k * rho ** np.maximum(k - 1, 0) * e0
            rhs_im = rho ** k * e0 / mu
            label = f"thm-unrolled-ridge (gamma*L={gamma * L:.3f}, tight={tight})"
            # relative slack for rounding in J_k: errors reach ~1e-13 ||J*||
            assert_upper(un, rhs_un, label + " (a)", rtol=1e-9, atol=1e-11 * nJ)
            assert_upper(im, rhs_im, label + " (b)", rtol=1e-9, atol=1e-11 * nJ)
            live = rhs_un > 1e-8 * nJ  # ratios are meaningful above rounding level
            r_un = un[1:][live[1:]] / rhs_un[1:][live[1:]]
            r_im = (im / rhs_im)[1:][live[1:]]
            if tight and gamma <= 2 / (L + mu) * (1 + 1e-12):
                assert r_un.min() > 0.99, (label, r_un.min())
                assert r_im.min() > 0.99, (label, r_im.min())
            elif not tight:
                assert r_un[-20:].max() > 0.05, (label, r_un[-20:].max())
