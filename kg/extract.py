"""Entity extractors: each finds mentions of one kind; ``merge`` picks among them.

Every extractor is ``find_x(doc) -> list[Mention]`` and matches on characters
(offsets into ``doc.text``), using jieba only to judge word boundaries.
Knowledge comes from ``kg.lexicon`` (titles, suffixes, surnames, government
domains), ``kg.places`` (administrative divisions) and the statistical tagger
in ``kg.ner`` (a character CRF trained on news); no list of particular
entities is involved.

>>> from kg.textio import make_document
>>> doc = make_document("d", "8月13日,省科技厅厅长龙奋杰在石家庄市召开会议。")
>>> sorted((m.text, m.type) for m in find_entities(doc).mentions)
[('省科技厅', 'Agency'), ('石家庄市', 'Place'), ('龙奋杰', 'Person')]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable
from functools import lru_cache

from kg import lexicon
from kg.model import Document, Mention
from kg.places import gazetteer
from kg.segment import pos_tokenizer

HAN = r"\u3400-\u9fff"
_PUNCT = set("，,。.！!？?；;：:、“”\"‘’'（）()《》〈〉【】[]「」『』—…·/\\|\n\t ")

#: How sure each source is; the merge keeps the surest of overlapping mentions.
PRIORITY = {
    "title": 6,
    "byline": 6,
    "agency": 5,
    "document": 5,
    "quoted": 5,
    "org": 4,
    "initiative": 4,
    "address": 4,
    "place": 3,
    "crf": 3,
    "place-short": 2,
}


# ---------------------------------------------------------------------------
# helpers


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def _title_re() -> re.Pattern:
    alts = "|".join(map(re.escape, lexicon.titles()))
    return re.compile(f"(?:{alts})")


#: Words that follow a name and so end it (龙奋杰|在会上, 李晶|表示).
_NAME_FOLLOWERS = (
    "表示",
    "介绍",
    "指出",
    "认为",
    "强调",
    "提出",
    "说",
    "称",
    "在",
    "是",
    "等",
    "和",
    "与",
    "同",
    "就",
    "将",
    "为",
    "向",
    "带",
    "率",
    "对",
    "从",
    "到",
    "被",
    "也",
    "还",
    "都",
    "作",
    "主持",
    "出席",
    "参加",
    "一行",
    "同志",
    "摄",
    "教授",
    "院士",
    "研究员",
    "专家",
    "的",
    "了",
    "要",
    "会",
    "更",
    "等人",
    "告诉",
    "坦言",
    "笑",
    "领",
    "赴",
    "到",
    "来",
    "去",
    "上",
    "讲",
)


#: Surnames that are also everyday words (和, 于, 高, 全…): a name starting
#: with one needs the tagger's agreement (负责人|和首席专家 is not a name).
_WEAK_SURNAMES = frozenset(
    "和于向成高全时明应信以及从将在把被让给同到来去出进过起开关新老大小上下中前后多少都就还也又再只很最更太好有无不可会要平文计利但那乐原海花国云门相初普元衣展由位区强师谈解车项连居干公宾勾茅农司全宁包"
)


def _name_at(text: str, start: int, crf_names: dict[int, int]) -> int:
    """End of a Chinese personal name starting at ``start`` (0 if none).

    >>> _name_at("厅长龙奋杰在会上", 2, {})
    5
    >>> _name_at("专家科技特派员智力支持", 7, {})
    0
    """
    end = _name_guess(text, start, crf_names)
    if not end or start in crf_names:
        return end
    # a dictionary word running across the end, or a whole common word, is no name
    from kg.segment import tokenizer

    pos = start
    for token in tokenizer().cut(text[start : end + 2], HMM=False):
        if pos < end < pos + len(token):
            return 0
        pos += len(token)
        if pos >= end:
            break
    name = text[start:end]
    if name in _dictionary() and not _person_pos(name):
        return 0
    return end


def _person_pos(word: str) -> bool:
    from kg.segment import word_pos

    return word_pos(word).startswith("nr")


def _name_guess(text: str, start: int, crf_names: dict[int, int]) -> int:
    """The length of a name by its surname and what follows it.

    The name must begin with a surname; its length comes from the tagger when
    it agrees, else from what follows (a title, a verb, punctuation).
    """
    sur = lexicon.surnames()
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
    if text[start] in _WEAK_SURNAMES and sur_len == 1:
        return 0
    chars = 0
    for i in range(start + sur_len, min(start + sur_len + 2, len(text))):
        if not _is_han(text[i]):
            break
        chars += 1
    if chars == 0:
        return 0
    end2, end3 = start + sur_len + 1, start + sur_len + 2
    if chars == 1 or end2 < given_min:
        return end2 if chars >= 1 and end2 >= given_min else 0
    rest3 = text[end3 : end3 + 2]
    rest2 = text[end2 : end2 + 2]
    if not rest3 or rest3[0] in _PUNCT or rest3.startswith(_NAME_FOLLOWERS) or _title_re().match(text, end3):
        if rest2.startswith(_NAME_FOLLOWERS) and text[end2 : end2 + 1] not in ("说",):
            # 李晶表示: the third character begins the next word
            follower = next(f for f in _NAME_FOLLOWERS if rest2.startswith(f))
            if len(follower) == 2:
                return end2
        return end3
    if rest2[:1] in _PUNCT or rest2.startswith(_NAME_FOLLOWERS):
        return end2
    return end3


# ---------------------------------------------------------------------------
# places


def find_places(doc: Document) -> list[Mention]:
    """Administrative divisions and countries from the gazetteer.

    Full names always count. A short form (唐山 for 唐山市) counts when it is a
    prefecture or province, or when the document also names the full form or
    the enclosing division, so 合作 (a county in Gansu, and a common word)
    is not a place in a Hebei article.
    """
    g = gazetteer()
    text = doc.text
    found = g.find(text)
    full_names = {surface for _, _, surface in found if any(p.name == surface for p in g.lookup(surface))}
    named_parents = set()
    for _, _, surface in found:
        places = g.lookup(surface)
        if places and (places[0].name == surface or places[0].level in ("province", "city")):
            named_parents.add(places[0].name)
    out = []
    for start, end, surface in found:
        places = g.lookup(surface)
        if not places:
            continue
        best = places[0]
        if best.name == surface:
            out.append(Mention(start, end, "Place", surface, "place"))
            continue
        ok = best.level in ("province", "city") or best.name in full_names or best.parent in named_parents
        if best.level in ("province", "city"):
            # a prefecture short form followed by 县/市/区 is part of a longer name
            ok = True
        if ok and len(surface) >= 2:
            out.append(Mention(start, end, "Place", surface, "place-short"))
    out.extend(_find_addresses(doc, out))
    out.extend(_find_zones(doc))
    return out


_LOCAL_UNIT = re.compile(f"[{HAN}]{{1,5}}?(?:街道|镇|乡|村)(?![{HAN}]{{0,1}}(?:民|委|级|干部|里|上|内|外|口))")


def _find_addresses(doc: Document, places: list[Mention]) -> list[Mention]:
    """Towns and villages written after a known division: 玉田县|彩虹镇, 兴旺寨乡|何家峪村."""
    text = doc.text
    out = []
    ends = {m.end: m for m in places}
    starts = {m.start for m in places}
    frontier = deque(sorted(ends))
    seen = set()
    while frontier:
        pos = frontier.popleft()
        if pos in seen:
            continue
        seen.add(pos)
        m = _LOCAL_UNIT.match(text, pos)
        if not m or pos in starts or any(i in starts for i in range(pos, m.end())):
            continue
        # the shortest unit that ends in a division suffix, not running into a word
        span = m.group(0)
        if any(ch in _PUNCT for ch in span) or span in ("街道", "乡镇", "村镇", "城镇", "城乡", "乡村"):
            continue
        mention = Mention(pos, m.end(), "Place", span, "address")
        out.append(mention)
        frontier.append(m.end())
    return out


_ZONE = re.compile(f"[{HAN}]{{2,6}}?(?:高新技术产业开发区|经济技术开发区|高新区|开发区|经济区|新区|自贸区)")


def _find_zones(doc: Document) -> list[Mention]:
    """Development zones named after a place: 燕郊高新区, 唐山高新区."""
    g = gazetteer()
    out = []
    for m in _ZONE.finditer(doc.text):
        span = m.group(0)
        for i in range(len(span) - 2):
            head = span[i:]
            body = head[: head.find("高新") if "高新" in head else len(head) - 3]
            if body and (g.lookup(body) or g.lookup(body + "镇") or g.lookup(body + "乡")):
                out.append(Mention(m.start() + i, m.end(), "Place", head, "place"))
                break
    return out


# ---------------------------------------------------------------------------
# agencies and organizations


@lru_cache(maxsize=1)
def _agency_re() -> re.Pattern:
    domains = sorted(lexicon.gov_domains(), key=len, reverse=True)
    gov = sorted((s for s, (t, k) in lexicon.org_suffixes().items() if k == "gov"), key=len, reverse=True)
    return re.compile(
        "(?P<party>省委|市委|县委|区委|中央)?"
        f"(?P<domain>{'|'.join(map(re.escape, domains))})"
        f"(?P<suffix>{'|'.join(map(re.escape, gov))})"
        "(?![门员会务属])"
    )


_LEVEL_PREFIX = ("中共中央", "国家", "中央", "省", "市", "县", "区")


def find_agencies(doc: Document, places: Iterable[Mention] = ()) -> list[Mention]:
    """Government and Party departments: [place] [Party committee] domain suffix.

    省科技厅, 河北省科学技术厅, 唐山市科技局, 省委组织部, 科技部; also the
    bodies named by a place alone (省委, 市政府, 唐山市人民政府).
    """
    text = doc.text
    place_ends = {m.end: m.start for m in places if m.type == "Place"}
    out = []
    for m in _agency_re().finditer(text):
        start = m.start()
        if m.group("domain") == "科学" and not m.group("suffix").startswith("技术"):
            continue
        start = _extend_left_with_place(text, start, place_ends)
        # a bare domain needs a level (省科技厅) unless it is a national ministry (科技部)
        national = m.group("suffix") in ("部", "委员会", "总局", "署")
        if start == m.start() and not m.group("party") and not national:
            continue
        out.append(Mention(start, m.end(), "Agency", text[start : m.end()], "agency"))
    g = gazetteer()
    for m in re.finditer("(?:人民政府|政府|省委|市委|县委|区委|人大常委会|政协)", text):
        body = m.group(0)
        start = _extend_left_with_place(text, m.start(), place_ends)
        if body[0] in "省市县区" and body.endswith("委"):
            # 湖南省委: the level character belongs to the place name too
            start = place_ends.get(m.start() + 1, start)
        elif start == m.start():
            continue
        else:
            head = text[start : m.start()]
            divisions = g.lookup(head)
            if divisions and divisions[0].level == "country":
                continue  # 美国政府: news treats a foreign government as its country
        out.append(Mention(start, m.end(), "Agency", text[start : m.end()], "agency"))
    return merge(out)


def _extend_left_with_place(text: str, start: int, place_ends: dict[int, int]) -> int:
    if start in place_ends:
        return place_ends[start]
    for prefix in _LEVEL_PREFIX:
        s = start - len(prefix)
        if s >= 0 and text[s:start] == prefix:
            # 省 of 我省 / 全省 is not a level prefix of a name
            if s > 0 and text[s - 1] in "我全该本各外":
                return start
            return s
    return start


_STOP_WORDS = lexicon.boundary_words()
_STOP_POS = frozenset(
    [
        "p",
        "c",
        "u",
        "uj",
        "ul",
        "uz",
        "ud",
        "ug",
        "uv",
        "r",
        "y",
        "e",
        "o",
        "w",
        "x",
        "d",
        "q",
        "m",
        "mq",
        "f",
        "t",
        "zg",
    ]
)
#: Parts of speech that make a word a proper name (or a word jieba does not know).
_PROPER_POS = frozenset(["ns", "nr", "nrt", "nrfg", "nz", "nt", "j", "eng"])


def _left_tokens(text: str, end: int, max_len: int):
    """jieba words (word, flag) of the run of text before ``end``, nearest last."""
    lo = end
    while (
        lo > 0
        and end - lo < max_len
        and (text[lo - 1] not in _PUNCT or text[lo - 1] == "·")
        and not text[lo - 1].isspace()
    ):
        lo -= 1
    return _pos_cut(text[lo:end])


@lru_cache(maxsize=1 << 16)
def _pos_cut(window: str) -> tuple[tuple[str, str], ...]:
    """jieba.posseg words of ``window``, memoised: the words before a head word
    (河北省科学技术 before 厅) recur across a corpus, and jieba's POS HMM is slow."""
    return tuple(pos_tokenizer().cut(window, HMM=True))


