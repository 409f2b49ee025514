"""Resolution: every mention gets the canonical label of the thing it names.

Short and long forms meet at the fullest official form:

* 省科技厅 / 河北省科技厅 / 省科学技术厅 → 河北省科学技术厅 (the level prefix
  省 is the document's province; 科技 is the short form of the domain 科学技术);
* 唐山 → 唐山市, 玉田 → 玉田县 (administrative divisions);
* 中科院 → 中国科学院, 沧州市农科院 → 沧州市农业科学院 (usual short forms);
* a name defined in the text, 河北省科技创新辅导团(以下简称“辅导团”).

>>> from kg.textio import make_document
>>> from kg.extract import find_entities
>>> doc = resolve_document(find_entities(make_document("d", "河北日报记者报道。省科技厅在唐山召开会议。")))
>>> sorted({(m.text, m.key) for m in doc.mentions if m.type != "Organization"})
[('唐山', '唐山市'), ('省科技厅', '河北省科学技术厅')]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import replace
from functools import lru_cache

from kg import lexicon
from kg.extract.places import CITY_REGION_HEADS
from kg.model import Document, Mention
from kg.patterns import agency_pattern
from kg.places import gazetteer

_LEVEL_CHARS = {"省": "province", "市": "city"}
_SUFFIX_FULL = {"委": "委员会"}


def document_context(doc: Document) -> tuple[str, str]:
    """The province and the prefecture an article is about (by its place mentions).

    A province wins when it is the most mentioned; a prefecture only when it
    clearly dominates (three mentions and twice the next), so a bare 市 is
    resolved only where the article is plainly about one city.
    """
    g = gazetteer()
    provinces: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    for m in doc.mentions:
        surface = m.text
        if m.type not in ("Place", "Organization", "Agency"):
            continue
        places = g.lookup(surface)
        if m.type != "Place":
            # 河北日报, 河北省儿童医院: an organisation named after a province
            places = tuple(p for n in range(2, 5) for p in g.lookup(surface[:n]) if p.level == "province")[:1]
        if not places:
            continue
        p = places[0]
        if p.province:
            provinces[p.province] += 1
        if p.level == "city":
            cities[p.name] += 1
    province = provinces.most_common(1)[0][0] if provinces else ""
    city = ""
    if cities:
        ranked = cities.most_common(2)
        top, n = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        if n >= 3 and n >= 2 * second:
            city = top
    return province, city


def canonical(m: Mention, province: str, city: str) -> str:
    """The canonical label of one mention in a document about ``province``/``city``."""
    text = m.text
    if m.type == "Place":
        if len(text) == 1:
            # 冀 → 河北省, 美 → 美国; an unknown single character names nothing definite
            return lexicon.place_abbreviations().get(text, "")
        places = gazetteer().lookup(text)
        if places:
            in_province = [p for p in places if p.province == province]
            return (in_province or places)[0].name
        return text
    if m.type == "Person":
        name = text.replace(" ", "").replace("\u3000", "")
        return name if len(name) >= 2 else ""  # 张 alone is no one in particular
    if m.type == "Initiative":
        if text.startswith("《"):
            return text.strip("《》")
        return _expand_level(text, province, city, short_places=False)
    if m.type == "Agency":
        return _canonical_agency(text, province, city)
    return _canonical_org(text, province, city)


def _expand_level(text: str, province: str, city: str, short_places: bool = True) -> str:
    """省… → 河北省…, 市… → 唐山市… ; for departments also 唐山科技局 → 唐山市…"""
    if text.startswith("省") and province and not text.startswith(("省委", "省市")):
        return province + text[1:]
    if text.startswith("省委") and province:
        return province + text[1:]
    if text.startswith("自治区") and province.endswith("自治区") and not text.startswith("自治区党委"):
        return province + text[3:]  # 自治区科技厅 → 内蒙古自治区科学技术厅
    if text.startswith("市") and city:
        return city + text[1:]
    if not short_places:
        return text
    g = gazetteer()
    for n in range(min(len(text) - 1, 8), 1, -1):
        places = g.lookup(text[:n])
        if places and not _government_after(text[n:]):
            break  # 四川|大学华西二院: a name that begins with a place, not the place's department
        if places and places[0].name != text[:n] and places[0].level in ("province", "city", "county"):
            best = next((p for p in places if p.province == province), places[0])
            return best.name + text[n:]
        if places:
            break
    return text


def _government_after(rest: str) -> bool:
    """Does a government body follow a place here (科技局, 委, 人民政府, 工委)?"""
    if rest.startswith(("高新区", "开发区", "经开区", "新区", "园区", "示范区", "试验区", "片区")):
        return False  # 滨海|高新区工委: the zone's own name begins with the place
    m = agency_pattern().match(rest)
    return (
        bool(m)
        or rest.startswith(("委", "政府", "人民政府", "人大", "政协", "工委", "党工委", "管委会"))
        or rest.endswith(("局", "厅", "委", "办"))  # 青白江|卫计局
    )


def _canonical_agency(text: str, province: str, city: str) -> str:
    league = next((p for p in lexicon.league_prefixes() if text.startswith(p)), "")
    if league and text[len(league) :].endswith("委"):
        # 团省委 → 共青团河北省委, 民革省委 → 民革河北省委: the province's committee of that body
        rest = _expand_level(text[len(league) :], province, city)
        return ("共青团" if league == "团" else league) + rest
    text = _expand_level(text, province, city)
    m = agency_pattern().search(text)
    if m and m.start() == 0 and not m.group("party") and m.group("suffix") == "厅" and province:
        text, m = province + text, agency_pattern().search(province + text)  # 科技厅: a 厅 is a province's
    if m:
        domain = lexicon.gov_domains().get(m.group("domain"), m.group("domain"))
        suffix = m.group("suffix")
        if m.group("domain") != domain or suffix == "委":
            suffix = _SUFFIX_FULL.get(suffix, suffix)
        text = text[: m.start("domain")] + domain + suffix + text[m.end() :]
    if text.endswith("政府") and not text.endswith("人民政府"):
        text = text[:-2] + "人民政府"
    return text


@lru_cache(maxsize=1)
def _abbreviations_longest_first() -> list[tuple[str, str]]:
    return sorted(lexicon.abbreviations().items(), key=lambda kv: -len(kv[0]))


def _canonical_org(text: str, province: str, city: str) -> str:
    for short, full in _abbreviations_longest_first():
        if text == short:
            return full
        if text.endswith(short) and len(text) > len(short):
            text = text[: -len(short)] + full
            break
    # 河北日报 and 北京交通大学 keep their own names: only a bare level is expanded
    return _expand_level(text, province, city, short_places=False)


_DEFINED = re.compile(r"[（(]以下简称[“\"]?([^”\"）)]{1,12})[”\"]?[)）]")


def _defined_aliases(doc: Document) -> list[Mention]:
    """Mentions of a short name the text defines: X(以下简称“辅导团”) … 辅导团 …"""
    out: list[Mention] = []
    by_end = {x.end: x for x in doc.mentions}
    starts = [x.start for x in doc.mentions]
    ends = [x.end for x in doc.mentions]
    for m in _DEFINED.finditer(doc.text):
        full = by_end.get(m.start())
        if full is None:
            continue
        short = m.group(1)
        for occ in re.finditer(re.escape(short), doc.text):
            s, e = occ.span()
            i = bisect_left(starts, e)  # mentions are sorted and disjoint: check the one before
            if i > 0 and ends[i - 1] > s:
                continue
            out.append(Mention(s, e, full.type, short, "defined", key=full.key))
    return out


def _leading_places(name: str) -> list[tuple[str, str]]:
    """The province and city a body's name begins with (广东省卫生健康委 → province 广东省)."""
    g = gazetteer()
    for n in range(min(len(name) - 1, 9), 1, -1):
        places = [p for p in g.lookup(name[:n]) if p.level in ("province", "city")]
        if places:
            p = places[0]
            out = [("province", p.province or p.name)]
            if p.level == "city":
                out.append(("city", p.name))
            return out
    return []


