r"""Stateful first-order update rules used in deep learning.

Each optimizer is an object that keeps its state (momentum buffers, moving
averages, the step counter ``t``) between calls, and whose ``step``
method maps the current parameters and their gradients to new parameters::

    opt = Adam(lr=1e-3)
    for X_batch, y_batch in batches:
        grads = grad(loss)(params, X_batch, y_batch)
        params = opt.step(params, grads)

``params`` is a NumPy array or a (nested) list, tuple or dict of arrays (the
trees that :func:`optbook.autodiff.grad` returns), and ``grads`` has the same
structure. ``step`` returns *new* arrays of the same structure and
never modifies the caller's arrays.

The update formulas, their order and the default hyperparameters follow the
pseudo-code of PyTorch's documentation (``torch.optim``, version 2.x) step for
step, so that a run with ``optbook.optim`` and a run with ``torch.optim`` agree
to floating-point accuracy. In the formulas, ``t = 1, 2, ...`` counts the calls
to ``step`` since creation or the last ``reset()``, :math:`\gamma` is the learning
rate, :math:`g_t` the gradient passed at step :math:`t` and :math:`\theta_t` the parameters;
every operation is elementwise.

The learning rate can be changed between steps (``opt.lr = 0.5 * opt.lr``);
the new value is validated. The schedules :class:`StepLR` and
:class:`CosineLR` (with a linear warm-up) do it for you, in PyTorch's style
(``scheduler.step()`` once per epoch or per step), and
:func:`clip_grad_norm` / :func:`clip_grad_value` clip a gradient tree
before ``opt.step``::

    opt = Adam(lr=1e-3)
    sched = CosineLR(opt, T_max=1000, warmup=50)
    for _ in range(1000):
        grads, _ = clip_grad_norm(grad(loss)(params), max_norm=1.0)
        params = opt.step(params, grads)
        sched.step()

A step that produces a NaN or infinite parameter raises
``FloatingPointError`` naming the parameter, instead of returning it.
"""

import numpy as np

from ._validation import (
    as_array,
    check_in_interval,
    check_nonnegative,
    check_positive,
)

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSProp", "Adam", "AdamW",
           "StepLR", "CosineLR", "clip_grad_norm", "clip_grad_value"]


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return bool(value)


def _check_betas(betas):
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    beta1 = check_in_interval(beta1, "betas[0]", 0.0, 1.0, closed="left")
    beta2 = check_in_interval(beta2, "betas[1]", 0.0, 1.0, closed="left")
    return beta1, beta2


def _flatten(tree, name):
    """Leaves of a (nested) list / tuple / dict ``tree``, with their names for messages."""
    if isinstance(tree, dict):
        return [leaf for k in tree for leaf in _flatten(tree[k], f"{name}[{k!r}]")]
    if isinstance(tree, (list, tuple)):
        return [leaf for i, item in enumerate(tree) for leaf in _flatten(item, f"{name}[{i}]")]
    return [(name, tree)]


def _check_same_structure(p, g, pname, gname):
    """Raise ValueError naming the first place where two trees differ."""
    containers = (list, tuple, dict)
    if isinstance(p, dict) or isinstance(g, dict):
        if not (isinstance(p, dict) and isinstance(g, dict)) or list(p) != list(g):
            raise ValueError(f"{pname} and {gname} must be dicts with the same keys, got "
                             f"{_keys(p)} and {_keys(g)}")
        for k in p:
            _check_same_structure(p[k], g[k], f"{pname}[{k!r}]", f"{gname}[{k!r}]")
    elif isinstance(p, (list, tuple)):
        if not isinstance(g, (list, tuple)):
            raise ValueError(f"{pname} is a list of arrays but {gname} is not a list")
        if len(p) != len(g):
            raise ValueError(f"{pname} and {gname} must have the same number of arrays, "
                             f"got {len(p)} and {len(g)}")
        for i, (a, b) in enumerate(zip(p, g)):
            _check_same_structure(a, b, f"{pname}[{i}]", f"{gname}[{i}]")
    elif isinstance(g, containers):
        raise ValueError(f"{pname} is a single array but {gname} is a list")


