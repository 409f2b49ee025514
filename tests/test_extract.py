"""Entity extraction, one table per extractor, on hand-made sentences."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import find_agencies, find_entities, find_initiatives, find_organizations, find_persons, find_places
from kg.resolve import resolve_document
from kg.textio import make_document


def spans(mentions, type_=None):
    return sorted(m.text for m in mentions if type_ is None or m.type == type_)


def doc(text):
    return make_document("t.txt", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他在唐山市玉田县彩虹镇工作。", ["唐山市", "彩虹镇", "玉田县"]),
        ("邢台内丘县岗底村的苹果。", ["内丘县", "岗底村", "邢台"]),
        ("来自德国、西班牙的小营员。", ["德国", "西班牙"]),
        # 承德|国家, not 承|德国
        ("支持承德国家可持续发展议程创新示范区。", ["承德"]),
        # 合作 is a county of Gansu and a common word
        ("双方加强合作。", []),
        ("燕郊高新区新型电子元器件产业集群。", ["燕郊高新区"]),
    ],
)
def test_places(text, expected):
    assert spans(find_places(doc(text), {})) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("省科技厅召开会议。", ["省科技厅"]),
        ("河北省科学技术厅和天津市科学技术局主办。", ["天津市科学技术局", "河北省科学技术厅"]),
        ("省委组织部与科技部联合发文。", ["省委组织部", "科技部"]),
        ("全省科技部门负责人参加。", []),
        ("我省科技工作取得成效。", []),
    ],
)
def test_agencies(text, expected):
    d = doc(text)
    assert spans(find_agencies(d, {"places": find_places(d, {})})) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("华北理工大学、唐山工业职业技术学院选派专家。", ["华北理工大学", "唐山工业职业技术学院"]),
        ("他在唐山开元自动焊接装备有限公司交流。", ["唐山开元自动焊接装备有限公司"]),
        ("河北省儿童医院与加拿大病童医院会诊。", ["加拿大病童医院", "河北省儿童医院"]),
        # generic heads without a proper name are no organisations
        ("双方医院的专家和行业协会参加。", []),
        ("省级重点实验室11家。", []),
    ],
)
def test_organizations(text, expected):
    d = doc(text)
    found = {"places": find_places(d, {})}
    found["agencies"] = find_agencies(d, found)
    assert spans(find_organizations(d, found)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("厅党组书记、厅长龙奋杰在会上提出要求。", ["龙奋杰"]),
        ("河北日报记者 王璐丹 通讯员 钱冰青", ["王璐丹", "钱冰青"]),
        ("河北日报讯(记者方素菊、刘禹彤)近日", ["刘禹彤", "方素菊"]),
        ("玉田县彩虹镇科技特派员李晶表示,收获很大。", ["李晶"]),
        # 和 is a surname and a conjunction
        ("相关负责人和首席专家相聚。", []),
        ("专家科技特派员智力支持的局面。", []),
        ("会上,国资委副主任苟坪通报了情况。", ["苟坪"]),  # two characters before a verb (通报)
        ("习近平总书记来闽考察。", ["习近平"]),  # 来 is a verb before it is a surname
    ],
)
def test_persons_next_to_titles(text, expected):
    assert spans(find_persons(doc(text), {}), "Person") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "唐山市印发了《关于推行基层科技特派员制度的指导意见》。",
            ["《关于推行基层科技特派员制度的指导意见》", "科技特派员制度"],
        ),
        ("第七届“京津冀青年科学家论坛”在天津召开。", ["京津冀青年科学家论坛"]),
        ("深入开展“我为群众办实事”实践活动。", ["“我为群众办实事”实践活动"]),
        ("唐山推行基层科技特派员制度。", ["科技特派员制度"]),
        ("实施县域科技跃升计划。", ["县域科技跃升计划"]),
        # descriptions, not names
        ("建立长效机制,推进科研项目。", []),
        ("现场签订25份子协议。", []),  # a count
        ("实施流域水生态改善、文化旅游产业培育等16项工程以及京津风沙源治理。", []),  # a count ends a list
        ("形成“产业发展带动集体经济、集体经济引领致富项目、致富项目带动就业”的体系。", []),  # a slogan's items
        ("示范区正抢抓筹备第十次会议的机遇。", []),  # an ordinal alone
    ],
)
def test_initiatives(text, expected):
    assert spans(find_initiatives(doc(text), {})) == expected


def test_merge_keeps_one_mention_per_span_and_offsets_match_text():
    d = find_entities(doc("省科技厅交流中心党支部协同中科院旗下北京中科软领科技有限公司赴定州。"))
    for a, b in zip(d.mentions, d.mentions[1:]):
        assert a.end <= b.start
    for m in d.mentions:
        assert d.text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    ("text", "surface", "label"),
    [
        ("河北日报讯 省科技厅召开会议。", "省科技厅", "河北省科学技术厅"),
        ("河北日报讯 省科学技术厅召开会议。", "省科学技术厅", "河北省科学技术厅"),
        ("河北日报讯 河北省科技厅召开会议。", "河北省科技厅", "河北省科学技术厅"),
        ("唐山市、唐山、承德市。唐山市科技局发文。", "唐山", "唐山市"),
        ("唐山市科技局发文。", "唐山市科技局", "唐山市科学技术局"),
        ("协同中科院旗下企业。", "中科院", "中国科学院"),
        ("河北省石家庄市的沧州市农科院专家。", "沧州市农科院", "沧州市农业科学院"),
        # a department of no place after a body of a municipality, in one sentence: that municipality's
        ("重庆市委教育工委书记、教委主任刘宴兵出席。", "教委", "重庆市教育委员会"),
    ],
)
def test_short_forms_resolve_to_the_official_name(text, surface, label):
    d = resolve_document(find_entities(doc(text)))
    keys = {m.text: m.key for m in d.mentions}
    assert keys[surface] == label


def test_every_finder_has_one_signature_and_runs_in_one_list():
    from kg.extract import FINDERS

    d = doc("8月13日,省科技厅厅长龙奋杰在石家庄市召开会议,推行科技特派员制度。")
    found: dict = {}
    for name, finder in FINDERS:
        found[name] = finder(d, found)
        assert all(d.text[m.start : m.end] == m.text for m in found[name]), name
    assert {m.text for m in found["agencies"]} == {"省科技厅"}
    assert {m.text for m in found["initiatives"]} == {"科技特派员制度"}


@pytest.mark.parametrize(
    ("text", "outer", "parts"),
    [
        ("唐山工业职业技术学院选派专家。", "唐山工业职业技术学院", [("唐山", "Place")]),
        ("省农林科学院石家庄果树研究所的专家。", "省农林科学院石家庄果树研究所", [("省农林科学院", "Organization")]),
    ],
)
def test_the_named_parts_of_a_name_are_kept_for_the_relations(text, outer, parts):
    d = find_entities(doc(text))
    m = next(m for m in d.mentions if m.text == outer)
    inside = [(p.text, p.type) for p in d.inner if m.start <= p.start and p.end <= m.end]
    assert inside == parts


def test_a_company_before_a_title_only_enterprises_have():
    """中国华电|董事长江毅: a company without a legal suffix, named by the title after it."""
    from kg.extract import find_entities
    from kg.textio import make_document

    doc = find_entities(make_document("d", "中国石油总经理候启军、中国华电董事长江毅作交流发言。"))
    got = {(m.text, m.type) for m in doc.mentions}
    assert {("中国石油", "Organization"), ("中国华电", "Organization"), ("候启军", "Person")} <= got


@pytest.mark.parametrize(
    ("text", "place", "kept"),
    [
        ("半山大桥连接着尤溪县半山村和汶潭村。", "汶潭村", True),  # the next village of a list, without its 和
        ("如今是遐迩闻名的示范村,过去是垃圾村、空壳村。", "空壳村", False),  # a word before 村 is a description
        ("迈向共同富裕的康庄大道。", "康庄大道", False),  # an idiom
    ],
)
def test_villages_and_descriptions(text, place, kept):
    from kg.extract import find_entities
    from kg.textio import make_document

    places = {m.text for m in find_entities(make_document("d", text)).mentions if m.type == "Place"}
    assert (place in places) == kept
    assert not any(p.startswith("和") for p in places)


def test_zones_by_their_place_or_their_own_committee():
    from kg.textio import make_document

    text = "唐山高新区、北京经开区和渤海新区管委会签约,省民政府和新区不是地名。"
    places = {m.text for m in find_places(make_document("d", text))}
    assert {"唐山高新区", "北京经开区", "渤海新区"} <= places
    assert not any("民政府" in p or "和" in p for p in places)


@pytest.mark.parametrize(
    ("text", "name", "key"),
    [
        # the Youth League's and a democratic party's committees are bodies of their own, not the Party's 省委
        ("河北省科技厅同团省委密切合作。", "团省委", "共青团河北省委"),
        ("民革河北省委主委出席。", "民革河北省委", "民革河北省委"),
        # a unit written after its parent's name is one name
        ("在科技部火炬中心的支持和指导下举办。", "科技部火炬中心", "科技部火炬中心"),
        ("郑州高新区管委会、省国家大学科技园等共同组成组委会。", "省国家大学科技园", None),
    ],
)
def test_leagues_and_units(text, name, key):
    from kg.resolve import resolve_document

    d = resolve_document(find_entities(doc(text)))
    got = {m.text: m.key for m in d.mentions}
    assert name in got
    if key:
        assert got[name] == key


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        (
            "梁胜宣读国务院批复,商黎光简要介绍了情况。市委书记商黎光表示,要加快发展。",
            {"梁胜", "商黎光"},
            {"梁胜宣", "商黎光简"},
        ),  # a name run into a verb
        ("沧州是一座现代化沿海城市。", set(), {"海城市"}),  # a division's name inside another word
        ("新华网福州12月6日电 福建尤溪县梅仙镇。", {"新华网"}, {"新华网福州"}),  # a dateline's place
        (
            "太原市尖草坪区科技局组织调研。",
            {"太原市尖草坪区科技局"},
            {"尖草坪区科技局"},
        ),  # every division before a body
        # a place inside a listed project's name is part of the name
        ("调研组到新合纤维项目、东洋电子项目等调研。", {"东洋电子项目"}, {"东洋", "电子项目"}),
    ],
)
def test_what_the_merge_gets_wrong_is_cleaned(text, kept, dropped):
    got = {m.text for m in find_entities(doc(text)).mentions}
    assert kept <= got
    assert not dropped & got


def test_a_company_with_its_legal_form_is_no_unit_of_itself():
    from kg.stages import process

    d = process(doc("调研组走进恒力重工集团有限公司。"))
    assert not [r for r in d.relations if r.relation == "partOf"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("第7届南博会暨第27届昆交会经贸合作项目签约仪式在昆明举行。", "第7届南博会暨第27届昆交会经贸合作项目签约仪式"),
        (
            "陕西省农业农村厅、杨凌示范区管委会新一轮农业农村工作会商制度议定书签订仪式暨第一次会议在杨凌举行。",
            "新一轮农业农村工作会商制度议定书签订仪式暨第一次会议",
        ),
        ("京津冀协同发展取得成效。", "京津冀"),
        ("石家庄综合保税区正式封关运作。", "石家庄综合保税区"),
        ("与呼和浩特和林格尔新区座谈。", "呼和浩特和林格尔新区"),  # the city before its county's zone
    ],
)
def test_joined_events_regions_and_zones(text, name):
    assert name in {m.text for m in find_entities(doc(text)).mentions}


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("学习贯彻习近平总书记重要讲话精神。", "习近平"),  # before a national leader's title, whatever precedes
        ("中山大学附属第一医院骆腾在广东省会场出席。", "骆腾"),  # right after a body, before a verb
    ],
)
def test_people_by_their_context(text, person):
    assert person in {m.text for m in find_entities(doc(text)).mentions if m.type == "Person"}


@pytest.mark.parametrize(
    ("text", "tagged", "expected"),
    [
        # one name, one sense: 杨凌 the tagger also finds as a place is no person
        (
            "会议在杨凌举行。项目向杨凌聚集。",
            [(3, 5, "Place"), (11, 13, "Person")],
            [("杨凌", "Place"), ("杨凌", "Place")],
        ),
        # a "name" that runs on into a body's name the article writes is none: 华西二|院长
        (
            "四川大学华西二院院长致辞。感谢华西二院长期支持。",
            [(0, 8, "Agency"), (15, 18, "Person")],
            [("四川大学华西二院", "Agency")],
        ),
        # a body's name holds both of its brackets or neither
        (
            "组织学院与国投晋创谷(太原)发展运营有限公司签约。",
            [(2, 4, "Organization"), (11, 22, "Organization")],
            [("学院", "Organization"), ("国投晋创谷(太原)发展运营有限公司", "Organization")],
        ),
        ("新华网发(福建支部生活杂志社 林上斗)", [(0, 14, "Organization")], [("福建支部生活杂志社", "Organization")]),
        # an adverb the tagger ran into a place is no part of it; a place running into a word is none
        ("西宁与洛阳都和西安有合作。", [(3, 6, "Place")], [("洛阳", "Place")]),
        ("坚持党建引领乡村振兴。", [(2, 7, "Place")], []),
        ("在北庄村村史馆参观。", [(1, 4, "Place")], [("北庄村", "Place")]),  # a village's name before 村村
        ("台湾同胞的朋友。", [(0, 2, "Place")], [("台湾", "Place")]),  # a word after a name is no doubt of it
        # a person whose name only begins a company's name stays a person
        ("袁隆平出席。袁隆平农业高科技公司参展。", [(0, 3, "Person"), (6, 16, "Organization")], None),
    ],
)
def test_what_the_whole_article_shows_about_a_tagged_name(text, tagged, expected):
    from kg.extract.clean import clean
    from kg.model import Mention

    mentions = [Mention(s, e, t, text[s:e], "crf") for s, e, t in tagged]
    got = [(m.text, m.type) for m in clean(text, mentions)]
    assert got == (expected if expected is not None else [(m.text, m.type) for m in mentions])


def test_short_forms_of_a_free_trade_zone_area_are_one_place():
    d = resolve_document(
        find_entities(
            doc(
                "北京经开区为中国(北京)自由贸易试验区高端产业片区挂牌。项目入驻北京自贸试验区高端产业片区。"
                "近40个项目落户北京自贸区高端产业片区。"
            )
        )
    )
    keys = {m.key for m in d.mentions if "片区" in m.text}
    assert keys == {"中国(北京)自由贸易试验区高端产业片区"}


def test_a_city_s_metropolitan_region_and_the_zones_listed_with_places():
    d = resolve_document(
        find_entities(
            doc(
                "长沙现代化都市圈携手推进科技创新\n长沙现代化都市圈科技联席会议召开。长沙市、株洲市、湘潭市及湘江新区等“三市一区”长沙都市圈科技部门负责人出席。"
            )
        )
    )
    places = {m.text: m.key for m in d.mentions if m.type == "Place"}
    assert places["长沙都市圈"] == "长沙现代化都市圈"  # the short form of the region the article names in full
    assert "湘江新区" in places  # listed with places, a zone is a place


def test_a_headline_s_short_form_of_an_event_with_its_province_abbreviated():
    """河南创新创业大赛 is the joined event whose name ends with 河南省创新创业大赛."""
    full = "第九届中国创新创业大赛河南赛区暨第十二届河南省创新创业大赛"
    d = resolve_document(find_entities(doc(f"河南创新创业大赛报名企业破千。\n我省启动了{full},共有1146家企业报名。")))
    assert {m.key for m in d.mentions if m.type == "Initiative"} == {full}


def test_the_committee_of_the_article_s_event_is_no_named_body():
    """大赛组委会, 大会组委会: the organising committee of the event the article reports, not a body's name."""
    from kg.extract.tagger import _plausible

    assert not _plausible("大赛组委会", "Organization")
    assert _plausible("亚运会组委会", "Organization")


