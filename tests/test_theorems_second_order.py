r"""Theorem checks of the chapter *Newton and quasi-Newton methods* (``chapters/06_second_order.md``).

Each test carries, in its name and docstring, the label of the rate theorem it
checks:

* ``thm-newton-quadratic``: local quadratic convergence of pure Newton,
  :math:`\|x_{k+1} - x^\star\| \le \frac{M}{2\mu}\|x_k - x^\star\|^2`;
* ``thm-newton-sc-local``: pure Newton on a self-concordant function,
  :math:`\lambda(x_{k+1}) \le (\lambda(x_k)/(1 - \lambda(x_k)))^2` when
  :math:`\lambda(x_k) < 1`;
* ``thm-damped-newton-sc``: the damped step :math:`1/(1 + \lambda)` decreases
  :math:`f` by at least :math:`\omega(\lambda) = \lambda - \log(1 + \lambda)`;
* ``thm-damped-newton-phases``: the two phases of Newton's method with
  backtracking (Boyd and Vandenberghe, Section 9.6.4).

Instances where the bounds are attained: the one-dimensional
:math:`f(x) = \frac{\mu}{2}x^2 + \frac{M}{6}\max(x, 0)^3` (Hessian
:math:`\mu + M\max(x, 0)`: :math:`M`-Lipschitz, at least :math:`\mu`), and
:math:`f(x) = x - \log x`, for which :math:`|f'''| = 2f''^{3/2}` exactly
(the extreme case of self-concordance). A logarithmic barrier of a polytope
checks the self-concordant bounds in dimension 5.
"""

import math

import numpy as np

from optbook.second_order import damped_newton, newton

from theorem_checks import assert_lower, assert_upper, run


def omega(t):
    return t - math.log1p(t)


# --------------------------------------------------------------------------
# instances
# --------------------------------------------------------------------------


def cubic_instance(mu, M):
    """f(x) = mu x^2/2 + M max(x,0)^3/6: f'' = mu + M max(x, 0), x* = 0."""
    grad = lambda x: mu * x + 0.5 * M * np.maximum(x, 0) ** 2  # noqa: E731
    hess = lambda x: np.diag(mu + M * np.maximum(x, 0))  # noqa: E731
    return grad, hess


def x_minus_log_x():
    """f(x) = sum(x - log x), minimizer x* = 1; standard self-concordant with equality."""
    def f(x):
        return float(np.sum(x - np.log(x))) if np.all(x > 0) else math.inf
    return f, (lambda x: 1 - 1 / x), (lambda x: np.diag(1 / x**2))


def barrier_instance(seed=0, m=40, d=5, t=3.0):
    """f(x) = t c^T x - sum log(b - A x) on a bounded polytope containing 0."""
    rng = np.random.default_rng(seed)
    A = np.vstack([rng.standard_normal((m, d)), np.eye(d), -np.eye(d)])
    b = 1.0 + rng.uniform(0, 1, A.shape[0])
    c = rng.standard_normal(d)

    def f(x):
        s = b - A @ x
        return t * float(c @ x) - float(np.sum(np.log(s))) if np.all(s > 0) else math.inf

    def grad(x):
        return t * c + A.T @ (1 / (b - A @ x))

    def hess(x):
        w = 1 / (b - A @ x) ** 2
        return (A.T * w) @ A

    return f, grad, hess


def decrements(grad, hess, xs):
    return np.array([math.sqrt(float(grad(x) @ np.linalg.solve(hess(x), grad(x)))) for x in xs])


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------


def test_thm_newton_quadratic():
    """thm-newton-quadratic: ||x_{k+1} - x*|| <= M/(2 mu) ||x_k - x*||^2, every k.

    On the cubic instance x_{k+1} = (M x_k^2/2)/(mu + M x_k): the ratio to the
    bound is mu/(mu + M x_k) -> 1, so the constant M/(2 mu) cannot be lowered.
    """
    for mu, M, x0 in [(1.0, 1.0, 1.0), (0.5, 3.0, 0.3), (2.0, 10.0, 2.0)]:
        grad, hess = cubic_instance(mu, M)
        xs = run(newton, grad, hess, x0=np.array([x0]), max_iter=7, tol=0.0)
        err = np.abs(xs[:, 0])  # x* = 0
        # x_{k+1} = x_k - g/h cancels: its relative rounding error is about
        # eps/x_k, so only steps from x_k > 1e-9 are checked (relative error < 1e-6)
        keep = err[:-1] > 1e-9
        assert keep.sum() >= 4
        lhs, rhs = err[1:][keep], M / (2 * mu) * err[:-1][keep] ** 2
        assert_upper(lhs, rhs, "thm-newton-quadratic", rtol=1e-6, atol=0.0)
        assert np.max(lhs / rhs) > 0.99  # non-vacuous: nearly attained


