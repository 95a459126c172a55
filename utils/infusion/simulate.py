"""Simulate the multi-source, multi-wave design of the infusion-use study from its population model.

The design, as source 001 describes it (and where it is silent, as ``population.csv`` assumes):

- in each channel (retail stores, contact centers) ``n_employees`` customer-service employees are
  sampled; each answers the infusion-use items in wave 1;
- before the later wave some employees leave their position (``attrition``); the others answer
  the user-satisfaction items in wave 2 (which construct is asked in which wave is the book's
  assumption, row ``usat_wave``). By default leaving is unrelated to anything (missing completely
  at random); ``attrition_infusion`` makes employees with low wave-1 infusion-use scores likelier
  to leave (missing at random: it depends on what was observed) and ``attrition_usat`` those who
  would report low user satisfaction (missing not at random: it depends on the missing answers);
- each employee's customers (``min_customers`` plus a Poisson number more) answer the
  expectation-confirmation and satisfaction items ``survey_lag_days`` after the service;
- the firm's records give each employee's tenure (months) and monthly customer contacts.

Every scale has three items answered on a 1-7 scale (both assumed: ``items_per_scale``,
``scale_points``). An answer is a latent response (loading ·
construct + response style + error, variance 1) shifted by the scale's location and cut at six
evenly spaced points, which piles answers up near 7, as satisfaction surveys do. An employee's
response style is shared by both waves; a customer's by all of their items (common-method
variance).

:func:`simulate_study` returns a :class:`Study`: ``employees`` (one row per sampled employee, the
wave-2 answers missing for those who left) and ``customers`` (one row per surveyed customer).
The same seed gives the same data. ``python -m utils.infusion.simulate --write`` writes the
book's dataset (``data/chen2021/employees.csv`` and ``customers.csv``, seed ``DATASET_SEED``) and
updates the data manifest; without ``--write`` it checks that the committed files are what the
seed gives.

**How the dataset's seed was chosen.** A study of this size reproduces every row of the
replication scorecard, as the source argued them, only about half the time: 33 of the 60 seeds
from 2021 to 2080 do (chapter 33's tests, 10,000 bootstrap resamples each; none reproduces every
row by a formal test, because the study is too small to show the null direct path in contact
centers absent). The power chapter measures how often each verdict is reproduced. The book's
dataset is meant to show the analysis of a study that *did* reproduce the published pattern, so
its seed is the first from 2021 upward whose study matches every row of the scorecard as argued
(``hypotheses.scorecard``): 2021 and 2022 do not, 2023 does. Saying so matters: a reader who
draws another seed will often see a verdict fail, and that is the point of the power chapter,
not a fault of the code.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from utils import _checks as check
from utils import data
from utils.infusion.population import (
    CHANNELS, _residual_variance, load_population, parameters, validate_population,
)
from utils._checks import validated

__all__ = [
    "DATASET_SEED", "EMPLOYEE_FILE", "CUSTOMER_FILE", "ITEMS", "CHANNEL_CODES", "Study",
    "simulate_study", "load_study", "write_dataset",
]

DATASET_SEED = 2023
EMPLOYEE_FILE = "chen2021/employees.csv"
CUSTOMER_FILE = "chen2021/customers.csv"
ITEMS: dict[str, tuple[str, str, str]] = {
    "infusion": ("inf1", "inf2", "inf3"), "usat": ("usat1", "usat2", "usat3"),
    "conf": ("conf1", "conf2", "conf3"), "csat": ("csat1", "csat2", "csat3"),
}
CHANNEL_CODES = {"retail_store": "RS", "contact_center": "CC"}
EMPLOYEE_COLUMNS = ["employee_id", "channel", "tenure_months", "monthly_contacts", *ITEMS["infusion"], "wave2", *ITEMS["usat"]]
CUSTOMER_COLUMNS = ["customer_id", "employee_id", *ITEMS["conf"], *ITEMS["csat"]]


@dataclass
class Study:
    """One simulated study: ``employees`` and ``customers`` (tidy DataFrames, columns as in the
    data dictionary ``data/chen2021/README.md``), the ``population`` table it was drawn from and
    the ``seed``. ``latent`` holds the employees' true construct scores (not observable in a real
    study; the book uses them to show what the estimates should find)."""

    employees: pd.DataFrame
    customers: pd.DataFrame
    population: pd.DataFrame = field(repr=False)
    seed: int | None = None
    latent: pd.DataFrame | None = field(default=None, repr=False)
    likert: bool = True

    def summary(self) -> str:
        """Counts per channel: sampled, answering wave 2, customers (min, mean, max per employee)."""
        e, c = self.employees, self.customers
        per = c.groupby("employee_id").size()
        lines = []
        for channel in CHANNELS:
            ids = e.loc[e["channel"] == channel, "employee_id"]
            k = per.reindex(ids).fillna(0)
            lines.append(f"{channel}: {len(ids)} employees sampled, {int(e.loc[e['channel'] == channel, 'wave2'].sum())} "
                         f"answered wave 2; {int(k.sum())} customers ({int(k.min())}-{int(k.max())} per employee, "
                         f"mean {k.mean():.1f})")
        text = "\n".join(lines)
        print(text)
        return text


def _answers(latent: np.ndarray, loadings: np.ndarray, style: np.ndarray, method: float, location: float,
             spacing: float, rng: np.random.Generator, likert: bool) -> np.ndarray:
    """Item answers (rows × items): latent responses cut into 1-7 (or left continuous)."""
    noise = rng.standard_normal((len(latent), len(loadings)))
    error_sd = np.sqrt(1 - loadings**2 - method**2)
    response = latent[:, None] * loadings + method * style[:, None] + noise * error_sd
    if not likert:
        return response
    cuts = spacing * (np.arange(1, 7) - 3.5)
    return 1 + np.searchsorted(cuts, response + location, side="right")


def _leaving_probability(p: dict[str, float], inf_items: np.ndarray, usat_items: np.ndarray) -> np.ndarray | float:
    """Each employee's probability of leaving before wave 2.

    With ``attrition_infusion`` and ``attrition_usat`` 0 it is ``attrition`` for everyone (missing
    completely at random). Otherwise a probit: Φ(c − s_inf·z_inf − s_usat·z_usat), with z the
    standardized scale scores (the wave-1 infusion-use score, observed for everyone: missing at
    random; the user-satisfaction score the employee would give in wave 2, which is what goes
    missing: missing not at random), and c chosen so that the expected share leaving stays
    ``attrition``."""
    slopes = (p["attrition_infusion"], p["attrition_usat"])
    if slopes == (0.0, 0.0):
        return p["attrition"]

    def standardized(items: np.ndarray) -> np.ndarray:
        score = items.mean(axis=1)
        spread = score.std()
        return (score - score.mean()) / spread if spread > 0 else np.zeros_like(score)

    index = slopes[0] * standardized(inf_items) + slopes[1] * standardized(usat_items)
    cut = stats.norm.ppf(p["attrition"]) * np.sqrt(1 + index.var()) if p["attrition"] > 0 else -np.inf
    return stats.norm.cdf(cut - index)


def _draw_channel(p: dict[str, float], rng: np.random.Generator, likert: bool) -> dict[str, np.ndarray]:
    """Every quantity of one channel's sample as arrays (employees, then customers)."""
    n = int(p["n_employees"])
    loadings = np.array([p["loading_1"], p["loading_2"], p["loading_3"]])
    tenure, contacts = rng.standard_normal(n), rng.standard_normal(n)

    def construct(*terms: tuple[float, np.ndarray], explained: float) -> np.ndarray:
        value = sum(coef * x for coef, x in terms)
        return value + np.sqrt(1 - explained) * rng.standard_normal(n)

    infusion = construct((p["tenure_infusion"], tenure), explained=p["tenure_infusion"] ** 2)
    usat = construct((p["infusion_usat"], infusion), explained=p["infusion_usat"] ** 2)
    conf_terms = ((p["infusion_conf"], infusion), (p["usat_conf"], usat), (p["tenure_conf"], tenure),
                  (p["contacts_conf"], contacts))
    conf = construct(*conf_terms, explained=1 - _residual_variance(p, "conf"))
    csat = construct((p["conf_csat"], conf), (p["contacts_csat"], contacts), explained=1 - _residual_variance(p, "csat"))

    style = rng.standard_normal(n)
    inf_items = _answers(infusion, loadings, style, p["method_employee"], p["location_inf"], p["threshold_spacing"], rng, likert)
    usat_items = _answers(usat, loadings, style, p["method_employee"], p["location_usat"], p["threshold_spacing"], rng, likert)
    stays = rng.random(n) >= _leaving_probability(p, inf_items, usat_items)

    k = int(p["min_customers"]) + rng.poisson(p["extra_customers_mean"], n)
    owner = np.repeat(np.arange(n), k)
    m = len(owner)
    within_conf = np.sqrt((1 - p["icc_conf"]) / p["icc_conf"])
    slope = p["conf_csat_within"]  # within one employee's customers (equal to conf_csat: an assumption)
    within_csat_extra = np.sqrt((1 - p["icc_csat"]) / p["icc_csat"] - slope**2 * within_conf**2)
    deviation = within_conf * rng.standard_normal(m)
    conf_c = conf[owner] + deviation
    csat_c = csat[owner] + slope * deviation + within_csat_extra * rng.standard_normal(m)
    customer_style = rng.standard_normal(m)
    conf_items = _answers(conf_c * np.sqrt(p["icc_conf"]), loadings, customer_style, p["method_customer"],
                          p["location_conf"], p["threshold_spacing"], rng, likert)
    csat_items = _answers(csat_c * np.sqrt(p["icc_csat"]), loadings, customer_style, p["method_customer"],
                          p["location_csat"], p["threshold_spacing"], rng, likert)
    tenure_months = np.maximum(1, np.round(12 * p["tenure_median_years"] * np.exp(p["tenure_log_sd"] * tenure)))
    monthly = np.maximum(1, np.round(p["contacts_median"] * np.exp(p["contacts_log_sd"] * contacts)))
    return {"tenure": tenure, "contacts": contacts, "infusion": infusion, "usat": usat, "conf": conf, "csat": csat,
            "inf_items": inf_items, "usat_items": usat_items, "stays": stays, "k": k, "owner": owner,
            "conf_items": conf_items, "csat_items": csat_items, "tenure_months": tenure_months,
            "monthly_contacts": monthly}


