"""`import utils` finds the book's package from the repository root and from chapters/, even when
another package called `utils` is installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bookcli import ROOT

PROBE = "import utils, utils.data; print(utils.__file__); print(utils.data.DATA_DIR)"


@pytest.fixture()
def impostor(tmp_path):
    """A site-packages-like folder holding another package named `utils`."""
    fake = tmp_path / "site" / "utils"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('the wrong utils package was imported')\n")
    return fake.parent


@pytest.mark.parametrize("folder", ["chapters", "."])
def test_kernel_working_directory_finds_the_books_utils(folder, impostor):
    # Jupyter, nbmake and jupyter-book start a kernel in the notebook's folder with that folder
    # first on sys.path; `python -c` in the same folder does the same.
    env = {"PYTHONPATH": str(impostor), "PATH": ""}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT / folder, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    module_file, data_dir = result.stdout.split()
    assert module_file == str(ROOT / "utils" / "__init__.py")
    assert data_dir == str(ROOT / "data")


def test_a_kernel_started_in_chapters_beats_an_installed_utils(tmp_path, monkeypatch):
    """A real Jupyter kernel, whose Python has another `utils` installed in its site-packages."""
    import json
    import sysconfig
    import venv

    from jupyter_client.manager import start_new_kernel

    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "utils").mkdir()
    (site / "utils" / "__init__.py").write_text("raise ImportError('the wrong utils package was imported')\n")
    (site / "book.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # ipykernel and the rest
    spec = tmp_path / "kernels" / "impostor"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "x", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))

    manager, client = start_new_kernel(kernel_name="impostor", cwd=str(ROOT / "chapters"))
    outputs: list[dict] = []
    try:
        reply = client.execute_interactive("import utils; print(utils.__file__)", timeout=60,
                                           output_hook=outputs.append)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    printed = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    assert reply["content"]["status"] == "ok", outputs
    assert printed.strip() == str(ROOT / "utils" / "__init__.py")


HEAVY = ("matplotlib", "seaborn", "scipy.stats", "statsmodels", "semopy", "sklearn", "sympy", "ipywidgets")


def test_plots_and_widgets_load_their_submodules_on_first_use():
    """`from utils import plots, widgets` stays light (checked by which modules get imported, not
    by a clock); the first use of a name imports its submodule and the heavy libraries it needs."""
    probe = ("import sys; from utils import plots, widgets; "
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules)); "
             "plots.ca_map; print('matplotlib' in sys.modules, 'utils.plots.tallies' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    light, used = result.stdout.splitlines()
    assert light == "[]"
    assert used == "True True"


def test_every_exported_name_is_reachable_and_unique():
    from utils import _lazy, plots, widgets

    for package in (plots, widgets):
        index = _lazy.exports(Path(package.__file__).parent)
        assert index and sorted(index) == package.__all__
        for name in index:
            assert getattr(package, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'no_such_plot'"):
        plots.no_such_plot
