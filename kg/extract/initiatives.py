"""Initiatives: programmes, systems, campaigns, funds, named events and policy documents.

* 《关于推行基层科技特派员制度的指导意见》: a named policy document;
* “京津冀青年科学家论坛”, “我为群众办实事”实践活动: quoted names;
* 科技特派员制度, 县域科技跃升计划: a name ending in an initiative head word
  (``lexicon.initiative_suffixes``), its generic qualifiers (基层, 全省, 2019年) dropped.
"""

from __future__ import annotations

import re

from kg import lexicon
from kg.extract.words import HAN, PUNCT, STOP_WORDS, dictionary, ends_a_word, left_tokens
from kg.model import Document, Mention
from kg.patterns import initiative_head_pattern, title_pattern
from kg.places import gazetteer
from kg.segment import word_pos

_QUOTED = re.compile(r"“([^“”\n]{2,60})”")
_BOOK = re.compile(r"《([^《》\n]{2,60})》")
#: 《…方案(试行)》: a document title with a qualifier after its head word; 《…指南(2024年版)》: an edition
_DOCUMENT_HEAD = re.compile(
    r"(方案|意见|通知|办法|规划|纲要|条例|规定)[（(]|[（(](?:\d{4}年)?(?:版|年版|修订版|试行|修订|征求意见稿)[）)]$"
)
_ORDINAL = re.compile(r"第[一二三四五六七八九十百\d]+[届期批次]")
#: Heads that say only that there was a meeting (第三次|联席会议 is the article's meeting, 第十次|会议 no name).
_BARE_HEADS = frozenset({"会议", "大会", "活动"})
_COUNTED = re.compile(r"[\d一二三四五六七八九十两几]+[份个项家批条]")
_ORDINAL_BEFORE = re.compile(r"第[一二三四五六七八九十百\d]+[届期批次]$")