def _keys(tree):
    return sorted(map(repr, tree)) if isinstance(tree, dict) else type(tree).__name__


def _structure(tree):
    """A hashable description of a tree's containers (not of its leaves)."""
    if isinstance(tree, dict):
        return ("dict", tuple((k, _structure(v)) for k, v in tree.items()))
    if isinstance(tree, (list, tuple)):
        return (type(tree).__name__, tuple(_structure(v) for v in tree))
    return "leaf"


def _unflatten(tree, leaves):
    """Rebuild ``tree``'s structure with the next items of the iterator ``leaves``."""
    if isinstance(tree, dict):
        return {k: _unflatten(tree[k], leaves) for k in tree}
    if isinstance(tree, (list, tuple)):
        items = [_unflatten(item, leaves) for item in tree]
        return tuple(items) if isinstance(tree, tuple) else items
    return next(leaves)


class Optimizer:
    r"""Base class of the optimizers: state handling and input checks.

    Subclasses implement ``_init_state`` (the state of one parameter
    array) and ``_update`` (one step on one parameter array).

    Parameters
    ----------
    lr : float
        Learning rate :math:`\gamma > 0`.

    Attributes
    ----------
    lr : float
        Learning rate; may be reassigned between steps.
    t : int
        Number of steps taken since creation or the last :meth:`reset`.
    state : list of dict or None
        One dictionary of buffers per parameter array (``None`` before the
        first step).
    """

    def __init__(self, lr):
        self.lr = lr
        self.reset()

    @property
    def lr(self):
        r"""Learning rate :math:`\gamma > 0`."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check_positive(value, "lr")

    def reset(self):
        """Forget the state: the next ``step()`` is step ``t = 1`` again."""
        self.t = 0
        self.state = None
        self._shapes = None

    def step(self, params, grads):
        r"""Take one optimization step.

        Parameters
        ----------
        params : array_like or tree of array_like
            Current parameters :math:`\theta_{t-1}`: one array, or a (nested)
            list, tuple or dict of arrays, such as the arguments that
            :func:`optbook.autodiff.grad` differentiates. Never modified.
        grads : array_like or tree of array_like
            Gradients :math:`\nabla f_t(\theta_{t-1})`, with the same structure
            (the same dict keys) and shapes as ``params``.

        Returns
        -------
        numpy.ndarray or tree of numpy.ndarray
            New parameters :math:`\theta_t`, new arrays in the structure of
            ``params``. Each array keeps the floating dtype of its parameter
            (``float32`` stays ``float32``; integer or list input gives
            ``float64``).

        Raises
        ------
        ValueError
            If the structures or shapes of ``params`` and ``grads`` differ, if
            they differ from those of the first step, or if an entry is NaN
            or infinite.
        FloatingPointError
            If the step produces a NaN or infinite parameter (a learning rate
            too large for the problem); the state is left as before the step.
        """
        p_named = _flatten(params, "params")
        g_named = _flatten(grads, "grads")
        _check_same_structure(params, grads, "params", "grads")
        p_list = [as_array(p, name) for name, p in p_named]
        g_list = [as_array(g, name, dtype=p.dtype, copy=False)
                  for (name, g), p in zip(g_named, p_list)]
        for (name, p), g, (gname, _) in zip(p_named, g_list, g_named):
            p = np.shape(p)
            if p != g.shape:
                raise ValueError(f"{name} and {gname} must have the same shape, "
                                 f"got {p} and {g.shape}")
        shapes = [(p.shape, p.dtype) for p in p_list]
        structure = _structure(params)
        if self._shapes is None:
            state = [self._init_state(p) for p in p_list]
        elif (shapes, structure) != self._shapes:
            raise ValueError(
                f"params must keep the structure of the first step: expected "
                f"{self._shapes}, got {(shapes, structure)} (call reset() to start over)"
            )
        else:
            state = [dict(s) for s in self.state]  # committed only if the step is finite
        self.t += 1
        new = [self._update(p, g, s) for p, g, s in zip(p_list, g_list, state)]
        for (name, _), p in zip(p_named, new):
            if not np.isfinite(p).all():
                self.t -= 1
                raise FloatingPointError(
                    f"{type(self).__name__}.step (t={self.t + 1}) made {name} non-finite "
                    f"(NaN or inf entries): the learning rate lr={self.lr} is too large "
                    "for this problem, or the gradients overflow; the optimizer's state "
                    "is unchanged")
        self._shapes, self.state = (shapes, structure), state
        return _unflatten(params, iter(new))

    # -- to be provided by subclasses -------------------------------------
    def _init_state(self, p):  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, p, g, state):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        hyper = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({hyper})"

    def _hyper(self):
        return {"lr": self.lr}


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional (Nesterov) momentum.

    With learning rate :math:`\gamma`, momentum :math:`\mu`, dampening
    :math:`\tau` and weight decay :math:`\lambda`, step :math:`t` computes
    (PyTorch's ``torch.optim.SGD``; :math:`g_t` is negated if ``maximize``)

    .. math::

       \begin{aligned}
       g_t &\leftarrow \nabla f_t(\theta_{t-1}) + \lambda \theta_{t-1}, \\
       b_t &\leftarrow \begin{cases} g_t & t = 1 \text{ (no dampening)},\\
             \mu b_{t-1} + (1 - \tau) g_t & t > 1, \end{cases} \\
       g_t &\leftarrow g_t + \mu b_t \text{ if nesterov, else } b_t
             \qquad (\text{both only if } \mu \neq 0), \\
       \theta_t &\leftarrow \theta_{t-1} - \gamma g_t.
       \end{aligned}

    Without momentum this is plain (minibatch) SGD (Robbins and Monro,
    1951). With ``nesterov=False`` it is the heavy-ball method with step
    :math:`\gamma` and momentum :math:`\mu`, written with the buffer
    :math:`b_t`; the Nesterov variant follows Sutskever et al. (2013).

    Parameters
    ----------
    lr : float, default=1e-3
        Learning rate :math:`\gamma > 0` (PyTorch's default).
    momentum : float, default=0.0
        Momentum factor :math:`\mu \in [0, 1)` (PyTorch accepts any
        :math:`\mu \ge 0`; :math:`\mu \ge 1` makes the buffer grow without bound).
    dampening : float, default=0.0
        Dampening :math:`\tau \in [0, 1]` of the gradient in the momentum buffer.
    weight_decay : float, default=0.0
        Coefficient :math:`\lambda \ge 0` of the L2 penalty
        :math:`\lambda\|\theta\|^2/2` added to the loss.
    nesterov : bool, default=False
        Nesterov momentum; requires ``momentum > 0`` and ``dampening = 0``.
    maximize : bool, default=False
        Maximize the objective instead of minimizing it.

    References
    ----------
    - Robbins and Monro, "A stochastic approximation method", 1951.
    - Sutskever, Martens, Dahl and Hinton, "On the importance of
      initialization and momentum in deep learning", ICML 2013.
    - PyTorch documentation, ``torch.optim.SGD``.

    Examples
    --------
    >>> import numpy as np
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> x = np.array([1.0, -2.0])
    >>> x = opt.step(x, 2 * x)        # gradient of ||x||^2
    >>> x
    array([ 0.8, -1.6])
    """

    def __init__(self, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, maximize=False):
        self.momentum = check_in_interval(momentum, "momentum", 0.0, 1.0, closed="left")
        self.dampening = check_in_interval(dampening, "dampening", 0.0, 1.0, "both")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.nesterov = _check_bool(nesterov, "nesterov")
        self.maximize = _check_bool(maximize, "maximize")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum={self.momentum} and dampening={self.dampening}"
            )
        super().__init__(lr)

    def _hyper(self):
        return {"lr": self.lr, "momentum": self.momentum, "dampening": self.dampening,
                "weight_decay": self.weight_decay, "nesterov": self.nesterov}

    def _init_state(self, p):
        return {"momentum_buffer": None}

    def _update(self, p, g, state):
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        if self.momentum != 0:
            b = state["momentum_buffer"]
            if b is None:  # t = 1: the buffer starts at the gradient
                b = g.copy()
            else:
                b = self.momentum * b + (1 - self.dampening) * g
            state["momentum_buffer"] = b
            g = g + self.momentum * b if self.nesterov else b
        return p - self.lr * g


