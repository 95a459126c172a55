"""Structural equation models: semopy plus what the book adds. Knows no study.

semopy fits single-group models well but reports some fit statistics wrongly and lacks
multi-group constraints, likelihood-ratio tests, indirect effects and the bootstrap (see the
book's notes on semopy). This package adds them, verified against lavaan:

- ``fit`` (one group) → ``SemFit`` with ``fit_table`` (chi2, df, pvalue, cfi, tli, rmsea,
  srmr, loglik, aic, bic, …) and ``estimates`` (a lavaan-like parameter table);
- ``fit_groups`` (several groups, parameters held equal by set or by label), ``lr_test``
  (nested models) and the invariance sequence;
- ``indirect_effects`` (nonparametric bootstrap, percentile and bias-corrected intervals);
- ``fit_twolevel`` (two-level models, lavaan's ``level: 1`` / ``level: 2`` syntax) → ``TwoLevelFit``.
"""

from utils.sem.errors import SemError, SemWarning
from utils.sem.single import SemFit, fit
from utils.sem.bootstrap import indirect_effects
from utils.sem.groups import GroupFit, fit_groups, invariance, lr_test, path_differences
from utils.sem.twolevel import TwoLevelFit, fit_twolevel