def _org_left(text: str, end: int, max_len: int, allow_verbs: bool) -> tuple[int, bool]:
    """Where an organisation name that ends at ``end`` begins, and whether it holds a proper name.

    Walks back over words that can be part of a name and stops at
    punctuation, function words, and (outside company names) verbs.
    """
    start = end
    proper = False
    for word, flag in reversed(_left_tokens(text, end, max_len)):
        if word in _STOP_WORDS or _is_count(word):
            break
        if flag in _STOP_POS and not word.startswith("第"):
            break
        if flag.startswith("v") and flag != "vn" and not allow_verbs:
            break
        start -= len(word)
        if (
            word in _LEVEL_WORDS
            or gazetteer().lookup(word)
            or (flag in _PROPER_POS or word not in _dictionary())
            and not word.endswith("级")
        ):
            proper = True
    return start, proper


_LEVEL_WORDS = frozenset(("省", "市", "县", "国家", "中国", "中央", "中共"))
_NUMERALS = set("0123456789一二三四五六七八九十百千万两几多数")


def _is_count(word: str) -> bool:
    """三大, 1个, 几家: a count, which ends a name (第十三所 does not)."""
    return word[0] in _NUMERALS and not word.isdigit()


@lru_cache(maxsize=1)
def _dictionary():
    from kg.segment import tokenizer

    return tokenizer().FREQ


