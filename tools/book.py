"""Build, test and time the book: ``python3 tools/book.py build | test | assignments | benchmark``.

This file only checks the Python version, in syntax that even old interpreters can read, so that
running it with the wrong Python gives a sentence instead of a SyntaxError. The work is done in
``bookcli.py`` beside it.
"""
import os
import sys

if sys.version_info < (3, 11):
    sys.stderr.write(
        "This book needs Python 3.11 or newer, but this is Python %d.%d (%s).\n"
        "Install Python 3.11 and run the same command with it, for example:\n"
        "    python3.11 tools/book.py %s\n"
        % (sys.version_info[0], sys.version_info[1], sys.executable, " ".join(sys.argv[1:]) or "build")
    )
    sys.exit(2)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bookcli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
