"""The model description as semopy should see it: one order whatever the hash seed.

semopy frees the covariances of exogenous latent variables itself, iterating over a Python set
(``itertools.combinations`` of ``vars["exogenous"] & vars["latent"]``), so which of two factors
is written first (``visual ~~ textual`` or ``textual ~~ visual``) and the order in which these
parameters are created changed with PYTHONHASHSEED: estimates tables changed row order and
orientation between runs, and the optimizer, starting from a reordered parameter vector, ended
in different last digits. :func:`canonical` writes those covariances out, in lavaan's order and
orientation (factors in order of first appearance, the earlier on the left), so semopy finds
them already written and creates every parameter in the order of the description.
"""

from __future__ import annotations

from itertools import combinations
from utils._checks import validated


@validated
def exogenous_latents(desc: str) -> list[str]:
    """The latent variables of ``desc`` that no regression or measurement points to, in order
    of first appearance."""
    from semopy.parser import parse_desc

    ops, _ = parse_desc(desc)
    latents = list(ops.get("=~", {}))
    indicators = {v for rights in ops.get("=~", {}).values() for v in rights}
    outcomes = set(ops.get("~", {}))
    return [v for v in latents if v not in outcomes and v not in indicators]


@validated
def canonical(desc: str) -> str:
    """``desc`` with a line ``a ~~ b`` for every pair of exogenous latent variables whose
    covariance it does not write itself (semopy frees these anyway; lavaan's order)."""
    from semopy.parser import parse_desc

    ops, _ = parse_desc(desc)
    written = {(lhs, rhs) for lhs, rights in ops.get("~~", {}).items() for rhs in rights}
    extra = [f"{a} ~~ {b}" for a, b in combinations(exogenous_latents(desc), 2)
             if (a, b) not in written and (b, a) not in written]
    return desc if not extra else desc.rstrip("\n") + "\n" + "\n".join(extra) + "\n"