@lru_cache(maxsize=1)
def _org_suffix_re() -> re.Pattern:
    sufs = sorted((s for s, (t, k) in lexicon.org_suffixes().items() if k in ("name", "unit")), key=len, reverse=True)
    return re.compile(f"(?:{'|'.join(map(re.escape, sufs))})")


def find_organizations(doc: Document, known: Iterable[Mention] = ()) -> list[Mention]:
    """Organisations: a proper name followed by an institution head word.

    华北理工大学, 唐山开元自动焊接装备有限公司, 河北省儿童医院, 河北日报.
    The name must hold a proper name (a place, a name, a word jieba does not
    know), so 双方医院 and 行业协会 are not organisations; a sub-unit head
    (中心, 所) also needs a place or an organisation before it.
    """
    text = doc.text
    suffixes = lexicon.org_suffixes()
    known = list(known)
    known_starts = {m.start for m in known if m.type in ("Place", "Agency", "Organization")}
    out = []
    for m in _org_suffix_re().finditer(text):
        suffix = m.group(0)
        end = m.end()
        if end < len(text) and text[end] in "部门长员":
            continue
        if text[m.start() - 1 : m.start()] == "副":  # 城市副中心 is a district, not a body
            continue
        type_, kind = suffixes[suffix]
        company = suffix.endswith(("公司", "集团", "合作社", "厂"))
        start, proper = _org_left(text, m.start(), 24 if company else 16, allow_verbs=company)
        body = text[start : m.start()]
        if len(body) < 2 or not proper:
            continue
        if kind == "unit" and not any(s in known_starts for s in range(start, m.start())):
            continue
        out.append(Mention(start, end, type_, text[start:end], "org"))
    for m in _abbreviation_re().finditer(text):
        full = lexicon.abbreviations()[m.group(0)]
        if full.startswith(("中国", "国家")):
            out.append(Mention(m.start(), m.end(), "Organization", m.group(0), "org"))
    return out


