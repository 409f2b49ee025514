"""The gazetteer reads kg's own tables, made from jionlp's by scripts/build_places.py."""

from __future__ import annotations

import functools
import importlib.util
import shutil
import sys
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import _files
from kg.places import COUNTRIES, DIVISIONS, Gazetteer, Place, _key, _read_divisions, gazetteer

from .conftest import ROOT, SEEDS

# jionlp's layout: NAME<TAB>CODE<TAB>SHORT (or NAME alone), one tab of indent per level, CRLF.
CHINA_LOCATION = (
    "河北省\t130000\t河北\r\n"
    "\t唐山市\t130200\t唐山\r\n"
    "\t\t玉田县\t130229\t玉田\r\n"
    "\t\t\t彩虹镇\r\n"
    "\t\t\t\t和平村\r\n"
    "\t\t\t嘉定工业区\r\n"
    "\t承德市\t130800\t承德\r\n"
    "北京市\t110000\t北京\r\n"
    "\t北京市\t110100\t北京\r\n"
    "\t\t海淀区\t110108\t海淀\r\n"
)
WORLD_LOCATION = "亚洲:\n中国\t中华人民共和国\t北京\t上海/广州\n日本\t日本国\t东京\n欧洲:\n法国\t法兰西共和国\t巴黎\n"