def find_initiatives(doc: Document, found: dict[str, list[Mention]] | None = None) -> list[Mention]:
    """Programmes, systems, campaigns, funds, named events and policy documents.

    A name found by its head word must end where a word ends (国际货币基金|组织 is no fund).
    """
    text = doc.text
    out = []
    doc_suffixes = lexicon.policy_document_suffixes()
    for m in _BOOK.finditer(text):
        title = m.group(1)
        if title.endswith(doc_suffixes) or _DOCUMENT_HEAD.search(title):
            out.append(Mention(m.start(), m.end(), "Initiative", m.group(0), "document"))
    suffix_re = initiative_head_pattern()
    heads = lexicon.initiative_suffixes()
    weak = lexicon.weak_initiative_heads()
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        slogan = any(ch in inner for ch in "，,。；;、！？?!")  # “不忘合作初心,继续携手前进”主题教育活动
        if not slogan and inner.endswith((*heads, *lexicon.event_heads())) and len(inner) >= 4:
            out.append(Mention(m.start() + 1, m.end() - 1, "Initiative", inner, "quoted"))
            continue
        # a head within a few characters after the quote: “四个一”科技示范工程
        tail = re.match(f"[{HAN}]{{0,6}}?(?:{suffix_re.pattern})", text[m.end() : m.end() + 10])
        if tail:
            end = m.end() + tail.end()
            out.append(Mention(m.start(), end, "Initiative", text[m.start() : end], "quoted"))
    events = lexicon.event_heads()
    named_spans = [
        (m.start, m.end) for ms in (found or {}).values() for m in ms if m.type in ("Person", "Agency", "Organization")
    ]
    persons = [p for p in (found or {}).get("persons", ()) if p.type == "Person"]
    named_ends = _named_ends(found or {})
    named_starts = {m.start for m in named_ends.values()}
    named_at: dict[int, Mention] = {}
    for named in named_ends.values():
        if named.start not in named_at or named_at[named.start].end < named.end:
            named_at[named.start] = named
    name_starts: dict[int, int] = {}  # where each name found so far begins, by its end
    for m in suffix_re.finditer(text):
        end = m.end()
        head = m.group(0)
        start, proper = _initiative_left(text, m.start(), event=head in events)
        # a person named before the name is no part of it, nor is the person's title: 习近平总书记|重要讲话…报告会
        for person in persons:
            if start <= person.start < m.start() and person.end <= m.start():
                start = person.end
                title = title_pattern().match(text, start)
                if title and title.end() < m.start():
                    start = title.end()
        dated_host = _dated_host(text, start, named_ends) if head in events else None
        if dated_host is not None:
            start, proper = dated_host.start, True  # 国家卫生健康委员会|2024年4月18日|新闻发布会
        listed = head in _PROJECT_HEADS and _listed(text, start, end)
        if listed and start > 0 and text[start - 1] != "、":
            # 新合纤维项目、佰利佳电子项目: an item of a list of named projects runs back to the separator
            sep = text.rfind("、", max(0, start - 12), start)
            if sep >= 0 and not any(ch in PUNCT for ch in text[sep + 1 : start]):
                start = sep + 1
        body = text[start : m.start()]
        if len(body) < 3 or not (listed and len(body) >= 4 or _specific(body, proper, weak=head in weak)):
            continue
        if _COUNTED.match(body) or (
            head in _BARE_HEADS and _ORDINAL.fullmatch(body) and text[start - 1 : start] != "暨"
        ):
            continue  # 25份|子协议, 第十次|会议: a count, or an ordinal before a bare 会议, names nothing
        source = "initiative"
        subject = named_at.get(start)
        if (
            not listed
            and subject is not None
            and start > 0
            and text[start - 1] in "、和与及"
            and subject.end < m.start()
        ):
            start = subject.end  # A、B|新一轮…议定书签订仪式: B is the last of a list of signatories
        joined = _initiative_left(text, start - 1)[0] if start > 1 and text[start - 1] == "暨" else start - 1
        if joined < start - 1:
            # 第7届南博会暨第27届昆交会…, …签订仪式暨第一次会议: one event under a joined name
            start, source = name_starts.get(start - 1, joined), "event"
        elif head in events:
            # an event's name opens with its host or place where these begin the clause:
            # 山东省科技厅|科技特派员工作会议在济南召开, 中国(北京)自由贸易试验区|…挂牌仪式
            prefix = named_ends.get(start)
            if prefix is not None and (prefix.start == 0 or text[prefix.start - 1] in _CLAUSE_OPENERS):
                start, source = prefix.start, "event"
            elif prefix is not None and prefix.start > 0 and text[prefix.start - 1] in "与和":
                # 唐山市与承德市|科技合作协议签约仪式: both parties open the name
                first = named_ends.get(prefix.start - 1)
                if first is not None and (first.start == 0 or text[first.start - 1] in _CLAUSE_OPENERS):
                    start, source = first.start, "event"
            elif start in named_starts:
                source = "event"
            # the other party of a signing or of a meeting: 滨海高新区|与|塘沽区集体土地征收合作协议签字仪式
            partner = named_ends.get(start - 1) if start > 0 and text[start - 1] in "与和同" else None
            if partner is not None and (partner.start == 0 or text[partner.start - 1] in _CLAUSE_OPENERS):
                start, source = partner.start, "event"
            # A与B|共建|国家区域医疗中心签约仪式: two parties and what they sign to build name the ceremony
            verb = next((v for v in _BUILDING_TOGETHER if text.startswith(v, start - len(v))), "")
            second = named_ends.get(start - len(verb)) if verb else None
            if second is not None and "与" in second.text[1:-1]:
                first_start = second.start  # the tagger ran both parties together: A与B
            elif second is not None and second.start > 0 and text[second.start - 1] in "与和同":
                first = named_ends.get(second.start - 1)
                first_start = first.start if first is not None else -1
            else:
                first_start = -1
            if first_start >= 0 and (first_start == 0 or text[first_start - 1] in _CLAUSE_OPENERS):
                start, source = first_start, "event"
        if head in events:
            whole = _whole_clause_name(text, start, m.start(), end, named_spans)
            if whole < start:
                start, source = whole, "event"
        if source == "initiative" and "“" in text[start:end]:
            source = "quoted"  # 公路安防“455”工程 holds the quoted “455”工程: the longer name wins
        out.append(Mention(start, end, "Initiative", text[start:end], source))
        name_starts[end] = start
    spans: set[tuple[int, int]] = set()
    kept = []
    for c in out:  # one candidate per span: a quoted name is found by its head word too
        if (c.start, c.end) not in spans and (c.source == "document" or ends_a_word(text, c.end)):
            spans.add((c.start, c.end))
            kept.append(c)
    return kept


#: What may stand right before an event's name that opens with its host: a clause break or a preposition.
_CLAUSE_OPENERS = set('\n 　，,。；;：:“”"（(）)》') | set("在由暨")
_PLACE_IN_BRACKETS = re.compile(r"[（(]([^（）()，。]{2,6})[）)]")


#: The date of an event in its name, right before its head word (…委员会|2024年4月18日|新闻发布会).
_HOST_AND_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日(?:例行|专题|首场)?$")


