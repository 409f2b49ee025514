"""Places: administrative divisions and countries, towns and villages after a division, zones.

The divisions come from the gazetteer (``kg.places``), matched in one pass.
"""

from __future__ import annotations

import re
from collections import deque
from functools import cache

from kg import lexicon
from kg.extract.words import HAN, PUNCT
from kg.model import Document, Mention
from kg.places import gazetteer


def find_places(doc: Document, found: dict[str, list[Mention]] | None = None) -> list[Mention]:
    """Administrative divisions and countries from the gazetteer.

    Full names always count. A short form (唐山 for 唐山市) counts when it is a
    prefecture or province, or when the document also names the full form or
    the enclosing division, so 合作 (a county in Gansu, and a common word)
    is not a place in a Hebei article.
    """
    g = gazetteer()
    text = doc.text
    found_names = g.find(text)
    full_names = {surface for _, _, surface in found_names if any(p.name == surface for p in g.lookup(surface))}
    named_parents = set()
    for _, _, surface in found_names:
        places = g.lookup(surface)
        if places and (places[0].name == surface or places[0].level in ("province", "city")):
            named_parents.add(places[0].name)
    out = []
    for start, end, surface in found_names:
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
    out.extend(_find_free_trade_zones(doc))
    out.extend(_find_regions(doc))
    return out


#: 中国(北京)自由贸易试验区, and its areas: 中国(河北)自由贸易试验区|正定片区 (the country's naming of pilot
#: zones); the short form names the province before 自贸区: 北京自贸试验区|高端产业片区
_FREE_TRADE_ZONE = re.compile(
    f"(?:中国)?[（(][{HAN}]{{2,4}}[）)](?:自由贸易试验区|自由贸易港)(?:[{HAN}]{{2,6}}?片区)?"
    f"|自贸(?:试验)?区(?:[{HAN}]{{2,6}}?片区)?"
)


def _division_before(text: str, pos: int, levels: tuple[str, ...], holding: str = "") -> int:
    """Where the name of a division of ``levels`` written right before ``pos`` begins (the longest), one
    that holds the division ``holding`` if given (呼和浩特|和林格尔); -1 if none."""
    g = gazetteer()
    for n in (4, 3, 2):
        places = g.lookup(text[pos - n : pos]) if pos >= n else []
        if not places or places[0].level not in levels:
            continue
        outer = places[0].name
        if not holding or any(p.parent == outer or p.province == outer for p in g.lookup(holding)):
            return pos - n
    return -1


def _find_free_trade_zones(doc: Document) -> list[Mention]:
    """Free trade zones, named by their province in brackets, and the areas (片区) of one."""
    text = doc.text
    if "自由贸易" not in text and "自贸" not in text:
        return []  # what every match holds: most articles name none
    g = gazetteer()
    out = []
    for m in _FREE_TRADE_ZONE.finditer(text):
        inner = re.search(f"[（(]([{HAN}]+)[）)]", m.group(0))
        if inner:
            if g.lookup(inner.group(1)):
                out.append(Mention(m.start(), m.end(), "Place", m.group(0), "place"))
            continue
        start = _division_before(text, m.start(), ("province",))
        if start >= 0:
            out.append(Mention(start, m.end(), "Place", text[start : m.end()], "place"))
    return out


def _find_regions(doc: Document) -> list[Mention]:
    """Named regions (京津冀, 长三角, 粤港澳大湾区) from the regions lexicon, and a city's metropolitan
    region (沈阳现代化都市圈, 沈阳都市圈, 郑州都市区)."""
    pattern = _regions_pattern()
    out = [Mention(m.start(), m.end(), "Place", m.group(0), "place") for m in pattern.finditer(doc.text)]
    for m in _CITY_REGION.finditer(doc.text):
        start = _division_before(doc.text, m.start(), ("province", "city"))
        if start >= 0:
            out.append(Mention(start, m.end(), "Place", doc.text[start : m.end()], "place"))
    return out


#: The head of a region named by its city: 沈阳|现代化都市圈, 武汉|都市圈, 郑州|都市区
CITY_REGION_HEADS = ("都市圈", "都市区", "城市圈", "经济圈")
_CITY_REGION = re.compile(f"(?:现代化)?(?:{'|'.join(CITY_REGION_HEADS)})")


@cache
def _regions_pattern() -> re.Pattern:
    return re.compile("|".join(map(re.escape, lexicon.regions())))


_LOCAL_UNIT = re.compile(f"[{HAN}]{{1,5}}?(?:街道|镇|乡|村)(?![{HAN}]{{0,1}}(?:民|委|级|干部|里|上|内|外|口))")
#: Words ending in a division suffix that name no place.
_NOT_UNITS = ("街道", "乡镇", "村镇", "城镇", "城乡", "乡村")


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
        start = pos
        if span[0] in "和与及或" and len(span) >= 4:
            span, start = span[1:], pos + 1  # 半山村|和|汶潭村: the next unit of a list, not part of a name
        if any(ch in PUNCT for ch in span) or span in _NOT_UNITS:
            continue
        mention = Mention(start, m.end(), "Place", span, "address")
        out.append(mention)
        frontier.append(m.end())
    return out


@cache
def _zone_pattern() -> re.Pattern:
    heads = "|".join(map(re.escape, lexicon.zone_heads()))
    return re.compile(f"[{HAN}]{{2,6}}?(?P<suffix>{heads})")


@cache
def _zone_heads() -> re.Pattern:
    return re.compile("|".join(map(re.escape, lexicon.zone_heads())))


_ZONE_BODIES = ("管委会", "管理委员会", "党工委", "工委")


def _find_zones(doc: Document) -> list[Mention]:
    """Development zones named after a place (燕郊高新区, 唐山高新区), or governed by a committee of their own
    (渤海新区|管委会: then the two characters before the head are its name)."""
    if not _zone_heads().search(doc.text):
        return []  # most articles name no zone: the head words alone are quick to look for
    g = gazetteer()
    out = []
    for m in _zone_pattern().finditer(doc.text):
        span, suffix = m.group(0), m.group("suffix")
        name = span[: -len(suffix)]
        for i in range(len(name) - 1):
            body = name[i:]
            if g.lookup(body) or g.lookup(body + "镇") or g.lookup(body + "乡"):
                start = m.start() + i
                # the city before its county's zone is part of the name: 呼和浩特|和林格尔新区
                city = _division_before(doc.text, start, ("province", "city"), holding=body)
                start = city if city >= 0 else start
                out.append(Mention(start, m.end(), "Place", doc.text[start : m.end()], "place"))
                break
        else:
            if doc.text.startswith(_ZONE_BODIES, m.end()) and len(name) >= 2:
                out.append(Mention(m.end() - len(suffix) - 2, m.end(), "Place", span[-len(suffix) - 2 :], "place"))
    return out
