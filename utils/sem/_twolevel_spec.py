"""Two-level model syntax and the parameter table lavaan builds from it (private to utils.sem).

:func:`parse` reads lavaan's two-level syntax (``level: 1`` and ``level: 2`` blocks holding
``=~``, ``~``, ``~~`` and ``~ 1`` statements, modifiers ``label*x``, ``0.5*x`` and ``NA*x``) into
:class:`Term` rows. :func:`level_roles` names each level's observed, latent and exogenous
variables the way lavaan 0.6's ``lav_partable_vnames`` does, and :func:`parameter_rows` adds
lavaan's ``sem()`` defaults to the user's terms:

- the first loading of every factor fixed at 1 (unless the term fixes it or frees it with
  ``NA*``); the residual variance of a factor's single indicator fixed at 0;
- residual variances of every observed non-exogenous and every latent variable free;
- covariances among exogenous latent variables free, and among "purely dependent" variables
  (regressed on something, predicting nothing, indicating nothing; ``auto.cov.y``) free;
- observed exogenous variables (``fixed.x``): their variances, covariances and means fixed at
  values taken from the data (the caller supplies them);
- intercepts: at level 1 fixed at 0 for variables that also appear at level 2 (their mean lives
  at level 2), free for within-only variables; at level 2 free; latent means fixed at 0.

Each row says where its parameter sits in the RAM matrices of its level: ``A`` (regressions and
loadings, ``A[outcome, predictor]``), ``S`` (variances and covariances) or ``m`` (intercepts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from utils.sem.errors import SemError

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_LEVEL = re.compile(r"^level\s*:\s*(\S+)\s*$", flags=re.IGNORECASE)
_LEVEL_NAMES = {"1": 1, "within": 1, "2": 2, "between": 2}
_UNSUPPORTED = (":=", "==", "<~", "|", "<", ">")


@dataclass(frozen=True)
class Term:
    """One term of the model description: ``lhs op rhs`` at ``level`` (1 or 2), with its
    ``label`` ("" if none), ``fixed`` value (None if free) and whether ``NA*`` freed it."""

    level: int
    lhs: str
    op: str  # "=~", "~", "~~" or "~1"
    rhs: str  # "" for "~1"
    label: str = ""
    fixed: float | None = None
    free_forced: bool = False


def _statements(desc: str) -> list[tuple[int, str]]:
    """(line number, statement) pairs: comments dropped, ``;`` split, continued lines joined."""
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(desc.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0].strip()
        for part in (p.strip() for p in line.split(";")):
            if not part:
                continue
            continues = out and (out[-1][1].endswith(("+", "~", "*", "=~", "~~")) or part.startswith("+"))
            if continues and not _LEVEL.match(part):
                out[-1] = (out[-1][0], out[-1][1] + " " + part)
            else:
                out.append((number, part))
    return out


def _modifiers(term: str, where: str) -> tuple[str, str, float | None, bool]:
    """(name, label, fixed value, NA-freed) of one right-hand term such as ``a*x2``."""
    parts = [p.strip() for p in term.split("*")]
    name, mods = parts[-1], parts[:-1]
    label, fixed, forced = "", None, False
    for mod in mods:
        if _NUMBER.match(mod):
            fixed = float(mod)
        elif mod == "NA":
            forced = True
        elif mod.startswith(("c(", "start(", "equal(", "label(", "lower(", "upper(")):
            raise SemError(
                f"{where}: the modifier {mod!r} is not supported by fit_twolevel (write a plain label such as "
                "a*x, a number such as 1*x, or NA*x; hold parameters equal across groups with equal=)"
            )
        elif _NAME.match(mod):
            label = mod
        else:
            raise SemError(f"{where}: cannot read the modifier {mod!r} in {term!r}")
    return name, label, fixed, forced


def parse(desc: str) -> list[Term]:
    """The terms of a two-level model description; SemError (naming the line) for anything it
    cannot read: a statement before the first ``level:`` line, an unknown level, an operator
    other than ``=~``, ``~``, ``~~`` (``:=``, ``==``, ``<~``, ``|``, ``<``, ``>`` are not
    supported), a name that is not a valid identifier, or a missing level block."""
    if not isinstance(desc, str) or not desc.strip():
        raise SemError("desc must be a non-empty model description in lavaan syntax")
    level: int | None = None
    seen: list[int] = []
    terms: list[Term] = []
    for number, statement in _statements(desc):
        where = f"line {number} ({statement!r})"
        match = _LEVEL.match(statement)
        if match:
            key = match.group(1).lower()
            if key not in _LEVEL_NAMES:
                raise SemError(f"{where}: unknown level {match.group(1)!r}; write 'level: 1' or 'level: 2'")
            level = _LEVEL_NAMES[key]
            if level in seen:
                raise SemError(f"{where}: level {level} is declared twice; put all its statements in one block")
            seen.append(level)
            continue
        if level is None:
            raise SemError(
                f"{where} comes before any 'level: 1' / 'level: 2' line; a two-level model puts every "
                "statement under one of them (use utils.sem.fit for a one-level model)"
            )
        for op in _UNSUPPORTED:
            if op in statement:
                raise SemError(f"{where}: the operator {op!r} is not supported by fit_twolevel "
                               "(it fits =~, ~, ~~ and ~ 1 statements)")
        found = re.match(r"^(.+?)\s*(=~|~~|~)\s*(.+)$", statement)
        if not found:
            raise SemError(f"{where}: not a model statement (expected =~, ~ or ~~)")
        lhs_part, op, rhs_part = found.groups()
        lefts = [s.strip() for s in lhs_part.split("+")]
        for lhs in lefts:
            if not _NAME.match(lhs):
                raise SemError(f"{where}: {lhs!r} is not a valid variable name")
        for piece in (s.strip() for s in rhs_part.split("+")):
            if not piece:
                raise SemError(f"{where}: an empty term (two '+' in a row, or a trailing '+')")
            name, label, fixed, forced = _modifiers(piece, where)
            term_op = op
            if op == "~" and name == "1":
                term_op, name = "~1", ""
            elif not _NAME.match(name):
                raise SemError(f"{where}: {name!r} is not a valid variable name")
            if op == "=~" and name == "1":
                raise SemError(f"{where}: a factor cannot load on '1'")
            for lhs in lefts:
                terms.append(Term(level, lhs, term_op, name, label, fixed, forced))
    missing = [lv for lv in (1, 2) if lv not in seen]
    if missing:
        raise SemError(
            f"the model has no 'level: {missing[0]}' block; a two-level model needs both "
            "(use utils.sem.fit for a one-level model)"
        )
    empty = [lv for lv in (1, 2) if not any(t.level == lv for t in terms)]
    if empty:
        raise SemError(f"the 'level: {empty[0]}' block has no statements")
    return terms


# --------------------------------------------------------------------------- variables


@dataclass
class LevelRoles:
    """The variables of one level: ``observed`` (lavaan's order: indicators, dependent,
    exogenous, others), ``latent``, ``exogenous`` (observed exogenous, whose moments are fixed:
    lavaan's ``ov.x``), ``latent_exogenous`` (``lv.x``) and ``pure_dependent`` (``ov.y`` and
    ``lv.y``: regressed on something, predicting and indicating nothing)."""

    observed: list[str]
    latent: list[str]
    exogenous: list[str]
    latent_exogenous: list[str]
    pure_dependent: list[str]
    indicators_of: dict[str, list[str]] = field(default_factory=dict)


def _unique(names) -> list[str]:
    out: list[str] = []
    for n in names:
        if n and n not in out:
            out.append(n)
    return out


def level_roles(terms: list[Term]) -> dict[int, LevelRoles]:
    """Each level's variables, as lavaan's ``lav_partable_vnames`` sorts them."""
    dependent_anywhere = {t.lhs for t in terms if t.op == "~"}
    roles = {}
    for level in (1, 2):
        mine = [t for t in terms if t.level == level]
        latent = _unique(t.lhs for t in mine if t.op == "=~")
        indicators = _unique(t.rhs for t in mine if t.op == "=~")
        eqs_y = _unique(t.lhs for t in mine if t.op == "~")
        eqs_x = _unique(t.rhs for t in mine if t.op == "~")
        ov_ind = [v for v in indicators if v not in latent]
        ov_y = [v for v in eqs_y if v not in latent and v not in ov_ind]
        blocked = dependent_anywhere if level == 2 else set(ov_y)
        ov_x = [v for v in eqs_x if v not in latent and v not in ov_ind and v not in blocked]
        named = _unique([t.lhs for t in mine if t.op in ("~~", "~1")] + [t.rhs for t in mine if t.op == "~~"])
        ov_x = [v for v in ov_x if v not in named]  # lavaan: a (co)variance or intercept makes it random
        extra = [v for v in named if v not in latent]
        observed = _unique(ov_ind + ov_y + [v for v in eqs_x if v not in latent] + extra)
        for v in latent:
            if v in observed:
                raise SemError(f"level {level}: {v!r} is used both as a factor and as an observed variable")
        lv_x = [v for v in latent if v not in indicators and v not in eqs_y]
        pure = [v for v in observed + latent if v in eqs_y and v not in indicators and v not in eqs_x]
        pure = [v for v in observed if v in pure] + [v for v in latent if v in pure]
        indicators_of = {f: [t.rhs for t in mine if t.op == "=~" and t.lhs == f] for f in latent}
        roles[level] = LevelRoles(observed, latent, ov_x, lv_x, pure, indicators_of)
    return roles


# --------------------------------------------------------------------------- parameter rows


@dataclass
class Row:
    """One parameter of one level: where it sits (``matrix`` "A", "S" or "m" and its indices in
    the level's variable list ``observed + latent``), whether it is ``free``, its ``value``
    (the fixed value, or NaN when the caller must supply it: exogenous moments), a ``label``,
    and ``exo`` (True for the fixed moments of observed exogenous variables)."""

    level: int
    lhs: str
    op: str
    rhs: str
    label: str
    free: bool
    value: float
    matrix: str
    i: int
    j: int
    exo: bool = False
    user: bool = True


def parameter_rows(terms: list[Term], roles: dict[int, LevelRoles],
                   both: set[str]) -> list[Row]:
    """The parameter table of the model: the user's terms and lavaan's defaults (module
    docstring). ``both`` holds the observed variables named at both levels."""
    rows: list[Row] = []
    for level in (1, 2):
        r = roles[level]
        names = r.observed + r.latent
        index = {v: i for i, v in enumerate(names)}
        mine = [t for t in terms if t.level == level]
        seen: set[tuple[str, str, str]] = set()

        def add(lhs, op, rhs, label, free, value, matrix, i, j, exo=False, user=True):
            key = (lhs, op, rhs) if op != "~~" else tuple(sorted((lhs, rhs))) + ("~~",)
            if key in seen:
                raise SemError(f"level {level}: the parameter {lhs} {op} {rhs} is specified twice")
            seen.add(key)
            rows.append(Row(level, lhs, op, rhs, label, free, value, matrix, i, j, exo, user))

        first_loading = {f: inds[0] for f, inds in r.indicators_of.items()}
        for t in (t for t in mine if t.op == "=~"):
            marker = first_loading[t.lhs] == t.rhs and t.fixed is None and not t.free_forced
            fixed = 1.0 if marker else t.fixed
            add(t.lhs, "=~", t.rhs, t.label, fixed is None, fixed if fixed is not None else float("nan"),
                "A", index[t.rhs], index[t.lhs])
        for t in (t for t in mine if t.op == "~"):
            add(t.lhs, "~", t.rhs, t.label, t.fixed is None, t.fixed if t.fixed is not None else float("nan"),
                "A", index[t.lhs], index[t.rhs])
        for t in (t for t in mine if t.op == "~~"):
            add(t.lhs, "~~", t.rhs, t.label, t.fixed is None, t.fixed if t.fixed is not None else float("nan"),
                "S", index[t.lhs], index[t.rhs])
        for t in (t for t in mine if t.op == "~1"):
            add(t.lhs, "~1", "", t.label, t.fixed is None, t.fixed if t.fixed is not None else float("nan"),
                "m", index[t.lhs], -1)

        def has(lhs, op, rhs=""):
            key = (lhs, op, rhs) if op != "~~" else tuple(sorted((lhs, rhs))) + ("~~",)
            return key in seen

        single = {inds[0] for f, inds in r.indicators_of.items() if len(inds) == 1 and inds[0] not in r.latent}
        for v in [v for v in r.observed if v not in r.exogenous] + r.latent:
            if not has(v, "~~", v):
                zero = v in single
                add(v, "~~", v, "", not zero, 0.0 if zero else float("nan"), "S", index[v], index[v], user=False)
        for group in (r.latent_exogenous, r.pure_dependent):
            for a_pos, a in enumerate(group):
                for b in group[a_pos + 1:]:
                    if not has(a, "~~", b):
                        add(a, "~~", b, "", True, float("nan"), "S", index[a], index[b], user=False)
        for a_pos, a in enumerate(r.exogenous):
            for b in r.exogenous[a_pos:]:
                add(a, "~~", b, "", False, float("nan"), "S", index[a], index[b], exo=True, user=False)
        for v in r.observed:
            if has(v, "~1"):
                continue
            if v in r.exogenous:
                add(v, "~1", "", "", False, float("nan"), "m", index[v], -1, exo=True, user=False)
            elif level == 1 and v in both:
                add(v, "~1", "", "", False, 0.0, "m", index[v], -1, user=False)
            else:
                add(v, "~1", "", "", True, float("nan"), "m", index[v], -1, user=False)
        for v in r.latent:
            if not has(v, "~1"):
                add(v, "~1", "", "", False, 0.0, "m", index[v], -1, user=False)
    return rows
