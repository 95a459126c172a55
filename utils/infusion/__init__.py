"""The infusion-use replication (Chen, Hsieh, Rai & Xu 2021) on simulated data.

The firm's data are not public: the book draws a study from an explicit population model
(``data/chen2021/population.csv``) and replicates the *analysis*. Modules, in the order of the
analysis:

- ``population``: the population model, its checks, the paths and effects it implies;
- ``simulate``: the multi-source, multi-wave design (employees, attrition, customers, 1-7 items);
- ``aggregation``: the composition of customers' answers into employee scores: ICC(1) with its
  F test, ICC(2), r_wg(j) under uniform, skewed and random-group nulls, the within/between split;
- ``measurement``: reliability, convergent and discriminant validity, invariance across channels;
- ``hypotheses``: the structural model per channel, H1-H3 (two-sided per channel, one-sided
  differences, equivalence tests for the nulls, Monte Carlo error), the hypothesis table and the
  two-column replication scorecard;
- ``power``: Monte Carlo power of the design;
- ``cache``: stored results that take too long for a chapter (the latent path-equality tests),
  with the command that recomputes them.

This package knows no screen: it returns tidy DataFrames and plain values; ``utils.plots`` and
``utils.widgets`` draw them. All SEM work goes through ``utils.sem``.
"""
