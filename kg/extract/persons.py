"""People: a name next to a title (厅长龙奋杰, 王广鹏教授), in a byline, or found by the tagger.

A name begins with a surname (``lexicon.surnames``); its length comes from the
tagger where it agrees, else from what follows it: a title, a word that
follows names (``lexicon.name_followers``), punctuation.
"""

from __future__ import annotations

from kg import lexicon
from kg.extract.words import PUNCT, crosses_word_end, dictionary, is_han
from kg.model import Document, Mention
from kg.patterns import CAPTION_LINE, title_pattern
from kg.segment import word_pos

#: Titles that mark a byline: one title, several names (记者方素菊、刘禹彤).
BYLINE_TITLES = ("记者", "通讯员")


def find_persons(doc: Document, found: dict[str, list[Mention]]) -> list[Mention]:
    """People named next to a title (厅长龙奋杰, 研究员冯建忠, 王广鹏教授) or in a byline,
    and the people the tagger finds (``found["tagger"]``)."""
    crf = found.get("tagger", [])
    text = doc.text
    crf_names = {m.start: m.end for m in crf if m.type == "Person"}
    out = []
    title_re = title_pattern()
    titles = list(title_re.finditer(text))
    for m in titles:
        pos = m.end()
        # titles in a row: 厅党组书记、厅长龙奋杰
        while pos < len(text) and text[pos] in " 、":
            nxt = title_re.match(text, pos + 1)
            if not nxt:
                break
            pos = nxt.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
        source = "byline" if m.group(0) in BYLINE_TITLES else "title"
        while True:
            # right after a title even a surname that is also a word begins a name (局长原弛, 主任干勇)
            end = name_at(text, pos, crf_names, after_title=True)
            if not end or (end - pos) < 2:
                break
            out.append(Mention(pos, end, "Person", text[pos:end], source))
            # 记者方素菊、刘禹彤 / 通讯员李瑞坤、王倩: one title, several names
            if end < len(text) and text[end] == "、" and source == "byline":
                pos = end + 1
                continue
            break
    # names the tagger finds elsewhere: 王广鹏教授, 毕凤萍
    out.extend(m for m in crf if m.type == "Person")
    # a name right before a title, after a clause break (聂强校长), or before a leader's title (贯彻习近平总书记)
    for m in titles:
        for length in (3, 2):
            start = m.start() - length
            leader = m.group(0) in _LEADER_TITLES
            if start < 0 or (
                start > 0 and text[start - 1] not in PUNCT and text[start - 1] not in _BEFORE_NAME and not leader
            ):
                continue
            if name_at(text, start, crf_names) == m.start():
                out.append(Mention(start, m.start(), "Person", text[start : m.start()], "title"))
                break
    # a name right after a body, before a verb or a break: 中山大学附属第一医院|骆腾|在广东省会场出席
    for body in (*found.get("agencies", ()), *found.get("organizations", ())):
        end = name_at(text, body.end, crf_names)
        if (
            end
            and end - body.end in (2, 3)
            and end < len(text)
            and (text[end] in _AFTER_LISTED_NAME or text.startswith(lexicon.name_followers(), end))
        ):
            out.append(Mention(body.end, end, "Person", text[body.end : end], "title"))
    # a list of speakers, one a line: 嘉  宾: 毛群安   全国爱卫办副主任 / 许  伟   云南省卫生健康委副主任
    out.extend(_captioned(text))
    # the rest of a list of names: 市领导商黎光、王大虎、宋有洪、陈平、贾发林出席
    known = sorted({(m.start, m.end) for m in out})
    known_starts = {s for s, _ in known}
    for _start, end in known:
        pos = end
        while pos < len(text) and text[pos] == "、" and pos + 1 not in known_starts:
            after = name_at(text, pos + 1, crf_names, after_title=True)
            if not after or after - pos - 1 > 3 or (after < len(text) and text[after] not in _AFTER_LISTED_NAME):
                break
            out.append(Mention(pos + 1, after, "Person", text[pos + 1 : after], "title"))
            pos = after
    return sorted(set(out), key=lambda m: (m.start, m.end, m.source))