def _placeless_department(key: str) -> bool:
    """A local department with no place before it (财政局, 教委, 工业和信息化局), or a bare zone's committee."""
    if key.startswith(tuple(lexicon.zone_heads())):
        return key.endswith(("管委会", "管理委员会", "党工委", "工委"))
    m = agency_pattern().match(key)
    if m is None:
        return False
    return m.end() == len(key) and not m.group("party") and m.group("suffix") in ("局", "委", "委员会", "厅")


def _bare_body(key: str) -> bool:
    """省委, 县政府, 市人民政府: a level and a body, no place; 管委会, 党工委: a committee, no zone."""
    return key in ("管委会", "管理委员会", "党工委", "工委", "党委", "党组", "村委会") or (
        key[:1] in "省市县区乡镇村"
        and len(key) <= 5
        and key[1:] in ("委", "政府", "人民政府", "人大", "政协", "委员会")
    )


def resolve_document(doc: Document) -> Document:
    """Give every mention its canonical ``key`` ('' where it names nothing definite: 县委, 淮)."""
    province, city = document_context(doc)
    resolved = []
    named: dict[str, tuple[int, str]] = {}  # level -> (sentence start, the place) of the last body named with its place
    for m in doc.mentions:
        sent = doc.sentence_at(m.start)
        here = sent.start if sent is not None else -1
        p, c = province, city
        # 广东省发展改革委副主任A,省卫生健康委副主任B: a bare 省 in a sentence that has named its province
        if named.get("province", (None,))[0] == here:
            p = named["province"][1]
        if named.get("city", (None,))[0] == here:
            c = named["city"][1]
        key = canonical(m, p, c)
        if m.type in ("Agency", "Organization") and _bare_body(key):
            key = ""  # 县委 with no county in sight: a mention, but no definite body
        if m.type == "Agency" and key[:1] in "市县区" and key[1:2] not in "委":
            key = ""  # 市教育局 with no city in sight: every city has one, so it names none definitely
        if m.type == "Agency" and _placeless_department(key):
            # 科委 in an article about one city (or a municipality) is that city's; elsewhere no definite body
            city = c or (p if p.endswith("市") else "")
            key = (
                canonical(replace(m, text=city + key), p, c)
                if city and not key.startswith(tuple(lexicon.zone_heads()))
                else ""
            )
        if m.type in ("Agency", "Organization") and not m.text.startswith(("省", "市", "自治区")):
            for level, place in _leading_places(m.text):
                named[level] = (here, place)
        resolved.append(m.with_key(key))
    # the parts of names (kg.extract.parts) are resolved alike; a bare 县委 inside a name keeps its text
    inner = tuple(m.with_key(canonical(m, province, city)) for m in doc.inner)
    doc = replace(doc, context_province=province, context_city=city, inner=inner).with_mentions(resolved)
    doc = doc.with_mentions(_short_forms(doc.mentions))
    extra = _defined_aliases(doc)
    if extra:
        doc = doc.with_mentions(list(doc.mentions) + extra)
    return doc


