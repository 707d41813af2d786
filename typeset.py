"""The rules every printed document keeps (templates/print/), as Jinja filters.

WeasyPrint breaks Chinese text between any two characters, so on paper a name split "吴浩 / 宏",
"36 / 人", "2026年 / 12月" and a paragraph ending with one character on its own line. The print
templates pass every free paragraph through |para and every name in a table or a signature line
through |keep. A kept run is glued with WORD JOINER (U+2060) between its characters and
no-break spaces for its spaces: Pango's line breaker honours them, HarfBuzz draws nothing for
them, and pdftotext does not return them. (A <span> with white-space: nowrap did the same at
20 ms more layout a pledge: every span is an inline box WeasyPrint splits line by line.)
tests/test_paper.py checks the rules on the laid-out pages of every document.

- |keep: never break inside (a name, a label such as "（签字）").
- |title: a title breaks only after its unit and its period.
- |para(names): a paragraph. Numbers stay with their unit (36 人, 95.5%, 第 3 次, 2026年12月5日),
  the given names stay whole, the last characters stay together so that the last line never
  holds one character alone, and a clause numbered "1. " reads "1．" like the others.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

import numerals

UNITS = ("万元|人次|小时|个月|工作日|周岁|%|％|人|名|所|个|份|户|天|日|次|元|页|年|月|周|节|项|条|"
         "间|岁|期|班|级|公里|分")
KEEP = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"      # a date
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|(?:第\s*)?\d[\d,.]*\s*(?:" + UNITS + r")?(?:\s*[—-]\s*\d[\d,.]*\s*(?:" + UNITS + r"))?")
CJK = "\u2018-\u201d\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # with “” ‘’ (结对“爱心妈妈” 192对)
SPACED = re.compile(rf"(?<=[{CJK}])[ \u00a0]+(?=[\d%])|(?<=[\d%])[ \u00a0]+(?=[{CJK}])")
LINE_BREAK = re.compile(r"\s*\n\s*")
NUMBERED = re.compile(r"^(\s*)(\d{1,2})\.\s*")
SEPARATORS = re.compile(r"([；;，,、\s]+)")
ITEM_PARTS = re.compile(r"(?<=[）:：])(?=\S)")  # 周勇成（父亲）| 17475499887, 结对：| 王芳
CELL_ITEM = 9  # a list item up to this many characters stays on one line (欧阳娜娜（外祖母）)
TAIL = 3  # characters glued at a paragraph's end: its last line holds at least two and a stop


WORD_JOINER, NO_BREAK_SPACE = "\u2060", "\u00a0"


def glue(text: str) -> str:
    """The text with no break opportunity inside it."""
    return WORD_JOINER.join(text.replace(" ", NO_BREAK_SPACE))


def keep(text) -> Markup:
    """Text the line breaker may not break: a name, a number with its unit, a label."""
    return escape(glue("" if text is None else str(text)))


def _ranges(text: str, names) -> list[list[int]]:
    spans = [[m.start(), m.end()] for m in KEEP.finditer(text) if m.end() - m.start() > 1]
    for name in {n for n in names if n and len(n) > 1}:
        spans += [[m.start(), m.end()] for m in re.finditer(re.escape(name), text)]
    end = len(text.rstrip())
    start, seen = end, 0
    while start > 0 and seen < TAIL:
        start -= 1
        if not text[start].isspace():
            seen += 1
    if end - start > 1:
        spans.append([start, end])
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def tight(text: str) -> str:
    """共 36 人 → 共36人: official documents set numbers without spaces, and a justified line
    would stretch those spaces into gaps (the 工作总结, in print and in Word)."""
    return SPACED.sub("", text)


def para(text, names=(), tight_numbers: bool = False) -> Markup:
    """A paragraph typeset by the rules above, HTML-escaped. Markup (a template's {% call %}
    block) is taken as its text, and a line break in it with its indentation is dropped: in
    Chinese a template's line break is not a space."""
    if isinstance(text, Markup):
        text = LINE_BREAK.sub("", text.unescape())
    text = NUMBERED.sub(lambda m: f"{m.group(1)}{m.group(2)}．", "" if text is None else str(text))
    if tight_numbers:
        text = tight(text)
    out, at = [], 0
    for s, e in _ranges(text, names):
        out.append(escape(text[at:s]))
        out.append(keep(text[s:e]))
        at = e
    out.append(escape(text[at:]))
    return Markup("").join(out)


