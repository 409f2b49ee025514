"""Relation rules, one table row per kind of statement, on hand-made sentences."""

import pytest

from kg.stages import process
from kg.textio import make_document


def relations(text):
    doc = process(make_document("t.txt", "河北日报讯 " + text))
    return {(r.relation, r.head.key or r.head.text, r.tail.key or r.tail.text, r.title) for r in doc.relations}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("省科技厅副厅长李从民出席会议。", ("holdsPosition", "李从民", "河北省科学技术厅", "副厅长")),
        ("省科技厅党组书记、厅长马宇骏赴承德市作报告。", ("holdsPosition", "马宇骏", "河北省科学技术厅", "厅长")),
        ("省科技厅党组书记、厅长马宇骏赴承德市作报告。", ("holdsPosition", "马宇骏", "河北省科学技术厅", "党组书记")),
        ("唐山市科技局党组书记潘树文表示,效果很好。", ("holdsPosition", "潘树文", "唐山市科学技术局", "党组书记")),
        ("中国工程院院士张伯礼作了报告。", ("holdsPosition", "张伯礼", "中国工程院", "院士")),
        ("省科技厅启动组建了河北省科技创新辅导团。", ("organizes", "河北省科学技术厅", "河北省科技创新辅导团", "")),
        (
            "由天津市科学技术局、北京市科学技术委员会共同主办的“京津冀青年科学家论坛”在天津顺利召开。",
            ("organizes", "北京市科学技术委员会", "京津冀青年科学家论坛", ""),
        ),
        (
            "由天津市科学技术局、北京市科学技术委员会共同主办的“京津冀青年科学家论坛”在天津顺利召开。",
            ("locatedIn", "京津冀青年科学家论坛", "天津市", ""),
        ),
        ("唐山推行基层科技特派员制度。", ("locatedIn", "科技特派员制度", "唐山市", "")),
        ("遵化市兴旺寨乡何家峪村的板栗。", ("partOf", "何家峪村", "兴旺寨乡", "")),
        (
            "河北省儿童医院与加拿大病童医院开展国际远程会诊合作。",
            ("cooperatesWith", "河北省儿童医院", "加拿大病童医院", ""),
        ),
        ("协同中科院旗下北京中科软领科技有限公司赴定州。", ("partOf", "北京中科软领科技有限公司", "中国科学院", "")),
        ("唐山市的唐山工业职业技术学院选派专家。", ("locatedIn", "唐山工业职业技术学院", "唐山市", "")),
        (
            "省农林科学院石家庄果树所研究员冯建忠收获满满。",
            ("holdsPosition", "冯建忠", "河北省农林科学院石家庄果树所", "研究员"),
        ),
    ],
)
def test_each_statement_gives_its_relation(text, expected):
    assert expected in relations(text)


@pytest.mark.parametrize(
    "text",
    [
        "省科技厅召开会议,龙奋杰出席。",  # no title, no organisation next to the name
        "我省科技工作取得成效。",
        "唐山和承德都是城市。",  # two places side by side, neither in the other
    ],
)
def test_no_relation_without_a_statement(text):
    got = relations(text)
    assert not {r for r in got if r[0] in ("holdsPosition", "organizes", "partOf")}