class Adagrad(Optimizer):
    r"""Adagrad: per-coordinate steps scaled by accumulated squared gradients.

    With learning rate :math:`\gamma`, learning-rate decay :math:`\eta`,
    weight decay :math:`\lambda` and an accumulator started at
    :math:`s_0 = \tau` (``initial_accumulator_value``), step :math:`t`
    computes (PyTorch's ``torch.optim.Adagrad``; :math:`g_t` is negated if
    ``maximize``)

    .. math::

       \begin{aligned}
       \tilde\gamma_t &\leftarrow \gamma / (1 + (t - 1)\eta), \\
       g_t &\leftarrow \nabla f_t(\theta_{t-1}) + \lambda \theta_{t-1}, \\
       s_t &\leftarrow s_{t-1} + g_t^2, \\
       \theta_t &\leftarrow \theta_{t-1} - \tilde\gamma_t\, g_t / (\sqrt{s_t} + \varepsilon).
       \end{aligned}

    Note that :math:`\varepsilon` is added *after* the square root. This is
    the diagonal version of Adagrad (Duchi, Hazan and Singer, 2011), whose
    regret is :math:`O(\sqrt{T})` on convex online problems, adaptively to the
    geometry of the gradients.

    Parameters
    ----------
    lr : float, default=1e-2
        Learning rate :math:`\gamma > 0`.
    lr_decay : float, default=0.0
        Learning-rate decay :math:`\eta \ge 0`.
    weight_decay : float, default=0.0
        L2 penalty coefficient :math:`\lambda \ge 0`.
    initial_accumulator_value : float, default=0.0
        Initial value :math:`\tau \ge 0` of the accumulator :math:`s`.
    eps : float, default=1e-10
        :math:`\varepsilon > 0`, added to :math:`\sqrt{s_t}` for numerical stability (zero would divide :math:`0` by :math:`0` on a zero gradient).
    maximize : bool, default=False
        Maximize the objective instead of minimizing it.

    References
    ----------
    - Duchi, Hazan and Singer, "Adaptive subgradient methods for
      online learning and stochastic optimization", JMLR 12, 2011.
    - PyTorch documentation, ``torch.optim.Adagrad``.
    """

    def __init__(self, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, maximize=False):
        self.lr_decay = check_nonnegative(lr_decay, "lr_decay")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.initial_accumulator_value = check_nonnegative(
            initial_accumulator_value, "initial_accumulator_value")
        self.eps = check_positive(eps, "eps")
        self.maximize = _check_bool(maximize, "maximize")
        super().__init__(lr)

    def _hyper(self):
        return {"lr": self.lr, "lr_decay": self.lr_decay,
                "weight_decay": self.weight_decay,
                "initial_accumulator_value": self.initial_accumulator_value,
                "eps": self.eps}

    def _init_state(self, p):
        return {"sum": np.full_like(p, self.initial_accumulator_value)}

    def _update(self, p, g, state):
        if self.maximize:
            g = -g
        lr_t = self.lr / (1 + (self.t - 1) * self.lr_decay)
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        state["sum"] = state["sum"] + g * g
        return p - lr_t * g / (np.sqrt(state["sum"]) + self.eps)


