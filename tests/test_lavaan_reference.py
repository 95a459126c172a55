"""utils.lavaan_reference (chapter 21): lavaan's committed outputs, and the comparisons built on them.

Independent expectations: lavaan 0.6-14's own numbers (the committed files, written by the R
scripts beside them); semopy's documented defects as closed forms (its "log-likelihood" is
F_ML = χ²/N, its RMSEA divides by N − 1, its df counts the copied moments of observed exogenous
variables); and, for the bootstrap comparison, the spread of the book's interval ends over 100
seeds, against which lavaan's one run must look like another draw.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import semopy

from utils import lavaan_reference as ref
from utils import plots, sem


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return ref.dataset("HolzingerSwineford1939")


@pytest.fixture(scope="module")
def poldem() -> pd.DataFrame:
    return ref.dataset("PoliticalDemocracy")


def test_datasets_are_lavaans(hs, poldem):
    assert hs.shape[0] == 301 and {f"x{i}" for i in range(1, 10)} <= set(hs.columns)
    assert set(hs["school"]) == {"Pasteur", "Grant-White"}
    assert poldem.shape[0] == 75 and {"x1", "x2", "y1", "y5"} <= set(poldem.columns)


@pytest.mark.parametrize("name", list(ref.MODELS))
def test_every_model_string_reproduces_lavaans_fit(name, hs, poldem):
    data = hs if name.startswith("hs") else poldem
    book = sem.fit(ref.MODELS[name], data).fit_table
    lavaan = ref.fit_measures(name)
    assert book["chi2"] == pytest.approx(lavaan["chisq"], abs=0.01)
    assert book["df"] == lavaan["df"] and book["npar"] == lavaan["npar"]
    for ours, theirs in (("cfi", "cfi"), ("rmsea", "rmsea"), ("srmr", "srmr")):
        assert book[ours] == pytest.approx(lavaan[theirs], abs=0.001), ours


def test_paired_estimates_pair_covariances_in_either_order():
    book = pd.DataFrame({"lhs": ["f", "b"], "op": ["=~", "~~"], "rhs": ["x", "a"], "est": [1.0, 0.5]})
    lavaan = pd.DataFrame({"lhs": ["f", "a"], "op": ["=~", "~~"], "rhs": ["x", "b"], "est": [1.0, 0.4]})
    pairs = ref.paired_estimates(book, lavaan)
    assert len(pairs) == 2
    assert pairs.set_index("op").loc["~~", ["est_book", "est_lavaan"]].tolist() == [0.5, 0.4]
    assert ref.largest_differences(book, lavaan, columns=("est",))["est"] == pytest.approx(0.1)


def test_the_book_matches_lavaans_estimates(hs):
    differences = ref.largest_differences(sem.fit(ref.MODELS["hs_cfa"], hs).estimates, ref.estimates("hs_cfa"))
    assert differences.name == "24 parameters"
    assert (differences < 1e-5).all(), differences


def test_fit_comparison_shows_semopys_documented_defects(hs, poldem):
    model = semopy.Model(ref.MODELS["hs_cfa"])
    model.fit(hs, options={"ftol": 1e-12})
    book = sem.fit(ref.MODELS["hs_cfa"], hs)
    table = ref.fit_comparison(semopy.calc_stats(model), book.fit_table, ref.fit_measures("hs_cfa"))
    assert list(table.index) == list(ref.FIT_ROWS)
    chi2, df, n = book.fit_table["chi2"], book.fit_table["df"], book.fit_table["n"]
    # the book equals lavaan wherever both report a statistic
    both = table.dropna(subset=["book"])
    assert np.allclose(both["book"], both["lavaan"], rtol=1e-4, atol=1e-4)
    # semopy's "log-likelihood" is the fit function, and its RMSEA divides by N - 1
    assert table.loc["log-likelihood", "semopy"] == pytest.approx(chi2 / n, rel=1e-4)
    assert table.loc["RMSEA", "semopy"] == pytest.approx(np.sqrt((chi2 - df) / (df * (n - 1))), rel=1e-4)
    assert table.loc["GFI", "semopy"] == pytest.approx(table.loc["NFI", "lavaan"], abs=1e-4)
    # with observed exogenous variables semopy counts their 3 copied moments as data
    path = semopy.Model(ref.MODELS["poldem_path"])
    path.fit(poldem, options={"ftol": 1e-12})
    path_table = ref.fit_comparison(semopy.calc_stats(path), sem.fit(ref.MODELS["poldem_path"], poldem).fit_table,
                                    ref.fit_measures("poldem_path"))
    assert path_table.loc["df"].tolist() == [4.0, 1.0, 1.0]
    assert path_table.loc["CFI", "semopy"] > 1 >= path_table.loc["CFI", "book"]


def test_bootstrap_comparison_in_units_of_monte_carlo_error():
    lavaan = ref.bootstrap().loc["ind"]
    row = pd.Series({end: lavaan[end] + 0.01 for end in ("pct_low", "pct_high", "bc_low", "bc_high")}
                    | {f"{end}_mcse": 0.02 for end in ("pct_low", "pct_high", "bc_low", "bc_high")})
    table = ref.bootstrap_comparison(row)
    assert list(table.index) == ["percentile, lower", "percentile, upper", "BC, lower", "BC, upper"]
    assert np.allclose(table["difference"], 0.01)
    assert np.allclose(table["z"], 0.01 / (np.sqrt(2) * 0.02))


def test_lavaans_bootstrap_looks_like_another_run_of_the_books(poldem):
    # 100 seeds of the book's bootstrap (5,000 resamples each) give each interval end's mean and
    # between-seed SD. lavaan's one run (its own resamples) must lie within 3 such SDs of the mean
    # (a fair run does with probability > 0.99); and the Monte Carlo SE the table reports for a
    # percentile end must match the between-seed SD (an SD from 100 values is within ±25% of the
    # truth with probability > 0.99).
    runs = pd.concat([sem.indirect_effects(ref.MODELS["poldem_path"], poldem, ("x1", "y1", "y5"), n_boot=5000, seed=s)
                      for s in range(100)], ignore_index=True)
    lavaan = ref.bootstrap().loc["ind"]
    for end in ("pct_low", "pct_high", "bc_low", "bc_high"):
        assert abs(lavaan[end] - runs[end].mean()) < 3 * runs[end].std(), end
    for end in ("pct_low", "pct_high"):
        assert runs[f"{end}_mcse"].mean() == pytest.approx(runs[end].std(), rel=0.25), end
    # The BC ends' reported Monte Carlo SE leaves out the error of the bias correction z0, so
    # they vary more between seeds than reported (about a quarter more over 200 seeds; an SD
    # from 100 values is within ±7% of the truth, so "more" holds by over 3 of its SEs). The
    # chapter says so.
    for end in ("bc_low", "bc_high"):
        assert runs[end].std() > runs[f"{end}_mcse"].mean(), end


def test_bad_input_is_named(hs):
    with pytest.raises(ValueError, match=r"name must be one of 'HolzingerSwineford1939', 'PoliticalDemocracy', got 'iris'"):
        ref.dataset("iris")
    with pytest.raises(ValueError, match=r"name must be one of .*'hs_cfa'.*, got 'hs'"):
        ref.fit_measures("hs")
    with pytest.raises(ValueError, match=r"book must have the columns lhs, op and rhs .* lacks rhs"):
        ref.paired_estimates(pd.DataFrame({"lhs": ["a"], "op": ["~"]}), ref.estimates("hs_cfa"))
    with pytest.raises(ValueError, match=r"columns: 'z2' is not a column of both tables"):
        ref.largest_differences(sem.fit(ref.MODELS["hs_cfa"], hs).estimates, ref.estimates("hs_cfa"), columns=("z2",))
    with pytest.raises(ValueError, match=r"book lacks pct_low, pct_low_mcse"):
        ref.bootstrap_comparison(pd.Series({"pct_high": 1.0}))
    with pytest.raises(ValueError, match=r"effect must be one of 'ind', 'direct_a', got 'total'"):
        ref.bootstrap_comparison(pd.Series({c: 0.1 for c in ("pct_low", "pct_high", "bc_low", "bc_high",
                                                           "pct_low_mcse", "pct_high_mcse", "bc_low_mcse",
                                                           "bc_high_mcse")}), effect="total")


def test_sem_figures_have_titles_and_labels(hs):
    fits = {"three factors": sem.fit(ref.MODELS["hs_cfa"], hs),
            "one factor": sem.fit("g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9", hs)}
    table = pd.DataFrame({name: f.fit_table for name, f in fits.items()}).T
    figures = [
        plots.sem_cfa_diagram({"visual": ["x1", "x2", "x3"], "speed": ["x7", "x8", "x9"]}, title="cfa"),
        plots.sem_path_diagram({"x": (0, 0, "x", "observed"), "m": (1, 1, "m", "latent"), "y": (2, 0, "y", "observed")},
                               {("x", "m"): "0.5", ("m", "y"): None, ("x", "y"): "0.1"},
                               covariances=[("x", "y", "r")], title="paths"),
        plots.sem_fit_indices(table, title="fit"),
    ]
    for fig in figures:
        axes = fig.get_axes()
        assert axes and (fig.get_suptitle() or axes[0].get_title())
        plt.close(fig)
    fit_axes = figures[2].get_axes()
    assert all(ax.get_xlabel() for ax in fit_axes)