def _fuller_body(key: str, keys: set[str]) -> str:
    """The same body as the article writes it in full: 塘沽工委 → 塘沽区工委 (the division's suffix),
    示范区党工委 → 杨凌示范区党工委 (the one zone the article names)."""
    for n in range(2, min(len(key), 5)):
        for suffix in "省市县区":
            fuller = key[:n] + suffix + key[n:]
            if fuller in keys:  # (the article writes both: 塘沽区 need not be in today's divisions)
                return fuller
    if key.startswith(("示范区", "开发区", "高新区", "经开区", "新区", "园区", "片区")):
        longer = sorted(k for k in keys if k.endswith(key) and len(k) > len(key))
        if len(longer) == 1:
            return longer[0]
    return key


def _short_forms(mentions) -> list[Mention]:
    """Within one article, a short form takes the full name the article also writes.

    * zones: 石家庄高新区 and 石家庄高新技术产业开发区;
    * documents and programmes: 《总体方案》 after 《呼包鄂…建设总体方案》 (a title that ends the same way).
    """
    keys = {m.key for m in mentions if m.key}
    quoted = {k.replace("“", "").replace("”", ""): k for k in sorted(keys) if "“" in k}
    out = []
    initiatives = sorted({m.key for m in mentions if m.type == "Initiative" and m.key}, key=len, reverse=True)
    abbreviated = _abbreviations(mentions)
    heads = tuple(lexicon.zone_heads())
    for m in mentions:
        key = m.key
        bare_zone = m.type == "Place" and key in lexicon.zone_heads()
        longer_zones = sorted(k for k in keys if k != key and k.endswith(key)) if bare_zone else []
        zone = (
            next((z for z in heads if key.startswith(z) and key[len(z) :] in keys), "") if key.startswith(heads) else ""
        )
        if len(longer_zones) == 1:
            key = longer_zones[0]  # 综合保税区 in an article about 石家庄综合保税区
        elif zone and m.type in ("Place", "Organization"):
            key = key[len(zone) :]  # 高新区滨海科技园 and 滨海科技园: the zone word only says where
        elif m.type == "Place":
            for short, full in lexicon.zone_heads().items():
                if full != short and key.endswith(short) and key[: -len(short)] + full in keys:
                    key = key[: -len(short)] + full
        if m.type == "Initiative" and key in quoted:
            key = quoted[key]  # 天津未来科技城项目 and “天津未来科技城”项目: one project
        elif m.type == "Initiative" and m.text.startswith("《") and len(key) >= 4:
            longer = next((k for k in initiatives if k.endswith(key) and len(k) > len(key)), "")
            key = longer or key
        elif m.type in ("Agency", "Organization") and key:
            key = _fuller_body(key, keys)
        if key == m.key and m.type in ("Agency", "Organization", "Initiative", "Place") and key:
            key = abbreviated.get(key, key)
        out.append(m.with_key(key) if key != m.key else m)
    return out


