r"""
Online logistic regression on a data stream: OGD against AdaGrad-FTRL
=====================================================================

The breast cancer data set is read once, one patient at a time, and the
learner predicts with a linear model :math:`x` before it sees the label:
round :math:`t` costs the logistic loss
:math:`f_t(x) = \log(1 + e^{-y_t a_t^\top x})` over the box
:math:`X = [-1, 1]^{30}`. We compare online gradient descent with the anytime
steps :math:`\eta_t = D/(G\sqrt t)` (which need bounds :math:`D`, :math:`G`) and
AdaGrad-FTRL (:func:`optbook.online.ftrl` with ``regularizer="adagrad"``),
and compute the regret against the best fixed model in hindsight. Both
regrets are far below the worst-case bound of online gradient descent: real
data are not adversarial.
"""

import functools
import math

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import minimize

import optbook
from optbook.datasets import load_breast_cancer
from optbook.online import ftrl, online_gradient_descent
from optbook.prox import proj_box

optbook.plotting.setup_style()

A, y = load_breast_cancer()
order = np.random.default_rng(0).permutation(len(y))
A, y = A[order], y[order]
T, d = A.shape


def subgrad(t, x):
    margin = y[t - 1] * (A[t - 1] @ x)
    return -y[t - 1] * A[t - 1] / (1 + np.exp(margin))


box = functools.partial(proj_box, lower=-1.0, upper=1.0)
D = 2 * math.sqrt(d)
G = np.linalg.norm(A, axis=1).max()  # |f_t'| <= ||a_t||
xs_ogd = online_gradient_descent(subgrad, np.zeros(d), lambda t: D / (G * math.sqrt(t)), T, box)
xs_ada = ftrl(subgrad, np.zeros(d), 1.0, T, regularizer="adagrad", proj=box,
              delta=float(np.max(A**2)))

# %%
# The best fixed model in hindsight, on the same box, with L-BFGS-B; then the
# cumulative regret of both learners at every round.

def total_loss(x):
    m = y * (A @ x)
    return np.logaddexp(0.0, -m).sum(), -(A.T @ (y / (1 + np.exp(m))))


u = minimize(total_loss, np.zeros(d), jac=True, method="L-BFGS-B",
             bounds=[(-1, 1)] * d).x
comparator = np.logaddexp(0.0, -y * (A @ u))
for name, xs in [("OGD", xs_ogd), ("AdaGrad-FTRL", xs_ada)]:
    played = np.logaddexp(0.0, -y * np.sum(A * xs, axis=1))
    R = optbook.online.regret(played, comparator)
    print(f"{name:13s}: total loss {played.sum():7.1f}, regret {R[-1]:6.1f}")
    plt.plot(np.arange(1, T + 1), R, label=name)
plt.plot(np.arange(1, T + 1), 1.5 * D * G * np.sqrt(np.arange(1, T + 1)), "k--", lw=1.2,
         label=r"OGD bound $\frac{3}{2}DG\sqrt{t}$")
plt.yscale("symlog", linthresh=10)
plt.xlabel("round $t$ (patients seen)")
plt.ylabel("regret against the best fixed model")
plt.title("online logistic regression, breast cancer")
plt.legend(loc="center right")
plt.tight_layout()
plt.show()