@lru_cache(maxsize=1)
def _abbreviation_re() -> re.Pattern:
    """Usual short forms of national bodies (中科院), from the abbreviations lexicon."""
    keys = sorted(lexicon.abbreviations(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys)))


# ---------------------------------------------------------------------------
# persons


def find_persons(doc: Document, crf: Iterable[Mention] = ()) -> list[Mention]:
    """People named next to a title (厅长龙奋杰, 研究员冯建忠, 王广鹏教授) or in a byline."""
    text = doc.text
    crf_names = {m.start: m.end for m in crf if m.type == "Person"}
    out = []
    title_re = _title_re()
    for m in title_re.finditer(text):
        pos = m.end()
        # titles in a row: 厅党组书记、厅长龙奋杰
        while pos < len(text) and text[pos] in " 、":
            nxt = title_re.match(text, pos + 1)
            if not nxt:
                break
            pos = nxt.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
        source = "byline" if m.group(0) in ("记者", "通讯员") else "title"
        while True:
            end = _name_at(text, pos, crf_names)
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
    return sorted(set(out), key=lambda m: (m.start, m.end, m.source))


# ---------------------------------------------------------------------------
# initiatives


@lru_cache(maxsize=1)
def _initiative_re() -> re.Pattern:
    alts = "|".join(map(re.escape, lexicon.initiative_suffixes()))
    return re.compile(f"(?:{alts})")