def _script():
    spec = importlib.util.spec_from_file_location("build_places", ROOT / "scripts" / "build_places.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_jionlp(tmp_path, monkeypatch):
    """A stand-in for an installed jionlp: its two tables, its metadata and its licence."""
    site = tmp_path / "site"
    (site / "jionlp" / "dictionary").mkdir(parents=True)
    (site / "jionlp" / "__init__.py").write_text("")
    with zipfile.ZipFile(site / "jionlp" / "dictionary" / "china_location.zip", "w") as zf:
        zf.writestr("china_location.txt", CHINA_LOCATION)
    (site / "jionlp" / "dictionary" / "world_location.txt").write_text(WORLD_LOCATION, encoding="utf-8")
    info = site / "jionlp-9.9.dist-info"
    (info / "licenses").mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jionlp\nVersion: 9.9\n")
    (info / "licenses" / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n")
    (info / "RECORD").write_text("jionlp/__init__.py,,\njionlp-9.9.dist-info/licenses/LICENSE,,\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "jionlp", raising=False)
    return site


def test_the_tables_keep_the_tree_and_short_forms_and_leave_villages_out():
    script = _script()
    text = script.divisions(CHINA_LOCATION, "9.9")
    assert "和平村" not in text and "130200" not in text
    rows = [line for line in text.split("\n") if line and not line.startswith("#")]
    assert rows[:3] == ["河北省\t河北", "\t唐山市\t唐山", "\t\t玉田县\t玉田"]


def test_the_gazetteer_reads_the_tree_it_was_given(tmp_path):
    script = _script()
    (tmp_path / DIVISIONS).write_text(script.divisions(CHINA_LOCATION, "9.9"), encoding="utf-8")
    (tmp_path / COUNTRIES).write_text(script.countries(WORLD_LOCATION, "9.9"), encoding="utf-8")
    assert list(_read_divisions(tmp_path / DIVISIONS))[:4] == [
        ("province", "河北省", "河北", ()),
        ("city", "唐山市", "唐山", ("河北省",)),
        ("county", "玉田县", "玉田", ("河北省", "唐山市")),
        ("town", "彩虹镇", "", ("河北省", "唐山市", "玉田县")),
    ]
    g = Gazetteer(tmp_path)
    assert g.lookup("唐山") == (Place("唐山市", "city", "河北省", "河北省", "唐山"),)
    assert g.lookup("海淀区") == (Place("海淀区", "county", "北京市", "北京市", "海淀"),)
    assert [p.level for p in g.lookup("北京市")] == ["province"]  # not again as a city under itself
    assert g.lookup("中华人民共和国") == g.lookup("中国") == (Place("中国", "country", "", "", ""),)
    assert g.lookup("亚洲:") == g.lookup("亚洲") == g.lookup("嘉定工业区") == g.lookup("和平村") == ()


def test_a_field_that_would_break_the_file_stops_the_script():
    script = _script()
    for raw in ("#河北省\t130000\t河北\n", "河北\u2028省\n", "\t\t\t\n"):
        with pytest.raises(ValueError, match="unexpected field"):
            script.divisions(raw, "9.9")


def test_the_script_writes_the_tables_and_their_licence_and_checks_them(fake_jionlp, tmp_path, capsys):
    script = _script()
    out = tmp_path / "data"
    out.mkdir()
    assert script.main(["--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([DIVISIONS, COUNTRIES, "LICENSE-jionlp.txt"])
    assert (out / "LICENSE-jionlp.txt").read_text().startswith("Apache License")
    head = (out / DIVISIONS).read_text(encoding="utf-8")
    assert "china_location.txt in jionlp 9.9" in head and "Apache License 2.0" in head
    assert script.main(["--check", "--out", str(out)]) == 0
    (out / COUNTRIES).write_text("中国\t中国\n", encoding="utf-8")
    assert script.main(["--check", "--out", str(out)]) == 1
    assert f"out of date: {COUNTRIES}" in capsys.readouterr().out


def test_the_shipped_tables_credit_jionlp_and_carry_its_licence():
    for name in (DIVISIONS, COUNTRIES):
        head = _files.data_path(name).read_text(encoding="utf-8")[:600]
        assert "jionlp" in head and "Apache License 2.0" in head and "LICENSE-jionlp.txt" in head
    assert "Apache License" in _files.data_path("LICENSE-jionlp.txt").read_text(encoding="utf-8")[:200]


def test_the_python_scan_finds_what_the_automaton_finds():
    """A short text is scanned in Python (no automaton to compile for one article); longer ones use the automaton."""
    g = Gazetteer()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += ["河北省承德国家高新区", "承德国", "中华人民共和国与美利坚合众国", "", "唐", "内蒙古自治区呼和浩特市"]
    scanned = [g._scan(t) for t in texts]
    assert g._matcher is None
    g.compile()
    assert [g.find(t) for t in texts] == scanned
    assert any(scanned)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["河北", "河北省", "承德", "德国", "国家", "北京市", "北京", "京", "省", "市", "唐山", "山", "x"]
        ),
        max_size=12,
    )
)
def test_the_python_scan_is_the_automatons_leftmost_longest_match(pieces):
    g = _shared_gazetteer()
    text = "".join(pieces)
    assert g._scan(text) == g._automaton_find(text)


@functools.lru_cache(maxsize=1)
def _shared_gazetteer() -> Gazetteer:
    g = Gazetteer()
    matcher = Gazetteer()
    matcher.compile()
    g._automaton_find = matcher.find  # type: ignore[attr-defined]
    return g


def test_the_automaton_is_compiled_once_enough_text_was_scanned():
    g = Gazetteer()
    text = "唐山市" * 1000
    while g._matcher is None:
        assert g.find(text) == [(i, i + 3, "唐山市") for i in range(0, len(text), 3)]
    assert g.find(text) == [(i, i + 3, "唐山市") for i in range(0, len(text), 3)]


def test_the_shipped_gazetteer_knows_divisions_and_countries():
    g = gazetteer()
    assert [(p.name, p.level, p.parent) for p in g.lookup("唐山市")] == [("唐山市", "city", "河北省")]
    assert g.lookup("平泉")[0].name == "平泉市"  # a county-level city since 2017
    assert [(p.parent, p.province) for p in g.lookup("亮甲店镇")] == [("玉田县", "河北省")]
    assert g.lookup("美国")[0].level == "country"
    assert sum(1 for level, *_ in _read_divisions(_files.data_path(DIVISIONS)) if level == "province") == 34


def test_the_cache_key_covers_both_tables(tmp_path):
    for name in (DIVISIONS, COUNTRIES):
        shutil.copy(_files.data_path(name), tmp_path / name)
    before = _key(tmp_path)
    assert _key(tmp_path) == before
    for name in (DIVISIONS, COUNTRIES):
        with open(tmp_path / name, "a", encoding="utf-8") as fh:
            fh.write("新地方\t新\n")
        after = _key(tmp_path)
        assert after != before, f"editing {name} must change the gazetteer's cache key"
        before = after