def test_relations_carry_their_sentence():
    doc = process(make_document("t.txt", "第一句无关。省科技厅副厅长李从民出席会议。"))
    (rel,) = [r for r in doc.relations if r.relation == "holdsPosition"]
    assert rel.sentence.text == "省科技厅副厅长李从民出席会议。"
    assert doc.text[rel.sentence.start : rel.sentence.end] == rel.sentence.text


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        # a name that begins with a place says where the body is only when the article names the place too
        ("中山大学附属第一医院派出专家。", None, ("locatedIn", "中山大学附属第一医院", "中山市", "")),
        # the division tree links places the article names by themselves, not places inside names
        ("会议在四川省宜宾市举行。宜宾市委书记出席。", ("partOf", "宜宾市", "四川省", ""), None),
        ("四川大学与宜宾市签约。", None, ("partOf", "宜宾市", "四川省", "")),
        # 主任A、副主任B: the second title is held in the first one's body
        (
            "河北农业大学校长王志刚、副校长李明出席。",
            ("holdsPosition", "李明", "河北农业大学", "副校长"),
            None,
        ),
        # a place-bound title with no government named: the post is in the place (GRAPH_GOLD: 县长 → 正定县),
        ("山东省召开科技特派员工作会议。副省长于杰出席会议。", ("holdsPosition", "于杰", "山东省", "副省长"), None),
        # 市领导A、B: leaders of the city, no title given
        ("沧州市与北京化工大学签约。市领导商黎光、王大虎出席。", ("affiliatedWith", "王大虎", "沧州市", ""), None),
    ],
)
def test_statements_and_non_statements(text, expected, absent):
    got = relations(text)
    if expected:
        assert expected in got
    if absent:
        assert absent not in got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a Party title after a body is a title in that body, not a "X党委" body of its own
        (
            "国务院国资委党委书记、主任张玉卓出席。",
            ("holdsPosition", "张玉卓", "国务院国有资产监督管理委员会", "党委书记"),
        ),
        ("四川大学党委副书记王静出席会议。", ("holdsPosition", "王静", "四川大学", "党委副书记")),
        # where the committee is the body (a region's Party committee), the title does not cut into its name
        ("自治区党委书记马兴瑞出席。", ("holdsPosition", "马兴瑞", "自治区党委", "书记")),
    ],
)
def test_party_titles(text, expected):
    assert expected in relations(text)


def test_divisions_in_a_row_inside_a_name_are_parts_of_each_other():
    got = relations("莆田市涵江区双福村党支部书记郭玲玲表示。")
    assert {("partOf", "涵江区", "莆田市", ""), ("partOf", "双福村", "涵江区", "")} <= got


def _pattern_ids(p):
    return f"{p.relation}:{p.line}"


@pytest.mark.parametrize(
    "pattern", __import__("kg.relations.patterns", fromlist=["patterns"]).patterns(), ids=_pattern_ids
)
def test_each_pattern_gives_the_pairs_of_its_example(pattern):
    """Every line of kg/lexicon/relation_patterns: its own example, read by that pattern alone, gives its pairs;
    and all patterns together give them too (the patterns a sentence's mention types rule out are not tried)."""
    from kg.relations.context import DocContext
    from kg.relations.patterns import pattern_relations
    from kg.relations.view import View

    assert pattern.comment, "each pattern says what it reads"
    assert pattern.example and pattern.expected, "each pattern has an example and the pairs it gives"
    doc = process(make_document("t.txt", pattern.example))
    ctx = DocContext(doc)
    got = set()
    for sent in doc.sentences:
        ms = ctx.within(sent)
        if ms:
            view = View(ctx, sent, ms)
            found = pattern.apply(view)
            assert set(found) <= set(pattern_relations(view))
            for r in found:
                got |= {(h, t) for h in (r.head.text, r.head.key) for t in (r.tail.text, r.tail.key)}
    for pair in pattern.expected:
        assert pair in got, f"{pattern.source!r} on {pattern.example!r} gave {sorted(got)}"


