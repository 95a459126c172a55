"""The book's exception types, so a reader (and a test) can tell the book's own refusals from a
bug: every error that ``utils`` raises on purpose is a :class:`BookError`.

- :class:`InputError` — an argument that is not what the function takes (a seed of -1, a
  replicate count of 2.5, ``likert="no"``, a string where a list of names goes, a frame with a
  missing, text or constant column, missing values). It subclasses ``ValueError`` so code that
  catches ``ValueError`` keeps working.
- The modules' own errors (``utils.data.DataError``, ``utils.tallies.TallyError``,
  ``utils.levels.BinningError``, ``utils.sem.SemError``, ``utils.pls.PlsError``,
  ``utils.exercises.AnswerError``) subclass :class:`BookError` and ``ValueError`` too.

Warnings stay warnings (``SemWarning``, ``PlsWarning``, ``LoglinearWarning``)."""

from __future__ import annotations


class BookError(Exception):
    """Base of every error the book's code raises on purpose; the message is one sentence that
    names the argument, the value given and what was expected."""


class InputError(BookError, ValueError):
    """An argument outside what the function takes."""


class InputTypeError(InputError, TypeError):
    """An argument of the wrong type (a list where a DataFrame goes, a float where a fit result
    goes); also a ``TypeError`` for code that catches that."""


class ConvergenceError(BookError, RuntimeError):
    """A fit or a resample that did not converge on the data given."""
