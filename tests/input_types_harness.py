"""The table-driven harness of ``test_input_types*.py`` (issue 13).

A :class:`Case` describes one call of a public function on tiny float64 data
(integer-valued where an integer run makes sense, so that the float32, integer
and list versions of the data are exact copies of it). The harness runs it on
every kind of input and checks the input-type contract of BOOK_GUIDE §5:

* ``float32`` data in: floating outputs are ``float32`` (``f32="keep"``) or
  ``float64`` (``f32="f64"``, e.g. autodiff, whose documented outputs are
  float64), and close to the float64 run at float32 tolerance;
* integer arrays and Python lists in: floating outputs are ``float64`` and equal
  to the float64 run up to rounding;
* 0-d input where a vector is expected: a :class:`ValueError` naming the
  argument, or (``zero_d_ok``) accepted as documented;
* ``scipy.sparse`` CSR/CSC where a matrix is accepted: the dense result;
* no input is modified in place (every run compares its inputs with copies).
"""

import copy
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import OptimizeResult

KINDS = ("f32", "int", "list")


@dataclass
class Case:
    name: str                       # "module.public_name"
    data: Callable[[], dict]        # () -> {argument name: float64 array}
    run: Callable[..., object]      # run(**data) -> output(s) to compare
    f32: object = "keep"            # "keep", "f64", "any" (float32 or float64),
    #                                 or a tuple of these, one per output
    kinds: tuple = KINDS            # the input kinds run besides float64
    direct: Optional[tuple] = None  # keys given as lists/ints (default: all);
    #                                 the others (data captured by oracles) stay arrays
    zero_d: Optional[str] = None    # key of a vector argument for the 0-d check
    zero_d_ok: bool = False         # 0-d accepted (documented): the run must succeed
    zero_d_all: bool = False        # 0-d check with every array 0-d (a 1-D problem
    #                                 whose oracles accept scalars)
    sparse: tuple = ()              # keys that may be scipy.sparse CSR/CSC
    rtol32: float = 1e-4            # float32 against float64
    label: str = ""                 # distinguishes several cases of one name
    fixed: tuple = ()               # keys never converted (labels, index arrays)
    check: Optional[Callable] = None  # extra assertion on the float64 output

    @property
    def id(self):
        return self.name + (f"[{self.label}]" if self.label else "")


def leaves(out):
    """The numeric leaves of an output: arrays and scalars, in a fixed order."""
    if isinstance(out, OptimizeResult):
        return leaves(out.x)
    if isinstance(out, np.ndarray):
        return [out]
    if sp.issparse(out):
        return [out.toarray()]
    if isinstance(out, dict):
        return [v for k in sorted(out) for v in leaves(out[k])]
    if isinstance(out, (list, tuple)):
        return [v for o in out for v in leaves(o)]
    if isinstance(out, (bool, np.bool_, str)) or out is None:
        return []
    if isinstance(out, (int, float, np.number)):
        return [out]
    raise TypeError(f"unexpected output type {type(out).__name__}")


def convert(value, kind):
    """``value`` (float64, integer-valued for ``int``) as the given kind of input."""
    if sp.issparse(value):
        return value.astype(np.float32) if kind == "f32" else value
    value = np.asarray(value)
    if kind == "f64":
        return value
    if kind == "f32":
        return value.astype(np.float32)
    if kind == "list":
        return value.tolist()
    ints = np.rint(value)
    assert np.array_equal(ints, value), "int case on non-integer data"
    if kind == "int":
        return ints.astype(np.int64)
    raise ValueError(kind)


def _snapshot(value):
    if sp.issparse(value):
        return ("sparse", value.data.copy(), value.indices.copy(), value.indptr.copy(),
                value.dtype, value.format)
    return copy.deepcopy(value)


def _same(value, snap):
    if sp.issparse(value):
        return (snap[0] == "sparse" and np.array_equal(value.data, snap[1])
                and np.array_equal(value.indices, snap[2])
                and np.array_equal(value.indptr, snap[3]) and value.dtype == snap[4]
                and value.format == snap[5])
    if isinstance(value, np.ndarray):
        return (isinstance(snap, np.ndarray) and value.dtype == snap.dtype
                and np.array_equal(value, snap))
    return value == snap


def call(case, inputs):
    """Run the case on ``inputs`` and assert that none of them was modified."""
    snaps = {k: _snapshot(v) for k, v in inputs.items()}
    out = case.run(**inputs)
    for k, v in inputs.items():
        assert _same(v, snaps[k]), f"{case.id}: argument {k} was modified in place"
    return out


def inputs_of_kind(case, data, kind):
    direct = data.keys() if case.direct is None else case.direct
    out = {}
    for k, v in data.items():
        if k in case.fixed:
            out[k] = v
        elif k in direct or kind == "f32":
            out[k] = convert(v, kind)
        else:
            out[k] = v
    return out


def _close(a, b, rtol, what):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale, err_msg=what)


