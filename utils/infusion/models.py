"""The model descriptions of the infusion-use analysis, in lavaan / semopy syntax.

Latent factors are written in capitals (``INF``, ``USAT``, ``CONF``, ``CSAT``); the scale scores
(item means, from ``aggregation.employee_data``) in lower case (``infusion``, ``usat``, ``conf``,
``csat``). Customer items (conf1-conf3, csat1-csat3) are the means of an employee's customers'
answers. The archival controls enter as logs (``log_tenure``, ``log_contacts``): tenure predicts
infusion use, and both controls predict confirmation; monthly contacts also predict satisfaction.
Which controls the study used is not in the sources: these are the book's assumptions, matching
the population model.

- ``CFA``: the four-factor measurement model;
- ``ONE_FACTOR``: all twelve items on one factor (Harman's single-factor check for common-method
  variance);
- ``LATENT_SEM``: the structural model on the latent factors;
- ``COMPOSITE_SEM``: the same structural model on scale scores (a recursive path model on
  observed variables: ``utils.sem.indirect_effects`` bootstraps it on its fast path);
- ``FULL_MEDIATION``: the composite model without the direct path infusion → confirmation.

Chains for ``utils.sem.indirect_effects``: ``DIRECT`` (infusion → conf, a one-link chain: the
path itself), ``INDIRECT`` (infusion → usat → conf) and ``CONF_CSAT`` (conf → csat).
"""

from __future__ import annotations

__all__ = ["FACTORS", "CFA", "ONE_FACTOR", "LATENT_SEM", "COMPOSITE_SEM", "FULL_MEDIATION",
           "DIRECT", "INDIRECT", "CONF_CSAT", "CONTROLS"]

# Factor name → its items.
FACTORS: dict[str, tuple[str, str, str]] = {
    "INF": ("inf1", "inf2", "inf3"),
    "USAT": ("usat1", "usat2", "usat3"),
    "CONF": ("conf1", "conf2", "conf3"),
    "CSAT": ("csat1", "csat2", "csat3"),
}
CONTROLS = ("log_tenure", "log_contacts")

CFA = "\n".join(f"{factor} =~ {' + '.join(items)}" for factor, items in FACTORS.items())

ONE_FACTOR = "METHOD =~ " + " + ".join(item for items in FACTORS.values() for item in items)

_STRUCTURE = """
{inf} ~ log_tenure
{usat} ~ {inf}
{conf} ~ {inf} + {usat} + log_tenure + log_contacts
{csat} ~ {conf} + log_contacts
"""

LATENT_SEM = CFA + "\n" + _STRUCTURE.format(inf="INF", usat="USAT", conf="CONF", csat="CSAT").strip()
COMPOSITE_SEM = _STRUCTURE.format(inf="infusion", usat="usat", conf="conf", csat="csat").strip()
FULL_MEDIATION = COMPOSITE_SEM.replace("conf ~ infusion + usat", "conf ~ usat")

DIRECT = ("infusion", "conf")
INDIRECT = ("infusion", "usat", "conf")
CONF_CSAT = ("conf", "csat")
