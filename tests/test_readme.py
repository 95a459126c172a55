"""The README's Quick start holds exactly two commands, and CI runs the second one."""

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
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    commands = [line.removeprefix("exec ") for line in lines
                if not line.startswith(("set ", "cd "))]
    assert commands == [quick_start_commands()[1]]
