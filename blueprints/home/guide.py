"""帮助: the user guide (docs/guide/README.md, the one the repository carries) shown in the app,
its screenshots served beside it, and the section each area's pages open at.

The guide is Markdown written for GitHub; Python-Markdown renders it with the same anchors
GitHub makes of Chinese headings ("## 20 非正常学籍清理" -> #20-非正常学籍清理), so its own table
of contents works in both places. Screenshots load lazily: the page is ~40 KB of text and each
picture comes only when scrolled to (an old PC on a slow link)."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import markdown
from markdown.extensions.toc import slugify_unicode
from markupsafe import Markup

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide"

# the section a page's 帮助 opens at, by the page's endpoint or else its area (blueprint)
SECTIONS = {
    "records.leavers_page": "22-九年级毕业生去向", "attendance.risk_list": "17-辍学风险名单",
    "cases.reconcile_page": "7-四查三比对",
    "students": "1-找学生", "records": "20-非正常学籍清理", "special": "21-残疾儿童",
    "attendance": "4-每周登记考勤", "cases": "6-劝返个案从疑似辍学到销号", "dashboard": "8-总览",
    "meetings": "9-月度推进会", "activities": "10-登记工作活动", "summaries": "11-写工作总结",
    "evidence": "12-打印佐证材料", "pledges": "13-责任书承诺书告知书", "responsibility": "14-包保双线四包",
    "pairs": "15-我的结对", "aid": "16-资助漏助与错助", "prints": "18-扫描回收签字文书",
    "township": "19-文书抬头和监督电话", "counseling": "25-心理辅导和厌学转化",
    "responsibility.network_page": "23-责任网络和领导小组", "responsibility.group": "23-责任网络和领导小组",
    "activities.parents_page": "24-家长会和家长学校",
}


def section_of(endpoint: str | None) -> str:
    """The guide's anchor for a page's endpoint ("" for the top)."""
    endpoint = endpoint or ""
    return SECTIONS.get(endpoint) or SECTIONS.get(endpoint.split(".")[0], "")


def html(image_url) -> Markup:
    """The guide as HTML; image_url(name) is where a screenshot is served."""
    path = GUIDE / "README.md"
    body = _rendered(path.stat().st_mtime)
    return Markup(re.sub(r'<img alt="([^"]*)" src="img/([^"]+)"',
                         lambda m: f'<img alt="{m[1]}" loading="lazy" src="{image_url(m[2])}"',
                         body))


@functools.lru_cache(maxsize=2)
def _rendered(mtime: float) -> str:
    text = (GUIDE / "README.md").read_text(encoding="utf-8")
    return markdown.markdown(text, extensions=["toc", "tables"], extension_configs={
        "toc": {"slugify": slugify_unicode}})