@validated
def simulate_study(population: pd.DataFrame | None = None, *, seed: int | None = DATASET_SEED,
                   likert: bool = True) -> Study:
    """Draw one study from ``population`` (default: the book's ``population.csv``; change values
    with ``population.with_values``). ``seed`` seeds ``numpy.random.default_rng``; ``likert=False``
    keeps the latent responses instead of cutting them into 1-7 answers (to separate rounding from
    other sources of bias). Returns a :class:`Study`."""
    table = load_population() if population is None else validate_population(population)
    if seed is not None:
        seed = check.whole("seed", seed, 0)
    rng = np.random.default_rng(seed)
    employees, customers, latent = [], [], []
    for channel in CHANNELS:
        p = parameters(table, channel, checked=False)
        d = _draw_channel(p, rng, likert)
        code = CHANNEL_CODES[channel]
        n = len(d["infusion"])
        width = max(3, len(str(n)))
        ids = np.array([f"{code}-{i + 1:0{width}d}" for i in range(n)])
        frame = pd.DataFrame({"employee_id": ids, "channel": channel, "tenure_months": d["tenure_months"].astype(int),
                              "monthly_contacts": d["monthly_contacts"].astype(int)})
        for j, item in enumerate(ITEMS["infusion"]):
            frame[item] = d["inf_items"][:, j]
        frame["wave2"] = d["stays"].astype(int)
        for j, item in enumerate(ITEMS["usat"]):
            frame[item] = np.where(d["stays"], d["usat_items"][:, j], np.nan)
        employees.append(frame)
        latent.append(pd.DataFrame({"employee_id": ids, "channel": channel,
                                    **{v: d[v] for v in ("tenure", "contacts", "infusion", "usat", "conf", "csat")}}))
        number = np.concatenate([np.arange(1, k + 1) for k in d["k"]])
        owners = ids[d["owner"]]
        cust = pd.DataFrame({"customer_id": [f"{o}-{i:02d}" for o, i in zip(owners, number)], "employee_id": owners})
        for j, item in enumerate(ITEMS["conf"]):
            cust[item] = d["conf_items"][:, j]
        for j, item in enumerate(ITEMS["csat"]):
            cust[item] = d["csat_items"][:, j]
        customers.append(cust)
    employees = pd.concat(employees, ignore_index=True)[EMPLOYEE_COLUMNS]
    customers = pd.concat(customers, ignore_index=True)[CUSTOMER_COLUMNS]
    return Study(employees=employees, customers=customers, population=table, seed=seed,
                 latent=pd.concat(latent, ignore_index=True), likert=likert)


