"""What the resident wants: rules over normalised text, read in the conversation's context.

Order (first match wins): an explicit rating ("5分", "⭐⭐⭐", "这也叫处理了？"); a case number (status);
cancel; a person; rating words; progress questions (status); a greeting or a help question alone;
a short answer to the bot's question (``other`` with a cue); a described problem (report); otherwise
``help`` when idle (the bot answers with a hint) and ``other`` in a dialog.

A message that describes a problem stays a report even when it opens with 你好, mentions 取消 ("公交线路被
取消了") or says 不满意 about a third party: cancel, rating and status phrases count only in short
messages or without problem words. The context decides what a bare "4", "还行吧" or "好的" means.
"""

from __future__ import annotations

import re

from nlu.ratings import answer_rating, explicit_rating
from nlu.text import normalize
from nlu.vocabulary import Context, Cue, Intent, IntentReading

INTENTS = tuple(Intent)

_CANCEL = re.compile(
    r"^(请|麻烦|帮我|我要|我想|那就|那|还是)?(取消|撤销|撤回|作废|删除|删掉)(掉|了|吧|一下|啦)?"
    r"|不(想|用|要|需要|打算)?(报|反映|投诉|举报|上报|提交)了"
    r"|(不用|不需要|别|无需|用不着)(再)?(处理|管|受理|派人|来人|上门|过来|来了|跑一趟)"
    r"|^(算了|不弄了|不报了|退出|结束|不要了|没事了)|不(想|用|要)?弄了|撤诉"
    r"|^(我|刚才|刚刚|不好意思|抱歉|sorry)*(发|打|报|点|写|填|提交)错了?"
    r"|(取消|撤销|撤回|作废|删除|删掉)(这个|那个|刚才|刚刚|我的|一下)*的?(投诉|反映|工单|举报|上报|报事|问题|诉求"
    r"|案件|单子|申请|事)"
    r"|(问题|事情|事)?(已经|自己|都)(解决|修好|好|处理好)了.{0,8}(不用|不需要|别|无需)"
    r"|(那就|就|先)?(取消|撤销)(吧|了吧)"
)
_HUMAN = re.compile(
    r"转(给|到|接)?(个)?人工|人工(客服|服务|坐席|接待|处理|介入)|找人工|要人工|^人工|人工(呢|啊|吗|在吗)|有没有人工"
    r"|真人|活人|接线员|^人呢|换个人|(来|找)个人(跟|和)我"
    r"|(找|要|转|接|叫|联系)(个)?(人工)?客服|客服(在吗|在不在|呢|你好)|^客服$|有没有客服"
    r"|(跟|和|找)(个)?(人|工作人员|你们领导|负责人)(说|聊|讲|谈|沟通|对话)"
    r"|找(个)?(人|工作人员|真人|负责人).{0,4}(聊|说|谈|沟通)"
    r"|有没有人(能|可以)?(接|回|理)|(机器人|智能客服|你)(听不懂|不懂|答非所问|没用)|听不懂(人话|我说)"
    r"|你是(不是)?机器人|别(用)?机器人|不要机器人|不想(跟|和)机器人|(打|回)(个)?电话给我|给我(打|回)(个)?电话"
)
_STATUS_CUE = re.compile(
    r"进度|进展|到哪(一步|了|儿了)|怎么样了|处理(得|的)?怎么样|(有|有没有)(结果|回复|回音|消息|下文|人管|人处理"
    r"|人接|人跟进|人受理)"
    r"|(处理|修|解决|办|弄|受理|办结|结案|派|接)(好|完)?了(没|吗|么|没有)|(处理|解决|修|受理|办)(没有|了没)"
    r"|还没(有)?(处理|解决|修|人管|人来|回复|动静|消息|下文|结果|反应)"
    r"|什么时候(处理|解决|修|来|能好|有结果|能修|给答复|回复)|多久(能|才|可以)?(处理|解决|修|回复|有结果)"
    r"|查(一下|询|查)|(工单|案件|单号|编号|单子)(状态|情况|进度)?|有人(接|管|理|看|跟进|处理)(了)?(吗|没|么)"
    r"|(派|安排)(人|了人)(了)?(吗|没)|回复(了)?(吗|没)|怎么(还|都)?没(动静|消息|回音|下文|结果)"
)
_STATUS_WEAK = re.compile(r"(还|也|怎么)?没(有)?人(处理|管|来|修|联系|回|理|接)")
_EARLIER = re.compile(
    r"上次|之前|前几天|前天|昨天|上(个)?(周|星期|礼拜|月)|都(好|已经)?[0-9一二两三四五六七八九十几]+(天|周|个星期"
    r"|个月)"
    r"|我(反映|投诉|报|举报|提交|上报)的|(反映|投诉|举报|提交|上报)的|(反映|投诉|报|举报|提交|上报)(过|了)的?"
    r"|(那个|那件|我的|我那个?)(问题|事|事情|投诉|反映|诉求|单子)|我的(工单|案件|诉求|问题)|工单|案件|单号|编号|单子"
)
_GREETING = re.compile(
    r"^(你好|您好|你们好|哈喽|哈罗|hello|hi|嗨|在吗|在不在|在么|有人吗|有人在吗|有人在不|喂|早上好|上午好|中午好"
    r"|下午好|晚上好"
    r"|早|早安|晚安|有没有人|小助手|客服你好|打扰了|打扰一下|大家好|嗨嗨|您好呀|你好呀)+(呀|啊|吗|哈|呢|哦|嘛|哇"
    r"|啦)*$"
)
_HELP = re.compile(
    r"怎么用|如何使用|使用说明|能干(什么|嘛|啥)|能做(什么|啥)|可以做什么|(有|是)(什么|哪些)功能|功能|帮助|help|菜单"
    r"|说明"
    r"|怎么(反映|投诉|报|举报|上报|提交|操作|弄|办|用)|如何(反映|投诉|上报|操作|提交)|不会用|教(我|一下)|你是谁"
    r"|你是干(什么|嘛)的"
    r"|能(帮|办)(我)?(什么|哪些)|可以(报|反映)(什么|哪些)|^\?+$|^？+$|(能|可以)(帮我)?(干|做|管)(些)?(什么|啥)"
    r"|不知道(怎么|该怎么)|什么(都)?能(报|反映|管)"
)
_POLITE_ONLY = re.compile(r"^(尊敬的|敬爱的)?.{0,6}(你|您)(们)?好(呀|啊)?$")
_REPORT_VERB = re.compile(r"投诉|举报|反映|报修|报事|曝光|上报|报个|报一下|要报")
_NO_ANSWER = re.compile(r"没(有)?人(回|理|回复|回答|接)我?")
_PUNCT = re.compile(r"[\s,.!?;:~'\"，。！？；：、…·()（）\[\]【】\-]+")

