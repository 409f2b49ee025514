"""Regular expressions compiled from the lexicons, shared by extraction, resolution and relations.

Each is built once per process from the lexicon files (``kg.lexicon``); a list of
words is matched as a trie (``_trie``), so the longest word at a position wins.

>>> title_pattern().match("党组副书记郭玉明").group(0)
'党组副书记'
>>> m = agency_pattern().search("河北省科技厅")
>>> m.group("domain"), m.group("suffix")
('科技', '厅')
"""

from __future__ import annotations

import re
from functools import cache

from kg import lexicon


def _alternatives(words) -> str:
    return "|".join(map(re.escape, words))


def _trie(words) -> str:
    """One expression for "the longest of ``words`` here", as a trie: 副(?:书记|主任(?:医师)?).

    It matches what the longest-first alternation of the words matches (the path of
    the characters read is unique, and each word end is optional and greedy, so a
    longer word is tried first), but ``re`` reads each character once instead of
    trying every word at every position: the title pattern scans text twice as fast.

    >>> re.compile(_trie(["书记", "副书记", "副主任", "副主任医师"])).findall("副主任医师、副主任和书记")
    ['副主任医师', '副主任', '书记']
    """
    root: dict = {}
    for w in words:
        if not w:
            raise ValueError("an empty word would match everywhere")
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def expr(node: dict) -> str:
        branches = [re.escape(ch) + expr(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if "" in node:  # a word ends here: the rest is optional
            return f"(?:{body})?" if len(branches) == 1 and len(body) > 1 else f"{body}?"
        return body

    return f"(?:{expr(root)})"


@cache
def title_pattern() -> re.Pattern:
    """Official titles (厅长, 党组副书记…), longest first."""
    return re.compile(_trie(lexicon.titles()))


@cache
def agency_pattern() -> re.Pattern:
    """[Party level] domain suffix of a department: ``(?P<party>省委)?(?P<domain>组织)(?P<suffix>部)``."""
    domains = list(lexicon.gov_domains())
    gov = [s for s, (_t, kind) in lexicon.org_suffixes().items() if kind == "gov"]
    parties = ("省委", "市委", "县委", "区委", "中央")
    # re tries every alternative at every position unless the pattern opens with a known set of
    # characters; the optional party hides the domains' first characters from it (a sixth of the time)
    firsts = "".join(sorted({w[0] for w in (*parties, *domains)}))
    return re.compile(
        f"(?=[{re.escape(firsts)}])"
        f"(?P<party>{_alternatives(parties)})?"
        f"(?P<domain>{_trie(domains)})"
        f"(?P<suffix>{_trie(gov)})"
        "(?![门员会务属])"
    )


@cache
def org_suffix_pattern() -> re.Pattern:
    """Head words of organisations and their units (大学, 有限公司, 研究所…)."""
    sufs = [s for s, (_t, kind) in lexicon.org_suffixes().items() if kind in ("name", "unit")]
    return re.compile(_trie(sufs))


@cache
def abbreviation_pattern() -> re.Pattern:
    """Usual short forms of national bodies (中科院), from the abbreviations lexicon."""
    return re.compile(_trie(lexicon.abbreviations()))


@cache
def initiative_head_pattern() -> re.Pattern:
    """Head words of initiatives (制度, 计划, 论坛…) and of events (会议, 仪式…), longest first."""
    heads = set(lexicon.initiative_suffixes()) | set(lexicon.event_heads())
    return re.compile(_trie(heads))


@cache
def trigger_pattern(kind: str) -> re.Pattern:
    """The trigger words of one kind (``kg.lexicon.relation_triggers``) as one alternation, in order."""
    return re.compile(_alternatives(lexicon.relation_triggers()[kind]))


#: A line of a list of speakers: an optional label (主持人:, 嘉  宾:), a name of two or three characters (a
#: two-character one often spaced out to align: 许  伟), a gap of spaces, then the person's posts.
CAPTION_LINE = re.compile(
    r"^[ \t\u3000]*(?:[\u4e00-\u9fff][\u4e00-\u9fff \u3000]{0,5}[:：][ \t\u3000]*)?"
    r"(?P<name>[\u4e00-\u9fff](?:[\u4e00-\u9fff]{1,2}|[ \u3000]{1,3}[\u4e00-\u9fff]))"
    r"[ \t\u3000]{2,}(?P<posts>[^\n]{2,40})$",
    re.MULTILINE,
)