def _dated_host(text: str, start: int, named_ends: dict[int, Mention]) -> Mention | None:
    """The host that opens an event's name before its date, the clause's first words: X|2024年4月18日|新闻发布会."""
    dated = _HOST_AND_DATE.search(text, max(0, start - 12), start)
    host = named_ends.get(dated.start()) if dated else None
    if (
        host is None
        or host.type not in ("Agency", "Organization")
        or not (host.start == 0 or text[host.start - 1] in _CLAUSE_OPENERS)
    ):
        return None
    return host


_HELD_AFTER = re.compile(r"[^，,。；;]{0,16}?(?:举行|召开|开幕|举办|落幕|闭幕)")
_HELD_BEFORE = re.compile(r"(?:举行|召开|举办)的$")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:“”！？!?\n]|的(?=[^的]*$)")
_DATE_OPENING = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:上午|下午|晚)?")


def _whole_clause_name(text: str, start: int, head_start: int, end: int, named: list[tuple[int, int]]) -> int:
    """An event held in the clause that names it takes the whole clause before its head as its name:
    (6月14日,)推动成渝地区双城经济圈建设教育协同发展工作联席会议第五次会议在四川省宜宾市举行.

    Only where no person or body is named in the words added, and the clause says the event is held.
    """
    lo = max(0, head_start - 40)
    window = text[lo:start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(window)]
    clause = lo + (breaks[-1] if breaks else 0)
    date = _DATE_OPENING.match(text, clause)
    if date:
        clause = date.end()
    if clause >= start or clause == lo and lo > 0:
        return start
    held = (
        _HELD_AFTER.match(text, end)
        and "在" in text[end : end + 16]
        or _HELD_BEFORE.search(text[max(0, clause - 3) : clause])
    )
    if not held or any(clause < e and s < start for s, e in named):
        return start
    return clause


#: Verbs of two parties building something together, inside the name of their signing (A与B|共建|X签约仪式).
_BUILDING_TOGETHER = ("共建", "共同建设", "合作共建", "合作建设")
#: Weak heads a list of names makes names: 新合纤维项目、佰利佳电子项目 (not 整治提升行动、深化改革等方面).
_PROJECT_HEADS = frozenset({"项目", "工程"})
#: A count in a list's last item: 文化旅游产业培育|等16项|工程 names no project
_COUNT_IN_ITEM = re.compile("等|" + _COUNTED.pattern)


def _listed(text: str, start: int, end: int) -> bool:
    """Is the name one of a list of names (A项目、B项目等N个项目)? A weak head (项目, 工程) then names it.

    Not an item of a slogan in quotes (“…、集体经济引领致富项目、…”), nor a count (…等16项工程).
    """
    after = text[end : end + 2]
    if not (after[:1] in ("、", "等") or after == "以及" or (start > 0 and text[start - 1] == "、")):
        return False
    opened = text.rfind("“", max(0, start - 60), start)
    if opened >= 0 and "”" not in text[opened:start]:
        return False
    sep = text.rfind("、", max(0, start - 12), start)
    item = text[sep + 1 if sep >= 0 else start : end]
    return not _COUNT_IN_ITEM.search(item)


def _named_ends(found: dict[str, list[Mention]]) -> dict[int, Mention]:
    """The places and bodies the finders before found, by where they end."""
    out: dict[int, Mention] = {}
    for name in ("tagger", "places", "agencies", "organizations"):
        for m in found.get(name, ()):
            if m.type in ("Place", "Agency", "Organization") and (m.end not in out or out[m.end].start > m.start):
                out[m.end] = m
    return out


def _specific(body: str, proper: bool, weak: bool) -> bool:
    """Is ``body`` a name rather than a description (科研|项目, 长效|机制)?"""
    if proper or _ORDINAL.search(body) or "·" in body:
        return True
    core = body.lstrip("省市县区")
    if core != body and (core in lexicon.generic_modifiers() or word_pos(core).startswith("a")):
        return False  # 省|重要|会议: a level and an adjective describe, they do not name
    if weak:
        return False
    return len(body) >= 4 or body not in dictionary()