_CUES: tuple[tuple[Cue, re.Pattern[str]], ...] = (
    (Cue.BACK, re.compile(r"^(返回|上一步|退回|回退|回去|修改|改一下|我要改|重填|重新填|改改|要改|写错了要改"
                          r"|改下)(一下)?(吧|了)?$")),
    (Cue.SKIP, re.compile(r"^(跳过|略过|先跳过|下一步|没有|没|无|不方便|不想(留|说|填|给)|不留了?|不填了?|不给"
                          r"|没有照片|没照片"
                          r"|没拍|不用拍|就这些|没了|没有了|就这样吧)(吧|了|啊)?$")),
    (Cue.CORRECTION, re.compile(r"^(不对|不是|错了|说错了|写错了)(的|啦|了)?(是|应该是|在|改成|改为)|^(应该是|改成"
                                r"|改为|我说的是|更正)")),
    (Cue.DENY, re.compile(r"^(不|否|不是|不对|不要|不用|不需要|不必|不行|错了|不了|no|n|别)(的|了|啦|吧|呀)?$")),
    (Cue.CONFIRM, re.compile(r"^(好|好的|好滴|好吧|嗯|嗯嗯|是|是的|对|对的|对对|对对对|确认|确定|没问题|可以|行"
                             r"|提交|确认提交|ok|okay"
                             r"|yes|y|没错|就这样|就是这个|是这个|同意|要|需要|收到|明白|知道了)(的|了|啊|呀|吧"
                             r"|哈)*$")),
)


def _cue(t: str) -> Cue | None:
    if len(t) > 14:
        return None
    for cue, pattern in _CUES:
        if pattern.search(t):
            return cue
    return None


def read_intent(
    text: str, *, context: Context = Context.IDLE, has_problem: bool, has_case_number: bool = False
) -> IntentReading:
    """The intent of one message; `has_problem` is whether the classifier found category keywords."""
    t = _PUNCT.sub("", normalize(text))
    cue = _cue(t)
    rating = explicit_rating(text)
    if context is Context.RATING_ASKED and rating is None:
        rating = answer_rating(text)
    long_problem = len(t) > 25 or (has_problem and len(t) > (25 if context is Context.RATING_ASKED else 12))
    if not t and rating is None:
        return IntentReading(Intent.HELP if context is Context.IDLE else Intent.OTHER, 0.5)
    if has_case_number and rating is None and not _CANCEL.search(t):
        return IntentReading(Intent.STATUS, 0.9, cue=cue)
    if _CANCEL.search(t) and len(t) <= 30:
        return IntentReading(Intent.CANCEL, 0.9, cue=cue)
    if _HUMAN.search(t):
        return IntentReading(Intent.HUMAN, 0.9, cue=cue)
    if rating is not None and not long_problem and not (cue is Cue.CONFIRM and context is not Context.RATING_ASKED):
        return IntentReading(Intent.RATING, 0.9 if len(t) <= 12 else 0.7, rating=rating, cue=cue)
    if _STATUS_CUE.search(t) and (_EARLIER.search(t) or not has_problem):
        return IntentReading(Intent.STATUS, 0.85, cue=cue)
    if _STATUS_WEAK.search(t) and _EARLIER.search(t):
        return IntentReading(Intent.STATUS, 0.7, cue=cue)
    if _NO_ANSWER.search(t) and not has_problem:
        return IntentReading(Intent.HUMAN, 0.6, cue=cue)
    if _GREETING.match(t) or (_POLITE_ONLY.search(t) and len(t) <= 12 and not has_problem):
        return IntentReading(Intent.GREETING, 0.9)
    if _HELP.search(t) and not has_problem:
        return IntentReading(Intent.HELP, 0.8, cue=cue)
    if cue is not None:
        return IntentReading(Intent.OTHER, 0.8, cue=cue)
    if has_problem or len(t) >= 8 or _REPORT_VERB.search(t):
        return IntentReading(Intent.REPORT, 0.9 if has_problem else 0.6)
    return IntentReading(Intent.HELP if context is Context.IDLE else Intent.OTHER, 0.4)