def test_a_dateline_place_is_a_place():
    d = find_entities(doc("新华网福州12月6日电(刘丰)福建尤溪县梅仙镇。"))
    assert {("新华网", "Organization"), ("福州", "Place")} <= {(m.text, m.type) for m in d.mentions}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "杨秀彬在成都主持召开成渝现代高效特色农业带专题研讨会。",
            "成渝现代高效特色农业带专题研讨会",
        ),  # 现代 is no time word here
        ("要全面贯彻落实全国医疗卫生工作会议的精神。", "全国医疗卫生工作会议"),  # an event's reach is in its name
        ("引进高新区盛华生产基地项目。", "盛华生产基地项目"),  # the article's zone qualifies, it does not name
        # a list of projects names each, up to its separator, even with a place inside (东洋) or a bare head (项目)
        ("调研组到新合纤维项目、佰利佳电子项目、东洋电子项目等进行调研。", "佰利佳电子项目"),
        ("调研组到新合纤维项目、佰利佳电子项目、东洋电子项目等进行调研。", "东洋电子项目"),
        ("北京现代沧州工厂、任丘千万吨炼油升级改造项目以及生物医药产业园正在推进。", "任丘千万吨炼油升级改造项目"),
        ("随后,国望光学系统项目、华海清科高端装备研发及产业化项目等6个项目入驻。", "华海清科高端装备研发及产业化项目"),
        # a quoted name that ends with an event's head word, however long, is one event
        (
            "学校联合主办的“2024驻沪高校科技成果转化提升行动暨同济大学服务上海专项行动启动仪式”在上海举行。",
            "2024驻沪高校科技成果转化提升行动暨同济大学服务上海专项行动启动仪式",
        ),
        # a signing named by its two parties and what they build together
        (
            "7月14日,江西省人民政府与北京大学第一医院共建国家区域医疗中心签约仪式在南昌举行。",
            "江西省人民政府与北京大学第一医院共建国家区域医疗中心签约仪式",
        ),
        # free trade zones are named by their province in brackets, and their areas after them
        ("石家庄综合保税区、中国(河北)自由贸易试验区正定片区。", "中国(河北)自由贸易试验区正定片区"),
        ("首批入驻北京自贸试验区高端产业片区的项目。", "北京自贸试验区高端产业片区"),
    ],
)
def test_event_and_project_names(text, name):
    assert name in {m.text for m in find_entities(doc(text)).mentions}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("实施公路安防“455”工程。", "公路安防“455”工程"),  # a quoted part inside a name
        (
            "深入开展“不忘合作初心,继续携手前进”主题教育活动。",
            "“不忘合作初心,继续携手前进”主题教育活动",
        ),  # a slogan's comma
    ],
)
def test_quotes_inside_names(text, name):
    assert name in {m.text for m in find_entities(doc(text)).mentions}


