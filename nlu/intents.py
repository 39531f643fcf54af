"""What the resident wants: rules over normalised text, read in the conversation's context.

`intent_reading.py` combines these rules with the learned intent model (`intent_model.py`).

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
LONG_TEXT = 120

# Cancelling: a cancel verb that opens or closes a short message (not one inside a description: "警示牌被人
# 撤掉了，坑还在"), a cancel verb with the report as its object, a mistake, or "solved, no need to come".
_CANCEL_VERB = (r"(取消|撤销|撤回|撤掉|撤了|撤单|撤诉|作废|删掉|删除|删了|关掉|关闭|忽略|中止|终止|停止|退出|算了"
                r"|不要了|不用了"
                r"|不需要了|不用管了|别管了|不用理了|别理了|不用处理了|别处理了|不报了|不反映了|不投诉了|不弄了"
                r"|不搞了|不算了|重来|重新来|从头来|收回|不麻烦了|以后再说|改天再(报|说)"
                r"|当我没说|撤)")
_CANCEL = re.compile(
    rf"^(请|麻烦|帮我|帮忙|我要|我想|那就|那|还是|就|先|给我|把)*.{{0,20}}?{_CANCEL_VERB}(掉|了|吧|一下|啦|呀|哈)*"
    rf"(谢谢|吧|了|啦)*$"
    rf"|^(请|麻烦|帮我|帮忙|我要|我想|那就|那|还是|就|先)*{_CANCEL_VERB}(?!了?的)"
    r"|(取消|撤销|撤回|作废|删除|删掉).{0,24}(工单|投诉|单子|报修|举报|反映)(吧|了|谢谢)*$"
    r"|(不用|不需要|无需|用不着|不必|别)(再)?(派人|来人|上门|过来|跑一趟|白跑|处理了|管了)"
    r"|(下次|回头|改天|过两天|晚点|过会儿?|待会儿?|等会儿?)再(说|报|弄|提交)|重新开始|从头开始"
    r"|不(想|用|要|需要|打算|准备)?(再)?(报|反映|投诉|投|举报|上报|提交|说|记|登记|追究|弄|搞|填|写|处理)了"
    r"|(能|可以|能不能|可不可以)(帮我)?(撤回|撤销|取消|撤掉|删掉|删除|删|撤)(了|掉)?(吗|么|不|吧)?$|(能|可以|能不能|可不可以)(帮我)?(撤回|撤销|取消|撤掉|删掉)|(单子|工单|投诉)(可以|就)?关(了|掉)?(吧|了吧)"
    r"|不要继续|^停(止|下)?$|^停+(一下)?(吧)?$|^停(一下|下来)(吧)?.{0,8}$"
    r"|^.{0,6}(不用|不需要|别|无需|用不着|不要|不必)(再)?(处理|管|受理|派人|来人|上门|过来|来了|跑一趟|报了|记了"
    r"|登记|弄了"
    r"|麻烦|来|理|看了|去了).{0,6}$"
    r"|^(我|刚才|刚刚|不好意思|抱歉|sorry|哎呀|哎|呀)*(发|打|报|点|写|填|提交|选|按|弄|搞)错(了|人|地方|小区)?"
    r"|^没事了?.{0,4}(已经|自己|都)|(已经|已|自己).{1,10}了.{0,4}没事了?(谢谢)?$|(已经|自己|都)(好|修好|解决|弄好|处理好)了.{0,4}没事了?$"
    r"|误报|误发|误操作|误点|误触|不小心(发|点|按|提交)"
    r"|(取消|撤销|撤回|撤掉|作废|删除|删掉|关掉|关闭|撤)(这个|那个|刚才|刚刚|我的|一下|昨天|上午|下午|这条|那条)*的?"
    r"(投诉|反映|工单|举报|上报|报事|报修|问题|诉求|案件|单子|申请|事|信息|消息)"
    r"|(投诉|反映|工单|举报|单子|事|那个|这条|那条)(我)?(想|要|就)?(不要|不用|不报|不算|作废|撤|取消|删)"
    r"|把.{0,14}(取消|撤销|撤回|撤掉|撤了|删掉|删了|作废|关掉)|(都|就)?不算(了|数)?$|^没事了?.{2,}"
    r"|(那条|这条|上一条|刚才那条)(消息)?(忽略|作废|不算|别管|删)"
    r"|(已经|自己|都|已)(解决|修好|好|处理好|私了|和好|弄好|搞定)了.{0,12}(不用|不需要|别|无需|撤|取消|关|不麻烦)"
    r"|不是要(投诉|反映|报|举报)|这里就不用了|(这边|这里|你们)(就|先)?不用(了|管)|暂时不(用|需要|报)|测试|试(一下"
    r"|试)的?"
    r"|(发|报|提交)重(复)?了|重复(了|提交|发)|(我)?自己(解决|处理|弄|搞定)(吧|了)"
)
# Withdrawing a report in so many words, however long the explanation around it.
_CANCEL_STRONG = re.compile(
    r"(撤销|撤回|撤单|取消掉|撤掉|作废)(一下|掉)?(吧|啊|了|谢谢|麻烦了?|辛苦了?)*$"
    r"|(能|可以|能不能|可不可以)(帮我)?(撤|撤销|撤回|撤掉)(了|掉)?(吗|么|不|吧)"
    r"|(不用|不需要|无需|用不着|不必|别)(再)?(派人|来人|上门|跑一趟|白跑)"
    r"|(撤销|撤回|撤掉|作废|取消掉)(我|我的|这个|那个|刚才|之前|前天|昨天)*的?(投诉|工单|单子|举报|报修|诉求)"
)
# A cancel verb whose object is something other than the report — a fee, a policy, a permit — asks about or
# complains of that thing ("物业费涨了能取消吗", "停车证能取消吗", "我的低保被取消了"): it withdraws nothing.
_THING = (r"(费|收费|涨价|政策|规定|制度|通知|证|车位|资格|补贴|补助|低保|救助|限行|限号|禁令|线路|班次|站点|合同|套餐"
          r"|会员|业务|罚款|罚单|处罚|押金|户口|学籍|摊位|福利|待遇|名额|优惠|活动|课|航班|订单|卡)")
_CANCEL_OBJECT_VERB = r"(取消|撤销|撤掉|撤回|作废|删除|停掉|退掉|废除)"
_OTHER_CANCELLED = re.compile(
    rf"{_THING}.{{0,12}}{_CANCEL_OBJECT_VERB}|{_CANCEL_OBJECT_VERB}.{{0,4}}{_THING}|被(取消|撤销|撤掉|删除|作废|停)")
_REPORT_NOUN = re.compile(r"工单|投诉|反映|举报|报修|报事|单子|诉求|上报|提交")

# Wanting a person: 人工, a person to talk to, a call, a phone number, or giving up on the machine.
_PERSON = (r"(个人来|个人跟我|负责的人|能做主的|做主的|管事的|人工|真人|活人|工作人员|领导|负责人|管事的|管事的人"
           r"|书记|主任|网格员|值班(的)?(人"
           r"|人员)?|接线员|客服|人工)")
_HUMAN_SERVICE = r"(?<![工手])人工(?![湖河岛资费智降成草])"  # not 工人工资, 人工湖, 人工智能
_HUMAN = re.compile(
    _HUMAN_SERVICE + r"|真人|活人|接线员|^人呢|换个人|要人$|^rg|rg客服|在线客服|^客服|客服(在吗|在不在|呢|你好)"
    r"|有没有客服"
    r"|(机器人|智能客服|自动回复|ai)(真笨|太笨|听不懂|不懂|答非所问|没用|说不清|说不明白)|你是(不是)?机器人"
    r"|(跟|和)(机器人|机器|ai|电脑)说不(清|明白)|别(再)?(用)?(自动回复|机器人)|不要(自动回复|机器人|机器)|说人话"
    r"|(不想|不要|不愿意)(跟|和)(机器人|机器|ai|电脑)|(我要|要|我想)找人$|有没有(能)?(管事|做主)的"
    rf"|(找|要|叫|请|让|转|接|联系|见)(给|到)?(个|一下|你们的?|一个)?{_PERSON}"
    rf"|(跟|和|同){_PERSON}(说|聊|讲|谈|沟通|对话|反映|通电话|通话)"
)
# Weaker signs (a phone number, a person to talk to) count only when the message does not describe a problem.
_HUMAN_WEAK = re.compile(
    rf"(找|要|叫|请|让|转|接|联系|见)(个|一下|你们的?|一个)?{_PERSON}"
    rf"|(跟|和|同){_PERSON}(说|聊|讲|谈|沟通|对话|反映)"
    r"|你(真笨|太笨|听不懂|不懂|答非所问|没用)|听不懂(人话|我说)"
    r"|(打|回)(个)?电话(给|联系)我|给我(打|回)(个)?电话|电话联系我|回电|(打|拨)给我|当面(说|谈|反映|聊)"
    r"|(电话|号码|热线|座机|联系方式|手机号)(号码)?(是|是多少)?(多少|几号|是什么|给我)|(电话|热线)打不通"
    r"|(给|留|提供|发)(我)?(一下)?(个|一个)?(能打通的|别的|其他)?(电话|号码|座机|座机号|联系方式|热线)"
    r"|有(热线|电话|客服|人工)(吗|么|没有)|(网格员|工作人员|负责人|社区|你们)的?(电话|联系方式|手机)|怎么联系(你们"
    r"|工作人员|网格员|人)"
    r"|(找|要找)(一下)?(上次|那个).{0,8}(她|他)"
)
_STATUS_CUE = re.compile(
    r"进度|进展|准信|准话|(几点|哪天)(能|会|可以)?(来|到|上门)|(今天|明天|下午|上午|晚上|待会|一会儿?)(能|会)(来|到|上门)"
    r"(人|修)?(吗|么|不)|有没有人在(处理|管|跟|办)|(办结|结案)了.{0,4}(怎么|都)?不知道|到哪(一步|了|儿了)|怎么样了|处理(得|的)?怎么样|(有|有没有)(结果|回复|回音|消息|下文|人管|人处理"
    r"|人接|人跟进|人受理)"
    r"|(处理|修|解决|办|弄|受理|办结|结案|派|接)(好|完)?了(没|吗|么|没有)|(处理|解决|修|受理|办)(没有|了没)"
    r"|还没(有)?(处理|解决|修|人管|人来|回复|动静|消息|下文|结果|反应)"
    r"|什么时候(处理|解决|修|来|能好|有结果|能修|给答复|回复)|多久(能|才|可以)?(处理|解决|修|回复|有结果)"
    r"|查(一下|询|查)|(工单|案件|单号|编号|单子)(状态|情况|进度)?|有人(接|管|理|看|跟进|处理)(了)?(吗|没|么)"
    r"|(派|安排)(人|了人)(了)?(吗|没)|回复(了)?(吗|没)|怎么(还|都)?没(动静|消息|回音|下文|结果)"
    r"|(受理|收到|处理|看到|去|来|派|接|立案)(了)?(没有|没|吗|么)$|有没有(被)?(受理|处理|立案|派|转)"
    r"|有眉目|在谁(手上|那)|(谁|哪个).{0,4}(负责|在管|跟进)|怎么说的|(查看|查)(一下)?(我)?(提交|报|反映)的"
    r"|(怎么|咋)(还|都)?(没|不)(来|到|修|处理|动)|到现在(还|都)?(没|不)"
    r"|什么情况|有着落|回个话|给(个|我)(说法|答复|回复|交代)|(意见|结果|答复|回复)出来|(天|周|月)了.{0,4}(还"
    r"|都)?没(人"
    r"|动静|消息)"
    r"|催(一下|一催|催|办|促)?|(有|没)(进展|动静|回音|下文|眉目)|(处理|办理|办)(情况|结果)|结果出来"
    r"|到底(管不管|修不修|什么时候|处理不处理|有没有人)|(一直|始终|还是)没(人)?(联系|理|管|来|回复|动静|消息)"
    r"|(报|反映|投诉|打电话)了?(好几|几|很多|多)次|(来|去)(过|看)(了)?(吗|没)|(处理|修|办|解决)(完|好)(了)?(吗|没)"
)
_QUESTION_END = re.compile(r"(吗|么|没|没有|呢|了没|啊|不)$")
_WHEN = re.compile(r"什么时候|啥时候|多久|几时|哪天")
_STATUS_WEAK = re.compile(r"(还|也|怎么)?没(有)?人(处理|管|来|修|联系|回|理|接)")
_EARLIER = re.compile(
    r"上次|之前|前几天|前天|昨天|刚才|刚刚|上午|早上|说好的|说(今天|明天|好|过|马上)(来|会|处理)|说(转|交|派)给|(我"
    r"|刚才|刚刚)(报|提交|反映|投诉)的"
    r"|(报|反映|投诉|提交)了.{0,8}(的事|的问题)|那个.{0,10}(投诉|反映|的事|案子|单)|案子|记录|网格员"
    r"|上(个)?(周|星期|礼拜|月)|都(好|已经)?[0-9一二两三四五六七八九十几]+(天|周|个星期|个月)"
    r"|我(反映|投诉|报|举报|提交|上报)的|(反映|投诉|举报|提交|上报)的|(反映|投诉|报|举报|提交|上报)(过|了)的?"
    r"|(那个|那件|我的|我那个?)(问题|事|事情|投诉|反映|诉求|单子)|我的(工单|案件|诉求|问题)|工单|案件|单号|编号|单子"
)
_MY_REPORT = re.compile(
    r"(我|我们|俺)(之前|上次|昨天|前天|前几天|刚才|刚刚|上午|早上|上周|上个月)?的?(报|反映|投诉|提交|上报|举报"
    r"|说)(的|过|了的)"
    r"|(上次|之前|上礼拜|上星期|上周|上个月|前天|昨天|前几天|刚才|刚刚|早上|上午)(报|反映|投诉|提交|说)(的|了|过)"
    r"|报修的|(报|反映|投诉)(了|过)?的?(那个)?.{0,6}(事|问题)|都报了|(报|反映|投诉)了(好几|几|很多|多)(天|次)"
    r"|(报|反映|投诉|提交|上报|举报)(过|了)的|工单|单子|诉求|案件|编号|单号|案子|(我|我们)(那个|的)(事|问题|投诉"
    r"|反映)"
    r"|(那个|那件|这个)(事|事情|投诉|反映)|那个.{1,8}的(投诉|反映|事|问题)|(投诉|反映)的(事|问题)|再问一下|说好的"
    r"|说(会|要|今天|明天|马上|好)(来|处理|过来|上门)"
)
_GREETING = re.compile(
    r"^((你好|您好|你们好|哈喽|哈罗|hello|hi|嗨|在吗|在线吗|在线不|在不在|在么|有人吗|有人在吗|有人在不|喂|早上好|上午好|中午好"
    r"|下午好|晚上好"
    r"|早|早安|晚安|有没有人|小助手|客服你好|打扰了|打扰一下|大家好|嗨嗨|您好呀|你好呀|你们好呀|有人没|有人不|在没"
    r"|在不|喂喂"
    r"|hey|哈哈+|嘿嘿+|嘻嘻|在|亲)(呀|啊|吗|哈|呢|哦|嘛|哇|啦)*)+$"
)
_HELP = re.compile(
    r"怎么用|如何使用|使用说明|能干(什么|嘛|啥)|能做(什么|啥)|可以做什么|(有|是)(什么|哪些)功能|功能|帮助|help|菜单"
    r"|说明"
    r"|怎么(反映|投诉|报|举报|上报|提交|操作|弄|办|用)|如何(反映|投诉|上报|操作|提交)|不会用|教(我|一下)|你是谁"
    r"|你是干(什么|嘛)的"
    r"|能(帮|办)(我)?(什么|哪些)|可以(报|反映)(什么|哪些)|^\?+$|^？+$|(能|可以)(帮我)?(干|做|管)(些)?(什么|啥)"
    r"|不知道(怎么|该怎么)|什么(都)?能(报|反映|管)"
    r"|(这里|这儿|在这|你们|这个号|这个平台|这边|网上)?(可以|能|也能|也可以)(投诉|反映|报|举报|处理|管).{0,12}(吗"
    r"|么|不)$"
    r"|(需要|要|得)(实名|收费|钱|付费|登记|身份证)(吗|么)|(收费|收钱|要钱)(吗|么)|(是)?官方的?(吗|么)|管(什么|哪些"
    r"|啥)"
    r"|多久(能|会|才|可以)?(有)?(回复|处理|答复)|周末.{0,4}(处理|上班|有人)|在哪(看|查|找|里看)|怎么(描述|写|填)"
    r"|(能|可以|支持)(匿名|发语音|发图片|发照片|发视频|上传|拍照|报外地|代|替)|怎么(拍照|上传|发图|发照片|查|评价"
    r"|留|改|撤)"
    r"|(几点|什么时候)(上班|下班|开门|有人)|(办公|工作|上班|服务)时间|(你们|这)是(哪个|什么)(部门|单位|公众号|平台"
    r"|机构)"
    r"|第一次用|新手|操作指南|使用方法|有(什么|啥)用|(管不管|归你们管|你们管|能管|管得了).{0,6}(吗|么|不)$"
    r"|(需要|要|得|必须)(留|提供|填|写|登记)(电话|姓名|名字|地址|身份|真名).{0,2}(吗|么)|可以不留"
    r"|(一般|通常|正常)(报|反映|投诉)?.{0,6}(多久|多长时间|几天)|(节假日|周末|晚上|半夜).{0,6}(有人|处理|受理"
    r"|上班)(吗|么)"
    r"|工单号(是什么|在哪)|不会打字|怎么(报修|报事|提交|反映问题)|在哪(里)?(提交|报|反映|填)|指南"
    r"|^(你们)?(管不管|管吗|能不能管)|能(报|反映)(什么|哪些|啥)"
)
_SOCIAL = re.compile(
    r"^(谢谢|多谢|感谢|谢了|谢啦|3q|thx|thanks|thankyou|辛苦|辛苦了|辛苦辛苦|收到|ok|okay|好的|好嘞|好滴|好|嗯|嗯嗯"
    r"|哦|噢|喔|知道了"
    r"|明白|明白了|了解|了解了|行|行吧|好吧|拜拜|再见|bye|byebye|88|晚安|祝.{0,6}(快乐|顺利|健康)|.{0,4}节快乐|新年好"
    r"|过年好|新年快乐|哈哈+|嘿嘿|呵|好的好的|嗯嗯好的|没事|没事了|懂了|ok了|已阅|知道啦|麻烦(你们|您|你)?了"
    r"|(你|您|你们)?辛苦(了|啦)?|好哒|好哦|哦哦|嗯呐|嗯呢|好的呢|(非常|十分|万分|太)?感谢|拜|收到了"
    r"|早上好|上午好|中午好|下午好|晚上好|你好|您好|.{0,2}(愉快|顺利)|祝(您|你|你们)?.{0,8}|在忙(吗|么)?|打扰(了|啦)"
    r"|(谢谢|感谢|多谢)(你们|您|你)?(的)?(帮助|帮忙|支持|关心|回复|解答)?|我知道了|嘞|咯|哈)+"
    r"(啦|了|哈|呀|啊|哦|你们|您|你)*$"
)
# Questions about the service itself (what it covers, when, how): before progress questions and phone requests.
_HELP_FIRST = re.compile(
    r"(需要|要|得)(准备|提供|带)?(什么|哪些|啥)(材料|资料|手续|证件|信息|东西)|"
    r"(需要|要|得|必须|可以不|能不)(留|提供|填|写|登记|给)(电话|姓名|名字|地址|身份|真名|号码)"
    r"|(节假日|周末|晚上|半夜|过年|假期).{0,6}(有人|处理|受理|上班|能报)(吗|么|不)"
    r"|怎么(留|填|写|改|查|撤|评价|拍|上传|发)|工单号(是什么|在哪|怎么)|在哪(里)?(看|查|找)"
    r"|(这种|这类|这个|这些|什么)?(事|问题|情况)?(也|都)?(能|可以)(在这(里|儿)?|在你们这|找你们)?(反映|报|投诉|举报"
    r"|管|处理)"
    r"(吗|么|不)$|(一般|通常|正常)(报|反映|投诉)?.{0,6}(多久|多长时间|几天)"
)
_RATE_VERB = re.compile(r"(打|给)(个)?.{0,3}(分|星)|表扬|点(个|了)?赞|好评|差评|评价|满意度|回访")
# The message says the problem was dealt with (or speaks of the handling): its verdict rates that handling.
_HANDLED = re.compile(
    r"(修|清|拉|运|拆|补|填|换|弄|搞|处理|解决|办|疏通|装|整改|要回|拿到|收到|退|赔|调解|协调)(好|走|掉|完|上|结|通|回"
    r"|妥|到|平)?了|终于|办结|结案|已(经)?(修|处理|解决|办|整改)|这也叫|说是|(你们|政府|社区|街道)(的)?(处理"
    r"|服务|效率|态度|工作|办事|速度)|(师傅|网格员|工作人员|城管|社区|物业|执法)(们)?(来|很|挺|态度|效率|及时|当天)"
)
_STICKER = re.compile(r"\[[^\[\]]{1,4}\]")  # WeChat's [微笑]-style codes (ratings read them before)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")
_NEGLECT = re.compile(r"没(有)?人(管|修|处理|清|收|打扫|问|理会)(?!我)")
_DATA = re.compile(r"\d{5,}")  # a phone or case number: an answer carrying data, not a request
_POLITE_ONLY = re.compile(
    r"^(尊敬的|敬爱的|亲爱的)?.{0,6}(你|您)(们)?好(呀|啊)?$"
    r"|^(老师|领导|同志|师傅|大家|各位|亲|小姐姐|小哥哥|工作人员|客服|书记|主任|阿姨|叔叔|美女|帅哥)(们)?(好|您好"
    r"|你好|在吗|在不在)"
    r"(呀|啊|哈|呢)*$"
)
_REPORT_WORD = re.compile(
    r"投诉|举报|反映|报修|报事|工单|单子|诉求|报(的|了|过|错|重)|不报|别报|发错|点错|按错|填错|写错|你们")
_REPORT_VERB = re.compile(r"投诉|举报|反映|报修|报事|曝光|上报|报个|报一下|要报")
_NO_ANSWER = re.compile(r"没(有)?人(回|理|回复|回答|接)我?")
_PUNCT = re.compile(r"[\s,.!?;:~'\"，。！？；：、…·()（）\[\]【】\-]+")

_THIRD_PARTY = re.compile(r"物业|房东|开发商|商家|公司|老板|饭店|工地|邻居|楼上|楼下|店主|施工队")
_US = re.compile(r"你们|网格员|社区|街道|城管|政府|师傅|工作人员|中心")


def cancels_something_else(t: str) -> bool:
    """Whether a cancel verb in the cleaned text `t` has another object than the resident's report."""
    return bool(_OTHER_CANCELLED.search(t)) and not (_MY_REPORT.search(t) or _REPORT_NOUN.search(t))


