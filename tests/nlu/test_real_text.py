"""Real residents write long, polite, formulaic posts: the subject must survive all of that."""

from __future__ import annotations

import pytest

from nlu import NLU, AppealType, announces_problem, strip_noise
from nlu.classifier import LONG_POST_THRESHOLD

LONG = ("尊敬的领导您好！我们小区门口的路灯坏了半年了，晚上黑漆漆的，老人出门都不敢。另外小区旁边的饭店油烟很大，"
        "每天熏得我们开不了窗户。希望相关部门尽快处理，谢谢！")


@pytest.mark.parametrize("text", ["2019年", "2019年5月10日", "C4市", "A3区", "尊敬的领导：您好！", "12345", "此致敬礼", "？？？"])
def test_content_free_text_is_unknown_and_never_confident(nlu: NLU, text: str) -> None:
    result = nlu.classify(text)
    assert result.unknown and not result.confident
    assert nlu.understand(text).unknown


@pytest.mark.parametrize("text", ["好危险啊", "太严重了！", "我有个问题", "这事挺麻烦的", "哈哈哈哈"])
def test_a_judgement_without_a_subject_is_unknown(nlu: NLU, text: str) -> None:
    result = nlu.classify(text)
    assert result.unknown and not result.confident


@pytest.mark.parametrize("text", ["路灯", "噪音", "垃圾"])
def test_a_single_word_is_ranked_but_not_confident(nlu: NLU, text: str) -> None:
    result = nlu.classify(text)
    assert not result.unknown and not result.confident


def test_a_dangerous_named_thing_keeps_its_subject(nlu: NLU) -> None:
    assert nlu.classify("楼下仓库里堆着危险品").major.code == "09"


@pytest.mark.parametrize("text", ["我们单元楼道里的灯坏了好几天", "楼梯的声控灯不亮了"])
def test_a_dark_stairwell_is_the_property_managers_repair(nlu: NLU, text: str) -> None:
    assert nlu.classify(text).minor.name == "公共部位维修"


def test_salutations_dates_and_codes_do_not_change_the_subject(nlu: NLU) -> None:
    plain = nlu.classify("小区门口的路灯坏了，晚上黑漆漆的")
    dressed = nlu.classify("尊敬的书记您好！2019年3月以来，C4市K2区XX小区门口的路灯坏了，晚上黑漆漆的。恳请相关部门尽快处理，谢谢！")
    assert plain.major.code == dressed.major.code == "04"


def test_a_variant_character_does_not_flip_the_subject(nlu: NLU) -> None:
    assert nlu.classify("望江路巿政道路上井盖丢了").major.code == nlu.classify("望江路市政道路上井盖丢了").major.code


def test_a_post_raising_several_problems_lists_the_others(nlu: NLU) -> None:
    u = nlu.understand(LONG)
    codes = {u.majors[0].code, *(m.code for m in u.others)}
    assert {"04", "06"} <= codes and u.majors[0].code not in {m.code for m in u.others}


@pytest.mark.parametrize(
    ("text", "appeal", "major"),
    [
        ("建议在我们小区门口增设一个公交站，老人出行太不方便", AppealType.SUGGESTION, "08"),
        ("请问新生儿的医保怎么办理，需要什么材料", AppealType.INQUIRY, "13"),
        ("举报有人晚上往河道里偷排污水", AppealType.TIP_OFF, None),
        ("感谢城管的同志及时清理了路边堆了好久的垃圾，给你们点赞", AppealType.PRAISE, None),
        ("楼上每天半夜装修，吵得根本没法睡觉", AppealType.COMPLAINT, None),
        ("求助！家里老人走失了，穿灰色外套", AppealType.HELP_REQUEST, None),
    ],
)
def test_the_appeal_type_is_read_apart_from_the_subject(
    nlu: NLU, text: str, appeal: AppealType, major: str | None
) -> None:
    u = nlu.understand(text)
    assert u.appeal is appeal
    assert u.majors[0].code != "20"  # the form of the sentence does not make it an administrative matter
    if major:
        assert u.majors[0].code == major


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("关于小区停车的反映\n各位领导好，我们小区晚上车停满了消防通道", "消防通道"),
        ("楼下的花开得很好，胡书记您好，小区的井盖丢了", "井盖"),
        ("在吗 楼道灯坏了", "楼道灯"),
    ],
)
def test_salutations_anywhere_come_off_and_the_problem_stays(text: str, kept: str) -> None:
    from nlu.content import strip_salutations

    stripped = strip_salutations(text)
    assert kept in stripped
    assert "您好" not in stripped and "领导好" not in stripped and "在吗" not in stripped


def test_a_phone_deep_in_a_long_post_is_found_with_or_without_full_width_digits(nlu: NLU) -> None:
    filler = "我们小区的路灯已经坏了很久，晚上出门非常不方便，老人孩子都不敢出门。" * 20
    assert nlu.understand(filler + "联系电话13955123456").phone == "13955123456"
    assert nlu.understand(filler + "联系电话１３９５５１２３４５６").phone == "13955123456"


