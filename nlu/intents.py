"""What the resident wants: rules over normalised text, checked in priority order.

Order (first match wins): case number with a progress question -> status; cancel; human; rating
(bad before good, "不满意" contains "满意"); status; a message that is only a greeting or only a
help question; otherwise report. A message that describes a problem is a report even when it opens
with 你好 ("你好 我们小区垃圾没人收"). A message with no problem evidence that matches nothing is
`help`, so the dialog answers with a short hint of what the bot can do.
"""

from __future__ import annotations

import re

from nlu.text import normalize

INTENTS = ("report", "status", "rate_good", "rate_bad", "cancel", "human", "greeting", "help")

_CANCEL = re.compile(
    r"^(请|麻烦|帮我|我要|我想|那就)?(取消|撤销|撤回|作废)(掉|了|吧|一下)?"
    r"|不(想|用|要|需要)?(报|反映|投诉|举报|上报)了"
    r"|(不用|不需要|别)(再)?(处理|管|受理)了"
    r"|^(算了|不弄了|不报了|退出|结束|不要了|不用了|没事了)|不(想|用|要)?弄了|撤诉|^我?(发|打|报|点|写)错了"
    r"|(取消|撤销|撤回)(这个|那个|刚才的?|我的)?(投诉|反映|工单|举报|上报|报事|问题|诉求|案件)"
)
_HUMAN = re.compile(
    r"转(给|到|接)?(个)?人工|人工(客服|服务|坐席|接待|处理)|找人工|要人工|^人工$|真人|活人|接线员|^人呢"
    r"|(找|要|转|接|叫|联系)(个)?(人工)?客服|客服(在吗|在不在|呢|你好)|^客服$|有没有客服"
    r"|(跟|和|找)(个)?(人|工作人员)(说|聊|讲|谈|沟通)|找(个)?(人|工作人员|真人).{0,4}(聊|说|谈|沟通)"
    r"|有没有人(能|可以)?(接|回|理)"
    r"|你是(不是)?机器人|别(用)?机器人|不要机器人"
)
_RATE_BAD = re.compile(
    r"不满意|差评|不太满意|很不满|一星|1星|一颗星|零分|0分|敷衍|糊弄|走过场|没(有)?解决.{0,4}(就)?(结案|办结|关了)"
    r"|处理(得|的)?(很|太|真)?(差|不好|不行|烂)|(结案|办结)了?.{0,6}(根本|还是|压根)?没(有)?(解决|处理|修|人来)"
    r"|根本没(有)?(人)?(来|处理|解决)|差劲|给差评"
)
_RATE_GOOD = re.compile(
    r"满意|好评|五星|5星|点赞|赞|处理(得|的)?(很|真|非常|挺|蛮|特别)?(好|快|及时|到位)|解决了.{0,4}谢"
    r"|已经(修好|解决|处理好)了|效率(很|真|挺|蛮)?高|谢谢|感谢|多谢|辛苦了|给力"
)
_STATUS_CUE = re.compile(
    r"进度|进展|到哪(一步|了)|怎么样了|处理(得|的)?怎么样|(有|有没有)(结果|回复|回音|消息|下文|人管|人处理)"
    r"|(处理|修|解决|办)(好)?了没|(处理|修|解决|办)(好)?了吗|还没(有)?(处理|解决|修|人管|人来|回复|动静)"
    r"|什么时候(处理|解决|修|来|能好|有结果)|查(一下|询|查)|(工单|案件|单号|编号)"
)
_STATUS_WEAK = re.compile(r"(还|也|怎么)?没(有)?人(处理|管|来|修|联系|回|理)")
_EARLIER = re.compile(
    r"上次|之前|前几天|前天|昨天|上(个)?(周|星期|礼拜|月)|我(反映|投诉|报|举报|提交|上报)的"
    r"|(反映|投诉|举报|提交|上报)的|(反映|投诉|报|举报|提交|上报)(过|了)的?"
    r"|那个(问题|事|事情)|我的(工单|案件|诉求|问题)|工单|案件|单号|编号"
)
_GREETING = re.compile(
    r"^(你好|您好|你们好|哈喽|hello|hi|嗨|在吗|在不在|有人吗|有人在吗|喂|早上好|上午好|中午好|下午好|晚上好|早|早安"
    r"|有没有人|小助手|客服你好|打扰了)+(呀|啊|吗|哈|呢|哦)?$"
)
_HELP = re.compile(
    r"怎么用|如何使用|使用说明|能干(什么|嘛|啥)|能做(什么|啥)|可以做什么|有什么功能|功能|帮助|help|菜单|说明"
    r"|怎么(反映|投诉|报|举报|上报|提交|操作)|如何(反映|投诉|上报|操作)|不会用|教(我|一下)|你是谁|你是干(什么|嘛)的"
    r"|能(帮|办)(我)?(什么|哪些)|可以报(什么|哪些)|^\?+$|^？+$"
)
_NO_ANSWER = re.compile(r"没(有)?人(回|理|回复|回答|接)我?")
_PUNCT = re.compile(r"[\s,.!?;:~'\"，。！？；：、…·()（）\[\]【】-]+")


def detect_intent(text: str, *, has_problem: bool, has_case_number: bool = False) -> str:
    """Intent of one message; `has_problem` is whether the classifier found category keywords."""
    t = _PUNCT.sub("", normalize(text))
    if not t:
        return "help"
    if has_case_number and not _RATE_BAD.search(t) and not _RATE_GOOD.search(t) and not _CANCEL.search(t):
        return "status"
    if _CANCEL.search(t) and len(t) <= 30:
        return "cancel"
    if _HUMAN.search(t):
        return "human"
    if _RATE_BAD.search(t) and not (has_problem and len(t) > 25):
        return "rate_bad"
    if _STATUS_CUE.search(t) and (_EARLIER.search(t) or not has_problem):
        return "status"
    if _STATUS_WEAK.search(t) and _EARLIER.search(t):
        return "status"
    if _RATE_GOOD.search(t) and not (has_problem and len(t) > 20):
        return "rate_good"
    if _NO_ANSWER.search(t) and not has_problem:
        return "human"
    if _GREETING.match(t):
        return "greeting"
    if _HELP.search(t) and not has_problem:
        return "help"
    if has_problem or len(t) >= 8:
        return "report"
    if re.search(r"投诉|举报|反映|报修|报事|曝光|上报", t):
        return "report"
    return "help"