@pytest.mark.parametrize(
    ("text", "label", "absent"),
    [
        # a 厅 is a province's department, whatever city the article is in
        ("山东省科技厅会议在济南召开。科技厅厅长唐波主持会议。", "山东省科学技术厅", "济南市科技厅"),
        # a name that begins with a place is not that place's department
        ("四川大学华西二院院长刘瀚旻致辞。", "四川大学华西二院", "四川省大学华西二院"),
        # one article, one name: the short form of a zone or of a document it writes in full
        ("石家庄高新技术产业开发区举行签约。石家庄高新区管委会主任讲话。", "石家庄高新技术产业开发区", "石家庄高新区"),
        (
            "印发《呼包鄂国家自主创新示范区建设总体方案》。《总体方案》提出目标。",
            "呼包鄂国家自主创新示范区建设总体方案",
            "总体方案",
        ),
    ],
)
def test_one_name_per_thing_in_an_article(text, label, absent):
    doc = process(make_document("t.txt", text))
    keys = {m.key for m in doc.mentions} | {r.tail.key for r in doc.relations}
    assert label in keys
    assert absent not in keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one title after a list of names: each name holds it
        (
            "滨海新区工委、管委会领导班子成员王玮、冯宗英出席。",
            ("holdsPosition", "冯宗英", "滨海新区工委", "领导班子成员"),
        ),
        (
            "滨海新区工委、管委会领导班子成员王玮、冯宗英出席。",
            ("holdsPosition", "冯宗英", "滨海新区管委会", "领导班子成员"),
        ),
        # a committee written bare after another of the same zone is that zone's
        ("滨海高新区工委副书记、管委会主任倪祥玉讲话。", ("holdsPosition", "倪祥玉", "滨海高新区管委会", "主任")),
        # a signing ceremony's name holds both parties
        (
            "滨海高新区与塘沽区集体土地征收合作协议签字仪式举行。王玮出席仪式。",
            ("participatesIn", "王玮", "滨海高新区与塘沽区集体土地征收合作协议签字仪式", ""),
        ),
    ],
)
def test_lists_committees_and_ceremonies(text, expected):
    assert expected in relations(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # bylines: the outlet before the bracket
        ("河北日报(通讯员李悦 记者王璐丹)12月4日,论坛召开。", ("holdsPosition", "王璐丹", "河北日报", "记者")),
        ("河北日报讯(记者方素菊、刘禹彤)创业初期。", ("holdsPosition", "刘禹彤", "河北日报", "记者")),
        # hosts: 由A主办,B承办的X; A联合B、C共同设立X; A深入开展以…为主题的X
        (
            "由省科学技术厅主办,国家干旱农业工程技术研究中心承办的第七届燕赵科学论坛在石家庄召开。",
            ("organizes", "河北省科学技术厅", "第七届燕赵科学论坛", ""),
        ),
        (
            "省科技厅联合河北大学、峰峰集团共同出资设立河北省自然科学基金生态智慧矿山联合基金。",
            ("organizes", "峰峰集团", "河北省自然科学基金生态智慧矿山联合基金", ""),
        ),
        (
            "省科技厅深入开展以“三进三解”为主题的“我为群众办实事”实践活动。",
            ("organizes", "河北省科学技术厅", "“我为群众办实事”实践活动", ""),
        ),
        # an expert of a body, a word between (省农林科学院的板栗专家王广鹏)
        ("省农林科学院的板栗专家王广鹏在遵化市指导。", ("affiliatedWith", "王广鹏", "河北省农林科学院", "")),
    ],
)
def test_bylines_hosts_and_experts(text, expected):
    assert expected in relations(text)


def test_a_dateline_names_the_reporter_of_its_outlet():
    doc = process(make_document("t.txt", "新华网福州12月6日电(刘丰)福建尤溪县梅仙镇半山村一直是名村。"))
    assert ("affiliatedWith", "刘丰", "新华网") in {(r.relation, r.head.key, r.tail.key) for r in doc.relations}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a unit between the body and the title: the post is in the body
        ("西宁市科技局成果合作交流处处长任安良等一行到访。", ("holdsPosition", "任安良", "西宁市科学技术局", "处长")),
        (
            "中国科学院院士、中国科学院地质与地球物理研究所研究员翟明国表示。",
            ("holdsPosition", "翟明国", "中国科学院", "院士"),
        ),
        # a democratic party's committee and its chair
        (
            "市政协副主席、民建河北省委副主委武义青带领调研组赴正定。",
            ("holdsPosition", "武义青", "民建河北省委", "副主委"),
        ),
        # an executive deputy's title, formed from the deputy's
        (
            "中国农业科学院都市农业研究所常务副所长杨其长参加研讨会。",
            ("holdsPosition", "杨其长", "中国农业科学院都市农业研究所", "常务副所长"),
        ),
        # the second of two people of one body, a unit between
        ("河北农业大学副校长张凤桐、办公室主任张曦等交流。", ("holdsPosition", "张曦", "河北农业大学", "主任")),
        # a body, a name, then the title
        (
            "鞍山力邦压缩机有限公司与沈阳航空航天大学王贺权教授签署协议。",
            ("holdsPosition", "王贺权", "沈阳航空航天大学", "教授"),
        ),
    ],
)
def test_units_and_titles_after_names(text, expected):
    assert expected in relations(text)