@pytest.mark.parametrize(
    "text",
    [
        "新疆维吾尔自治区及兵团的干部参加。",  # two bodies joined by 及 are no one body
        "会议强调要推动北京科技创新中心建设。",  # a clause is no body's name
    ],
)
def test_what_the_tagger_cuts_wrongly_is_no_body(text):
    from kg.extract.tagger import _not_a_body

    assert _not_a_body("新疆维吾尔自治区及兵团") and _not_a_body("推动北京科技创新中心")
    assert not _not_a_body("北京科技创新中心")
    names = {m.text for m in find_entities(doc(text)).mentions}
    assert not {"新疆维吾尔自治区及兵团", "推动北京科技创新中心"} & names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "调研组走进恒力重工集团有限公司和大连新阳光材料科技有限公司。",
            "大连新阳光材料科技有限公司",
        ),  # jieba's 大连/d
        ("编制全省农业农村“十四五”规划。", "全省农业农村“十四五”规划"),  # a plan's reach
    ],
)
def test_places_and_reach_inside_names(text, name):
    assert name in {m.text for m in find_entities(doc(text)).mentions}


@pytest.mark.parametrize(
    ("text", "venue"),
    [("地点:云南省曲靖市曲靖会堂。", "曲靖会堂"), ("签约仪式在昆明滇池国际会展中心举行。", "昆明滇池国际会展中心")],
)
def test_a_venue_s_name_follows_its_address(text, venue):
    assert (venue, "Place") in {(m.text, m.type) for m in find_entities(doc(text)).mentions}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "6月14日,推动成渝地区双城经济圈建设教育协同发展工作联席会议第五次会议在四川省宜宾市举行。",
            "推动成渝地区双城经济圈建设教育协同发展工作联席会议第五次会议",
        ),
        (
            "相较今年3月11日在京举行的中央企业以产业援疆带动就业工作推进会,签约项目增幅。",
            "中央企业以产业援疆带动就业工作推进会",
        ),
    ],
)
def test_an_event_held_in_its_clause_takes_the_whole_clause_as_its_name(text, name):
    assert name in {m.text for m in find_entities(doc(text)).mentions}


