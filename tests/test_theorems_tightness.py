r"""The rate theorems of parts II and III are nearly attained: their constants are pinned.

``assert_upper`` alone accepts any bound that is too loose (a wrong constant, a
bound proved for a faster method). Each test here runs a solver on an instance
where its bound is nearly attained (the worst-case functions of the chapter
*Acceleration*: the Huber function of ``thm-gd-tight`` for gradient descent, a
Huber function with a small kink for FISTA, the extreme eigenvector of a
quadratic for the linear rates), asserts the bound at every iteration and
asserts that the worst ratio of left- to right-hand side over the run is above
a stated fraction (:func:`theorem_checks.assert_tight`). Constants are computed
here: the smoothness constant of a Huber function is its curvature ``L`` by
construction, those of the quadratics come from ``eigvalsh``.

The last tests show that these checks have teeth: the same check run with
gradient descent at step ``0.25/L`` under the ``1/L`` bound, or with ISTA under
FISTA's bound, fails.
"""

import numpy as np
import pytest

import optbook
from optbook.objectives import Quadratic

from theorem_checks import assert_tight, assert_upper, run

IDENTITY = lambda x, t: x  # noqa: E731  (prox of g = 0)


def huber(L, tau):
    r"""The Huber function of curvature ``L`` and kink ``tau``: :math:`L\tau|x| - L\tau^2/2`
    for :math:`|x| \ge \tau`, :math:`Lx^2/2` inside; :math:`L`-smooth, convex, :math:`x^\star = 0`."""
    def value(xs):
        a = np.abs(np.atleast_2d(xs)).sum(axis=1)
        return np.where(a >= tau, L * tau * a - L * tau**2 / 2, L * a**2 / 2)

    def grad(x):
        return L * np.clip(x, -tau, tau)
    return value, grad


# ---------------------------------------------------------------------------
# the checks (shared by the tests and by the "broken on purpose" tests)
# ---------------------------------------------------------------------------


def check_gd_convex(solver_step_factor, K=60, L=2.0, R=1.5, method="gd", fraction=0.45):
    r"""thm-gd-convex with gamma = 1/L: f(x_k) - f* <= L R^2/(2k), on the worst case of
    thm-gd-tight for the step the solver runs with (kink R/(2Kh + 1), h = gamma L)."""
    h = solver_step_factor
    value, grad = huber(L, R / (2 * K * h + 1))
    x0 = np.array([R])
    if method == "gd":
        xs = run(optbook.gradient_descent, grad, x0=x0, step=h / L, max_iter=K)
    else:
        xs = run(optbook.proximal_gradient, grad, IDENTITY, x0=x0, step=h / L, max_iter=K)
    k = np.arange(1, K + 1)
    gaps, bound = value(xs)[1:], L * R**2 / (2 * k)    # the bound of the step 1/L
    assert_upper(gaps, bound, f"thm-gd-convex ({method}, gamma = {h}/L)")
    return assert_tight(gaps, bound, f"thm-gd-convex ({method}, gamma = {h}/L)", fraction)


def check_fista(method="fista", K=100, L=1.0, R=1.0, tau=4e-4, fraction=0.8):
    r"""thm-fista / thm-nesterov-convex: F(x_k) - F* <= 2 L R^2/(k+1)^2, on a Huber
    function whose small kink the accelerated method reaches near k = K."""
    value, grad = huber(L, tau)
    x0 = np.array([R])
    if method == "fista":
        xs = run(optbook.fista, grad, IDENTITY, x0=x0, step=1 / L, max_iter=K)
    elif method == "nesterov":
        xs = run(optbook.nesterov, grad, x0=x0, step=1 / L, max_iter=K)
    else:  # ISTA
        xs = run(optbook.proximal_gradient, grad, IDENTITY, x0=x0, step=1 / L, max_iter=K)
    k = np.arange(K + 1)
    gaps, bound = value(xs), 2 * L * R**2 / (k + 1) ** 2
    assert_upper(gaps, bound, f"thm-fista ({method})")
    return assert_tight(gaps, bound, f"thm-fista ({method})", fraction)


# ---------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["gd", "proximal_gradient"])
def test_thm_gd_convex_is_nearly_attained(method):
    """thm-gd-convex (and thm-proximal-gradient with g = 0) at gamma = 1/L: the gap of
    thm-gd-tight, L R^2/(2(2K+1)), is K/(2K+1) ~ 1/2 of the bound at k = K."""
    ratio = check_gd_convex(1.0, method=method)
    assert ratio == pytest.approx(60 / 121, rel=1e-12)


@pytest.mark.parametrize("method", ["fista", "nesterov"])
def test_thm_fista_and_thm_nesterov_convex_are_nearly_attained(method):
    """thm-fista and thm-nesterov-convex: the worst ratio to 2 L R^2/(k+1)^2 is above 0.8."""
    assert check_fista(method) > 0.9


def test_thm_gd_strongly_convex_is_attained_at_the_extreme_eigenvector():
    r"""thm-gd-strongly-convex with gamma = 2/(L+mu): ||x_k - x*||^2 <= ((L-mu)/(L+mu))^{2k}
    ||x_0 - x*||^2, with equality along the eigenvector of mu (ratio 1 up to rounding)."""
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    Q = (U * np.array([0.5, 1.0, 2.0, 3.0, 5.0, 8.0])) @ U.T
    f = Quadratic(Q, c=np.zeros(6))
    eigs = np.linalg.eigvalsh(Q)                 # the constants, computed here
    mu, L = eigs[0], eigs[-1]
    x0 = U[:, 0]                                  # the eigenvector of mu
    gamma, K = 2 / (L + mu), 60
    xs = run(optbook.gradient_descent, f.grad, x0=x0, step=gamma, max_iter=K)
    dists = np.sum(xs**2, axis=1)
    bound = (1 - 4 * mu * L / (mu + L) ** 2) ** np.arange(K + 1)
    assert_upper(dists, bound, "thm-gd-strongly-convex", rtol=1e-9)
    assert assert_tight(dists, bound, "thm-gd-strongly-convex", 0.999) <= 1 + 1e-9


# ---------------------------------------------------------------------------
# the checks fail on a wrong step or a slower method
# ---------------------------------------------------------------------------


def test_gd_at_a_quarter_step_fails_the_one_over_L_check():
    """Gradient descent with gamma = 0.25/L on its own worst case violates L R^2/(2k)."""
    with pytest.raises(AssertionError, match="thm-gd-convex"):
        check_gd_convex(0.25)


def test_ista_fails_fistas_check():
    """ISTA (proximal gradient) does not satisfy FISTA's bound 2 L R^2/(k+1)^2."""
    with pytest.raises(AssertionError, match="thm-fista"):
        check_fista("ista")


def test_a_loose_constant_fails_the_tightness_check():
    """A bound four times too large (2 L R^2/k instead of L R^2/(2k)) is caught."""
    L, R, K = 2.0, 1.5, 60
    value, grad = huber(L, R / (2 * K + 1))
    xs = run(optbook.gradient_descent, grad, x0=np.array([R]), step=1 / L, max_iter=K)
    k = np.arange(1, K + 1)
    with pytest.raises(AssertionError, match="vacuous"):
        assert_tight(value(xs)[1:], 2 * L * R**2 / k, "loose", 0.45)