class RMSProp(Optimizer):
    r"""RMSProp: steps scaled by a moving average of squared gradients.

    With learning rate :math:`\gamma`, smoothing constant :math:`\alpha`,
    momentum :math:`\mu`, weight decay :math:`\lambda` and
    :math:`v_0 = b_0 = \bar g_0 = 0`, step :math:`t` computes (PyTorch's
    ``torch.optim.RMSprop``; :math:`g_t` is negated if ``maximize``)

    .. math::

       \begin{aligned}
       g_t &\leftarrow \nabla f_t(\theta_{t-1}) + \lambda \theta_{t-1}, \\
       v_t &\leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2, \\
       \tilde v_t &\leftarrow \begin{cases} v_t - \bar g_t^2,\
             \text{ where } \bar g_t \leftarrow \alpha \bar g_{t-1} + (1 - \alpha) g_t
             & \text{if centered}, \\ v_t & \text{otherwise}, \end{cases} \\
       d_t &\leftarrow g_t / (\sqrt{\tilde v_t} + \varepsilon), \\
       \theta_t &\leftarrow \begin{cases} \theta_{t-1} - \gamma b_t,\
             \text{ where } b_t \leftarrow \mu b_{t-1} + d_t & \text{if } \mu > 0, \\
             \theta_{t-1} - \gamma d_t & \text{otherwise}. \end{cases}
       \end{aligned}

    There is no bias correction, and :math:`\varepsilon` is added after the
    square root.
    RMSProp was proposed by Tieleman and Hinton (2012, lecture 6.5 of the
    course *Neural Networks for Machine Learning*); the centered variant is
    due to Graves (2013).

    Parameters
    ----------
    lr : float, default=1e-2
        Learning rate :math:`\gamma > 0`.
    alpha : float, default=0.99
        Smoothing constant :math:`\alpha \in [0, 1)`.
    eps : float, default=1e-8
        :math:`\varepsilon > 0`, added to :math:`\sqrt{\tilde v_t}` (zero would divide :math:`0` by :math:`0` on a zero gradient).
    weight_decay : float, default=0.0
        L2 penalty coefficient :math:`\lambda \ge 0`.
    momentum : float, default=0.0
        Momentum factor :math:`\mu \in [0, 1)` (PyTorch accepts any
        :math:`\mu \ge 0`; :math:`\mu \ge 1` makes the buffer grow without bound).
    centered : bool, default=False
        Normalize by an estimate of the variance instead of the second moment.
    maximize : bool, default=False
        Maximize the objective instead of minimizing it.

    References
    ----------
    - Tieleman and Hinton, lecture 6.5 of "Neural Networks for Machine
      Learning", Coursera, 2012.
    - Graves, "Generating sequences with recurrent neural networks", 2013.
    - PyTorch documentation, ``torch.optim.RMSprop``.
    """

    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                 momentum=0.0, centered=False, maximize=False):
        self.alpha = check_in_interval(alpha, "alpha", 0.0, 1.0, closed="left")
        self.eps = check_positive(eps, "eps")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.momentum = check_in_interval(momentum, "momentum", 0.0, 1.0, closed="left")
        self.centered = _check_bool(centered, "centered")
        self.maximize = _check_bool(maximize, "maximize")
        super().__init__(lr)

    def _hyper(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps,
                "weight_decay": self.weight_decay, "momentum": self.momentum,
                "centered": self.centered}

    def _init_state(self, p):
        zeros = np.zeros_like(p)
        return {"square_avg": zeros, "momentum_buffer": zeros, "grad_avg": zeros}

    def _update(self, p, g, state):
        a = self.alpha
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        state["square_avg"] = a * state["square_avg"] + (1 - a) * g * g
        v = state["square_avg"]
        if self.centered:
            state["grad_avg"] = a * state["grad_avg"] + (1 - a) * g
            v = v - state["grad_avg"] ** 2
        direction = g / (np.sqrt(v) + self.eps)
        if self.momentum > 0:
            state["momentum_buffer"] = self.momentum * state["momentum_buffer"] + direction
            direction = state["momentum_buffer"]
        return p - self.lr * direction


