"""Every data file matches its checksum in data/MANIFEST.sha256, and utils.data refuses others."""

from __future__ import annotations

import shutil

import pytest

from utils import data


def test_every_data_file_matches_the_manifest():
    assert data.verify() == []
    assert len(data.manifest()) == len(data.data_files()) > 0


@pytest.fixture()
def copy_of_data(tmp_path, monkeypatch):
    """utils.data pointed at a scratch copy of data/, so a test can damage it."""
    shutil.copytree(data.DATA_DIR, tmp_path / "data")
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(data, "MANIFEST", tmp_path / "data" / "MANIFEST.sha256")
    return tmp_path / "data"


def test_a_changed_file_is_refused_by_name(copy_of_data):
    name = sorted(data.manifest())[0]
    with (copy_of_data / name).open("a") as handle:
        handle.write("\n")
    with pytest.raises(data.DataError, match=rf"data file '{name}' has changed"):
        data.path(name)
    assert data.verify()[0].startswith(f"{name}: checksum")


def test_unknown_missing_and_unlisted_files_are_reported(copy_of_data):
    with pytest.raises(data.DataError, match=r"unknown data file 'nope\.csv'; known files: "):
        data.path("nope.csv")
    name = sorted(data.manifest())[0]
    (copy_of_data / name).unlink()
    (copy_of_data / "extra.csv").write_text("a\n1\n")
    with pytest.raises(data.DataError, match="listed in the manifest but missing"):
        data.path(name)
    assert data.verify() == [f"{name}: listed in the manifest but missing",
                             "extra.csv: in data/ but not in the manifest"]


def test_a_malformed_manifest_line_is_named(copy_of_data):
    (copy_of_data / "MANIFEST.sha256").write_text("not a checksum line\n")
    with pytest.raises(data.DataError, match=r"line 1 is not '<sha256>  <path>'"):
        data.manifest()
