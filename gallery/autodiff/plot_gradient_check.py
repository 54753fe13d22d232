r"""
Checking the gradient of a network with finite differences
==========================================================

A gradient computed by reverse mode (:func:`optbook.autodiff.grad`) can be
checked against difference quotients. For a small multilayer perceptron
(:func:`optbook.nn.init_mlp`, :func:`optbook.nn.mlp_forward`,
:func:`optbook.nn.cross_entropy`) we compute every partial derivative with
forward differences :math:`(f(x + he_i) - f(x))/h` and with central
differences :math:`(f(x + he_i) - f(x - he_i))/(2h)`, and plot the relative
error of the whole gradient against :math:`h`. Truncation errors of order
:math:`h` and :math:`h^2` meet a rounding error of order
:math:`\varepsilon/h`: the best accuracy is about :math:`\sqrt\varepsilon` for
forward differences and :math:`\varepsilon^{2/3}` for central ones.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
import optbook.autodiff as ad
from optbook.nn import cross_entropy, init_mlp, mlp_forward

optbook.plotting.setup_style()
rng = np.random.default_rng(0)

# %%
# A small network and its loss, as a function of one parameter vector
# -------------------------------------------------------------------

sizes = [5, 8, 3]
X = rng.standard_normal((40, sizes[0]))
labels = rng.integers(0, sizes[-1], size=40)
shapes = [p.shape for p in init_mlp(sizes, rng=0)]
bounds = np.concatenate([[0], np.cumsum([int(np.prod(s)) for s in shapes])])


def unflatten(theta):
    return [ad.reshape(theta[a:b], s) for a, b, s in zip(bounds[:-1], bounds[1:], shapes)]


def loss(theta):
    return cross_entropy(mlp_forward(unflatten(theta), X, activation=ad.tanh), labels)


theta = np.concatenate([p.ravel() for p in init_mlp(sizes, rng=1)])
g = ad.grad(loss)(theta)
print("number of parameters:", theta.size)

# %%
# Finite differences, coordinate by coordinate
# --------------------------------------------

hs = np.logspace(-13, -1, 37)
E = np.eye(theta.size)
f0 = float(loss(theta))
errors = {"forward": [], "central": []}
for h in hs:
    plus = np.array([float(loss(theta + h * e)) for e in E])
    minus = np.array([float(loss(theta - h * e)) for e in E])
    for name, fd in [("forward", (plus - f0) / h), ("central", (plus - minus) / (2 * h))]:
        errors[name].append(np.linalg.norm(fd - g) / np.linalg.norm(g))
for name, err in errors.items():
    k = int(np.argmin(err))
    print(f"{name:8s} differences: best relative error {err[k]:.1e} at h = {hs[k]:.0e}")

# %%
# Figure
# ------

eps = np.finfo(float).eps
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.loglog(hs, errors["forward"], "o-", ms=3, label="forward differences")
ax.loglog(hs, errors["central"], "s-", ms=3, label="central differences")
# reference slopes through the errors at h = 1e-2 (where truncation dominates)
k = int(np.argmin(np.abs(hs - 1e-2)))
ax.loglog(hs, errors["forward"][k] * hs / hs[k], "k--", lw=1, label="slope 1 ($h$)")
ax.loglog(hs, errors["central"][k] * (hs / hs[k]) ** 2, "k-.", lw=1,
          label="slope 2 ($h^2$)")
ax.loglog(hs, eps / hs, "k:", lw=1, label=r"rounding $\varepsilon / h$")
ax.set_ylim(1e-12, 10)
ax.set_xlabel("step $h$")
ax.set_ylabel(r"$\|\nabla_{\mathrm{fd}} f - \nabla f\| / \|\nabla f\|$")
ax.set_title("Gradient of a tanh network: reverse mode against finite differences")
ax.legend(loc="lower left")
plt.show()