def test_people_who_sign_take_part_in_what_they_sign():
    got = relations("塘沽工委副书记刘玉友,滨海新区工委副书记倪祥玉共同签署《征地合作协议》。")
    assert {("participatesIn", "刘玉友", "征地合作协议", ""), ("participatesIn", "倪祥玉", "征地合作协议", "")} <= got


def test_quoted_and_zone_forms_are_one_name_in_an_article():
    doc = process(
        make_document("t.txt", "“天津未来科技城”项目落户高新区滨海科技园。天津未来科技城项目进展顺利,滨海科技园扩建。")
    )
    keys = {m.key for m in doc.mentions}
    assert "天津未来科技城项目" not in keys and "高新区滨海科技园" not in keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a municipality is a city for a city's titles
        ("北京市副市长隋振江陪同调研。", ("holdsPosition", "隋振江", "北京市", "副市长")),
        # the next person of a list takes the place of the previous one's body
        ("怀柔区委书记齐静、区长常卫陪同调研。", ("holdsPosition", "常卫", "怀柔区", "区长")),
        # 省委常委、市委书记: the 市 is the article's city, not the province just named
        ("福州是福建省会。省委常委、市委书记林宝金出席。", ("holdsPosition", "林宝金", "福州市", "书记")),
    ],
)
def test_titles_held_in_places(text, expected):
    assert expected in relations(text)


@pytest.mark.parametrize(
    ("text", "short", "full"),
    [
        # a short form the article uses for a name it writes in full
        ("深圳市第二人民医院与福田区签约。市二医院派出专家。", "市二医院", "深圳市第二人民医院"),
        ("塘沽区工委、管委会领导出席。塘沽工委书记吕福春致辞。", "塘沽工委", "塘沽区工委"),
    ],
)
def test_abbreviations_take_the_full_name(text, short, full):
    doc = process(make_document("t.txt", text))
    assert {m.key for m in doc.mentions if m.text == short} == {full}


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("济南市中区科技局与济南市科技局签约。", "济南市科技局"),  # a district's bureau is another body
        ("中山大学附属第一医院贵州医院揭牌。中山大学附属第一医院派出专家。", "中山大学附属第一医院"),  # a unit of it
        ("重庆市委教育工委书记、重庆市教委主任刘宴兵出席。", "重庆市教委"),  # 教委 and 工委 are two bodies
    ],
)
def test_what_is_no_abbreviation(text, short):
    doc = process(make_document("t.txt", text))
    keys = {m.key for m in doc.mentions if m.text == short}
    assert keys and all(short[:2] in k and (len(k) - len(short)) < 4 for k in keys)


def test_partners_named_clause_after_clause_for_one_subject():
    got = relations(
        "在科学技术部的指导下,河南省科学技术厅克服困难,同河南省教育厅、河南省财政厅密切合作,"
        "与郑州大学、河南大学等共同组成大赛组委会。"
    )
    for partner in ("河南省教育厅", "河南省财政厅", "郑州大学", "河南大学"):
        assert ("cooperatesWith", "河南省科学技术厅", partner, "") in got
    assert ("cooperatesWith", "郑州大学", "河南大学", "") in got  # listed before 共同
    assert ("cooperatesWith", "河南省教育厅", "河南省财政厅", "") not in got  # no 共同 after them


def test_a_list_of_speakers_gives_each_one_posts():
    text = (
        "出席人员:\n    李先祥   云南省曲靖市人民政府市长\n    李昌明   浙江省台州市爱卫会主任、台州市人民政府副市长\n"
    )
    got = relations(text)
    assert ("holdsPosition", "李先祥", "云南省曲靖市人民政府", "市长") in got
    assert ("holdsPosition", "李昌明", "台州市人民政府", "副市长") in got