def check_kind(case, kind):
    """Float64 reference run, then the run on ``kind`` inputs, compared."""
    data = case.data()
    ref = leaves(call(case, inputs_of_kind(case, data, "f64")))
    out = leaves(call(case, inputs_of_kind(case, data, kind)))
    assert len(out) == len(ref)
    for i, (o, r) in enumerate(zip(out, ref)):
        what = f"{case.id} on {kind} input, output {i}"
        if isinstance(o, np.ndarray) and np.issubdtype(o.dtype, np.floating):
            if kind == "f32":
                rule = case.f32[i] if isinstance(case.f32, tuple) else case.f32
                expected = {"keep": [np.float32], "f64": [np.float64],
                            "any": [np.float32, np.float64]}[rule]
            else:
                expected = [np.float64]
            assert o.dtype in expected, f"{what}: dtype {o.dtype}, expected {expected}"
        _close(o, r, case.rtol32 if kind == "f32" else 1e-12, what)


def check_reference(case):
    """The float64 run alone (inputs untouched; the case's own assertion)."""
    out = call(case, inputs_of_kind(case, case.data(), "f64"))
    for i, o in enumerate(leaves(out)):
        if isinstance(o, np.ndarray) and np.issubdtype(o.dtype, np.floating):
            assert o.dtype == np.float64, f"{case.id}: output {i} is {o.dtype}"
    if case.check is not None:
        case.check(out)


def check_zero_d(case):
    data = case.data()
    for k in (data if case.zero_d_all else [case.zero_d]):
        data[k] = np.asarray(np.ravel(data[k])[0])
    inputs = inputs_of_kind(case, data, "f64")
    if case.zero_d_ok:
        call(case, inputs)
    else:
        with pytest.raises(ValueError, match=rf"\b{re.escape(case.zero_d)}\b"):
            call(case, inputs)


def check_sparse(case, key, fmt):
    data = case.data()
    ref = leaves(call(case, data))
    data[key] = sp.csr_matrix(data[key]).asformat(fmt)
    out = leaves(call(case, data))
    for i, (o, r) in enumerate(zip(out, ref)):
        _close(o, r, 1e-10, f"{case.id} with {fmt} {key}, output {i}")


def parametrize(cases):
    """pytest parameters (case, kind) for each run of the table."""
    runs = {"kinds": [], "zero_d": [], "sparse": [], "all": []}
    for c in cases:
        runs["all"].append(pytest.param(c, id=c.id))
        for k in c.kinds:
            runs["kinds"].append(pytest.param(c, k, id=f"{c.id}-{k}"))
        if c.zero_d is not None:
            runs["zero_d"].append(pytest.param(c, id=c.id))
        for key in c.sparse:
            for fmt in ("csr", "csc"):
                runs["sparse"].append(pytest.param(c, key, fmt, id=f"{c.id}-{key}-{fmt}"))
    return runs


def contract_tests(cases, modules, excluded):
    """The test functions of a table: ``globals().update(contract_tests(...))``.

    Every public name of ``modules`` has a case or an exclusion; each case runs on
    float64, on every kind it lists, on 0-d input and on sparse matrices.
    """
    runs = parametrize(cases)

    def test_every_public_name_has_a_case():
        missing, stale = uncovered(modules, cases, excluded)
        assert not missing, f"public names without an input-type case: {missing}"
        assert not stale, f"cases or exclusions of names that are not public: {stale}"

    @pytest.mark.parametrize("case", runs["all"])
    def test_float64_run_and_inputs_untouched(case):
        check_reference(case)

    @pytest.mark.parametrize("case, kind", runs["kinds"])
    def test_float32_integer_and_list_inputs(case, kind):
        check_kind(case, kind)

    @pytest.mark.parametrize("case", runs["zero_d"])
    def test_zero_dimensional_input(case):
        check_zero_d(case)

    tests = [test_every_public_name_has_a_case, test_float64_run_and_inputs_untouched,
             test_float32_integer_and_list_inputs, test_zero_dimensional_input]
    if runs["sparse"]:
        @pytest.mark.parametrize("case, key, fmt", runs["sparse"])
        def test_sparse_matrix_gives_the_dense_result(case, key, fmt):
            check_sparse(case, key, fmt)

        tests.append(test_sparse_matrix_gives_the_dense_result)
    return {t.__name__: t for t in tests}


def uncovered(modules, cases, excluded):
    """Public names of ``modules`` with neither a case nor an exclusion."""
    import importlib

    covered = {c.name for c in cases}
    public = {f"{m}.{n}" for m in modules
              for n in importlib.import_module(f"optbook.{m}").__all__}
    return sorted(public - covered - set(excluded)), sorted((covered | set(excluded)) - public)


@dataclass
class Data:
    """Seeded integer-valued test data."""
    seed: int = 0
    rng: np.random.Generator = field(init=False)

    def __post_init__(self):
        self.rng = np.random.default_rng(self.seed)

    def ints(self, *shape, low=-3, high=4):
        return self.rng.integers(low, high, size=shape).astype(np.float64)
