"""Structural equation models: semopy plus what the book adds. Knows no study.

semopy fits single-group models well but reports some fit statistics wrongly and lacks
multi-group constraints, likelihood-ratio tests, indirect effects and the bootstrap (see the
book's notes on semopy). This package adds them, verified against lavaan:

- ``fit`` (one group) → ``SemFit`` with ``fit_table`` (chi2, df, pvalue, cfi, tli, rmsea,
  srmr, loglik, aic, bic, …), ``estimates`` (a lavaan-like parameter table) and ``vcov()`` (the
  parameter covariance, as lavaan's ``vcov()``; ``GroupFit.vcov()`` likewise);
- ``fit_groups`` (several groups, parameters held equal by set or by label), ``lr_test``
  (nested models), the invariance sequence, ``path_equality`` (LR tests of paths held equal on a
  stated baseline, metric invariance by default) and ``path_differences`` (per-path z and
  permutation tests);
- ``indirect_effects`` (nonparametric bootstrap, percentile and bias-corrected intervals, the
  Monte Carlo SE of each interval end, one-sided bootstrap p-values, the draws in
  ``attrs["draws"]``; latent models and groups fitted jointly under ``equal=`` by batched
  Fisher scoring, ``utils.sem.scoring``, checked resample by resample against lavaan);
- ``monte_carlo_effects`` (Monte Carlo intervals of indirect effects and of their group
  difference from N(θ̂, vcov), per group and under equality constraints such as metric
  invariance);
- ``verdicts`` (the verdict of each row of a resampled table for a stated direction, borderline
  within 3 Monte Carlo SE, through ``utils.inference``);
- ``fit_twolevel`` (two-level models, lavaan's ``level: 1`` / ``level: 2`` syntax) → ``TwoLevelFit``
  (``utils.sem.twolevel``).

Every public function prints the same bytes under any PYTHONHASHSEED and BLAS thread count
(``syntax.canonical`` writes out the covariances semopy would create in set order; BLAS runs on
one thread, ``_threads``; ``tests/test_sem_determinism.py``).
"""

from __future__ import annotations

import importlib
from typing import Any

from utils.sem.errors import SemError, SemWarning

# Public name → the submodule that defines it. Submodules load on first use (a module
# __getattr__), and semopy (with scikit-learn and sympy) only when a fit runs, so that
# ``from utils import sem`` costs a chapter almost nothing (issue 16; tests/test_sem_imports.py).
_WHERE = {
    "SemFit": "single", "fit": "single",
    "GroupFit": "groups", "fit_groups": "groups", "invariance": "groups", "lr_test": "groups",
    "path_differences": "groups", "path_equality": "groups",
    "indirect_effects": "bootstrap",
    "monte_carlo_effects": "montecarlo",
    "verdicts": "decisions",
    "TwoLevelFit": "twolevel", "fit_twolevel": "twolevel",
}
__all__ = ["SemError", "SemWarning", *_WHERE]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"utils.sem.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'utils.sem' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