def cell(value) -> Markup:
    """A table cell of a ledger: each item of a list (监护人 覃江涵（父亲）155…；…) kept on one
    line, items breaking only at their separators, or after a closing bracket or colon within
    (覃江涵（父亲）/ 155…: a landscape page holds fifteen columns only so); a long free text by
    the paragraph rules. A number keeps its unit: the space between them (3 个上课日) is not a
    separator, and goes."""
    text = KEEP.sub(lambda m: m.group(0).replace(" ", ""), "" if value is None else str(value))
    out = []
    for piece in SEPARATORS.split(text):
        if not piece or SEPARATORS.fullmatch(piece):
            out.append(escape(piece))
        else:
            out += [keep(part) if len(part) <= CELL_ITEM else para(part)
                    for part in ITEM_PARTS.split(piece)]
    return Markup("").join(out)


def lines(text) -> Markup:
    """Text typed on several lines (会议记录, 活动说明): each line a paragraph by the rules."""
    return Markup("<br>").join(para(line) for line in str(text or "").splitlines())


# The numbering of an official paper's levels: 一、 （一） 1. （1）; a line's own number, typed.
LEVELS = [re.compile(r"([一二三四五六七八九十]{1,3})\s*[、.．]\s*"),
          re.compile(r"[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]\s*"),
          re.compile(r"(\d{1,2})\s*(?:[、．]|\.(?!\d))\s*"),
          re.compile(r"[（(]\s*(\d{1,2})\s*[)）]\s*")]


def _marker(level: int, n: int) -> str:
    return [f"{numerals.chinese(n)}、", f"（{numerals.chinese(n)}）", f"{n}．", f"（{n}）"][level]


def outline(text, number: bool = False) -> Markup:
    """Text typed under a paper's own 一、 heading (议程, 会议记录): its numbered lines one level
    down (一、 → （一）, （一） → 1．, 1. → （1）), so that an agenda typed 一、二、 is not read
    as the paper's own parts; with `number`, lines typed with no numbers at all get （一）（二）."""
    rows = [line.strip() for line in str(text or "").strip().splitlines()]
    found = [next(((k, m) for k, rule in enumerate(LEVELS) if (m := rule.match(line))),
                  (None, None)) for line in rows]
    if number and all(k is None for k, _ in found):
        count = iter(range(1, len(rows) + 1))
        return lines("\n".join(line and _marker(1, next(count)) + line for line in rows))
    out = []
    for line, (k, m) in zip(rows, found):
        n = m and numerals.value(m.group(1))
        out.append(line if not n or k == 3 else _marker(k + 1, n) + line[m.end():])
    return lines("\n".join(out))


def cn_date(day) -> Markup:
    """2026年12月5日, on one line; blank spaces to be written in when there is no date."""
    if day is None:
        return Markup("　　　　年　　月　　日")
    return keep(f"{day.year}年{day.month}月{day.day}日")


TITLE_BREAKS = re.compile(r"(?<=学校|村小|小学|中学|学年|学期)|(?<=教学点)")


def title(text) -> Markup:
    """A document's title, breaking only after its unit and its period (青山镇中心学校 /
    2026—2027学年 / 第一学期 / 控辍保学工作总结), never inside a word (控辍保 / 学工作总结)."""
    return Markup("").join(keep(part) for part in TITLE_BREAKS.split(str(text or "")) if part)


def register(app) -> None:
    app.add_template_filter(title, "title")
    app.add_template_filter(keep, "keep")
    app.add_template_filter(para, "para")
    app.add_template_filter(cn_date, "cn_date")
    app.add_template_filter(cell, "cell")
    app.add_template_filter(lines, "lines")
    app.add_template_filter(outline, "outline")
