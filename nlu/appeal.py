"""诉求类型 (appeal type): the form of a message, read apart from its subject.

12345 platforms record both what a message is about (the category) and what the resident asks for:
a complaint, a tip-off about someone breaking rules, a request for help, a question, a suggestion or
praise. Cue phrases score each type; the first sentences weigh more (residents state their purpose
early), and the type with the highest score wins. A problem described without any cue is a complaint
(投诉), the commonest type; a message without content is 其他.
"""

from __future__ import annotations

import re

from nlu.vocabulary import AppealType

_CUES: dict[AppealType, tuple[tuple[re.Pattern[str], float], ...]] = {
    AppealType.TIP_OFF: tuple((re.compile(p), w) for p, w in (
        (r"举报|检举|揭发|实名反映", 3.0),
        (r"违法|违规|非法|私自|偷偷|违建|私搭乱建|偷排|偷倒|无证|黑作坊|传销|诈骗|赌博|涉黑|贪污|受贿|虚报|骗取"
         r"|套取|冒领", 1.2),
    )),
    AppealType.COMPLAINT: tuple((re.compile(p), w) for p, w in (
        (r"投诉|控诉|强烈不满|太过分|不作为|乱作为|推诿|扯皮|敷衍", 2.5),
        (r"扰民|严重影响|影响(了)?(居民|我们|正常)|苦不堪言|无法(入睡|休息|正常)|忍无可忍|怨声载道|损害", 1.2),
        (r"拖欠|欠薪|不给退|拒不|迟迟不|至今(未|没有)|一直(没有|未|不)|多次(反映|投诉|找)", 1.0),
    )),
    AppealType.HELP_REQUEST: tuple((re.compile(p), w) for p, w in (
        (r"求助|求救|救救|帮帮(我|我们|忙)|请(帮|帮忙|帮助)|求(求|你们)|走投无路|无家可归|急需|无助", 2.5),
        (r"怎么办(啊|呀)?$|该怎么办|不知(道)?(该)?怎么办|生活困难|看不起病|没钱", 1.2),
    )),
    AppealType.INQUIRY: tuple((re.compile(p), w) for p, w in (
        (r"咨询|请问|想问(一下)?|想了解|问一下|打听", 2.5),
        (r"(是否|能否|可否|可不可以|能不能|是不是|有没有)(可以|能)?(办理|申请|享受|领取|缴纳|报销|转|迁)", 1.5),
        (r"(怎么|如何|去哪|哪里|在哪)(办理|申请|办|领取|缴纳|报名|查询|开具|认定)|需要(什么|哪些)(材料|手续"
         r"|条件)", 2.0),
        (r"(政策|标准|规定|条件|流程|手续)(是)?(什么|怎样|如何)|什么(时候|政策|条件|标准)", 1.2),
        (r"[？?]", 0.4),
    )),
    AppealType.SUGGESTION: tuple((re.compile(p), w) for p, w in (
        (r"建议|提议|倡议|意见", 2.5),
        (r"希望(能|可以|政府|相关部门|有关部门)?(增设|增加|设置|安装|开通|修建|规划|完善|改善|考虑|出台)"
         r"|能否(增设|增加|设置|安装|开通|修建|规划)|可以考虑|应该(增设|增加|设置|修建|规划)", 1.5),
    )),
    AppealType.PRAISE: tuple((re.compile(p), w) for p, w in (
        (r"表扬|点赞|称赞|赞扬|锦旗|好人好事|为.{1,12}(点赞|叫好)", 3.0),
        (r"(感谢|谢谢|感激).{0,20}(及时|热心|耐心|认真|负责|帮助|帮忙|辛苦|付出|解决)|服务(很|非常|特别)?(好|周到"
         r"|热情)", 1.5),
    )),
}
_HEAD_CHARS = 120  # cues in the opening part of a message count double
_BASE_COMPLAINT = 0.5


def appeal_type(text: str, *, has_subject: bool) -> AppealType:
    """The appeal type of a message; `has_subject` is whether it names a problem the centre handles."""
    if not text.strip():
        return AppealType.OTHER
    head = text[:_HEAD_CHARS]
    scores: dict[AppealType, float] = {}
    for kind, cues in _CUES.items():
        total = 0.0
        for pattern, weight in cues:
            hits = len(pattern.findall(text))
            if hits:
                total += weight * min(hits, 3) ** 0.5 + (weight if pattern.search(head) else 0.0)
        scores[kind] = total
    if has_subject:
        scores[AppealType.COMPLAINT] += _BASE_COMPLAINT
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0 else AppealType.OTHER