def test_thm_newton_quadratic_fails_with_a_smaller_constant():
    """thm-newton-quadratic: with M/(4 mu) instead of M/(2 mu) the bound is violated."""
    grad, hess = cubic_instance(1.0, 1.0)
    xs = run(newton, grad, hess, x0=np.array([1.0]), max_iter=5, tol=0.0)
    err = np.abs(xs[:, 0])
    assert np.any(err[1:] > 1 / 4 * err[:-1] ** 2)


def test_thm_newton_sc_local():
    """thm-newton-sc-local: lambda(x_{k+1}) <= (lambda_k / (1 - lambda_k))^2 when lambda_k < 1.

    On f(x) = x - log x, Newton gives x_{k+1} - 1 = -(x_k - 1)^2, so
    lambda_{k+1} = lambda_k^2 and the ratio to the bound is (1 - lambda_k)^2 -> 1.
    """
    f, grad, hess = x_minus_log_x()
    for x0 in [1.5, 0.6, 1.8]:
        xs = run(newton, grad, hess, x0=np.array([x0]), max_iter=6, tol=0.0)
        lam = decrements(grad, hess, xs)
        assert np.all(lam[:-1] < 1)
        lhs, rhs = lam[1:], (lam[:-1] / (1 - lam[:-1])) ** 2
        assert_upper(lhs, rhs, "thm-newton-sc-local", atol=1e-15)
        assert np.max(lhs / rhs) > 0.99
    # dimension 5: a logarithmic barrier, started where lambda < 1
    f, grad, hess = barrier_instance()
    start = damped_newton(f, grad, hess, np.zeros(5), tol=0.02).x
    xs = run(newton, grad, hess, x0=start, max_iter=4, tol=0.0)
    lam = decrements(grad, hess, xs)
    assert lam[0] < 1
    mask = lam[:-1] > 1e-7  # below, lambda_{k+1} is at rounding level
    assert_upper(lam[1:][mask], ((lam[:-1] / (1 - lam[:-1])) ** 2)[mask], "thm-newton-sc-local",
                 atol=1e-15)


def test_thm_damped_newton_sc():
    """thm-damped-newton-sc: f(x_{k+1}) <= f(x_k) - omega(lambda_k) with the step 1/(1 + lambda_k).

    On f(x) = x - log x from x_0 > 1, the first step lands on x* = 1 with
    equality; from x_0 < 1 the bound holds with a ratio that tends to 1.
    """
    f, grad, hess = x_minus_log_x()
    worst = 0.0
    for x0 in [4.0, 30.0, 0.05, 0.3]:
        xs = run(damped_newton, None, grad, hess, x0=np.array([x0]), max_iter=6, tol=0.0,
                 step="self-concordant")
        lam = decrements(grad, hess, xs)
        values = np.array([f(x) for x in xs])
        decrease = values[:-1] - values[1:]
        bound = np.array([omega(t) for t in lam[:-1]])
        assert_lower(decrease, bound, "thm-damped-newton-sc", rtol=1e-9, atol=1e-15)
        keep = bound > 1e-8  # ratios at rounding level are meaningless
        worst = max(worst, np.max(bound[keep] / decrease[keep]))
    assert worst > 0.999  # attained
    f, grad, hess = barrier_instance()
    xs = run(damped_newton, None, grad, hess, x0=np.zeros(5), max_iter=15, tol=0.0,
             step="self-concordant")
    lam = decrements(grad, hess, xs)
    values = np.array([f(x) for x in xs])
    assert_lower(values[:-1] - values[1:], np.array([omega(t) for t in lam[:-1]]),
                 "thm-damped-newton-sc", rtol=1e-9, atol=1e-13)


def omega_star(t):
    return -t - math.log1p(-t)