def _captioned(text: str) -> list[Mention]:
    """People of a list of speakers, each on a line with a gap before the posts (a title among them)."""
    out = []
    surnames = lexicon.surnames()
    for m in CAPTION_LINE.finditer(text):
        name = m.group("name")
        if name[0] not in surnames or not title_pattern().search(m.group("posts")):
            continue
        if "。" in m.group("posts"):
            continue
        out.append(Mention(m.start("name"), m.end("name"), "Person", name, "title"))
    return out


#: Titles of national leaders, after a name whatever stands before it (学习贯彻习近平总书记…).
_LEADER_TITLES = frozenset({"总书记", "主席", "副主席", "总理", "副总理", "委员长"})
#: What may stand right before a name that a title follows (和聂强校长, 由张凤桐副院长), besides punctuation.
_BEFORE_NAME = frozenset("和与及同由向请对在据")
#: What ends a name in a list of names: the next separator, or a verb of attending (贾发林出席).
_AFTER_LISTED_NAME = frozenset("、，,。；;出参等和与及在陪主致讲发作")


def name_at(text: str, start: int, crf_names: dict[int, int], after_title: bool = False) -> int:
    """End of a Chinese personal name starting at ``start`` (0 if none).

    >>> name_at("厅长龙奋杰在会上", 2, {})
    5
    >>> name_at("专家科技特派员智力支持", 7, {})
    0
    """
    end = _name_guess(text, start, crf_names, after_title)
    if not end or start in crf_names:
        return end
    # a dictionary word running across the end, or a whole common word, is no name; after a title a
    # name of two characters is tried before a verb that begins right after them (副主任苟坪|通报)
    if crosses_word_end(text, start, end):
        shorter = end - 1
        weak = text[start] in lexicon.weak_surnames()  # 总书记|来闽|考察: 来 is a verb first
        if weak or not (after_title and shorter - start == 2 and text[shorter : shorter + 2] in dictionary()):
            return 0
        if crosses_word_end(text, start, shorter):
            return 0
        end = shorter
    name = text[start:end]
    if name in dictionary() and not word_pos(name).startswith("nr"):
        return 0
    return end


def _name_guess(text: str, start: int, crf_names: dict[int, int], after_title: bool = False) -> int:
    """The length of a name by its surname and what follows it.

    The name must begin with a surname; its length comes from the tagger when
    it agrees, else from what follows (a title, a verb, punctuation).
    """
    sur = lexicon.surnames()
    followers = lexicon.name_followers()
    if start >= len(text):
        return 0
    if text[start : start + 2] in sur:
        given_min = start + 3
        sur_len = 2
    elif text[start] in sur:
        given_min = start + 2
        sur_len = 1
    else:
        return 0
    if start in crf_names and 2 <= crf_names[start] - start <= 12:
        return crf_names[start]  # the tagger knows long and foreign names (贾亚拉莉达)
    if text[start] in lexicon.weak_surnames() and sur_len == 1 and not after_title:
        return 0
    chars = 0
    for i in range(start + sur_len, min(start + sur_len + 2, len(text))):
        if not is_han(text[i]):
            break
        chars += 1
    if chars == 0:
        return 0
    end2, end3 = start + sur_len + 1, start + sur_len + 2
    if chars == 1 or end2 < given_min:
        return end2 if chars >= 1 and end2 >= given_min else 0
    rest3 = text[end3 : end3 + 2]
    rest2 = text[end2 : end2 + 2]
    if not rest3 or rest3[0] in PUNCT or rest3.startswith(followers) or title_pattern().match(text, end3):
        if rest2.startswith(followers) and text[end2 : end2 + 1] not in ("说",):
            # 李晶表示: the third character begins the next word
            follower = next(f for f in followers if rest2.startswith(f))
            if len(follower) == 2:
                return end2
        return end3
    if rest2[:1] in PUNCT or rest2.startswith(followers):
        return end2
    return end3