def test_venues_are_places_where_events_are_held():
    got = relations("第7届南博会暨第27届昆交会经贸合作项目签约仪式在昆明滇池国际会展中心举行。")
    assert ("locatedIn", "第7届南博会暨第27届昆交会经贸合作项目签约仪式", "昆明滇池国际会展中心", "") in got


def test_a_document_issued_in_a_clause_without_issuer_is_the_main_agency_s():
    got = relations(
        "国家卫生健康委员会举行新闻发布会。国家卫生健康委员会介绍,一是加强监测,二是印发《关于加强助产服务管理的通知》。"
    )
    assert ("organizes", "国家卫生健康委员会", "关于加强助产服务管理的通知", "") in got
    # a clause that names its issuer keeps it
    got = relations("国家卫生健康委员会举行发布会。国家卫生健康委员会表示,河北省科技厅印发《科技特派员工作方案》。")
    assert ("organizes", "国家卫生健康委员会", "科技特派员工作方案", "") not in got


def test_a_zone_s_party_committee_post_is_in_the_zone():
    got = relations("石家庄综合保税区正式封关。综合保税区党工委书记陈振居出席。")
    assert ("holdsPosition", "陈振居", "石家庄综合保税区", "书记") in got


def test_the_two_parties_an_event_is_named_after_take_part_and_work_together():
    got = relations("唐山市与承德市科技合作协议签约仪式在唐山举行。唐山市和承德市同属河北省。")
    assert ("participatesIn", "唐山市", "唐山市与承德市科技合作协议签约仪式", "") in got
    assert ("participatesIn", "承德市", "唐山市与承德市科技合作协议签约仪式", "") in got
    assert {("cooperatesWith", "唐山市", "承德市", ""), ("cooperatesWith", "承德市", "唐山市", "")} & got


def test_who_signs_at_the_article_s_event_attends_it():
    got = relations("唐山市科技合作签约仪式举行。唐山市科技局局长王强、承德市科技局局长李明共同签署《科技合作协议》。")
    assert ("participatesIn", "李明", "唐山市科技合作签约仪式", "") in got


def test_a_zone_word_before_a_committee_names_the_zone_in_full():
    got = relations("石家庄经济技术开发区举行签约。经开区党工委书记李宪英出席。")
    assert ("holdsPosition", "李宪英", "石家庄经济技术开发区", "书记") in got


def test_bodies_visited_are_in_the_place_of_the_visit_named_a_sentence_before():
    got = relations(
        "大连市科技局局长原弛率调研组在长兴岛围绕重点产业展开调研。调研中,调研组走进恒力重工集团有限公司和大连新阳光材料科技有限公司。"
    )
    assert ("locatedIn", "恒力重工集团有限公司", "长兴岛", "") in got
    assert ("locatedIn", "大连新阳光材料科技有限公司", "长兴岛", "") in got


def test_a_zone_s_two_committees_are_the_zone():
    got = relations("滨海高新区召开会议。高新区两委领导班子成员张世军、刘毅出席。")
    assert ("holdsPosition", "刘毅", "滨海高新区", "领导班子成员") in got


def test_a_bare_party_committee_in_an_article_about_a_zone_is_the_zone_s():
    got = relations("北京经开区举行挂牌仪式。工委书记王少峰、管委会主任梁胜为片区挂牌。")
    assert ("holdsPosition", "王少峰", "北京经开区", "书记") in got


TRANSCRIPT = """生态环境部2025年3月6日例行新闻发布会文字实录
时  间:2025年3月6日
地  点:浙江省杭州市
主持人: 裴晓菲   生态环境部新闻发言人、宣传教育司司长
嘉  宾: 赵英民   生态环境部副部长
         王  平   浙江省生态环境厅副厅长
         刘志全   生态环境部规划财务司司长
主持人 裴晓菲:
各位记者朋友,上午好!欢迎参加生态环境部的例行新闻发布会。
"""


