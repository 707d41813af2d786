"""Chinese numerals 1-99 as papers and lists write them: 五, 十二, 二十三 (第五组, （十二）)."""
from __future__ import annotations

DIGITS = "〇一二三四五六七八九"


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 23 → 二十三 (1 to 99)."""
    tens = ("" if n < 20 else DIGITS[n // 10]) + "十" if n >= 10 else ""
    return tens + (DIGITS[n % 10] if n % 10 else "")


def value(text: str) -> int | None:
    """chinese() read back (十二 → 12), or digits (05 → 5); None for anything else."""
    if text.isdigit():
        return int(text)
    tens, _, ones = text.rpartition("十") if "十" in text else ("", "", text)
    if len(ones) > 1 or len(tens) > 1 or any(c not in DIGITS[1:] for c in tens + ones):
        return None
    return ("十" in text) * (DIGITS.index(tens) if tens else 1) * 10 + (
        DIGITS.index(ones) if ones else 0) or None
