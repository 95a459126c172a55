"""What-if scenarios for the explorer: channel-specific paths → implied effects and verdicts.

The media-richness argument of the study says *why* the mechanisms differ by channel: face to
face, an employee can show the customer what the CRM system tells them (the direct path);
over the phone, the employee's own satisfaction with the system carries the effect (the
indirect path). :func:`scenario` lets a reader set those paths for each channel and returns

- the effects the population then implies (standardized, on the employee-level constructs):
  direct, indirect (a · b), total, and the total carried on to customer satisfaction;
- how often a study of the population's size would reproduce each published verdict (a small
  Monte Carlo run of ``power.power``; ``n_studies`` = 100 takes about a quarter of a second).

Nothing here draws; ``utils.plots.infusion_scenario`` draws the result.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from utils import _checks as check
from utils.infusion import power as _power
from utils.infusion.population import CHANNELS, effects, load_population, parameters, validate_population, with_values
from utils._checks import validated

__all__ = ["SCENARIO_STUDIES", "scenario"]

SCENARIO_STUDIES = 100


@validated(n_studies=10_000)
def scenario(population: pd.DataFrame | None = None, *,
             infusion_conf: Mapping[str, float] | None = None, usat_conf: Mapping[str, float] | None = None,
             infusion_usat: Mapping[str, float] | None = None, conf_csat: Mapping[str, float] | None = None,
             n_studies: int = SCENARIO_STUDIES, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Effects and verdict rates under changed paths.

    Each path argument maps channels to values (``{"retail_store": 0.35, "contact_center": 0.0}``);
    channels left out, or a path left None, keep the population's value. Returns ``(effects,
    rates)``: ``effects`` has one row per channel with direct, indirect, total and
    on_satisfaction; ``rates`` is :func:`utils.infusion.power.power` of the changed population
    with ``n_studies`` studies. Paths that explain more than all of a construct's variance raise
    the population's ValueError, which names the channel and the construct."""
    table = load_population() if population is None else validate_population(population)
    n_studies = check.whole("n_studies", n_studies, 1)
    changes = {name: dict(values) for name, values in (("infusion_conf", infusion_conf), ("usat_conf", usat_conf),
                                                       ("infusion_usat", infusion_usat), ("conf_csat", conf_csat))
               if values is not None}
    if changes:
        table = with_values(table, **changes)
    rows = []
    for channel in CHANNELS:
        p = parameters(table, channel, checked=False)
        rows.append({"channel": channel, **effects(p["infusion_conf"], p["infusion_usat"], p["usat_conf"], p["conf_csat"])})
    return pd.DataFrame(rows), _power.power(table, n_studies=n_studies, seed=seed)