class Adam(Optimizer):
    r"""Adam: bias-corrected moving averages of the gradient and its square.

    With learning rate :math:`\gamma`, :math:`(\beta_1, \beta_2)` = ``betas``,
    weight decay :math:`\lambda` (an L2 penalty added to the gradient) and
    :math:`m_0 = v_0 = v^{\max}_0 = 0`, step :math:`t` computes (PyTorch's
    ``torch.optim.Adam``; :math:`g_t` is negated if ``maximize``)

    .. math::

       \begin{aligned}
       g_t &\leftarrow \nabla f_t(\theta_{t-1}) + \lambda \theta_{t-1}, \\
       m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \\
       v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \\
       \hat m_t &\leftarrow m_t / (1 - \beta_1^t), \\
       \hat v_t &\leftarrow \begin{cases}
             v^{\max}_t / (1 - \beta_2^t),\ \text{ where }
             v^{\max}_t \leftarrow \max(v^{\max}_{t-1}, v_t) & \text{if amsgrad}, \\
             v_t / (1 - \beta_2^t) & \text{otherwise}, \end{cases} \\
       \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \varepsilon).
       \end{aligned}

    :math:`\varepsilon` is added after the square root of the
    *bias-corrected* second moment. Kingma and Ba (2015) introduced Adam; Reddi, Kale and Kumar (2018)
    showed that it can fail to converge on a convex online problem and
    proposed the AMSGrad fix (``amsgrad=True``), in which the running maximum
    is taken on ``v`` (before bias correction), as in PyTorch.

    Parameters
    ----------
    lr : float, default=1e-3
        Learning rate :math:`\gamma > 0`.
    betas : tuple of float, default=(0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`.
    eps : float, default=1e-8
        :math:`\varepsilon > 0` (zero would divide :math:`0` by :math:`0` on a zero gradient).
    weight_decay : float, default=0.0
        L2 penalty coefficient :math:`\lambda \ge 0` (coupled: it passes through the
        moving averages; see :class:`AdamW` for the decoupled version).
    amsgrad : bool, default=False
        Use the AMSGrad variant.
    maximize : bool, default=False
        Maximize the objective instead of minimizing it.

    References
    ----------
    - Kingma and Ba, "Adam: a method for stochastic optimization",
      ICLR 2015.
    - Reddi, Kale and Kumar, "On the convergence of Adam and
      beyond", ICLR 2018.
    - PyTorch documentation, ``torch.optim.Adam``.
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, maximize=False):
        self.betas = _check_betas(betas)
        self.eps = check_positive(eps, "eps")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.amsgrad = _check_bool(amsgrad, "amsgrad")
        self.maximize = _check_bool(maximize, "maximize")
        super().__init__(lr)

    def _hyper(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay, "amsgrad": self.amsgrad}

    def _init_state(self, p):
        zeros = np.zeros_like(p)
        return {"exp_avg": zeros, "exp_avg_sq": zeros, "max_exp_avg_sq": zeros}

    #: Adam adds the L2 term to the gradient; AdamW decays the parameters.
    _coupled_decay = True

    def _decay(self, p):
        """Coupled weight decay: nothing to do on the parameters."""
        return p

    def _update(self, p, g, state):
        beta1, beta2 = self.betas
        t = self.t
        if self.maximize:
            g = -g
        p = self._decay(p)
        if self.weight_decay != 0 and self._coupled_decay:
            g = g + self.weight_decay * p
        state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * g
        state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
        m_hat = state["exp_avg"] / (1 - beta1**t)
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], state["exp_avg_sq"])
            v_hat = state["max_exp_avg_sq"] / (1 - beta2**t)
        else:
            v_hat = state["exp_avg_sq"] / (1 - beta2**t)
        return p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay.

    Identical to :class:`Adam` except for the weight decay, which is applied
    directly to the parameters instead of being added to the gradient
    (PyTorch's ``torch.optim.AdamW``): first

    .. math::

       \theta_{t-1} \leftarrow (1 - \gamma\lambda)\, \theta_{t-1},

    then the Adam step above with :math:`g_t = \nabla f_t(\theta_{t-1})`
    evaluated *before* the decay and no L2 term. The decay does not pass
    through the adaptive scaling :math:`1/(\sqrt{\hat v_t} + \varepsilon)`:
    every coordinate shrinks by the same factor :math:`1 - \gamma\lambda`.

    Parameters
    ----------
    lr : float, default=1e-3
        Learning rate :math:`\gamma > 0`.
    betas : tuple of float, default=(0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`.
    eps : float, default=1e-8
        :math:`\varepsilon > 0` (zero would divide :math:`0` by :math:`0` on a zero gradient).
    weight_decay : float, default=1e-2
        Decoupled weight decay coefficient :math:`\lambda \ge 0`.
    amsgrad : bool, default=False
        Use the AMSGrad variant.
    maximize : bool, default=False
        Maximize the objective instead of minimizing it.

    References
    ----------
    - Loshchilov and Hutter, "Decoupled weight decay regularization",
      ICLR 2019.
    - PyTorch documentation, ``torch.optim.AdamW``.
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, maximize=False):
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)

    _coupled_decay = False

    def _decay(self, p):
        """Decoupled weight decay: multiply the parameters by ``1 - lr * weight_decay``."""
        return p * (1 - self.lr * self.weight_decay) if self.weight_decay != 0 else p


# --------------------------------------------------------------------------
# learning-rate schedules and gradient clipping
# --------------------------------------------------------------------------


class _Scheduler:
    """Base class: sets ``optimizer.lr = self.lr_at(k)`` at each ``step()``."""

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError("optimizer must be an optbook.optim.Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_step = 0
        optimizer.lr = self.lr_at(0)

    def step(self):
        """Advance the schedule by one step and set the optimizer's learning rate."""
        self.last_step += 1
        self.optimizer.lr = self.lr_at(self.last_step)
        return self.optimizer.lr

    def get_lr(self):
        """The learning rate the optimizer uses now."""
        return self.optimizer.lr


