"""kg as a new user gets it: the wheel, installed (not editable) in a fresh venv, run outside the repository.

Every other test runs on the editable install of ``make install-test``, which
finds the repository's files whether or not the wheel holds them: a wheel
without the ontology or a lexicon once built graphs of 0 entities and exited 0.
Here the wheel is built from the repository's files (tracked and not ignored,
copied, so the work tree gets no ``build/``), installed with its dependencies
(from pip's cache once they have been fetched) into a new virtual environment,
and ``kg build``, ``kg query`` and ``kg validate`` run from a temporary folder.

Run alone: ``make test-install`` (or ``pytest -m install``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS

#: Sources that setuptools compiles into extension modules rather than ships.
COMPILED_SOURCES = (".pyx", ".pxd", ".c", ".h")
#: Long enough for a cold pip cache on a slow link; only there so a hung pip cannot hang CI.
TIMEOUT = 1200


def _project_files() -> list[str]:
    """The repository's files that a clean clone (plus work not yet committed) holds."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return sorted(name for name in out.decode("utf-8").split("\0") if name and (ROOT / name).is_file())


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_every_folder_of_kg_is_a_listed_package():
    tomllib = pytest.importorskip("tomllib")
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {"kg"} | {
        "kg." + ".".join(p.relative_to(ROOT / "kg").parts)
        for p in (ROOT / "kg").rglob("*")
        if p.is_dir() and p.name != "__pycache__" and any(f.is_file() for f in p.iterdir())
    }
    folders |= {"kg.ontology", "kg.ontology.queries"}
    assert folders - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(wheel, environment variables, venv python)`` of kg installed from its wheel in a new venv."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    for name in _project_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp / "dist"), str(src)])
    (wheel,) = (tmp / "dist").glob("kg-*.whl")

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", str(wheel)])

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["KG_RESOURCE_CACHE"] = str(tmp / "resources")
    return wheel, env, python


@pytest.mark.install
def test_the_wheel_holds_every_file_of_kg_and_the_ontology(installed):
    wheel = installed[0]
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    expected = set()
    for name in _project_files():
        if name.startswith("kg/") and not name.endswith(COMPILED_SOURCES):
            expected.add(name)
        elif name.startswith("ontology/"):
            expected.add("kg/" + name)
    assert {"kg/py.typed", "kg/ontology/shapes.ttl", "kg/lexicon/org_suffixes.tsv"} <= expected
    assert expected - names == set(), f"missing from {wheel.name}"
    assert not [n for n in names if n.startswith("ontology/")], "the ontology belongs inside kg"


@pytest.mark.install
def test_the_installed_kg_builds_queries_and_validates_outside_the_repository(installed, tmp_path):
    _, env, python = installed
    where = _run(
        [
            str(python),
            "-c",
            "import importlib.util, json, kg, kg._files as f; print(json.dumps([kg.__file__, str(f.ontology_dir()),"
            " str(f.data_dir()), importlib.util.find_spec('jionlp') is None]))",
        ],
        cwd=tmp_path,
        env=env,
    )
    kg_file, ontology, data, no_jionlp = json.loads(where.stdout)
    site = Path(python).parent.parent / "lib"
    for path in (kg_file, ontology, data):
        assert Path(path).is_relative_to(site), f"{path} is not the installed copy"
    assert no_jionlp, "jionlp is only for scripts/build_places.py; kg must not pull it in"

    build = _run(["kg", "build", str(SEEDS), "--out", "exports", "--strict", "--no-progress"], cwd=tmp_path, env=env)
    assert "entities:" in build.stdout
    graph = json.loads((tmp_path / "exports" / "graph.json").read_text(encoding="utf-8"))
    found = {(n["type"], n["label"]) for n in graph["nodes"]}
    assert {("Agency", "河北省科学技术厅"), ("Person", "龙奋杰"), ("Place", "唐山市")} <= found
    assert len(found) > 100 and len(graph["edges"]) > 50
    assert json.loads((tmp_path / "exports" / "report.json").read_text())["failed"] == []
    assert "new vis.Network" in (tmp_path / "exports" / "graph.html").read_text(encoding="utf-8")

    query = _run(
        ["kg", "query", "officials_by_agency", "--param", "agency=省科技厅", "--format", "json"], cwd=tmp_path, env=env
    )
    rows = json.loads(query.stdout)
    assert any(r["organization"] == "河北省科学技术厅" and r["person"] == "龙奋杰" for r in rows), rows

    validate = _run(["kg", "validate"], cwd=tmp_path, env=env)
    assert "exports/graph.ttl: conforms to shapes.ttl" in validate.stdout
