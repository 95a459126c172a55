"""BLAS on one thread for every computation of utils.sem.

Two reasons. Speed: the matrices are small, and on a busy 2-core machine threaded BLAS made a
12-indicator fit take 4-9 s instead of 0.03-0.3 s, and the OLS bootstrap 3× slower. Reproducible
output: OpenBLAS splits a product differently with 1 or 2 threads, which changed the last bits
of ``vcov()`` (so the printed results differed between OPENBLAS_NUM_THREADS=1 and 2). Every
public function of utils.sem runs inside :func:`one_blas_thread` (the :func:`single_threaded`
decorator), so its output does not depend on the thread settings of the machine.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def one_blas_thread() -> contextlib.AbstractContextManager:
    """A context in which BLAS (OpenBLAS, MKL, …) runs on one thread."""
    try:  # threadpoolctl comes with scikit-learn, which semopy requires
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def single_threaded(function: F) -> F:
    """``function`` run inside :func:`one_blas_thread`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with one_blas_thread():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