def test_a_transcript_s_list_of_speakers():
    """A press conference's transcript: its name with host and date, its place line, and each speaker
    (a two-character name spaced out to align) with the posts on their line, taking part in it."""
    doc = process(make_document("t.txt", TRANSCRIPT))
    event = "生态环境部2025年3月6日例行新闻发布会"
    got = {(r.relation, r.head.key, r.tail.key, r.title) for r in doc.relations}
    for person in ("裴晓菲", "赵英民", "王平", "刘志全"):
        assert ("participatesIn", person, event, "") in got
    posts = {(r.head.key, r.tail.key, r.title) for r in doc.relations if r.relation == "holdsPosition"}
    assert ("裴晓菲", "生态环境部", "司长") in posts  # 、宣传教育司|司长: a unit of the same body
    assert ("王平", "浙江省生态环境厅", "副厅长") in posts
    assert ("刘志全", "生态环境部", "司长") in posts
    assert "宣传教育司" not in {m.text for m in doc.mentions if m.type == "Person"}
    assert ("locatedIn", event, "杭州市", "") in got


def test_a_bare_party_committee_in_a_title_puts_the_post_in_the_place():
    """省委常委、市委书记刘捷: GRAPH_GOLD puts a post of a committee the text does not name in the place."""
    doc = process(make_document("t.txt", "浙江省杭州市。省委常委、市委书记刘捷赴浙江大学走访。"))
    posts = {(r.head.key, r.tail.key, r.title) for r in doc.relations if r.relation == "holdsPosition"}
    assert posts == {("刘捷", "浙江省", "常委"), ("刘捷", "杭州市", "书记")}
    assert not [m for m in doc.mentions if m.type == "Agency"]


@pytest.mark.parametrize(
    "text",
    [
        "西南大学与川茶集团等单位围绕校企、校地合作进行了签约。",
        "鞍山力邦压缩机有限公司与沈阳航空航天大学王贺权教授等7名科技专员签署校地合作项目。",
    ],
)
def test_the_two_sides_of_a_signing_work_together(text):
    doc = process(make_document("t.txt", text))
    bodies = [m.key for m in doc.mentions if m.type in ("Organization", "Agency")]
    assert [(r.head.key, r.tail.key) for r in doc.relations if r.relation == "cooperatesWith"] == [tuple(bodies[:2])]


def test_a_name_then_the_head_s_title_of_the_article_s_department():
    """李萌副部长调研…: the 部 is the one the article names (科技部), though this sentence does not."""
    doc = process(make_document("t.txt", "科技部调研北京科技创新中心建设。李萌副部长带队赴怀柔调研。"))
    posts = {(r.head.key, r.tail.key, r.title) for r in doc.relations if r.relation == "holdsPosition"}
    assert ("李萌", "科学技术部", "副部长") in posts


def test_a_school_named_with_its_town_is_in_that_town():
    doc = process(make_document("t.txt", "株洲市炎陵县霞阳镇希望小学校长段爱凤作为学员代表发言。"))
    got = {(r.relation, r.head.key, r.tail.key) for r in doc.relations}
    assert ("holdsPosition", "段爱凤", "霞阳镇希望小学") in got
    assert ("locatedIn", "霞阳镇希望小学", "霞阳镇") in got
    assert ("partOf", "霞阳镇", "炎陵县") in got


def test_a_venue_written_after_its_city_is_in_it():
    doc = process(make_document("t.txt", "地  点:云南省曲靖市曲靖会堂"))
    assert ("partOf", "曲靖会堂", "曲靖市") in {(r.relation, r.head.key, r.tail.key) for r in doc.relations}


def test_a_document_of_an_edition_is_issued_by_its_body():
    doc = process(make_document("t.txt", "国家卫生健康委印发《原发性肝癌诊疗指南(2024年版)》。"))
    got = {(r.relation, r.head.key, r.tail.key) for r in doc.relations}
    assert ("organizes", "国家卫生健康委员会", "原发性肝癌诊疗指南(2024年版)") in got


def test_the_villages_listed_after_a_county_are_in_it():
    doc = process(make_document("t.txt", "半山大桥连接着尤溪县半山村和汶潭村。"))
    got = {(r.relation, r.head.key, r.tail.key) for r in doc.relations}
    assert {("partOf", "半山村", "尤溪县"), ("partOf", "汶潭村", "尤溪县")} <= got