@validated
def load_study() -> Study:
    """The book's committed simulated dataset (``data/chen2021/``), checked against the manifest.
    ``latent`` is None: the committed files hold only what a real study would observe."""
    employees = data.read_csv(EMPLOYEE_FILE)
    customers = data.read_csv(CUSTOMER_FILE)
    check.columns(employees, EMPLOYEE_COLUMNS, EMPLOYEE_FILE)
    check.columns(customers, CUSTOMER_COLUMNS, CUSTOMER_FILE)
    return Study(employees=employees, customers=customers, population=load_population(), seed=DATASET_SEED)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.0f").encode("utf-8")


@validated
def dataset_bytes(seed: int = DATASET_SEED) -> dict[str, bytes]:
    """The bytes of the two dataset files as ``seed`` generates them, by file name."""
    study = simulate_study(seed=seed)
    return {EMPLOYEE_FILE: _csv_bytes(study.employees), CUSTOMER_FILE: _csv_bytes(study.customers)}


@validated
def write_dataset(seed: int = DATASET_SEED) -> list[Path]:
    """Write the dataset files for ``seed`` into ``data/`` and update the manifest; return the paths."""
    written = []
    for name, content in dataset_bytes(seed).items():
        target = data.DATA_DIR / name
        target.write_bytes(content)
        written.append(target)
    data.write_manifest()
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        for target in write_dataset():
            print(f"wrote {target}")
        sys.exit(0)
    import hashlib

    listed = data.manifest()
    stale = [name for name, content in dataset_bytes().items()
             if listed.get(name) != hashlib.sha256(content).hexdigest()]
    print("; ".join(f"{name} differs from what seed {DATASET_SEED} generates" for name in stale)
          or f"the committed dataset is what seed {DATASET_SEED} generates")
    sys.exit(1 if stale else 0)