def test_thm_damped_newton_phases():
    """thm-damped-newton-phases: backtracking Newton on a self-concordant function.

    With eta = (1 - 2 alpha)/4 and gamma = alpha beta eta^2/(1 + eta):
    (a) lambda_k > eta implies f(x_{k+1}) <= f(x_k) - gamma;
    (b) lambda_k <= eta implies t_k = 1 and 2 lambda_{k+1} <= (2 lambda_k)^2.

    At every iteration the two certificates of the proof are asserted as well:
    backtracking stops at t_k >= min(1, beta/(1 + lambda_k)), and the Armijo
    decrease f(x_k) - f(x_{k+1}) >= alpha t_k lambda_k^2 holds.

    What the instances can detect. On f(x) = x - log x with x > 1 the upper
    bound f(x + p) <= f(x) - lambda^2 + omega_*(lambda) of the proof is an
    equality, so it is the worst case for the unit step: the unit step is
    rejected iff lambda^2 - omega_*(lambda) < alpha lambda^2, i.e. for lambda
    above lambda_r ~ 0.474 (alpha = 1/4), while eta = 1/8. Hence the statement
    (b) stays *true* for every eta <= lambda_r: no instance can fail on eta
    doubled (only the ratio guard of (a) below notices it, as the instances
    no longer probe lambda just above eta); a start with lambda_0 = 0.49 (unit step rejected) detects any
    eta >= 0.49 (eta x 4). Likewise the smallest decrease in phase (a) is
    attained for lambda just above eta with the unit step on x - log x, about
    4.4 gamma: a start with lambda_0 = 0.13 detects gamma x 5. Part (b): on
    x - log x, lambda_{k+1} = lambda_k^2 exactly, so the worst ratio of
    2 lambda_{k+1} to (2 lambda_k)^2 is 1/2 (the proof bounds
    lambda^2/(1 - lambda)^2 by 2 lambda^2, a factor 2 lost by construction).
    """
    alpha, beta = 0.25, 0.5
    eta = (1 - 2 * alpha) / 4
    gamma = alpha * beta * eta**2 / (1 + eta)
    worst_a, worst_b, n_a, n_rejected = 0.0, 0.0, 0, 0
    slv = x_minus_log_x()
    cases = [(slv, np.array([12.0, 0.02, 3.0]), 12), (barrier_instance(0), np.zeros(5), 12),
             (barrier_instance(1, t=20.0), np.zeros(5), 12),
             (slv, np.array([1.13]), 6),   # lambda_0 = 0.13, just above eta: smallest decrease
             (slv, np.array([1.49]), 6)]   # lambda_0 = 0.49 < 4 eta: the unit step is rejected
    for (f, grad, hess), x0, iters in cases:
        xs = run(damped_newton, f, grad, hess, x0=x0, max_iter=iters, tol=0.0,
                 alpha=alpha, beta=beta)
        lam = decrements(grad, hess, xs)
        values = np.array([f(x) for x in xs])
        decrease = values[:-1] - values[1:]
        # steps t_k along the Newton directions, and the certificates of the proof
        steps = []
        for k in range(len(xs) - 1):
            p = -np.linalg.solve(hess(xs[k]), grad(xs[k]))
            steps.append(float((xs[k + 1] - xs[k]) @ p / (p @ p)) if p @ p > 0 else 1.0)
        steps = np.array(steps)
        live = lam[:-1] > 1e-7
        assert_lower(steps[live], np.minimum(1.0, beta / (1 + lam[:-1][live])),
                     "thm-damped-newton-phases: t_k >= beta/(1 + lambda_k)", rtol=1e-8)
        assert_lower(decrease[live], alpha * steps[live] * lam[:-1][live] ** 2,
                     "thm-damped-newton-phases: Armijo decrease", rtol=1e-9, atol=1e-15)
        n_rejected += int(np.sum((steps < 1) & (lam[:-1] <= 4 * eta)))
        far = lam[:-1] > eta
        n_a += int(far.sum())
        if far.any():
            assert_lower(decrease[far], np.full(far.sum(), gamma), "thm-damped-newton-phases (a)")
            worst_a = max(worst_a, gamma / np.min(decrease[far]))
        near = ~far & live
        np.testing.assert_allclose(steps[near], 1.0, rtol=1e-8)  # t_k = 1 (else t_k <= beta)
        lhs, rhs = 2 * lam[1:][near], (2 * lam[:-1][near]) ** 2
        if near.any():
            assert_upper(lhs, rhs, "thm-damped-newton-phases (b)", atol=1e-15)
            worst_b = max(worst_b, np.max(lhs / rhs))
    # the worst case for the unit step on x - log x (x > 1), as stated above
    lam_r = min(lam for lam in np.linspace(0.01, 0.99, 9801)
                if lam**2 - omega_star(lam) < alpha * lam**2)
    assert eta < 0.49 and lam_r < 0.49 <= 4 * eta and 0.47 < lam_r
    assert n_a >= 5  # phase (a) was exercised
    assert n_rejected >= 1  # a unit step rejected with lambda_k <= 4 eta
    print(f"worst ratios: (a) {worst_a:.3f}, (b) {worst_b:.3f}, lambda_r = {lam_r:.4f}")
    assert worst_a > 0.2  # gamma x 5 fails (observed ratio about 1 / 4.4)
    assert worst_b > 0.45  # phase (b): ratio 1/2, where lambda_{k+1} = lambda_k^2
