"""The book's shared code. Chapters import from here; tests in ``tests/`` cover every module.

Modules (each holds one idea):

- ``utils.errors``: the book's exception types (``BookError``, ``InputError`` for a bad argument).
- ``utils.data``: where each data file is, its checksum, how it loads.
- ``utils.tallies``: the Khodakarami & Chan (2014) counts, every tally, the audit of the tables.
- ``utils.levels``: explicit rules that turn counts into levels (Low … High).
- ``utils.propositions``: Table 1, the prose and the Table 8 dashboard checked against the counts.
- ``utils.loglinear``: hierarchical log-linear models, exact and bootstrap tests, residuals.
- ``utils.correspondence``: correspondence analysis of a two-way table.
- ``utils.sem``: structural equation models on semopy, with what the book adds (a correct fit
  table, multi-group fits and likelihood-ratio tests, bootstrapped indirect effects), checked
  against lavaan.
- ``utils.inference``: Monte Carlo error, borderline verdicts and equivalence tests (TOST).
- ``utils.exercises`` and ``utils.quiz``: the self-checks and quizzes of the generated notebooks.
- ``utils.lavaan_reference``: lavaan's committed example data and outputs, and comparisons with them.
- ``utils.misfit``: a CFA that leaves out a cross-loading, and its fit statistics by sample size.
- ``utils.infusion``: the infusion-use replication on simulated data (population model,
  simulator, aggregation, measurement, hypotheses and scorecard, Monte Carlo power).
- ``utils.infusion_twolevel``: the infusion-use study as a two-level SEM (customers in employees).
- Theory chapters: ``utils.crm_knowledge``, ``utils.is_success``, ``utils.expectation``,
  ``utils.seci``, ``utils.service_profit`` (each a seeded simulation and its estimation).
- ``utils.plots`` (draws, computes nothing) and ``utils.widgets`` (wires a model to a plot):
  packages with one submodule per part of the book.

Importing ``utils`` checks the environment first, so that a missing package gives one clear
sentence rather than an ImportError deep inside a chapter.
"""

from utils._environment import check_environment

check_environment()