def test_an_event_whose_clause_names_its_host_keeps_its_own_name():
    names = {m.text for m in find_entities(doc("8月13日,省科技厅召开学习贯彻专题宣讲报告会。")).mentions}
    assert "专题宣讲报告会" in names and "省科技厅" in names


# The cheap guards before jieba cuts (kg.extract.words._may_cut, tagger._may_open_with_a_verb) only skip
# cuts whose answer they already know: with or without them, every answer is the same.
_NEWS = "省科技厅厅长在唐山市调研科技特派员制度沿海城市开展合作建设发展银行代表学校全力支持AB12中心"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NEWS, min_size=2, max_size=10), st.data())
def test_word_cut_guard_gives_the_cuts_answer(window, data):
    from kg.extract.words import _cut_crosses, cuts_a_word

    at = data.draw(st.integers(1, len(window) - 1))
    assert cuts_a_word.__wrapped__(window, at) == _cut_crosses(window, at)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NEWS + "及 “", min_size=1, max_size=10))
def test_verb_guard_gives_the_cuts_answer(text):
    from kg.extract.tagger import _VERBS_IN_NAMES, _not_a_body
    from kg.extract.words import words
    from kg.segment import word_pos

    first = words(text)[0]
    plain = any(c in text for c in "及暨") or "代表" in text
    plain = plain or (word_pos(first)[:1] in ("v", "d") and first not in _VERBS_IN_NAMES)
    assert _not_a_body(text) == plain


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="abc副主任", min_size=1, max_size=4), min_size=1, max_size=8),
    st.text(alphabet="abcx副主任", max_size=30),
)
def test_word_lists_as_tries_match_what_their_longest_first_alternation_matches(words, text):
    """kg.patterns compiles its word lists as tries: the same matches, each character read once."""
    import re

    from kg.patterns import _trie

    alternation = "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))
    for tail in ("", "x"):  # alone, and where a shorter word must be tried after a longer one fails
        expected = [m.span() for m in re.finditer(f"(?:{alternation}){tail}", text)]
        assert [m.span() for m in re.finditer(_trie(words) + tail, text)] == expected
