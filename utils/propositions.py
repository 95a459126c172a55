"""What Khodakarami & Chan (2014) say about their counts, checked against the counts.

Three kinds of statement put levels on counts: the 21 propositions of Table 1 (predicted
support, Low to High), the prose of sections 5.3, 6.2 and 7 ("medium support", "very high
support"), and the colours of the Table 8 "dashboard". The paper never says which counts make
which level, so every check here takes an explicit :class:`utils.levels.Binning` rule, and
the book's rules are stated as constants: ``BOOK_RULE`` for Table 7 against Table 1 and the
prose, ``DASHBOARD_RULE`` for Table 8. The alternatives are other defensible rules.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from utils import data, tallies
from utils.levels import FOUR_LEVELS, SCORES, THREE_LEVELS, Binning, agrees, score
from utils._checks import validated
from utils.errors import InputError

BOOK_RULE = Binning("Thirds of the largest count", "share of max", (1 / 3, 2 / 3), THREE_LEVELS)
ALTERNATIVE_RULES = (
    Binning("Quarter and 60% of the largest count", "share of max", (0.25, 0.6), THREE_LEVELS),
    Binning("Terciles of the panel's counts", "percentile", (1 / 3, 2 / 3), THREE_LEVELS),
    Binning("Share of the system's own references", "share of row", (0.2, 0.4), THREE_LEVELS),
    Binning("Fixed counts: 10 and 30 references", "count", (10, 30), THREE_LEVELS),
)
DASHBOARD_RULE = Binning("Quarters of the largest cell", "share of max", (0.25, 0.5, 0.75), FOUR_LEVELS)
DASHBOARD_ALTERNATIVES = (
    Binning("Fixed counts: 5, 10 and 20 references", "count", (5, 10, 20), FOUR_LEVELS),
    Binning("Quartiles of the 36 cells", "percentile", (0.25, 0.5, 0.75), FOUR_LEVELS),
    Binning("Quarters of each panel's largest cell", "share of max", (0.25, 0.5, 0.75), FOUR_LEVELS,
            per_panel=True),
)
PANELS = {"process": "system × process", "knowledge": "system × knowledge"}
LEVEL_CLAIMS = "khodakarami2014/level_claims.csv"


@validated
def load_propositions() -> pd.DataFrame:
    """Table 1's 21 propositions: ``system``, ``dimension`` (process or knowledge), ``target``
    and the predicted ``level`` (Low, Low/medium, Medium, Medium/high or High)."""
    table = data.read_csv("khodakarami2014/table1_propositions.csv")
    unknown = sorted(set(table["level"]) - set(SCORES))
    if unknown or len(table) != 21:
        raise InputError(f"table1_propositions.csv must hold 21 propositions with known levels; "
                         f"it has {len(table)} rows and unknown levels {unknown}")
    return table


@validated
def observed(counts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Table 7's two panels that Table 1 makes predictions for, without totals."""
    return {dim: tallies.crosstab(counts, "system", dim, totals=False) for dim in PANELS}


@validated
def compare(counts: pd.DataFrame, rule: Binning = BOOK_RULE) -> pd.DataFrame:
    """Each Table 1 proposition beside the level its count gets under ``rule``.

    Returns 21 rows: ``system``, ``dimension``, ``target``, ``predicted``, ``count``,
    ``observed``, ``agrees`` (observed level within the predicted range) and ``gap``
    (observed minus predicted, on the 0 = Low to 2 = High line; negative = less support than
    predicted).
    """
    panels = observed(counts)
    levels = {dim: rule.apply(panel) for dim, panel in panels.items()}
    rows = load_propositions().copy()
    rows["predicted"] = rows.pop("level")
    rows["count"] = [int(panels[d].loc[s, t]) for s, d, t in rows[["system", "dimension", "target"]].itertuples(index=False)]
    rows["observed"] = [levels[d].loc[s, t] for s, d, t in rows[["system", "dimension", "target"]].itertuples(index=False)]
    rows["agrees"] = [agrees(p, o) for p, o in zip(rows["predicted"], rows["observed"])]
    rows["gap"] = [score(o) - score(p) for p, o in zip(rows["predicted"], rows["observed"])]
    return rows


@validated
def agreement(counts: pd.DataFrame, rule: Binning = BOOK_RULE) -> pd.Series:
    """Share of propositions the counts agree with under ``rule``: for the process panel, the
    knowledge panel and all 21 together."""
    rows = compare(counts, rule)
    shares = rows.groupby("dimension")["agrees"].mean()
    return pd.Series({"process (12)": shares["process"], "knowledge (9)": shares["knowledge"],
                      "all (21)": rows["agrees"].mean()}, name=rule.name)


