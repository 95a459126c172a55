"""The README's Quick start holds exactly two commands, and CI runs the second one (after
installing the browser the tests need, where it is missing)."""

from __future__ import annotations

import re

from bookcli import ROOT


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_quick_start_is_two_commands_build_then_test():
    assert quick_start_commands() == ["python3 tools/book.py build", "python3 tools/book.py test"]


def test_ci_runs_the_readme_test_command_and_nothing_else():
    text = (ROOT / ".ci" / "run").read_text()
    # the one addition: install Debian's Chromium for the browser tests when it is missing
    install = re.search(r"^if \[ ! -x /usr/bin/chromium \] .*?^fi\n", text, flags=re.S | re.M)
    assert install and "apt-get install -y -qq chromium chromium-driver" in install.group(0)
    assert '\nexport CI="${CI:-true}"' in text  # so that a missing browser fails rather than skips
    lines = [line.strip() for line in text.replace(install.group(0), "").splitlines()
             if line.strip() and not line.startswith("#")]
    commands = [line.removeprefix("exec ") for line in lines
                if not line.startswith(("set ", "cd ", "export CI="))]
    assert commands == [quick_start_commands()[1]]
