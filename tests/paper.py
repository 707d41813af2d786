"""Reading the rules of print (typeset.py) from laid-out pages: WeasyPrint's boxes say which
text fell on which line of which page, so a test sees "吴浩 / 宏" as the reader of the paper does.

lines(doc) gives every line as (page number, the element that holds it, its text); problems(doc,
names) lists each broken rule in words a failing test prints."""
from __future__ import annotations

import re
from dataclasses import dataclass

from weasyprint.formatting_structure import boxes

UNIT_START = re.compile(r"^\s*(?:%|％|人次|人|名|所|个|份|户|天|日|次|元|页|年|月|周|小时|节|项|岁)")
DIGIT_END = re.compile(r"\d\s*$")
STOPS = set("，。、；：？！“”‘’（）《》〈〉【】…—·,.;:?!()[] 　\u00a0")
SIGNATURE = {"sign", "sign-block", "summary-seal", "ev-seal"}


@dataclass
class Line:
    page: int
    block: object  # the box of the paragraph or table cell that holds the line
    text: str
    overflow: float = 0.0  # how far the text runs past its table cell's right edge, in px
    off_page: float = 0.0  # how far it runs past the page's printable area (its margins), in px

    @property
    def tag(self) -> str:
        return getattr(self.block, "element_tag", None) or ""

    @property
    def classes(self) -> set[str]:
        element = getattr(self.block, "element", None)
        return set((element.get("class") or "").split()) if element is not None else set()


def _text(box) -> str:
    if isinstance(box, boxes.TextBox):  # as read off the paper: no word joiners (typeset.glue)
        return box.text.replace("\u2060", "").replace("\u00a0", " ")
    return "".join(_text(c) for c in getattr(box, "children", ()))


def _right(box) -> float:
    if isinstance(box, boxes.TextBox):
        return box.position_x + box.width
    return max((_right(c) for c in getattr(box, "children", ())), default=0.0)


def _walk(box, page: int, block, out: list[Line], cell=None, limit=float("inf")):
    if isinstance(box, boxes.LineBox):
        over = _right(box) - (cell.content_box_x() + cell.width) if cell is not None else 0.0
        out.append(Line(page, block, _text(box), max(0.0, over), max(0.0, _right(box) - limit)))
        return
    if isinstance(box, boxes.PageBox):
        limit = box.content_box_x() + box.width
    if isinstance(box, boxes.MarginBox):
        limit = float("inf")  # the page number and the code sit in the margins
    if isinstance(box, boxes.TableCellBox):
        cell = box
    if isinstance(box, boxes.BlockContainerBox) and box.element is not None:
        block = box
    for child in getattr(box, "children", ()):
        _walk(child, page, block, out, cell, limit)


def lines(document) -> list[Line]:
    out: list[Line] = []
    for number, page in enumerate(document.pages, 1):
        _walk(page._page_box, number, None, out)
    return out


def page_texts(document) -> list[str]:
    texts = [""] * len(document.pages)
    for line in lines(document):
        texts[line.page - 1] += line.text + "\n"
    return texts


def _pages_of(box, page: int, found: dict, wanted: set[str]):
    element = getattr(box, "element", None)
    if element is not None:
        for cls in set((element.get("class") or "").split()) & wanted:
            found.setdefault(id(element), (cls, set()))[1].add(page)
    for child in getattr(box, "children", ()):
        _pages_of(child, page, found, wanted)


def split_blocks(document, classes=frozenset(SIGNATURE)) -> list[str]:
    """The signature/seal/date blocks that fall on more than one page."""
    found: dict = {}
    for number, page in enumerate(document.pages, 1):
        _pages_of(page._page_box, number, found, set(classes))
    return [f"{cls} 分在第 {sorted(pages)} 页" for cls, pages in found.values() if len(pages) > 1]


def _visible(text: str) -> int:
    return sum(1 for ch in text if ch not in STOPS and not ch.isspace())


def problems(document, names=(), unnumbered: int = 0) -> list[str]:
    """Every broken rule of print on these pages, in words; the first `unnumbered` pages (a
    cover) carry no page number."""
    names = {n for n in names if n and len(n) > 1}
    found = []
    all_lines = lines(document)
    for a, b in zip(all_lines, all_lines[1:]):
        if a.block is not b.block or a.page != b.page:
            continue
        left, right = a.text.rstrip(), b.text.lstrip()
        for k in range(1, 4):
            for rest in range(1, 4):
                if left[-k:] + right[:rest] in names and len(left) >= k and len(right) >= rest:
                    found.append(f"第 {a.page} 页：姓名断行 “{left[-k:]} / {right[:rest]}”")
        if DIGIT_END.search(left) and UNIT_START.search(right):
            found.append(f"第 {a.page} 页：数字与单位断开 “{left[-6:]} / {right[:4]}”")
        if left.endswith("第") and right[:1].isdigit():
            found.append(f"第 {a.page} 页：“第”与数字断开 “{left[-6:]} / {right[:4]}”")
    blocks: dict[int, list[Line]] = {}
    for line in all_lines:
        blocks.setdefault(id(line.block), []).append(line)
    for line in all_lines:
        if line.overflow > 1:
            found.append(f"第 {line.page} 页：“{line.text.strip()}”超出表格（列宽不够）")
        if line.off_page > 1:
            found.append(f"第 {line.page} 页：“{line.text.strip()}”超出纸面右边距")
    for block in blocks.values():
        first, last = block[0], block[-1]
        if first.tag == "th" and len(block) > 1:
            found.append(f"第 {first.page} 页：表头“{''.join(x.text for x in block)}”折行（列宽不够）")
        if first.tag == "p" and "pre" not in first.classes and len(block) > 1 \
                and _visible(last.text) < 2:
            found.append(f"第 {last.page} 页：段末孤字 “{last.text.strip()}”")
    found += split_blocks(document)
    texts = page_texts(document)
    for number, text in enumerate(texts[unnumbered:], unnumbered + 1):
        if f"第 {number} 页 共 {len(texts)} 页" not in text:
            found.append(f"第 {number} 页：没有“第 {number} 页 共 {len(texts)} 页”")
    return sorted(set(found))
