"""Reading text as it really comes: encodings, broken lines, sentences with offsets."""

import re
from pathlib import Path

import pytest

from kg.textio import (
    MAX_SENTENCE,
    DecodeError,
    detect_and_decode,
    display_name,
    normalise,
    read_document,
    split_sentences,
)

ARTICLE = "省科技厅副厅长李从民出席会议。党史学习教育开展以来,省科技厅坚\n\n持“规定动作”做到位。"


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"],
)
def test_encodings_are_detected_not_guessed(tmp_path, encoding):
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE.encode(encoding))
    doc = read_document(path)
    assert "省科技厅坚持“规定动作”" in doc.text
    assert doc.warnings == ()


def test_gbk_file_with_a_txt_name_of_any_kind(tmp_path):
    path = tmp_path / "gbk.dat"
    path.write_bytes("唐山推行基层科技特派员制度。河北日报记者 刘禹彤".encode("gbk"))
    assert read_document(path).text.startswith("唐山推行基层科技特派员制度")


def test_undecodable_bytes_are_reported_and_the_rest_kept():
    raw = "科技特派员制度在唐山。".encode() + b"\xff\xfe\xfa" + "省科技厅启动辅导团。".encode()
    text, _enc, warnings = detect_and_decode(raw)
    assert "科技特派员制度在唐山" in text and "省科技厅启动辅导团" in text
    assert warnings and "byte offset" in warnings[0]


def test_empty_and_binary_files_are_refused_clearly(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DecodeError, match="empty"):
        read_document(tmp_path / "empty.txt")
    with pytest.raises(DecodeError, match="binary"):
        read_document(tmp_path / "image.png")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a word broken over blank lines is joined
        (
            "党史学习教育开展以来,省科技厅坚\n\n持“规定动作”做到位。",
            "党史学习教育开展以来,省科技厅坚持“规定动作”做到位。",
        ),
        # a long paragraph broken mid-sentence is joined
        (
            "青年是国家的希望。7月27日,学习小组与十三所青年\n\n职工进行了交流座谈。",
            "青年是国家的希望。7月27日,学习小组与十三所青年职工进行了交流座谈。",
        ),
        # a heading keeps its line
        ("学习作表率,高扬主旋律\n\n7月6日,读书班开班。", "学习作表率,高扬主旋律\n7月6日,读书班开班。"),
        # carriage returns, zero-width spaces and ideographic spaces
        ("河北\u200b日报\r\n记者\u3000王璐丹", "河北日报\n记者 王璐丹"),
    ],
)
def test_layout_noise_is_repaired(raw, expected):
    assert normalise(raw) == expected


def test_sentences_keep_offsets_into_the_text():
    text = "他说：“好。”我们走吧！\n标题行\n最后一句没有句号"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["他说：“好。”", "我们走吧！", "标题行", "最后一句没有句号"]
    for s in sentences:
        assert text[s.start : s.end] == s.text


# ---------------------------------------------------------------- issue 6: bad input

