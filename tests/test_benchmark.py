"""The benchmark's history file: rows appended, the previous run on the same machine found."""

import benchmark
import pytest


def test_history_round_trip_finds_the_newest_run_on_the_same_machine(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmark, "HISTORY", tmp_path / "history.csv")
    assert benchmark.previous_totals("m 2 cores") == {}
    row = {"commit": "abc", "kernel": 1.0, "imports": 2.0, "work": 3.0, "total": 6.0}
    benchmark.append_history([{"date": "2026-01-01T00:00:00", "machine": "m 2 cores", "what": "a", **row},
                              {"date": "2026-01-01T00:00:00", "machine": "other", "what": "a", **row}])
    benchmark.append_history([{"date": "2026-01-02T00:00:00", "machine": "m 2 cores", "what": "a",
                               **dict(row, total=7.5)}])
    assert benchmark.previous_totals("m 2 cores") == {"a": 7.5}
    assert benchmark.previous_totals("nowhere") == {}
    header = (tmp_path / "history.csv").read_text().splitlines()[0]
    assert header == ",".join(benchmark.HISTORY_COLUMNS)


def test_marks_follow_the_guide():
    assert benchmark.verdict(9.0, 10.0, 20.0) == "ok"
    assert benchmark.verdict(12.0, 10.0, 20.0) == "over 10 s target"
    assert benchmark.verdict(21.0, 10.0, 20.0).startswith("OVER")


def test_only_chooses_notebooks_by_path_text():
    assert benchmark.chosen(["--no-build", "--only", "01_", "--only", "12_"]) == ["01_", "12_"]
    assert benchmark.chosen(["--no-build"]) == []
    with pytest.raises(SystemExit, match="--only needs a text"):
        benchmark.chosen(["--only"])


def test_kernel_cpu_is_zero_without_a_process():
    class Client:
        km = None

    assert benchmark.kernel_cpu_seconds(Client()) == 0.0


def test_repeat_reads_a_whole_number_of_runs():
    assert benchmark.repeats(["--no-build"]) == 1
    assert benchmark.repeats(["--repeat", "3", "--no-build"]) == 3
    for bad in (["--repeat"], ["--repeat", "0"], ["--repeat", "two"]):
        with pytest.raises(SystemExit, match="--repeat needs a whole number"):
            benchmark.repeats(bad)
