r"""
Adam's counterexample and the AMSGrad fix
=========================================

Reddi, Kale and Kumar (2018) showed that Adam can converge to the *worst*
point of a one-dimensional convex online problem. On :math:`[-1, 1]`, the
losses are :math:`f_t(x) = Cx` once every :math:`p` rounds and
:math:`f_t(x) = -x` (or a multiple) otherwise; when the rare large gradient
dominates on average, the best point is :math:`x = -1`. Adam's moving average
of squared gradients forgets the large gradient quickly, so the frequent small
gradients get large normalized steps and push the iterate to :math:`+1`.
AMSGrad, which keeps the running maximum of the second moments
(``amsgrad=True`` in :class:`optbook.optim.Adam`), does not forget, and goes to
:math:`-1`. Each step is followed by the projection onto :math:`[-1, 1]` with
:func:`optbook.prox.proj_box`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.optim import Adam
from optbook.prox import proj_box

optbook.plotting.setup_style()


def run(opt, grad, T, lr_schedule=None):
    """Projected online run; returns the played points x_0, ..., x_{T-1}."""
    x, path = np.zeros(1), np.empty(T)
    for t in range(1, T + 1):
        if lr_schedule is not None:
            opt.lr = lr_schedule(t)
        path[t - 1] = x[0]
        x = proj_box(opt.step(x, np.array([grad(t)])), -1.0, 1.0)
    return path


# %%
# The setting of the theorem
# --------------------------
# Period 3, :math:`C = 3`, :math:`\beta_1 = 0`, :math:`\beta_2 = 1/(1 + C^2)`
# and the learning rate :math:`0.5/\sqrt t`.

C, T1 = 3.0, 6000
beta2 = 1 / (1 + C**2)
grad3 = lambda t: C if t % 3 == 1 else -1.0  # noqa: E731
schedule = lambda t: 0.5 / np.sqrt(t)  # noqa: E731
theorem = {
    "Adam": run(Adam(lr=0.5, betas=(0.0, beta2)), grad3, T1, schedule),
    "AMSGrad": run(Adam(lr=0.5, betas=(0.0, beta2), amsgrad=True), grad3, T1, schedule),
}

# %%
# Usual parameters
# ----------------
# Period 101, :math:`f_t(x) = 1010x` once per period and :math:`-10x`
# otherwise (the losses of a period sum to :math:`10x`), with
# :math:`\beta = (0.9, 0.99)` and a constant learning rate :math:`10^{-2}`.

T2 = 12000
grad101 = lambda t: 1010.0 if t % 101 == 1 else -10.0  # noqa: E731
usual = {
    "Adam": run(Adam(lr=1e-2, betas=(0.9, 0.99)), grad101, T2),
    "AMSGrad": run(Adam(lr=1e-2, betas=(0.9, 0.99), amsgrad=True), grad101, T2),
}

# %%
# Figure
# ------

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
for ax, paths, title in [
    (axes[0], theorem, r"period 3, $C = 3$, $\beta = (0, 0.1)$, $\gamma_t = 0.5/\sqrt{t}$"),
    (axes[1], usual, r"period 101, $\beta = (0.9, 0.99)$, $\gamma = 10^{-2}$"),
]:
    for i, (name, path) in enumerate(paths.items()):
        ax.plot(np.arange(len(path)), path, color=f"C{i}", lw=1.2, label=name)
    ax.axhline(-1.0, color="k", ls=":", lw=1, label="best point $x = -1$")
    ax.set_xlabel("round $t$")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.1))
axes[0].set_ylabel("$x_t$")
axes[0].set_xscale("log")
fig.suptitle("Adam goes to the worst point; AMSGrad does not")
fig.tight_layout()
plt.show()