def _abbreviations(mentions) -> dict[str, str]:
    """Short forms the article uses for a name it also writes in full: 市二医院 (深圳市第二人民医院),
    华西二院 (四川大学华西第二医院), 第四届海丝博览会…大会 (第四届21世纪海上丝绸之路博览会…大会).

    A short form keeps the characters of the full name in order and ends as it does; it is taken
    only when one full name of the article fits (the others that fit being short forms of that one).
    """
    groups: dict[str, set[str]] = {}
    agencies: set[str] = set()
    for m in mentions:
        if m.key and m.type in ("Agency", "Organization", "Initiative"):
            groups.setdefault("Initiative" if m.type == "Initiative" else "body", set()).add(m.key)
            if m.type == "Agency":
                agencies.add(m.key)
        elif m.key and m.type == "Place" and m.key.endswith(("片区", *CITY_REGION_HEADS)):
            groups.setdefault("zone", set()).add(m.key)  # 北京自贸试验区高端产业片区 (中国(北京)自由贸易试验区…)
    out: dict[str, str] = {}
    for keys in groups.values():
        bare = {k: _FTZ_COUNTRY.sub(r"\1", k) for k in keys}  # 中国(北京)|自由贸易试验区 as 北京自由贸易试验区
        for short in keys:
            if len(short) < 4:
                continue
            # (a name that begins with the short one is a unit of it: 中山大学附属第一医院|贵州医院;
            # two government bodies' last two characters say what they are: 教委 and 工委 are two)
            fits = [
                k
                for k in keys
                if len(k) > len(short)
                and k[-(2 if short in agencies and k in agencies else 1) :]
                == short[-(2 if short in agencies and k in agencies else 1) :]
                and not k.startswith(short)
                and (_in_order(short, bare[k]) or _ends_as_with_its_place(short, k))
            ]
            longest = max(fits, key=lambda k: (len(k), k)) if fits else ""
            if fits and all(k == longest or _in_order(k, bare[longest]) for k in fits):
                out[short] = (
                    longest  # one full name, or short forms of it: 北京自贸区… of 北京自贸试验区… of 中国(北京)…
                )
    return out


def _ends_as_with_its_place(short: str, full: str) -> bool:
    """河南创新创业大赛 of 第九届…暨第十二届河南省创新创业大赛: the short form, its place written in full, ends the name."""
    for n in (2, 3):
        places = gazetteer().lookup(short[:n])
        if places and places[0].level == "province" and places[0].name != short[:n]:
            return full.endswith(places[0].name + short[n:])
    return False


#: 中国(北京)|自由贸易试验区: the province in brackets is what the short form (北京自贸区) keeps
_FTZ_COUNTRY = re.compile(r"^中国[（(]([^（）()]+)[）)]")


def _in_order(short: str, full: str) -> bool:
    """Are the characters of ``short`` in ``full`` in order, none of those left out a division's (济南市|中区|科技局
    is another body than 济南市科技局)?"""
    left_out, i = [], 0
    for ch in full:
        if i < len(short) and ch == short[i]:
            i += 1
        else:
            left_out.append(ch)
    return i == len(short) and not any(ch in "省市县区镇乡村" for ch in left_out)