#: Verbs that name a ceremony with 仪式 after them (签订仪式, 揭牌仪式), not a boundary there.
_CEREMONY_VERBS = frozenset(
    {"签订", "签署", "签约", "签字", "揭牌", "挂牌", "开工", "启动", "授牌", "颁奖", "开幕", "闭幕"}
)
_PLANS = ("规划", "纲要")
#: The reach of a national or provincial event, part of its name (全国科技工作会议).
_NATIONWIDE = frozenset({"全国", "全省", "全市", "全区", "全县"})
#: Characters of real time words (今年, 近年来, 春节): jieba's other time words (现代) may be part of a name.
_TIME_CHARS = frozenset("年月日今明昨去前后时期间季周晨晚夜春夏秋冬")
#: Words for an age group that jieba tags as time words (t).
_AGE_WORDS = frozenset({"青年", "少年", "中年", "老年", "青少年", "童年"})


def _initiative_left(text: str, head_start: int, event: bool = False) -> tuple[int, bool]:
    """Where an initiative name that ends with a head word begins, and whether it is proper.

    Nouns, names and ordinals belong to the name, and up to two verbs
    (可持续发展议程创新示范区, 跃升计划); function words, verbs that introduce
    a name (推行, 实施: ``lexicon.boundary_words``), counts and punctuation end it.
    """
    start = head_start
    proper = False
    verbs = 0
    ok_pos = lexicon.pos_classes()["initiative"]
    taken: list[tuple[str, str]] = []
    tokens = list(reversed(left_tokens(text, head_start, 40)))
    plan = text.startswith(_PLANS, head_start)  # 全省农业农村“十四五”规划: a plan's reach is in its name too
    for i, (word, flag) in enumerate(tokens):
        if word in _NATIONWIDE and (event or plan) and taken:
            start -= len(word)  # 全国|医疗卫生工作会议: an event's official name says its reach
            taken.append((word, "n"))
            break
        if word in STOP_WORDS and not (word in _CEREMONY_VERBS and text.startswith("仪式", start)):
            break  # (签订|仪式 names the ceremony: 议定书签订仪式暨第一次会议)
        if flag == "t" and (word in _AGE_WORDS or not any(ch in _TIME_CHARS for ch in word)):
            flag = "n"  # jieba tags 青年 and 现代 as time words: 京津冀|青年|科学家论坛, 成渝|现代|高效特色农业带
        if flag == "q" and len(word) == 1 and i + 1 < len(tokens) and tokens[i + 1][1].startswith("n"):
            flag = "n"  # the last character of a noun jieba split off: 沈阳现代化都市|圈|科技创新…联席会议
        if flag == "v":
            if verbs >= 2:
                break
            verbs += 1
        elif (
            flag == "m"
            and not (
                word.startswith("第")
                or word.isdigit()
                and taken
                and taken[-1][1] != "q"
                or word in ("年", "年度")
                and taken
            )
            or flag not in ok_pos
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
    # a quoted part inside the name: 全省农业农村|“十四五”|规划, 公路安防|“455”|工程
    if start == head_start and head_start > 2 and text[head_start - 1] == "”":
        quote = text.rfind("“", max(0, head_start - 12), head_start - 1)
        if quote > 0 and "，" not in text[quote:head_start] and "," not in text[quote:head_start]:
            before, _ = _initiative_left(text, quote, event or plan)
            flags = [flag for _, flag in left_tokens(text, quote, quote - before)] if before < quote else ["v"]
            if flags and not flags[0].startswith(("v", "d", "a", "i", "l")):  # not 深入开展|“我为群众办实事”实践活动
                return before, True
    # an ordinal that jieba cut in pieces (第|27|届) opens the name: 第27届|昆交会
    ordinal = _ORDINAL_BEFORE.search(text, max(0, start - 8), start)
    if ordinal:
        start = ordinal.start()
    # a place in brackets belongs to the name: 中国(北京)|自由贸易试验区高端产业片区挂牌仪式
    bracket = _PLACE_IN_BRACKETS.search(text, max(0, start - 10), start)
    if bracket and bracket.end() == start and gazetteer().lookup(bracket.group(1)) and bracket.start() > 0:
        before, _ = _initiative_left(text, bracket.start())
        if before < bracket.start():
            start = before
    # drop descriptive qualifiers at the front (该市|科技创新专题研讨班); a year or
    # 全国 belongs to an event's official name (2021年…培训班, 全国…工作会议)
    changed = True
    while changed and start < head_start:
        changed = False
        if text[start] == "年":  # 三|年行动计划: a count of years is no part of the name
            start += 1
            changed = True
        for mod in lexicon.generic_modifiers():
            if mod.startswith("全"):
                continue
            if text.startswith(mod, start) and head_start - start > len(mod) + 1:
                start += len(mod)
                changed = True
                break
    return start, proper