_QUOTED = re.compile(r"“([^“”\n]{2,30})”")
_BOOK = re.compile(r"《([^《》\n]{2,60})》")
#: Heads too common to make a name on their own: 活动, 项目… need a quoted,
#: numbered or proper name before them (“我为群众办实事”实践活动).
_WEAK_HEADS = (
    "活动",
    "系列活动",
    "实践活动",
    "项目",
    "行动",
    "专项行动",
    "机制",
    "战略",
    "工程",
    "规划",
    "大会",
    "比赛",
    "竞赛",
    "讲堂",
    "服务队",
    "专项",
)


def find_initiatives(doc: Document) -> list[Mention]:
    """Programmes, systems, campaigns, funds, named events and policy documents.

    * 《关于推行基层科技特派员制度的指导意见》: a named policy document;
    * “京津冀青年科学家论坛”, “我为群众办实事”实践活动: quoted names;
    * 科技特派员制度, 县域科技跃升计划: a name ending in an initiative head,
      its generic qualifiers (基层, 全省, 2019年) dropped.
    """
    text = doc.text
    out = []
    doc_suffixes = lexicon.policy_document_suffixes()
    for m in _BOOK.finditer(text):
        title = m.group(1)
        if title.endswith(doc_suffixes) or re.search(r"(方案|意见|通知|办法|规划|纲要|条例|规定)[（(]", title):
            out.append(Mention(m.start(), m.end(), "Initiative", m.group(0), "document"))
    suffix_re = _initiative_re()
    heads = lexicon.initiative_suffixes()
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        if any(ch in inner for ch in "，,。；;、！？?!"):
            continue
        if inner.endswith(heads) and len(inner) >= 4:
            out.append(Mention(m.start() + 1, m.end() - 1, "Initiative", inner, "quoted"))
            continue
        # a head within a few characters after the quote: “四个一”科技示范工程
        tail = re.match(f"[{HAN}]{{0,6}}?(?:{suffix_re.pattern})", text[m.end() : m.end() + 10])
        if tail:
            end = m.end() + tail.end()
            out.append(Mention(m.start(), end, "Initiative", text[m.start() : end], "quoted"))
    for m in suffix_re.finditer(text):
        end = m.end()
        head = m.group(0)
        start, proper = _initiative_left(text, m.start())
        body = text[start : m.start()]
        if len(body) < 3 or not _specific(body, proper, weak=head in _WEAK_HEADS):
            continue
        out.append(Mention(start, end, "Initiative", text[start:end], "initiative"))
    return out


def _specific(body: str, proper: bool, weak: bool) -> bool:
    """Is ``body`` a name rather than a description (科研|项目, 长效|机制)?"""
    if proper or re.search(r"第[一二三四五六七八九十百\d]+[届期批次]", body) or "·" in body:
        return True
    if weak:
        return False
    return len(body) >= 4 or body not in _dictionary()


_INIT_OK_POS = frozenset(
    ["n", "nz", "ns", "nt", "nr", "nrt", "j", "vn", "an", "ng", "l", "i", "eng", "m", "b", "a", "s", "nrfg", "x"]
)


