"""The stored results of utils.infusion.cache are what the code computes now.

Each stored file (data/chen2021/cache/) is recomputed and compared (text exactly, numbers within
1e-5, the optimizer's precision): a change to the data, the models or utils.sem that moves a
stored number fails here with the command that rewrites the files. Recomputing takes a few multi-group fits per result (about
15 s each on the book's machine); this is the price of chapters that read the results in
milliseconds.
"""

from __future__ import annotations

import pytest

from utils import data
from utils.infusion import cache

REWRITE = "run `python -m utils.infusion.cache --write` from the repository root"


@pytest.mark.parametrize("name", list(cache.RESULTS))
def test_stored_result_is_current(name):
    assert f"{cache.CACHE_DIR}/{name}.csv" in data.manifest(), f"{name} is not stored; {REWRITE}"
    problem = cache.stale(name)
    assert problem == "", f"{problem}; {REWRITE}"


def test_unknown_result_is_named():
    with pytest.raises(ValueError, match="unknown stored result 'equality'"):
        cache.load("equality")
