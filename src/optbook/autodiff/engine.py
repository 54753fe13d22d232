r"""The engine of :mod:`optbook.autodiff`: nodes, recording, sweep.

This module is the whole mechanism of reverse mode. The rest of the
package is a list of operations (``ops.py``) and the user-facing
transformations built on this engine (``transforms.py``).

* A :class:`Var` is a node of the computational graph: its ``value``
  (a NumPy array), its ``inputs`` (the operands of the operation that
  produced it) and one vector-Jacobian product (VJP) per operand.
* :func:`_apply` runs one operation. On plain arrays it is NumPy; when
  an operand is a :class:`Var`, it computes the value with NumPy and
  returns a new node that records the operands and their VJPs. (With a
  :class:`Dual` operand it propagates a tangent instead: forward mode.)
* :func:`_toposort` orders the nodes between the inputs and the output,
  and :func:`_backward` visits them from the output back to the inputs,
  passing each node's cotangent through its VJPs and adding up what
  reaches each operand: the reverse sweep of chapter 5.

Line width is 72 characters: chapter 5 shows this file as it is.
"""

import builtins as _bi

import numpy as np

from ._syntax import _Traced, _value

# ----------------------------------------------------------------------
# Traced values: graph nodes (reverse mode), dual numbers (forward mode)
# ----------------------------------------------------------------------


class Var(_Traced):
    """A node of the computational graph recorded for reverse mode.

    Users do not create nodes: :func:`grad`, :func:`value_and_grad`,
    :func:`vjp` and :func:`hvp` wrap the differentiated inputs, and
    every operation on a node returns a new node.

    Attributes
    ----------
    value : numpy.ndarray
        The value computed by the forward pass.
    inputs : tuple
        The operands of the operation that produced this node (nodes
        or constant arrays); empty for an input.
    vjps : tuple of callable
        One vector-Jacobian product per operand:
        ``vjps[i](g, out, *inputs)`` maps the cotangent ``g`` of this
        node to the contribution for ``inputs[i]``.
    """

    __slots__ = ("value", "inputs", "vjps")

    def __init__(self, value, inputs=(), vjps=()):
        self.value = value    # NumPy array from the forward pass
        self.inputs = inputs  # parents: operands (nodes or arrays)
        self.vjps = vjps      # per parent: cotangent -> its share

    def __repr__(self):
        return f"Var({self.value!r})"


class Dual(_Traced):
    r"""A dual number :math:`x + \varepsilon \dot x` for forward mode.

    Users do not create dual numbers: :func:`jvp` wraps its inputs, and
    every operation on a :class:`Dual` returns a new one whose tangent
    is the Jacobian-vector product of the operation applied to the
    input tangents.

    Attributes
    ----------
    value : numpy.ndarray
        The value.
    tangent : numpy.ndarray
        The directional derivative of the value, same shape.
    """

    __slots__ = ("value", "tangent")

    def __init__(self, value, tangent):
        self.value = value
        self.tangent = tangent

    def __repr__(self):
        return f"Dual({self.value!r}, tangent={self.tangent!r})"


def _shape(x):
    v = x.value if isinstance(x, _Traced) else x
    return v.shape if isinstance(v, np.ndarray) else np.shape(v)


# ----------------------------------------------------------------------
# Recording one operation
# ----------------------------------------------------------------------


def _apply(fun, args, vjps, jvps):
    """Evaluate the primitive ``fun`` on arrays, dual numbers or nodes.

    ``vjps[i](g, out, *args)`` and ``jvps[i](t, out, *values)`` are the
    vector-Jacobian and Jacobian-vector products for ``args[i]``.
    """
    has_var = has_dual = False
    for a in args:
        if isinstance(a, Var):
            has_var = True
        elif isinstance(a, Dual):
            has_dual = True
    if not (has_var or has_dual):  # plain NumPy: nothing to record
        return fun(*args)
    if has_var and has_dual:
        raise TypeError(
            "cannot mix forward mode (jvp) and reverse mode (grad) "
            "values in one operation; use hvp for second-order products"
        )
    values = [_value(a) for a in args]
    out = fun(*values)
    if has_var:  # reverse mode: a node that keeps its parents and VJPs
        return Var(out, tuple(args), vjps)
    # forward mode: the output's tangent is the sum of the inputs' JVPs
    tangent = None
    for a, jvp_i in zip(args, jvps):
        if isinstance(a, Dual):
            t = jvp_i(a.tangent, out, *values)
            tangent = t if tangent is None else tangent + t
    if np.shape(tangent) != np.shape(out):
        tangent = np.broadcast_to(tangent, np.shape(out)).copy()
    return Dual(out, tangent)


# ----------------------------------------------------------------------
# The backward pass
# ----------------------------------------------------------------------


def _toposort(output, inputs):
    """Nodes between ``inputs`` and ``output``, inputs first.

    Iterative depth-first search (no recursion limit) that does not go
    past the inputs. Returns the nodes that depend on an input, in
    topological order, and whether the graph contains other nodes
    (values recorded by an enclosing differentiation).
    """
    input_ids = {id(x) for x in inputs}
    order, visited = [], set()
    stack_ = [(output, False)]  # (node, True once parents are pushed)
    while stack_:
        node, done = stack_.pop()
        if done:  # post-order: a node comes after all its parents
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack_.append((node, True))
        if id(node) in input_ids:
            continue
        for parent in node.inputs:
            if isinstance(parent, Var) and id(parent) not in visited:
                stack_.append((parent, False))
    # Keep the nodes through which the output depends on an input; the
    # others (constants, values of an enclosing grad) get no cotangent.
    depends = set()
    for node in order:  # parents come before children
        if id(node) in input_ids or _bi.any(
            id(p) in depends for p in node.inputs if isinstance(p, Var)
        ):
            depends.add(id(node))
    foreign = len(depends) < len(order)
    return [n for n in order if id(n) in depends], foreign


def _backward(output, inputs, seed, create_graph, nodes):
    """Cotangents of the inputs for the cotangent ``seed`` of ``output``.

    ``nodes`` is the topological order returned by :func:`_toposort`.
    With ``create_graph=True`` the VJPs receive the nodes themselves,
    so the backward pass is recorded and can be differentiated again.
    """
    relevant = {id(n) for n in nodes}
    input_ids = {id(x) for x in inputs}
    cotangents = {id(output): seed} if id(output) in relevant else {}
    for node in reversed(nodes):  # children before parents
        g = cotangents.get(id(node))
        if g is None or id(node) in input_ids:
            continue
        del cotangents[id(node)]  # complete (children done): free it
        if create_graph:
            out, args = node, node.inputs
        else:
            out, args = node.value, [_value(a) for a in node.inputs]
        for parent, vjp_i in zip(node.inputs, node.vjps):
            if isinstance(parent, Var) and id(parent) in relevant:
                contribution = vjp_i(g, out, *args)  # J^T g
                key = id(parent)
                cotangents[key] = (contribution if key not in cotangents
                                   else cotangents[key] + contribution)
    result = []
    for x in inputs:
        g = cotangents.get(id(x))
        result.append(np.zeros(x.shape) if g is None else g)
    return result