def _initiative_left(text: str, head_start: int) -> tuple[int, bool]:
    """Where an initiative name that ends with a head word begins, and whether it is proper.

    Nouns, names and ordinals belong to the name, and up to two verbs
    (可持续发展议程创新示范区, 跃升计划); function words, verbs that introduce
    a name (推行, 实施: ``_STOP_WORDS``), counts and punctuation end it.
    """
    start = head_start
    proper = False
    verbs = 0
    taken: list[tuple[str, str]] = []
    for word, flag in reversed(_left_tokens(text, head_start, 24)):
        if word in _STOP_WORDS:
            break
        if flag == "v":
            if verbs >= 2:
                break
            verbs += 1
        elif (
            flag == "m"
            and not (word.startswith("第") or (word.isdigit() and len(word) == 4))
            or flag not in _INIT_OK_POS
            and not flag.startswith("v")
            and word != "·"
        ):
            break
        start -= len(word)
        taken.append((word, flag))
        if flag in ("ns", "nt", "nz", "nr", "j", "eng") or gazetteer().lookup(word):
            proper = True
    # a name does not begin with a verb: 做好|省级科技计划
    while taken and taken[-1][1] == "v":
        start += len(taken.pop()[0])
    # drop generic qualifiers and dates at the front: 全省|科技创新专题研讨班, 2020年|…
    changed = True
    while changed and start < head_start:
        changed = False
        m = re.match(r"\d{4}年度?|\d{4}(?!年)", text[start:head_start])
        if m:
            start += m.end()
            changed = True
        for mod in lexicon.generic_modifiers():
            if text.startswith(mod, start) and head_start - start > len(mod) + 1:
                start += len(mod)
                changed = True
                break
    return start, proper


# ---------------------------------------------------------------------------
# statistical tagger


def find_crf(doc: Document) -> list[Mention]:
    """PER/LOC/ORG spans from the character CRF shipped in ``kg/data``."""
    from kg.ner import default_tagger

    tagger = default_tagger()
    kinds = {"PER": "Person", "LOC": "Place", "ORG": "Organization"}
    out = []
    for sent, spans in zip(doc.sentences, tagger.tag_many([s.text for s in doc.sentences])):
        for start, end, label in spans:
            s, e = sent.start + start, sent.start + end
            out.append(Mention(s, e, kinds[label], doc.text[s:e], "crf"))
    return out


# ---------------------------------------------------------------------------
# putting them together


def merge(mentions: Iterable[Mention]) -> list[Mention]:
    """Keep the surest, then longest, of overlapping mentions."""
    chosen: list[Mention] = []
    starts: list[int] = []  # the kept spans, disjoint and sorted: a bisect finds the neighbours
    ends: list[int] = []
    ranked = sorted(set(mentions), key=lambda m: (-PRIORITY.get(m.source, 0), -(m.end - m.start), m.start, m.type))
    for m in ranked:
        if m.end <= m.start:
            continue
        i = bisect_right(starts, m.start)
        if (i > 0 and ends[i - 1] > m.start) or (i < len(starts) and starts[i] < m.end):
            continue
        starts.insert(i, m.start)
        ends.insert(i, m.end)
        chosen.append(m)
    return sorted(chosen, key=lambda m: (m.start, m.end))


def _clean_crf(m: Mention) -> Mention | None:
    """Keep what the tagger finds where it is plausible as a name.

    Drops spans the sequence model gets wrong in a way rules can see: a
    person whose name begins with a place (玉田晶玉 of 玉田晶玉科技), an
    organisation that is only a head word or a generic description
    (研究院, 三甲医院, 厅党组); trims surrounding spaces.
    """
    text = m.text
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    if lead or trail:
        m = Mention(m.start + lead, m.end - trail, m.type, text.strip(), m.source)
        text = m.text
    if not text:
        return None
    if m.type == "Person":
        g = gazetteer()
        if any(p.level in ("province", "city", "county") for n in (2, 3) for p in g.lookup(text[:n])):
            return None
        return m
    if m.type in ("Organization", "Agency"):
        suffixes = lexicon.org_suffixes()
        if suffixes.get(text, ("", ""))[1] == "name":
            return m  # 国务院, 省委: a head that is a name by itself
        heads = [s for s in suffixes if text.endswith(s) and suffixes[s][1] != "gov"]
        head = max(heads, key=len) if heads else ""
        body = text[: len(text) - len(head)]
        if head and len(body) < 2:
            return None  # 研究院
        if len(text) <= 3 and text[0] in "厅局委部院校所处科室":
            return None  # 厅党组
        if len(text) <= 3 and text[-1] in "厅局委部署" and not _agency_re().search(text) and text not in _dictionary():
            return None  # 开新局 (a slogan), not a department
        if head and body in lexicon.generic_modifiers():
            return None  # 三甲医院, 省级重点实验室
    return m