def _handled_by_us(t: str) -> bool:
    """The message says the problem was dealt with by the centre's side (not only by a third party)."""
    return bool(_HANDLED.search(t)) and (not _THIRD_PARTY.search(t) or bool(_US.search(t)))


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


# The last resort for short messages no rule placed: characteristic words of each intent, summed.
_LEXICON: dict[Intent, tuple[tuple[re.Pattern[str], float], ...]] = {
    Intent.STATUS: tuple((re.compile(p), w) for p, w in (
        (r"进度|进展|结果|动静|回音|下文|着落|后续|后来|跟进|催|石沉大海|办理情况|处理情况|到哪", 2.0),
        (r"消息|回复|回话|答复|说法|反馈|情况|意见", 1.0),
        (r"(什么|啥|几)时(候)?|多久|多长时间|这么久|好久|半天|(几|好几|半个?)(天|周|月)了"
         r"|[0-9一二两三四五六七八九十]+(天|周|个月)了", 1.0),
        (r"(怎么|为什么|为啥|咋)(还|都|一直)?(没|不)|还没|一直没|没人(管|理|来|处理|联系)|谁(处理|负责|在管|跟进"
         r"|管)|交给谁", 1.5),
        (r"尽快|快点|快一点|抓紧|赶紧", 1.0),
        (r"答应|说好|承诺|受理|办结|结案|派人|派了", 1.0),
        (r"上次|之前|前几天|昨天|前天|我的|我那|我报|我反映|我投诉|那个|工单|单子|诉求|那件|再问", 1.0),
    )),
    Intent.HUMAN: tuple((re.compile(p), w) for p, w in (
        (_HUMAN_SERVICE + r"|客服|真人|活人|接线员|座机|机器", 2.0),
        (r"电话|打给|回电|号码|联系方式|当面", 1.5),
        (r"领导|主任|书记|负责人|管事|做主|工作人员|值班|网格员|专人|接待|视频|通话|语音", 1.5),
        (r"转(给|到|一下|接)|(找|叫|要|跟)(个)?人|派个人", 1.5),
    )),
    Intent.HELP: tuple((re.compile(p), w) for p, w in (
        (r"怎么用|怎么弄|干嘛的|干什么的|是干|做啥|能做|能干|功能|服务|菜单|指南|说明|用法|操作", 2.0),
        (r"(哪些|什么)(事|问题|情况|服务)|可以(报|反映|上传|发|查)|能不能(上传|发|报|查)|能(报|反映|查|上传)", 1.5),
        (r"公众号|平台|小程序|这个号", 1.0),
    )),
}


