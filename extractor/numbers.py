"""Parses printed numbers: counts, rates and ranks as newspapers print them, and says what is odd about the print."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from extractor.messages import say

_NUMBER = re.compile(r"^(?P<sign>[-+])?(?P<int>\d[\d,]*)?(?P<dot>\.)?(?P<frac>\d+)?(?P<pct>%)?$", re.ASCII)
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")


@dataclass(frozen=True)
class ParsedNumber:
    value: float | None       # percent values as printed (14.9 for "14.9%"), None for blank or unreadable
    decimals: int             # digits printed after the point
    percent: bool
    oddities: tuple[str, ...] = ()  # what is odd about the print: keys of [oddity] in schemas/messages.toml
    blank: bool = False
    folded: str = ""          # the full-width characters it was printed with (１, ％)

    @property
    def oddity(self) -> str | None:
        """Why the print is odd (full-width digits, "100.%"), in words; None when clean."""
        return describe_oddities(self.oddities, self.folded) if self.oddities else None

    @property
    def only_full_width(self) -> bool:
        """Odd only for full-width characters (１): the figure is plain, the print a matter of type."""
        return self.oddities == ("full_width",)

    @property
    def decimal(self) -> Decimal | None:
        return None if self.value is None else Decimal(str(self.value))


def describe_oddities(oddities: tuple[str, ...], folded: str) -> str:
    """Oddities (keys of [oddity] in schemas/messages.toml) in words; folded: the full-width characters seen."""
    return say("oddity.joiner").join(say(f"oddity.{o}", chars=folded) for o in oddities)


def normalise(printed: str) -> str:
    """NFKC folds full-width digits and ％ (and the minus sign); outer spaces are dropped."""
    return unicodedata.normalize("NFKC", printed).strip().replace("−", "-")


def parse_number(printed: str) -> ParsedNumber:
    text = normalise(printed)
    if text in ("", "-", "—", "/", "——"):
        return ParsedNumber(None, 0, False, blank=True)
    m = _NUMBER.match(text)
    if not m or (m["int"] is None and m["frac"] is None):
        return ParsedNumber(None, 0, False, ("not_a_number",))
    oddities = []
    folded = sorted({ch for ch in printed.strip() if unicodedata.normalize("NFKC", ch) != ch or ch == "−"})
    if folded:
        oddities.append("full_width")
    if m["int"] and "," in m["int"] and not _THOUSANDS.match(m["int"]):
        oddities.append("thousands")
    if m["dot"] and not m["frac"]:
        oddities.append("dot_no_digits")
    if m["dot"] and not m["int"]:
        oddities.append("no_leading_digit")
    digits = (m["int"] or "0").replace(",", "") + "." + (m["frac"] or "0")
    value = float(Decimal(digits)) * (-1 if m["sign"] == "-" else 1)
    return ParsedNumber(value, len(m["frac"] or ""), bool(m["pct"]), tuple(oddities), folded=" ".join(folded))


def round_at(value: Decimal, decimals: int, mode: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=mode)


def rate_matches(printed: Decimal, exact: Decimal, decimals: int) -> bool:
    """True when printed is exact rounded at the printed precision, half-up or half-even (printers use both)."""
    return printed == round_at(exact, decimals, ROUND_HALF_UP) or printed == round_at(exact, decimals, ROUND_HALF_EVEN)


def format_at(value: Decimal, decimals: int, percent: bool) -> str:
    return f"{round_at(value, decimals)}{'%' if percent else ''}"


def plain(value: Decimal) -> str:
    """87326 rather than 87326.0 or 8.7326E+4, for messages."""
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