def test_a_long_post_needs_a_clearer_lead_to_be_confident(nlu: NLU) -> None:
    short = "小区门口的路灯坏了，晚上黑漆漆的"
    long = ("路边有人乱扔垃圾，这件事情已经持续很长一段时间了，周围的邻居们都很有意见，大家商量了很久，决定还是在这里说"
            "一下，希望能有个结果，不然大家心里都不踏实，日子也过得不安生，孩子们放学回家也要绕着走，路边垃圾堆得到处都是。")
    assert nlu.classify(short).confident
    result = nlu.classify(long)
    assert len(long) >= 100 and result.major.code == "01"
    assert 0.7 <= result.major.score < LONG_POST_THRESHOLD and not result.confident  # a short one would be


def test_a_long_post_blaming_officials_keeps_its_subject_and_a_matter_of_procedure_stays_administrative(
    nlu: NLU,
) -> None:
    blaming = ("尊敬的领导您好！我家住在幸福路东段，门口那排路灯从去年夏天起就一直不亮，晚上一片漆黑，老人孩子出门都提心吊胆。"
               "我们多次打12345反映，每次都说转给相关部门了，可半年过去了没有任何人来修，这是不是工作人员推诿不作为？"
               "请问到底归哪个部门管？恳请领导过问此事，谢谢！")
    procedure = ("街道办事大厅只开两个窗口，每次去办证都要排一上午的队，工作人员态度也不好，问两句就不耐烦，材料要求一次也说不"
                 "清楚，让人来回跑了好几趟。希望政务服务中心能多开几个窗口，简化办事流程，把需要的材料在网站上公示清楚。")
    lights = nlu.classify(blaming)
    assert len(blaming) >= 100 and lights.major.code == "04"
    assert lights.majors[1].score < 0.1  # the form (12345, 推诿, 不作为, 请问) no longer makes 20 a contender
    assert nlu.classify(procedure).major.code == "20"


@pytest.mark.parametrize("text", ["楼下的KTV太吵了", "小区门口新开的KTV天天半夜扰民"])
def test_a_latin_word_is_not_taken_for_a_place_code(nlu: NLU, text: str) -> None:
    assert nlu.classify(text).minor.name == "娱乐场所噪音"


@pytest.mark.parametrize(("text", "announces"), [("这边有点问题", True), ("我要反映个情况", True),
                                                 ("路灯不亮", False), ("谢谢", False)])
def test_a_message_announcing_a_problem_is_told_apart(text: str, announces: bool) -> None:
    assert announces_problem(text) is announces


def test_a_compounds_name_lends_the_message_none_of_its_characters(nlu: NLU) -> None:
    assert nlu.places.without_names("星河雅居门口的路灯坏了") == " 门口的路灯坏了"
    assert nlu.places.without_names("徽园菜市场门口很脏") == "菜市场门口很脏"  # what the place is stays
    suggestion = nlu.classify("建议把星河雅居门口坏了的路灯换成新的")  # 河 is no river here
    assert suggestion.major.code == "04" and suggestion.confident


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [("希望长春村竹林塘组早日铺上水泥路", "竹林塘", "早日铺上水泥路"), ("马迹塘镇大塘坪村的垃圾没人拉", "塘", "垃圾没人拉"),
     ("我们村的垃圾没人拉", None, "我们村"), ("城中村到处是违建", None, "城中村"), ("村委会不公开账目", None, "村委会")],
)
def test_a_villages_name_lends_the_message_none_of_its_characters(text: str, gone: str | None, kept: str) -> None:
    stripped = strip_noise(text)
    assert kept in stripped and (gone is None or gone not in stripped)


def test_a_road_to_a_village_named_for_a_pond_is_a_road(nlu: NLU) -> None:
    assert nlu.classify("希望长春村竹林塘组早日铺上水泥路，下雨天出不了门").major.code == "04"


@pytest.mark.parametrize(
    ("text", "minor"),
    [("毕业好几年了想查一下我的档案现在放在哪里", "人事档案"), ("我们小区对面那块空地到底规划建什么", "城乡规划"),
     ("村里卖地的钱一直不公开，账目谁也看不到", "村务公开"), ("我们这个老小区什么时候能轮到改造，水管天天漏", "老旧小区改造"),
     ("住七楼没电梯，老楼加装电梯怎么申请", "加装电梯"), ("售楼处说必须买车位才能签购房合同", "商品房销售"),
     ("退租的时候房东扣着押金不给", "房屋租赁"), ("高速收费站ETC多扣了我一次钱", "高速公路与收费站"),
     ("县里的汽车站取消了去市里的班车", "铁路与长途客运"), ("家里宽带三天两头断网，报修也没人来", "通信网络"),
     ("我爸是退伍老兵，今年的优抚金还没发", "退役军人优抚"), ("村里评贫困户都是村干部的亲戚", "扶贫帮困"),
     ("代课老师干了十年还是没有编制", "教师待遇编制"), ("事业单位考试的面试成绩公示有问题", "机关事业单位招考"),
     ("银行卡莫名其妙被冻结了，柜台也不说原因", "金融服务"), ("水库移民的后期扶持补助今年还没到账", "水库移民")],
)
def test_subjects_residents_raise_beyond_the_street_have_a_home(nlu: NLU, text: str, minor: str) -> None:
    assert nlu.classify(text).minor.name == minor
