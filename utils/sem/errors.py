"""The errors and warnings of utils.sem: each message says what went wrong and where."""

from utils.errors import BookError


class SemError(BookError, ValueError):
    """A model or data set that cannot be fitted: names in the model missing from the data, a
    constant or missing column, fewer cases than parameters, a covariance matrix that is not
    positive definite, a fit that did not converge."""


class SemWarning(UserWarning):
    """A fit that ran but whose result needs care (for example a Heywood case)."""
