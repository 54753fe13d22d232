"""numba, when it is installed and not disabled (``OPTBOOK_NO_NUMBA=1``).

The compiled inner loops of :mod:`optbook.duality` and :mod:`optbook.stochastic`
use :data:`njit`; without numba both fall back to the same loops in Python.
"""

import os

HAVE_NUMBA = False
njit = None
if not os.environ.get("OPTBOOK_NO_NUMBA"):
    try:  # pragma: no cover - depends on the environment
        import numba

        HAVE_NUMBA = True
        njit = numba.njit(cache=True, nogil=True)
    except ImportError:  # pragma: no cover
        HAVE_NUMBA = False