TRADITIONAL = "臺灣省政府科學技術委員會主任委員在臺北市舉行記者會，宣佈推動產學合作計畫，並邀請國立臺灣大學參與。"


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        (TRADITIONAL, "big5", "cp950"),
        ("國立大學", "big5", "cp950"),
        (TRADITIONAL, "gbk", "gb18030"),  # traditional characters in GBK stay GBK
        (ARTICLE, "gbk", "gb18030"),
        (ARTICLE, "gb18030", "gb18030"),
        ("河北", "gbk", "gb18030"),
        (ARTICLE, "utf-16-le", "utf-16"),
        (ARTICLE, "utf-16-be", "utf-16"),
    ],
)
def test_big5_and_gb_are_told_apart(text, encoding, detected):
    raw = text.encode(encoding)
    if encoding.startswith("utf-16-"):
        raw = (b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff") + raw
    got, enc, warnings = detect_and_decode(raw)
    assert (got, enc, warnings) == (text, detected, [])


def test_undecodable_bytes_give_file_offsets_in_gbk_and_utf16():
    head = "省科技厅启动辅导团。".encode("gbk")
    text, enc, warnings = detect_and_decode(head + b"\xff" + head)
    assert enc == "gb18030" and text.count("省科技厅启动辅导团") == 2
    assert warnings == [f"undecodable bytes at byte offset {len(head)} (gb18030), replaced by U+FFFD"]
    raw = b"\xff\xfe" + "河北".encode("utf-16-le") + b"\x00\xd8" + "唐山".encode("utf-16-le")  # a lone surrogate
    text, enc, warnings = detect_and_decode(raw)
    assert enc == "utf-16" and text.startswith("河北") and text.endswith("唐山")
    assert warnings and "byte offset 6" in warnings[0]


def test_many_bad_bytes_are_summarised():
    raw = ("河北。".encode() + b"\xff") * 50
    _text, _enc, warnings = detect_and_decode(raw)
    assert len(warnings) == 21 and warnings[-1].startswith("… and 30 more")


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive or Office document"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "GZIP archive"),
        (b"\x7fELF\x02\x01\x01\x00", "executable (ELF)"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "executable (Windows)"),
        (b"GIF89a\x01\x00", "GIF image"),
        (bytes(range(1, 9)) * 50, "control bytes"),
        (b"abc\x00def", "NUL bytes"),
    ],
)
def test_binary_files_are_refused_with_what_they_are(tmp_path, raw, what):
    path = tmp_path / "article.txt"  # the name says text; the bytes decide
    path.write_bytes(raw)
    with pytest.raises(DecodeError, match=re.escape(what)) as info:
        read_document(path)
    assert "\n" not in str(info.value) and str(info.value).startswith("binary file (")


@pytest.mark.parametrize("raw", [b"", b"   \n\t\r\n", "\ufeff".encode(), b"\xff\xfe", "\u200b\u3000\n".encode()])
def test_empty_files_are_refused(tmp_path, raw):
    path = tmp_path / "empty.txt"
    path.write_bytes(raw)
    with pytest.raises(DecodeError, match="empty file"):
        read_document(path)


def test_missing_and_unreadable_files_raise_oserror(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(IsADirectoryError):  # a path that is a folder: a read error root gets too
        read_document(tmp_path)
    path = tmp_path / "secret.txt"
    path.write_text("河北。", encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))  # chmod 000, as root never sees it

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(PermissionError):
        read_document(path)


def test_a_gbk_file_name_becomes_readable_unicode(tmp_path):
    name = b"\xba\xd3\xb1\xb1.txt".decode("utf-8", "surrogateescape")  # 河北.txt in GBK, as Linux hands it over
    path = tmp_path / name
    path.write_text("河北日报。", encoding="utf-8")
    doc = read_document(path, name)
    assert doc.id == "河北.txt" and doc.path == "河北.txt"
    assert display_name(b"x\xff.txt".decode("utf-8", "surrogateescape")) == "x\\xff.txt"


def test_an_endless_sentence_is_cut_at_commas_within_the_limit():
    text = "河北省科学技术厅在唐山市推行科技特派员制度，" * 200 + "没有标点" * 300
    sentences = split_sentences(text)
    assert max(s.end - s.start for s in sentences) <= MAX_SENTENCE
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert "".join(s.text for s in sentences) == text  # nothing lost
    assert all(s.text.endswith("，") for s in sentences[:-3])  # cut after a comma where there is one


def test_normalise_is_linear_on_one_huge_line_and_many_broken_lines():
    import time

    line = "河北省科学技术厅在唐山市推行科技特派员制度，" * 200_000  # 4.4 M characters, no break
    start = time.perf_counter()
    assert normalise(line) is line  # nothing to remove: not even copied
    broken = "\n".join(
        ["省科技厅推行科技特派员制度并在唐山市各县区广泛开展科技服务活动取得显著成效和广大群众的好评和广"] * 20_000
    )
    out = normalise(broken)  # 20 000 lines that all continue one paragraph
    assert "\n" not in out and len(out) == len(broken) - 19_999
    assert time.perf_counter() - start < 10


def test_a_caption_starting_with_a_date_is_not_glued_to_a_broken_paragraph():
    raw = "上线当天,近600名\n\n9月15日,省科技厅党组书记、厅长马宇骏赴承德市作专题报告。\n\n省科技厅供图"
    assert normalise(raw).split("\n")[1] == "9月15日,省科技厅党组书记、厅长马宇骏赴承德市作专题报告。"
