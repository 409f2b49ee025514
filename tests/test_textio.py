"""Reading text as it really comes: encodings, broken lines, sentences with offsets."""

import pytest

from kg.textio import DecodeError, detect_and_decode, normalise, read_document, split_sentences

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