def _by_lexicon(t: str, has_problem: bool) -> Intent | None:
    scores = {intent: sum(w for p, w in cues if p.search(t)) for intent, cues in _LEXICON.items()}
    best = max(scores, key=lambda i: scores[i])
    if _NEGLECT.search(t) and not _MY_REPORT.search(t):
        scores[Intent.STATUS] = 0.0  # "这块一直没人管" describes a problem, it does not chase a report
    best = max(scores, key=lambda i: scores[i])
    return best if scores[best] >= (4.0 if has_problem else 1.0) else None


# Short replies arrive as pinyin initials, homophone slips, dialect and voice-input fillers.
_SPOKEN: dict[str, str] = {
    "qx": "取消", "cx": "查询", "rg": "人工", "kf": "客服", "xx": "谢谢", "xiexie": "谢谢", "nh": "你好",
    "nihao": "你好", "zaima": "在吗", "bz": "帮助", "jd": "进度", "bb": "拜拜", "hh": "哈哈", "hhh": "哈哈",
    "撤消": "撤销", "取肖": "取消", "去消": "取消", "人公": "人工", "仁工": "人工", "近度": "进度", "进渡": "进度",
    "头诉": "投诉", "可服": "客服", "拉倒吧": "算了", "算球": "算了", "要得": "好的", "晓得了": "知道了",
    "晓得": "知道", "冇": "没", "唔该": "谢谢", "咋整": "怎么办", "中不中": "行不行", "弄啥嘞": "做什么",
    "莫搞了": "不弄了", "莫弄了": "不弄了", "莫报了": "不报了", "甭": "不用", "整好了": "弄好了", "阔以": "可以",
}
_SPOKEN_RE = re.compile("|".join(re.escape(k) for k in sorted(_SPOKEN, key=len, reverse=True)))
_FILLERS = re.compile(r"^(呃|额|嗯嗯|嗯|啊|哎呀|哎|唉|那个|就是说|就是|然后|喂喂|喂)+(?=...)")


