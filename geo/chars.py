"""Character-level normalisation for matching place names typed by residents.

Residents type with pinyin input methods, so the usual misspelling is a character that *sounds* the
same (碧水华园 for 碧水花园, 兰亭 for 澜庭). Instead of a pinyin library we keep a small table of groups
of characters that are commonly swapped, covering the characters of place names and their generic
tails; :func:`fold` maps every character of a group to the group's first one. Positions are preserved
(one character in, one character out), so a match found in the folded text is a match at the same
place in the original.
"""

from __future__ import annotations

import unicodedata

# Each line: characters residents swap for one another (same or near-same sound). A character appears
# in one group only; the first character is the one the others fold to.
_CONFUSABLE_GROUPS = """
园苑院源元圆垣远 花华化画 家佳嘉加 景锦井静境金今津京晶精经 庭亭廷停婷 邸底第弟 府付富附福复 城成诚程承
湾弯万 里理丽李礼立力 郡君俊军 居局聚 馆官管冠 寓玉遇誉语雨宇 村存 区曲 雅亚 名明铭鸣
公工功宫 新心欣鑫薪 大达 星兴馨 河和合荷禾 碧必壁璧 水税 绿律 松淞嵩 杏幸 梅美玫媒
常长昌 青清轻晴倾 柳六留流 岸安按 御裕 世市事是 纪记际计 银音印 溪西希夕 瑞锐 南楠男
竹珠朱 韵运云芸 塘唐堂棠 徽辉晖惠慧 年念 滨彬斌 龙隆珑 庐卢芦炉 州洲舟周 同桐童彤
色瑟 骆洛落罗 岗港刚钢 梧吾武 人仁 蓝兰澜栏岚篮 春纯 悦月越 北贝 绣秀修 白百柏 鹭路露鹿 桃陶
望旺王 包宝保 朝潮超 阳扬洋杨 翡菲非 翠萃 桂贵 淝肥飞 圩围 巢 谷古 润闰 方芳坊 湖胡壶
翔祥 海 紫子 芙 蓉荣容融 书舒 香乡 文闻 东冬 义艺 烟 墩敦 湖 观关 臻珍真 滨
场厂 市 街 学 校 心 中 广 停 车 幼 儿 卫 生 服 务
"""


def _build_fold_table() -> dict[int, int]:
    table: dict[int, int] = {}
    for group in _CONFUSABLE_GROUPS.split():
        head = group[0]
        for char in group[1:]:
            table.setdefault(ord(char), ord(head))
    return table


FOLD_TABLE = _build_fold_table()


def clean(text: str) -> str:
    """NFKC, lower case, and only letters and digits kept (spaces and punctuation dropped)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(char for char in text if char.isalnum())


def fold(text: str) -> str:
    """Map commonly swapped characters to one representative; keeps the length."""
    return text.translate(FOLD_TABLE)


def is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"
