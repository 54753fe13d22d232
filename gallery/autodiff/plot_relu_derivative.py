r"""
Derivatives of nonsmooth programs: what autodiff returns at a kink
==================================================================

Automatic differentiation differentiates *programs*, not functions. At a
kink, every program of the same function may return a different number:
:mod:`optbook.autodiff` uses :math:`\mathrm{relu}'(0) = 0`,
:math:`|\cdot|'(0) = 0` and splits the derivative of ``maximum`` equally at
ties, and applies the chain rule to these conventions. We plot the derivative
returned for several programs of the ReLU and of the absolute value, then
build programs of :math:`|x|` whose derivative at :math:`0` is any number we
like, and finally check that these discrepancies live on a set of measure
zero (Bolte and Pauwels, 2020 and 2021).
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
import optbook.autodiff as ad

optbook.plotting.setup_style()

# %%
# Programs of the ReLU
# --------------------
# Each program below computes :math:`\max(x, 0)`. Away from :math:`0` the
# derivatives agree with the true one; at :math:`0` they are :math:`0`,
# :math:`1/2` or :math:`1`, all in the Clarke subdifferential :math:`[0, 1]`.

programs = {
    "relu(x)": ad.relu,
    "maximum(x, 0)": lambda x: ad.maximum(x, 0.0),
    "(x + abs(x)) / 2": lambda x: (x + ad.abs(x)) / 2,
    "relu(-x) + x": lambda x: ad.relu(-x) + x,
    "where(x > 0, x, 0)": lambda x: ad.where(x > 0, x, 0.0),
    "where(x >= 0, x, 0)": lambda x: ad.where(x >= 0, x, 0.0),
    "x * (x > 0)": lambda x: x * (x > 0),
}
grid = np.linspace(-1.0, 1.0, 41)  # contains 0 exactly
at_kink = {}
for name, program in programs.items():
    g = ad.grad(lambda x, p=program: ad.sum(p(x)))(grid)
    assert np.array_equal(g[grid != 0], (grid[grid != 0] > 0).astype(float))
    at_kink[name] = g[grid == 0][0]
    print(f"{name:20s} derivative at 0: {at_kink[name]:.2f}")

# %%
# Programs of the absolute value with any derivative at 0
# -------------------------------------------------------
# :math:`\mathrm{relu}(x) - \mathrm{relu}(-x) - x` is the zero function, and its
# AD derivative at :math:`0` is :math:`-1`. Adding :math:`c` times it to
# :math:`|x|` does not change the function, and moves the AD derivative at
# :math:`0` to :math:`-c`. Only :math:`|c| \le 1` gives an element of the Clarke
# subdifferential :math:`[-1, 1]`.

cs = np.linspace(-3, 3, 13)
at_zero = []
for c in cs:
    def abs_program(x, c=c):
        return ad.abs(x) + c * (ad.relu(x) - ad.relu(-x) - x)

    assert np.allclose(abs_program(grid), np.abs(grid))  # the same function
    at_zero.append(float(ad.grad(abs_program)(np.array(0.0))))

# %%
# Measure zero
# ------------
# The derivative of :math:`\mathrm{relu}(x) - \mathrm{relu}(-x)` is wrong only
# at :math:`x = 0`. Random points drawn from a density never hit it.

rng = np.random.default_rng(0)
samples = rng.standard_normal(1_000_000)
identity_grad = ad.grad(lambda x: ad.sum(ad.relu(x) - ad.relu(-x)))
print("wrong derivatives at 10^6 random points:", int(np.sum(identity_grad(samples) != 1.0)))

# %%
# Figure
# ------

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
names = list(at_kink)
axes[0].axvspan(0, 1, color="C2", alpha=0.2, label=r"Clarke subdifferential $[0, 1]$")
rows = np.arange(len(names))
axes[0].plot([at_kink[n] for n in names], rows, "o", ms=9, color="C0",
             label="autodiff at $x = 0$")
axes[0].set_yticks(rows, names)
axes[0].set_ylim(len(names) - 0.5, -0.5)
axes[0].set_xlim(-0.1, 1.5)
axes[0].set_xlabel("derivative at $0$")
axes[0].set_title(r"seven programs of $\max(x, 0)$")
axes[0].legend(loc="lower right", fontsize=8)
axes[1].fill_between(cs, -1, 1, color="C2", alpha=0.2,
                     label=r"Clarke subdifferential $[-1, 1]$")
axes[1].plot(cs, at_zero, "o-", color="C3", label="autodiff at $x = 0$")
axes[1].set_xlabel("coefficient $c$")
axes[1].set_ylabel("derivative at $0$")
axes[1].set_title(r"$|x| + c\,(\mathrm{relu}(x) - \mathrm{relu}(-x) - x)$")
axes[1].legend()
fig.suptitle("Autodiff differentiates programs: at a kink, the answer depends on the code")
fig.tight_layout()
plt.show()
