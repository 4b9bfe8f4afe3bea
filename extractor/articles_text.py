"""Stories of a text dump (Page.lines, no positions).

Lines are sorted into tables, furniture, captions, headline groups and body; a story's body runs from a lead
(本报讯…, a byline line, 上接…) to the next lead or headline. Some dumps print every headline after its story
(the layout tool walked the columns bottom-up), so each page is read both ways — headline before or after its
body — and the reading that leaves fewer stories without headline and headlines without story wins."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from extractor.articles import TERMINAL, ArticleRules, Heading, caption_record, clean, ids, join_lines, story
from extractor.flow_tables import is_value
from extractor.hints import LayoutHints, in_sentence, squeeze
from schemas.article import ArticlesOfPage, PageFurniture
from schemas.document import Page

# Running-text punctuation: a line holding one is not a table header word or row label.
# Header words and row labels of a column-flowed table are short.
MAX_TABLE_WORD = 16
# A headline printed vertically comes out one character per line; table labels (名/次) are shorter.
MIN_VERTICAL = 4
# A headline set over several columns is this long at least, and half as long again as the column lines.
MIN_WIDE_HEADLINE = 12
# A line longer than this is a whole paragraph (the dump does not wrap), not a line of a narrow column.
WIDE_LINE = 40


def ends_sentence(text: str) -> bool:
    """The line closes a sentence; an edition mark after the full stop (。①5) does not count."""
    return re.sub(r"[①-⑳]\d*$", "", text.strip()).endswith(TERMINAL)


@dataclass
class Unit:
    """One line of the dump, or the lines of a headline printed vertically (one character per line)."""
    kind: str            # "body", "lead", "headline", "author", "caption", "furniture"
    text: str
    first: int
    last: int
    furniture: str | None = None     # its kind, for furniture


@dataclass
class Story:
    heading: list[Unit] = field(default_factory=list)
    body: list[Unit] = field(default_factory=list)


def table_lines(lines: list[str], hints: LayoutHints) -> set[int]:
    """Indices of the lines of tables: from a title (or a tab-separated row) over header words, row labels,
    values, date, unit and note, up to the last value, row or note line."""
    out: set[int] = set()
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if not (s and (hints.is_title(s) or "\t" in lines[i])):
            i += 1
            continue
        region, end, j = [i], i, i + 1
        while j < len(lines):
            t = lines[j].strip()
            if not t:
                j += 1
                continue
            note = hints.is_note(t)
            if "\t" in lines[j] or is_value(t) or hints.match_date(t) and len(squeeze(t)) <= 14 \
                    or hints.unit_pattern.search(t) and len(squeeze(t)) <= MAX_TABLE_WORD:
                end = j
            elif note:
                while j + 1 < len(lines) and lines[j + 1].strip():     # the note goes on to the next blank
                    j += 1
                end = j
            elif len(squeeze(t)) > MAX_TABLE_WORD or in_sentence(t) or hints.is_title(t):
                break
            j += 1
        if end > i or "\t" in lines[i]:
            out.update(range(i, end + 1))
        i = max(end, i) + 1
    return out


def units_of(lines: list[str], tables: set[int], hints: LayoutHints, rules: ArticleRules) -> list[Unit]:
    units: list[Unit] = []
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if i in tables or not s:
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and j + 1 not in tables and len(squeeze(lines[j + 1])) == 1 \
                and not is_value(lines[j + 1]) and len(squeeze(s)) == 1:
            j += 1
        if j - i + 1 >= MIN_VERTICAL:
            units.append(Unit("headline", "".join(squeeze(x) for x in lines[i:j + 1]), i, j))
        else:
            j = i
            furniture = rules.furniture_kind(s, hints)
            # a lead may break after a character or two in a narrow column (新 华 社 华 / 盛顿9月 25日)
            with_next = s + (lines[i + 1].strip() if i + 1 < len(lines) and i + 1 not in tables else "")
            units.append(Unit("furniture" if furniture else line_kind(s, with_next, rules), s, i, i, furniture))
        i = j + 1
    mark_captions(units, rules)
    mark_headlines(units, rules)
    return units


def line_kind(s: str, with_next: str, rules: ArticleRules) -> str:
    if rules.is_caption(s):
        return "caption"
    if rules.author.search(squeeze(s)):
        return "author"
    return "lead" if rules.is_lead(with_next) else "body"


def mark_captions(units: list[Unit], rules: ArticleRules) -> None:
    """A caption ends with its credit (…摄); the lines straight above it (no blank line between) belong to it
    while they do not end a sentence, and the one right above a credit standing alone always does."""
    for k, u in enumerate(units):
        if u.kind != "caption" or not rules.credit_end.search(squeeze(u.text)):
            continue
        alone = rules.credit.fullmatch(squeeze(u.text)) is not None
        j = k - 1
        while j >= 0 and units[j].kind in ("body", "lead") and units[j].last == units[j + 1].first - 1 \
                and (alone and j == k - 1 or not ends_sentence(units[j].text)):
            units[j].kind = "caption"
            j -= 1


def headline_like(text: str, rules: ArticleRules) -> bool:
    """Short, not ending like a clause, and no sentence punctuation outside quotes (commas only in a subtitle
    after a colon, 市城管局提醒：出门前做好四步检查，保持通讯畅通)."""
    s = squeeze(text)
    if not 4 <= len(s) <= rules.max_headline or s.endswith(("。", "，", "、", "；", "：", ",", ";", ":")) or is_value(s):
        return False
    bare = re.sub(r"“[^”]*”|《[^》]*》", "", s)
    return not re.search(r"[。；;！？!?]", bare[:-1]) and (not re.search(r"[，,、]", bare) or re.search(r"[：:]", bare))


def mark_headlines(units: list[Unit], rules: ArticleRules) -> None:
    """A short body line is a headline when the line before ends a sentence (or is no body) and the next one
    opens something new (a lead, another headline, a caption, furniture, the end of the page) or the line is
    much wider than the column lines around it (a headline over several columns)."""
    opens = {"lead", "headline", "author", "caption", "furniture", None}
    for k in range(len(units) - 1, -1, -1):
        u = units[k]
        if u.kind != "body" or not headline_like(u.text, rules):
            continue
        prev = units[k - 1] if k else None
        nxt = units[k + 1] if k + 1 < len(units) else None
        closed = prev is None or prev.kind != "body" or ends_sentence(prev.text) or headline_like(prev.text, rules) \
            or nxt is not None and nxt.kind == "lead" and len(squeeze(prev.text)) > WIDE_LINE
        n = len(squeeze(u.text))
        wide = prev is not None and nxt is not None and n >= MIN_WIDE_HEADLINE \
            and n > 1.5 * max(len(squeeze(prev.text)), len(squeeze(nxt.text)))
        if closed and (nxt is None or nxt.kind in opens or wide):
            u.kind = "headline"
    for k, u in enumerate(units):            # the account name over a QR code: 焦作市市场监管局 / 微信公众号 …
        if k + 1 < len(units) and units[k + 1].first == u.last + 1 and u.kind in ("headline", "body") \
                and units[k + 1].furniture == "qr_code" and len(squeeze(u.text)) <= 12:
            u.kind, u.furniture = "furniture", "qr_code"


def stories(units: list[Unit], rules: ArticleRules, headline_after: bool) -> tuple[list[Story], list[list[Unit]]]:
    """Stories and the headline groups left without one, reading headlines before or after their bodies."""
    blocks: list[tuple[str, list[Unit]]] = []       # ("heading" | "body", units)
    broken = False                  # a caption or furniture between two headline lines parts them
    for u in units:
        if u.kind in ("caption", "furniture"):
            broken = True
            continue
        kind = "heading" if u.kind in ("headline", "author") else "body"
        if kind == "body" and u.kind == "lead" or not blocks or blocks[-1][0] != kind or kind == "heading" and broken:
            blocks.append((kind, [u]))
        else:
            blocks[-1][1].append(u)
        broken = False
    out: list[Story] = []
    lonely: list[list[Unit]] = []
    for n, (kind, us) in enumerate(blocks):
        if kind == "body":
            if out and not out[-1].body:             # the story its headline opened
                out[-1].body = us
            else:
                out.append(Story(body=us))
        elif headline_after and n and blocks[n - 1][0] == "body" and not out[-1].heading:
            out[-1].heading = us
        elif not headline_after and n + 1 < len(blocks) and blocks[n + 1][0] == "body" \
                and not rules.continued_from.match(squeeze(blocks[n + 1][1][0].text)):
            out.append(Story(heading=us))
        else:
            lonely.append(us)
    return out, lonely


def cost(found: tuple[list[Story], list[list[Unit]]], rules: ArticleRules) -> int:
    """Stories without headline (a continuation from another page excepted) plus headlines without story."""
    out, lonely = found
    headless = sum(1 for s in out if not s.heading and not rules.continued_from.match(squeeze(s.body[0].text)))
    return headless + len(lonely)


def paragraphs(body: list[Unit], rules: ArticleRules) -> list[str]:
    """Lines run on into one paragraph until one ends a sentence short of the column width (or is a whole
    paragraph by itself); a lead opens a paragraph, and a byline printed on its own line is one."""
    width = median(len(squeeze(u.text)) for u in body)
    out: list[str] = []
    open_ = False
    for u in body:
        text = clean(u.text)
        if out and open_ and u.kind != "lead":
            out[-1] = join_lines(out[-1], text)
        else:
            out.append(text)
        s = squeeze(u.text)
        n = len(s)
        byline_alone = u.kind == "lead" and any((m := p.search(s)) and m.end() == n for p in rules.byline)
        open_ = not (byline_alone or ends_sentence(u.text) and (n > WIDE_LINE or n < width - 1
                                                                or u.kind == "lead" and n < width))
    return out


def text_articles(page: Page, hints: LayoutHints, rules: ArticleRules, prefix: str | None = None) -> ArticlesOfPage:
    stem, number = ids(page, prefix)
    units = units_of(page.lines, table_lines(page.lines, hints), hints, rules)
    before, after = stories(units, rules, False), stories(units, rules, True)
    headline_after = cost(after, rules) < cost(before, rules)
    found, lonely = after if headline_after else before
    out = ArticlesOfPage()
    found = sorted(found, key=lambda s: min(u.first for u in s.body + s.heading))
    spans = []
    for n, s in enumerate(found, start=1):
        heading = Heading([u.text for u in s.heading if u.kind == "headline"], [None] * len(s.heading)) \
            if any(u.kind == "headline" for u in s.heading) else None
        authors = [clean(u.text) for u in s.heading if u.kind == "author"]
        body = authors + paragraphs(s.body, rules)
        article = story(page.source, number, f"{stem}-p{number}-a{n}", heading, body, hints, rules,
                        main_last=not headline_after)
        out.articles.append(article)
        spans.append((article.article_id, [(u.first, u.last) for u in s.body + s.heading]))
    for us in lonely:
        out.furniture.append(PageFurniture(source=page.source, page=number, kind="banner",
                                           text=" ".join(clean(u.text) for u in us)))
    for u in units:
        if u.kind == "furniture":
            out.furniture.append(PageFurniture(source=page.source, page=number,
                                               kind=u.furniture, text=clean(u.text)))
    for group in caption_groups(units, rules):
        caption = caption_record(page.source, number, f"{stem}-p{number}-c{len(out.captions) + 1}",
                                 "".join(clean(u.text) for u in group), rules)
        line = group[0].first
        caption.article_id = min(spans, key=lambda sp: min(abs(line - a) + abs(line - b) for a, b in sp[1]),
                                 default=(None,))[0]
        out.captions.append(caption)
    return out


def caption_groups(units: list[Unit], rules: ArticleRules) -> list[list[Unit]]:
    """Caption lines one under the other, each group ending at its credit."""
    groups: list[list[Unit]] = []
    for u in units:
        if u.kind != "caption":
            continue
        if groups and groups[-1][-1].last == u.first - 1 and not rules.credit_end.search(squeeze(groups[-1][-1].text)):
            groups[-1].append(u)
        else:
            groups.append([u])
    return groups