@validated
def agreement_grid(counts: pd.DataFrame, basis: str = "share of max",
                   steps: np.ndarray | None = None) -> pd.DataFrame:
    """Overall agreement for every pair of cut points (low < high) on ``basis``.

    ``steps`` are the candidate cut points (default 0.05 to 0.95 by 0.05, which suits the share
    and percentile bases). Returns a long table with ``low``, ``high`` and ``agreement``, the
    same numbers :func:`compare` gives for each rule, computed for all pairs at once.
    """
    steps = np.round(np.arange(0.05, 0.951, 0.05), 2) if steps is None else np.asarray(steps, dtype=float)
    rows = load_propositions()
    shape = Binning("grid", basis, (0.0, 1.0))  # only its basis is used here
    values = {dim: shape.values(panel) for dim, panel in observed(counts).items()}
    x = np.array([values[d].loc[s, t] for s, d, t in rows[["system", "dimension", "target"]].itertuples(index=False)])
    predicted = rows["level"].map(SCORES).to_numpy()
    pairs = np.array([p for p in itertools.combinations(steps, 2)])
    # observed level (0, 1, 2) = how many of the two cut points each value reaches
    level = (x[None, :] >= pairs[:, :1]).astype(int) + (x[None, :] >= pairs[:, 1:]).astype(int)
    share = (np.abs(level - predicted[None, :]) <= 0.5).mean(axis=1)
    return pd.DataFrame({"low": pairs[:, 0], "high": pairs[:, 1], "agreement": share})


@validated
def load_level_claims() -> pd.DataFrame:
    """The paper's prose statements that put a level on one cell of Table 7 (sections 5.3, 6.2
    and 7): ``claim_id``, ``section``, a short ``quote``, ``panel`` (process or knowledge),
    ``system``, ``target`` and ``claimed`` (Low, Medium, High, or ``none`` for "no comments")."""
    return data.read_csv(LEVEL_CLAIMS, dtype={"section": str})


@validated
def check_claims(counts: pd.DataFrame, rule: Binning = BOOK_RULE) -> pd.DataFrame:
    """Each prose claim beside the count and the level the count gets under ``rule``.

    A ``none`` claim holds when the count is 0; a level claim holds when the observed level is
    the claimed one. Adds ``count``, ``observed`` and ``holds``.
    """
    panels = observed(counts)
    levels = {dim: rule.apply(panel) for dim, panel in panels.items()}
    claims = load_level_claims()
    where = list(claims[["panel", "system", "target"]].itertuples(index=False))
    claims["count"] = [int(panels[p].loc[s, t]) for p, s, t in where]
    claims["observed"] = [levels[p].loc[s, t] for p, s, t in where]
    claims["holds"] = [(n == 0) if c == "none" else (o == c)
                       for c, n, o in zip(claims["claimed"], claims["count"], claims["observed"])]
    return claims


@validated
def dashboard(counts: pd.DataFrame, rule: Binning = DASHBOARD_RULE) -> dict[str, pd.DataFrame]:
    """Table 8's process panels (knowledge × system) as level codes (0 = lowest) under ``rule``.

    The rule's basis is taken over all 36 cells, unless ``rule.per_panel`` asks for each panel
    on its own.
    """
    panels = {process: tallies.crosstab(counts, "knowledge", "system", totals=False, where={"process": process})
              for process in tallies.PROCESSES}  # Table 8's process panels, without its Total panel
    if rule.per_panel:
        return {name: rule.codes(panel) for name, panel in panels.items()}
    wide = pd.concat(panels, axis=1)
    codes = rule.codes(wide)
    return {name: codes[name] for name in panels}


@validated
def dashboard_claims(counts: pd.DataFrame, rule: Binning = DASHBOARD_RULE) -> pd.Series:
    """Section 7's descriptions of Table 8, checked under ``rule``.

    Returns: the number of cells at the top level ("not many red areas"), the share of cells at
    the lowest level ("many more areas are yellow"), whether every knowledge-FROM cell is at the
    lowest level ("one table is all yellow"), and whether collaborative externalization of
    knowledge for and about customers is at the top level ("high scores").
    """
    codes = dashboard(counts, rule)
    top = len(rule.labels) - 1
    every = pd.concat(codes.values())
    from_cells = pd.concat([panel.loc[["from"]] for panel in codes.values()])
    ext = codes["externalization"]
    return pd.Series({
        "cells at the top level": int((every == top).to_numpy().sum()),
        "share of cells at the lowest level": float((every == 0).to_numpy().mean()),
        "knowledge FROM all at the lowest level": bool((from_cells == 0).to_numpy().all()),
        "collaborative externalization FOR and ABOUT at the top": bool(
            ext.loc["for", "collaborative"] == top and ext.loc["about", "collaborative"] == top),
    }, name=rule.name)
