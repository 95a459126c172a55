"""The infusion-use replication (Chen, Hsieh, Rai & Xu 2021) on simulated data.

The firm's data are not public: the book draws a study from an explicit population model
(``data/chen2021/population.csv``) and replicates the *analysis*. Modules, in the order of the
analysis:

- ``population``: the population model, its checks, the paths and effects it implies;
- ``simulate``: the multi-source, multi-wave design (employees, attrition, customers, 1-7 items);
- ``aggregation``: ICC(1), ICC(2), r_wg(j), customers' answers averaged per employee;
- ``measurement``: reliability, convergent and discriminant validity, invariance across channels;
- ``hypotheses``: the structural model per channel, H1-H3, the hypothesis table and the
  replication scorecard;
- ``power``: Monte Carlo power of the design.

This package knows no screen: it returns tidy DataFrames and plain values; ``utils.plots`` and
``utils.widgets`` draw them. All SEM work goes through ``utils.sem``.
"""
