"""Jinja's syntax errors said in Chinese for the staff who edit templates (Jinja only speaks English)."""

import re

_TOKENS = {
    "end of print statement": "}}", "end of statement block": "%}", "end of template": "模板结尾",
    "name": "变量名", "in": "in", "string": "字符串", "integer": "数字",
}
_BLOCKS = {"if": "{% if %}", "for": "{% for %}", "raw": "{% raw %}", "macro": "{% macro %}", "set": "{% set %}"}


def _token(name: str) -> str:
    return _TOKENS.get(name, name)


def syntax_message(message: str) -> str:
    """A polite Chinese sentence for one Jinja ``TemplateSyntaxError`` message."""
    if found := re.search(r"innermost block that needs to be closed is '(\w+)'", message):
        block = found.group(1)
        return f"{_BLOCKS.get(block, block)} 没有结束，请补上 {{% end{block} %}}"
    if message.startswith("Unexpected end of template"):
        return "模板在中途结束了，请检查 {% %} 是否成对"
    if found := re.match(r"Encountered unknown tag '(\w+)'", message):
        tag = found.group(1)
        if tag.startswith("end") or tag in ("else", "elif"):
            return f"多出了 {{% {tag} %}}，前面没有与之对应的开始标签"
        return f"不认识的标签 {{% {tag} %}}，请检查拼写"
    if found := re.match(r"unexpected char '(.)'", message):
        return f"无法识别的字符“{found.group(1)}”（引号是否成对？）"
    if found := re.match(r"unexpected '(.+)'", message):
        return f"此处不应出现“{found.group(1)}”，请检查 {{{{ }}}} 和 {{% %}} 是否成对"
    if found := re.match(r"expected token '(.+)', got '(.+)'", message):
        return f"此处应为“{_token(found.group(1))}”，实际是“{_token(found.group(2))}”"
    if message.startswith("Expected an expression"):
        return "这里缺少变量或表达式"
    return "模板语法有误，请检查 {{ }} 和 {% %} 是否成对、标签是否拼写正确"