class StepLR(_Scheduler):
    r"""Step decay: :math:`\gamma_k = \gamma_0\,\rho^{\lfloor k/s\rfloor}`.

    The learning rate is multiplied by ``gamma`` every ``step_size`` calls to
    ``step()`` (PyTorch's ``torch.optim.lr_scheduler.StepLR``).

    Parameters
    ----------
    optimizer : Optimizer
        Optimizer whose ``lr`` (its value at creation is :math:`\gamma_0`) is set.
    step_size : int
        Period :math:`s \ge 1`.
    gamma : float, default=0.1
        Factor :math:`\rho \in (0, 1]`.

    Examples
    --------
    >>> opt = SGD(lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> [sched.step() for _ in range(4)]
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        from ._validation import check_int
        self.step_size = check_int(step_size, "step_size", minimum=1)
        self.gamma = check_in_interval(gamma, "gamma", 0.0, 1.0, closed="right")
        super().__init__(optimizer)

    def lr_at(self, k):
        """Learning rate after ``k`` calls to ``step()``."""
        return self.base_lr * self.gamma ** (k // self.step_size)


class CosineLR(_Scheduler):
    r"""Cosine decay with a linear warm-up.

    .. math::

        \gamma_k = \begin{cases}
        \gamma_0 (k+1)/(w+1) & k < w, \\
        \gamma_{\min} + \frac{\gamma_0 - \gamma_{\min}}{2}
        \Big(1 + \cos\frac{\pi (k - w)}{T - w}\Big) & w \le k \le T, \\
        \gamma_{\min} & k > T,
        \end{cases}

    after :math:`k` calls to ``step()``, with :math:`w` = ``warmup`` and
    :math:`T` = ``T_max`` (without warm-up, PyTorch's
    ``CosineAnnealingLR``, SGDR of Loshchilov and Hutter, 2017, without restarts).

    Parameters
    ----------
    optimizer : Optimizer
        Optimizer whose ``lr`` (its value at creation is :math:`\gamma_0`) is set.
    T_max : int
        Number of steps :math:`T \ge 1` of the schedule.
    warmup : int, default=0
        Number :math:`w \in [0, T)` of warm-up steps.
    lr_min : float, default=0.0
        Final learning rate :math:`\gamma_{\min} \in [0, \gamma_0)`; it must be
        positive if the optimizer is used after :math:`T` steps.

    Examples
    --------
    >>> opt = SGD(lr=1.0)
    >>> sched = CosineLR(opt, T_max=4, warmup=1, lr_min=0.1)
    >>> round(opt.lr, 3), [round(sched.step(), 3) for _ in range(4)]
    (0.5, [1.0, 0.775, 0.325, 0.1])
    """

    def __init__(self, optimizer, T_max, warmup=0, lr_min=0.0):
        from ._validation import check_int
        self.T_max = check_int(T_max, "T_max", minimum=1)
        self.warmup = check_int(warmup, "warmup", minimum=0)
        if self.warmup >= self.T_max:
            raise ValueError(f"warmup must be < T_max={self.T_max}, got {self.warmup}")
        self.lr_min = check_nonnegative(lr_min, "lr_min")
        if self.lr_min >= optimizer.lr:
            raise ValueError(f"lr_min must be below the optimizer's lr={optimizer.lr}, "
                             f"got {self.lr_min}")
        super().__init__(optimizer)

    def lr_at(self, k):
        """Learning rate after ``k`` calls to ``step()`` (at least ``lr_min``, never 0 before T)."""
        w, T = self.warmup, self.T_max
        if k < w:
            return self.base_lr * (k + 1) / (w + 1)
        k = min(k, T)
        lr = self.lr_min + 0.5 * (self.base_lr - self.lr_min) * (1 + np.cos(np.pi * (k - w) / (T - w)))
        if lr <= 0:
            # the optimizers need lr > 0: the last step of a schedule to 0 uses a tiny lr
            lr = np.finfo(float).tiny
        return float(lr)


def clip_grad_norm(grads, max_norm):
    r"""Rescale a gradient tree so that its global Euclidean norm is at most ``max_norm``.

    .. math::

        g \leftarrow g \cdot \min\Big(1, \frac{c}{\|g\|_2}\Big),
        \qquad \|g\|_2^2 = \sum_{\text{leaves}} \|g_\ell\|_2^2

    (PyTorch's ``clip_grad_norm_``, without modifying its input).

    Parameters
    ----------
    grads : array_like or tree of array_like
        Gradients (an array or a nested list / tuple / dict of arrays).
    max_norm : float
        :math:`c > 0`.

    Returns
    -------
    clipped : array or tree
        New arrays in the structure of ``grads``.
    total_norm : float
        :math:`\|g\|_2` before clipping.
    """
    max_norm = check_positive(max_norm, "max_norm")
    leaves = [as_array(g, name) for name, g in _flatten(grads, "grads")]
    total = float(np.sqrt(sum(float(np.vdot(g, g)) for g in leaves)))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return _unflatten(grads, iter([g * g.dtype.type(scale) for g in leaves])), total


def clip_grad_value(grads, clip_value):
    """Clip every entry of a gradient tree to ``[-clip_value, clip_value]`` (new arrays).

    Parameters
    ----------
    grads : array_like or tree of array_like
        Gradients (an array or a nested list / tuple / dict of arrays).
    clip_value : float
        Bound :math:`c > 0`.

    Returns
    -------
    array or tree
        New arrays in the structure of ``grads``.
    """
    c = check_positive(clip_value, "clip_value")
    leaves = [as_array(g, name) for name, g in _flatten(grads, "grads")]
    return _unflatten(grads, iter([np.clip(g, -c, c) for g in leaves]))