def _spoken(t: str) -> str:
    t = _SPOKEN_RE.sub(lambda m: _SPOKEN[m.group(0)], t) if len(t) <= 30 else t
    return _FILLERS.sub("", t)


def _cue(t: str) -> Cue | None:
    if len(t) > 14:
        return None
    for cue, pattern in _CUES:
        if pattern.search(t):
            return cue
    return None


def clean(text: str) -> str:
    """The text as the intent rules and model read it: stickers, punctuation and fillers off, spoken forms."""
    return _spoken(_PUNCT.sub("", normalize(_STICKER.sub(" ", text))))


def rule_intent(
    text: str, *, context: Context = Context.IDLE, has_problem: bool, has_case_number: bool = False
) -> IntentReading:
    """The rules' reading of one message; `has_problem` is whether the classifier found category keywords."""
    if len(text) > LONG_TEXT:  # a long message describes something; only a plea for a person overrides it
        verdict = answer_rating(text) if context is Context.RATING_ASKED else None
        if verdict is not None:  # …or, when a rating was asked, a verdict
            return IntentReading(Intent.RATING, 0.7, rating=verdict)
        head = _PUNCT.sub("", normalize(text[:LONG_TEXT]))
        if _HUMAN.search(head[:40]):
            return IntentReading(Intent.HUMAN, 0.8)
        return IntentReading(Intent.REPORT, 0.9 if has_problem else 0.7)
    t = clean(text)
    cue = _cue(t)
    rating = explicit_rating(text)
    if context is Context.RATING_ASKED and rating is None:
        rating = answer_rating(text)
    long_problem = len(t) > 25 or (has_problem and len(t) > (25 if context is Context.RATING_ASKED else 12))
    if not t and rating is None:
        if _STICKER.search(text) or _EMOJI.search(text):  # only stickers or emoji: a social gesture
            return IntentReading(Intent.GREETING, 0.6)
        return IntentReading(Intent.HELP if context is Context.IDLE else Intent.OTHER, 0.5)
    if has_case_number and rating is None and not _CANCEL.search(t) and not _HUMAN.search(t) \
            and not _HUMAN_WEAK.search(t):
        return IntentReading(Intent.STATUS, 0.9, cue=cue)
    withdraws = _CANCEL_STRONG.search(t) and bool(_MY_REPORT.search(t) or _EARLIER.search(t))
    describes = has_problem and len(t) > 12 and not (
        has_case_number or _MY_REPORT.search(t) or _EARLIER.search(t) or _REPORT_WORD.search(t))
    if ((len(t) <= 40 and not describes and _CANCEL.search(t)) or withdraws) and not cancels_something_else(t):
        return IntentReading(Intent.CANCEL, 0.9, cue=cue)
    if _HUMAN.search(t):
        return IntentReading(Intent.HUMAN, 0.9, cue=cue)
    if len(t) <= 20 and not (has_problem and len(t) > 12) and _HELP_FIRST.search(t):
        return IntentReading(Intent.HELP, 0.8, cue=cue)
    if (len(t) <= 12 or not has_problem) and len(t) <= 30 and _HUMAN_WEAK.search(t):
        return IntentReading(Intent.HUMAN, 0.8, cue=cue)
    rates_earlier = rating is not None and (context is Context.RATING_ASKED or (
        len(t) <= 60 and bool(_EARLIER.search(t) or _RATE_VERB.search(t) or _handled_by_us(t))))
    if rating is not None and (not long_problem or rates_earlier) and not (
        cue is Cue.CONFIRM and context is not Context.RATING_ASKED
    ):
        return IntentReading(Intent.RATING, 0.9 if len(t) <= 12 else 0.7, rating=rating, cue=cue)
    neglect = bool(_NEGLECT.search(t)) and not _MY_REPORT.search(t)  # "没人管" describes a problem
    if not neglect and (
        len(t) <= 8 or (not has_problem and len(t) <= 20) or _MY_REPORT.search(t)
    ) and _STATUS_CUE.search(t):
        return IntentReading(Intent.STATUS, 0.85, cue=cue)
    if not neglect and len(t) <= 40 and (
        _MY_REPORT.search(t) or (_EARLIER.search(t) and not has_problem and len(t) <= 20)
    ) and (_STATUS_WEAK.search(t) or _QUESTION_END.search(t) or _WHEN.search(t)):
        return IntentReading(Intent.STATUS, 0.7, cue=cue)
    if _NO_ANSWER.search(t) and not has_problem:
        return IntentReading(Intent.HUMAN, 0.8, cue=cue)
    if _GREETING.match(t) or (_POLITE_ONLY.search(t) and len(t) <= 12):
        return IntentReading(Intent.GREETING, 0.9)
    if context is Context.IDLE and _SOCIAL.match(t):
        return IntentReading(Intent.GREETING, 0.8, cue=cue)
    if len(t) <= 30 and not (has_problem and len(t) > 12) and _HELP.search(t):
        return IntentReading(Intent.HELP, 0.8, cue=cue)
    if cue is not None:
        return IntentReading(Intent.OTHER, 0.8, cue=cue)
    short = len(t) <= 20 or (len(t) <= 30 and not has_problem)
    leaning = _by_lexicon(t, has_problem) if short and not _DATA.search(t) else None
    if leaning is not None:
        return IntentReading(leaning, 0.6)
    if has_problem or len(t) >= 8 or _REPORT_VERB.search(t):
        return IntentReading(Intent.REPORT, 0.9 if has_problem else 0.6)
    return IntentReading(Intent.HELP if context is Context.IDLE else Intent.OTHER, 0.4)