@lru_cache(maxsize=1 << 14)
def _divisions_in(name: str) -> tuple[tuple[int, int, str], ...]:
    """The gazetteer's names in a place name, leftmost-longest (the tagger's place names recur)."""
    return tuple(gazetteer().find(name))


def _split_crf_place(m: Mention) -> list[Mention]:
    """邢台内丘县 → 邢台 + 内丘县: divisions the tagger ran together.

    Only a run of Chinese administrative divisions is split; 朝鲜半岛 and
    北京图书大厦 stay whole.
    """
    g = gazetteer()
    found = _divisions_in(m.text)
    if len(found) < 2 or found[0][0] != 0 or found[-1][1] != len(m.text):
        return [m]
    if not all(a[1] == b[0] for a, b in zip(found, found[1:])):
        return [m]
    if not all(g.lookup(t) and g.lookup(t)[0].level in ("province", "city", "county", "town") for _, _, t in found):
        return [m]
    return [Mention(m.start + s, m.start + e, "Place", t, m.source) for s, e, t in found]


@lru_cache(maxsize=1)
def _org_suffixes_longest_first() -> list[tuple[str, tuple[str, str]]]:
    return sorted(lexicon.org_suffixes().items(), key=lambda kv: -len(kv[0]))


def _retype_crf(m: Mention) -> Mention:
    """The tagger says ORG; the head word says whether it is an Agency."""
    if m.type != "Organization":
        return m
    for suffix, (type_, _kind) in _org_suffixes_longest_first():
        if m.text.endswith(suffix):
            if type_ == "Agency":
                return Mention(m.start, m.end, "Agency", m.text, m.source)
            return m
    return m


def _align_with_tagger(orgs: list[Mention], crf: list[Mention]) -> list[Mention]:
    """Where the tagger's organisation ends where a rule's does, its start is the better guess.

    The rules know head words; the tagger knows where names begin
    (讯|广东香江企业集团, 赠送给|成都地质所).
    """
    by_end = {m.end: m for m in crf if m.type in ("Organization", "Agency")}
    out = []
    for m in orgs:
        c = by_end.get(m.end)
        if c is not None and c.start != m.start and c.end - c.start >= 3:
            extra = c.text[: m.start - c.start] if c.start < m.start else ""
            if not any(w in _STOP_WORDS for w in _words(extra)):
                m = Mention(c.start, m.end, m.type, c.text, m.source)
        out.append(m)
    return out


def _words(text: str) -> list[str]:
    from kg.segment import tokenizer

    return list(tokenizer().cut(text, HMM=False)) if text else []


def _ends_a_word(text: str, end: int) -> bool:
    """Does a word end at ``end``? (国际货币基金|组织 and 人民大会|堂 do not.)"""
    from kg.segment import tokenizer

    lo = max(0, end - 4)
    pos = lo
    for token in tokenizer().cut(text[lo : end + 3], HMM=False):
        if pos < end < pos + len(token):
            return False
        pos += len(token)
        if pos >= end:
            return True
    return True


def find_entities(doc: Document) -> Document:
    """The entity stage: every extractor, then one merge."""
    crf = [_retype_crf(c) for c in map(_clean_crf, find_crf(doc)) if c is not None]
    crf = [piece for c in crf for piece in (_split_crf_place(c) if c.type == "Place" else [c])]
    places = find_places(doc)
    agencies = find_agencies(doc, places)
    orgs = find_organizations(doc, places + agencies)
    persons = find_persons(doc, crf)
    initiatives = find_initiatives(doc)
    crf_rest = [m for m in crf if m.type != "Person"]
    # a place name the tagger calls a person (唐山) is a place
    orgs = _align_with_tagger(orgs, crf_rest)
    initiatives = [m for m in initiatives if m.source == "document" or _ends_a_word(doc.text, m.end)]
    merged = merge(places + agencies + orgs + persons + initiatives + crf_rest)
    return doc.with_mentions(merged)
