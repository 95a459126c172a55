"""The book's shared code. Chapters import from here; tests in ``tests/`` cover every module.

Modules (each holds one idea):

- ``utils.data``: where each data file is, its checksum, how it loads.

Importing ``utils`` checks the environment first, so that a missing package gives one clear
sentence rather than an ImportError deep inside a chapter.
"""

from utils._environment import check_environment

check_environment()
