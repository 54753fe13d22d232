r"""
Moreau envelopes of convex and nonconvex functions
==================================================

The Moreau envelope :math:`\mathrm{env}_\gamma f(x) = \min_u f(u) + \|u - x\|^2/(2\gamma)`
is a smooth lower approximation of a convex function :math:`f`, with the same
minimizers and the gradient :math:`(x - \mathrm{prox}_{\gamma f}(x))/\gamma`.
We draw it for the absolute value, where it is the Huber function, and for a
nonconvex "capped" penalty :math:`\min(|x|, 1)`, where the proximal map jumps
and the envelope has kinks.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.convex import moreau_envelope_1d
from optbook.prox import moreau_envelope, moreau_envelope_grad, prox_l1

optbook.plotting.setup_style()

xs = np.linspace(-3, 3, 601)
gammas = [0.25, 0.5, 1.0, 2.0]

# %%
# Convex case: the absolute value
# -------------------------------
# :func:`optbook.prox.moreau_envelope` evaluates the envelope from the value of
# :math:`f` and its proximal operator, here the soft-thresholding
# :func:`optbook.prox.prox_l1`. The gradient of the envelope is
# :math:`1/\gamma`-Lipschitz: a clipped line of slope :math:`1/\gamma`.


def abs_value(u):
    return float(np.sum(np.abs(u)))


envelopes = {
    gamma: np.array([moreau_envelope(abs_value, prox_l1, [x], gamma) for x in xs])
    for gamma in gammas
}
gradients = {
    gamma: np.array([moreau_envelope_grad(prox_l1, [x], gamma)[0] for x in xs])
    for gamma in gammas
}

# %%
# Nonconvex case: the capped absolute value
# -----------------------------------------
# For :math:`f(x) = \min(|x|, 1)` no closed form is needed:
# :func:`optbook.convex.moreau_envelope_1d` minimizes over a grid and also
# returns the minimizer, one selection of the (possibly set-valued) proximal
# map. For large :math:`\gamma` the prox jumps from :math:`0` to :math:`x`.


def capped(u):
    return np.minimum(np.abs(u), 1.0)


capped_env, capped_prox = {}, {}
for gamma in gammas:
    capped_env[gamma], capped_prox[gamma] = moreau_envelope_1d(
        capped, xs, gamma, return_prox=True
    )

# %%
# Figure
# ------

fig, axes = plt.subplots(2, 2, figsize=(10, 7))
axes[0, 0].plot(xs, np.abs(xs), color="k", lw=2.2, label=r"$f(x) = |x|$")
axes[1, 0].plot(xs, capped(xs), color="k", lw=2.2, label=r"$f(x) = \min(|x|, 1)$")
for k, gamma in enumerate(gammas):
    style = dict(color=f"C{k}", label=rf"$\gamma = {gamma:g}$")
    axes[0, 0].plot(xs, envelopes[gamma], **style)
    axes[0, 1].plot(xs, gradients[gamma], **style)
    axes[1, 0].plot(xs, capped_env[gamma], **style)
    prox = capped_prox[gamma].copy()
    prox[1:][np.abs(np.diff(prox)) > 0.2] = np.nan  # do not draw the jumps
    axes[1, 1].plot(xs, prox, **style)
axes[1, 1].plot(xs, xs, ":", color="gray", label="identity")
titles = [
    [r"$\mathrm{env}_\gamma |\cdot|$ (Huber)", r"gradient $(x - \mathrm{prox}_{\gamma f}(x))/\gamma$"],
    [r"$\mathrm{env}_\gamma f$, nonconvex $f$", r"$\mathrm{prox}_{\gamma f}$, nonconvex $f$"],
]
for i in range(2):
    for j in range(2):
        ax = axes[i, j]
        ax.set_title(titles[i][j])
        ax.set_xlabel("$x$")
        ax.legend(fontsize=8)
axes[0, 0].set_ylabel("value")
axes[1, 0].set_ylabel("value")
axes[0, 1].set_ylabel("derivative")
axes[1, 1].set_ylabel("proximal point")
fig.suptitle("Moreau envelopes smooth convex functions, not nonconvex ones")
fig.tight_layout()
plt.show()
