"""Stories of a page: articles with headline, byline and body in reading order, photo captions, page furniture.

Positioned pages (PDF, OCR) are handled here; text dumps in extractor/articles_text.py. Both end in
`story()`, which turns a headline group and body lines into an Article. Table areas are found first (by the
layout stage for positioned pages) and never go into a story."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from statistics import median

import jieba
import jieba.analyse

from extractor.hints import LayoutHints, layout_data, squeeze
from extractor.layout import Phrase
from schemas.article import Article, ArticlesOfPage, Caption, PageFurniture
from schemas.document import Box, Page, Word

jieba.setLogLevel(logging.WARNING)

# A line ending in one of these closes a sentence; a paragraph or a story may end there.
TERMINAL = tuple("。！？!?…”」』）)")
NON_ASCII_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


@dataclass(frozen=True)
class ArticleRules:
    lead: tuple[re.Pattern, ...]
    byline: tuple[re.Pattern, ...]
    author: re.Pattern
    caption: tuple[re.Pattern, ...]
    credit: re.Pattern
    credit_end: re.Pattern
    wire_byline: re.Pattern
    continued_from: re.Pattern
    continued_to: re.Pattern
    subtitle_prefixes: tuple[str, ...]
    dateline: re.Pattern
    max_headline: int
    headline_word_gap: float
    headline_reach: float
    author_ratio: float
    author_chars: int
    subhead_ratio: float
    furniture: tuple[tuple[str, re.Pattern], ...]

    def furniture_kind(self, text: str, hints: LayoutHints) -> str | None:
        s = squeeze(text)
        kind = next((kind for kind, p in self.furniture if p.search(s)), None)
        return kind or ("other" if any(p.search(text) for p in hints.furniture_patterns) else None)

    def is_lead(self, text: str) -> bool:
        return any(p.search(squeeze(text)) for p in self.lead)

    def is_caption(self, text: str) -> bool:
        return any(p.search(squeeze(text)) for p in self.caption)


@lru_cache(maxsize=None)
def article_rules(layout: str) -> ArticleRules:
    """The [articles] section of a layout file."""
    a = layout_data(layout)["articles"]
    many = lambda key: tuple(re.compile(p) for p in a[key])  # noqa: E731
    return ArticleRules(
        lead=many("lead_patterns"), byline=many("byline_patterns"), author=re.compile(a["author_pattern"]),
        caption=many("caption_patterns"), credit=re.compile(a["credit_pattern"]),
        credit_end=re.compile(a["credit_end"]), wire_byline=re.compile(a["wire_byline"]),
        continued_from=re.compile(a["continued_from"]), continued_to=re.compile(a["continued_to"]),
        subtitle_prefixes=tuple(a["subtitle_prefixes"]), dateline=re.compile(a["dateline_pattern"]),
        max_headline=int(a["max_headline"]), headline_word_gap=float(a["headline_word_gap"]),
        headline_reach=float(a["headline_reach"]), author_ratio=float(a["author_ratio"]),
        author_chars=int(a["author_chars"]), subhead_ratio=float(a["subhead_ratio"]),
        furniture=tuple((kind, re.compile(p)) for kind, pats in a["furniture"].items() for p in pats))


def articles_of_page(page: Page, hints: LayoutHints, table_boxes: list[Box], prefix: str | None = None) -> ArticlesOfPage:
    """Articles, captions and furniture of one page; table_boxes are the areas of the page's tables; prefix names
    the records' ids (default: the file name's stem; a batch passes the unique one its tables use)."""
    rules = article_rules(hints.name)
    if page.kind == "text":
        from extractor.articles_text import text_articles
        return text_articles(page, hints, rules, prefix)
    return positioned_articles(page, hints, table_boxes, rules, prefix)


# ---- shared: from a headline group and body paragraphs to an Article -----------------------------------

def clean(text: str) -> str:
    """A printed line without the spaces that justify Chinese text; spaces between Latin words stay."""
    return re.sub(r"\s+", " ", NON_ASCII_SPACE.sub("", text)).strip()


def join_lines(a: str, b: str) -> str:
    """Two lines of one paragraph; a Latin word hyphenated at the line end is made whole."""
    if re.search(r"[A-Za-z]-$", a) and re.match(r"[a-z]", b):
        return a[:-1] + b
    sep = " " if re.search(r"[A-Za-z0-9,.;:]$", a) and re.match(r"[A-Za-z0-9]", b) else ""
    return a + sep + b


@dataclass
class Heading:
    """The lines of one headline group, top to bottom, with the size each is printed at (None in dumps)."""
    lines: list[str]
    sizes: list[float | None]
    box: Box | None = None
    vertical: bool = False       # a 竖排 headline, standing beside its story rather than over it
    authors: list[str] = field(default_factory=list)   # author lines printed with it (陈曙光); they open the body


def split_heading(heading: Heading, rules: ArticleRules, main_last: bool) -> tuple[str | None, str | None, str]:
    """(kicker, subtitle, headline). The largest print is the headline; without sizes (dumps) a line with a
    subtitle prefix is the subtitle, and of the others the one nearest the body is the headline, unless the
    lines are one headline wrapped over a narrow column (no line split in two parts by a space)."""
    lines = [re.sub(r"\s+", " ", t).strip() for t in heading.lines]
    subs = [i for i, t in enumerate(lines) if squeeze(t).startswith(rules.subtitle_prefixes)]
    rest = [i for i in range(len(lines)) if i not in subs]
    if not rest:
        rest, subs = subs[:1], subs[1:]
    if all(s is not None for s in heading.sizes):
        top = max(heading.sizes[i] for i in rest)
        main = [i for i in rest if heading.sizes[i] >= top - 0.5]
    elif len(rest) > 1 and not any(" " in lines[i] for i in rest) and max(len(lines[i]) for i in rest) <= 16:
        main = rest
    else:
        main = [rest[-1] if main_last else rest[0]]
    first, last = min(main), max(main)
    main = [i for i in range(first, last + 1) if i not in subs]
    kicker = [lines[i] for i in range(first) if i not in subs]
    subtitle = [lines[i] for i in range(last + 1, len(lines))] + [lines[i] for i in subs if i < first]
    text = lambda parts: " ".join(parts) or None  # noqa: E731
    return text(kicker), text(subtitle), "".join(lines[i] for i in main)


def story(source: str, page: int, article_id: str, heading: Heading | None, body: list[str],
          hints: LayoutHints, rules: ArticleRules, main_last: bool = True, box: Box | None = None) -> Article:
    kicker = subtitle = headline = None
    if heading is not None:
        kicker, subtitle, headline = split_heading(heading, rules, main_last)
    lead = squeeze(body[0]) if body else ""
    byline = next((m.group(0) for p in rules.byline if (m := p.search(lead))), None)
    rest = lead[len(byline):] if byline else lead
    if byline and len(body) > 1 and rest == "":        # a byline line of its own: the dateline is in the next
        rest = squeeze(body[1])
    first_sentence = re.split(r"[。！？]", rest, maxsplit=1)[0]
    date = rules.dateline.search(byline if byline and rules.wire_byline.search(byline) else first_sentence)
    text = squeeze("".join(body))
    everything = (headline or "") + "".join(body)
    return Article(
        source=source, page=page, article_id=article_id, headline=headline, kicker=kicker, subtitle=subtitle,
        byline=byline, dateline=date.group(0) if date else None, body=body,
        continued_from=_first(rules.continued_from, text), continued_to=_first(rules.continued_to, text),
        keywords=jieba.analyse.extract_tags(everything, topK=5) if everything.strip() else [],
        places=places(everything, hints), box=box)


def _first(pattern: re.Pattern, text: str) -> str | None:
    m = pattern.search(text)
    return m.group(0) if m else None


def places(text: str, hints: LayoutHints) -> list[str]:
    """Gazetteer names mentioned, in order of first mention; aliases count for their canonical name."""
    s = squeeze(text)
    found = []
    for name, aliases in hints.gazetteer.items():
        hits = [s.find(n) for n in (name, *aliases) if n in s]
        if hits:
            found.append((min(hits), name))
    return [name for _, name in sorted(found)]


def caption_record(source: str, page: int, caption_id: str, text: str, rules: ArticleRules,
                   box: Box | None = None) -> Caption:
    text = clean(text)
    m = rules.credit.search(text)
    return Caption(source=source, page=page, caption_id=caption_id, text=text, credit=m.group(0) if m else None,
                   box=box)


def ids(page: Page, prefix: str | None) -> tuple[str, int]:
    return prefix or Path(page.source).stem, page.page


# ---- positioned pages ------------------------------------------------------------------------------------

@dataclass
class Line(Phrase):
    """A line of an article column: a layout phrase whose words are joined as running text."""

    @property
    def text(self) -> str:
        return clean(" ".join(w.text for w in self.words))

    @property
    def size(self) -> float:
        return median(w.size or w.box.height for w in self.words)


@dataclass
class Segment:
    """Body lines stacked in one column without a break: a column of an article, or part of one."""
    lines: list[Line]
    heading: int | None = None     # index of the owning headline group
    article: int | None = None

    @property
    def box(self) -> Box:
        return Box.enclosing(ln.box for ln in self.lines)


def text_lines(words: list[Word]) -> list[Line]:
    """Words on one baseline closer than about a character. A column gutter can be narrower than that where
    punctuation hangs into it, so a word starting where many lines of the page start is never joined on. A vertical
    word (a 竖排 column, as tall as many body lines) never joins a horizontal one beside it: the body line ending at
    a vertical headline is not part of it."""
    starts: dict[int, int] = {}
    for w in words:
        starts[round(w.box.x0)] = starts.get(round(w.box.x0), 0) + 1
    column_start = lambda x: sum(starts.get(round(x) + d, 0) for d in (-1, 0, 1)) >= 3  # noqa: E731
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (round(w.box.top), w.box.x0)):
        size = w.size or w.box.height
        for ln in lines:
            last = ln.words[-1].box
            overlap = min(last.bottom, w.box.bottom) - max(last.top, w.box.top)
            gap = w.box.x0 - last.x1
            if w.vertical == ln.words[-1].vertical and overlap > 0.5 * min(last.height, w.box.height) \
                    and -1 <= gap < 1.05 * size \
                    and not (gap > 0.2 * size and column_start(w.box.x0)):
                ln.words.append(w)
                break
        else:
            lines.append(Line([w]))
    return lines


def x_overlap(a: Box, b: Box) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def distance(a: Box, b: Box) -> float:
    dx = max(a.x0 - b.x1, b.x0 - a.x1, 0)
    dy = max(a.top - b.bottom, b.top - a.bottom, 0)
    return (dx * dx + dy * dy) ** 0.5


def stack(lines: list[Line], size: float) -> list[list[Line]]:
    """Lines stacked closely in one column (vertical gap under a line height, overlapping horizontally)."""
    groups: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.box.top):
        for g in reversed(groups):
            last = g[-1].box
            if -1 <= ln.box.top - last.bottom < size and x_overlap(ln.box, last) > 0.3 * min(ln.box.width, last.width):
                g.append(ln)
                break
        else:
            groups.append([ln])
    return groups


def clusters(lines: list[Line], gap: float) -> list[list[Line]]:
    """Lines within `gap` of each other, in reading order: a caption or a notice printed in small type."""
    groups: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.box.top, ln.box.x0)):
        near = [g for g in groups if any(distance(ln.box, x.box) < gap for x in g)]
        merged = [x for g in near for x in g] + [ln]
        groups = [g for g in groups if g not in near] + [merged]
    return [sorted(g, key=lambda ln: (round(ln.box.top), ln.box.x0)) for g in groups]


def positioned_articles(page: Page, hints: LayoutHints, table_boxes: list[Box], rules: ArticleRules,
                        prefix: str | None = None) -> ArticlesOfPage:
    stem, number = ids(page, prefix)
    words = [w for w in page.words if w.box and not any(b.contains(w.box, slack=1) for b in table_boxes)]
    lines = text_lines(words)
    out = ArticlesOfPage()
    if not lines:
        return out
    chars = {}
    for ln in lines:
        chars[round(ln.size, 1)] = chars.get(round(ln.size, 1), 0) + len(ln.text)
    body_size = max(chars, key=chars.get)
    furniture = lambda kind, text, box: out.furniture.append(  # noqa: E731
        PageFurniture(source=page.source, page=number, kind=kind, text=text, box=box))

    heads, body, small = [], [], []
    for ln in lines:
        kind = rules.furniture_kind(ln.text, hints)
        if kind:
            furniture(kind, ln.text, ln.box)
        elif ln.size > 1.05 * body_size and page.kind == "pdf" and all(read_by_ocr(w) for w in ln.words):
            furniture("other", ln.text, ln.box)   # a picture's lettering (a rubric drawn as an image), not a headline
        elif ln.size > 1.05 * body_size:
            heads.append(ln)
        elif ln.size < 0.92 * body_size:
            small.append(ln)
        else:
            body.append(ln)
    groups = stack_headings(join_headline_words(heads, rules))
    groups, authors = author_lines(groups, body_size, rules)
    groups, authors, subheads = in_article_subheads(groups, authors, body_size, rules)
    body += subheads
    headings = [Heading([ln.text for ln in g], [ln.size for ln in g], Line([w for ln in g + a for w in ln.words]).box,
                        vertical=all(w.vertical for ln in g for w in ln.words), authors=[ln.text for ln in a])
                for g, a in zip(groups, authors)]
    segments = [Segment(g) for g in stack(body, body_size)]
    assign_headings(segments, headings, body_size, rules.headline_reach)
    articles = group_articles(segments, headings, body_size)

    for k, h in enumerate(headings):
        if not any(s.heading == k for s in segments):
            furniture("banner", " ".join(clean(t) for t in h.lines), h.box)
    for g in clusters(small, body_size * 0.8):
        text = "".join(ln.text for ln in g)
        box = Line([w for ln in g for w in ln.words]).box
        if rules.is_caption(text):
            out.captions.append(caption_record(page.source, number, f"{stem}-p{number}-c{len(out.captions) + 1}",
                                               text, rules, box))
        else:
            furniture("other", text, box)

    order = sorted(articles, key=lambda segs: article_anchor(segs, headings))
    for n, segs in enumerate(order, start=1):
        k = next((s.heading for s in segs if s.heading is not None), None)
        box = segs[0].box
        for s in segs[1:]:
            box = box.union(s.box)
        if k is not None:
            box = box.union(headings[k].box)
        heading = headings[k] if k is not None else None
        out.articles.append(story(page.source, number, f"{stem}-p{number}-a{n}", heading,
                                  (heading.authors if heading else []) + paragraphs(segs, body_size), hints, rules,
                                  box=box))
    link_captions(out)
    return out


def join_headline_words(heads: list[Line], rules: ArticleRules) -> list[Line]:
    """Pieces of one headline line: same print, same baseline, apart by a few of their own characters (a headline
    sets its phrases apart with wide spaces, wider than text_lines joins)."""
    out: list[Line] = []
    for ln in sorted(heads, key=lambda ln: (round(ln.box.top), ln.box.x0)):
        prev = next((p for p in out if abs(p.size - ln.size) < 0.5 and not p.words[0].vertical
                     and not ln.words[0].vertical and abs(p.box.top - ln.box.top) < 0.3 * ln.size
                     and 0 <= ln.box.x0 - p.box.x1 < rules.headline_word_gap * ln.size), None)
        if prev is None:
            out.append(Line(list(ln.words)))
        else:
            prev.words.extend(ln.words)
    return out


def group_box(g: list[Line]) -> Box:
    return Line([w for ln in g for w in ln.words]).box


def author_lines(groups: list[list[Line]], body_size: float, rules: ArticleRules
                 ) -> tuple[list[list[Line]], list[list[Line]]]:
    """Author lines (陈曙光) printed just under a larger headline, or beside a vertical one, are taken out of the
    headline groups: the other groups, and the author lines of each."""
    def is_author(g: list[Line]) -> bool:
        return all(len(squeeze(ln.text)) <= rules.author_chars and ln.size <= rules.author_ratio * body_size
                   for ln in g)

    def owner(g: list[Line]) -> int | None:
        box, size = group_box(g), max(ln.size for ln in g)
        near = []
        for k, h in enumerate(groups):
            hb = group_box(h)
            if h is g or is_author(h) or max(ln.size for ln in h) <= 1.05 * size:
                continue
            if all(w.vertical for ln in h for w in ln.words):
                gap = hb.x0 - box.x1
                if 0 <= gap < 3 * body_size and box.top < hb.bottom and box.bottom > hb.top:
                    near.append((gap, k))
            elif 0 <= box.top - hb.bottom < 3 * body_size and x_overlap(box, hb) > 0.5 * box.width:
                near.append((box.top - hb.bottom, k))
        return min(near)[1] if near else None

    owners = {n: owner(g) for n, g in enumerate(groups) if is_author(g)}
    owners = {n: k for n, k in owners.items() if k is not None}
    kept = [n for n in range(len(groups)) if n not in owners]
    return [groups[n] for n in kept], [[ln for a, k in owners.items() if k == n for ln in groups[a]] for n in kept]


def in_article_subheads(groups: list[list[Line]], authors: list[list[Line]], body_size: float, rules: ArticleRules
                        ) -> tuple[list[list[Line]], list[list[Line]], list[Line]]:
    """Horizontal headline groups that are the 小标题 of a story: under a headline at least subhead_ratio times
    their size, within its width, with no larger headline between. Returns the other groups with their author
    lines, and the subhead lines (read as body lines of the story they stand in)."""
    boxes = [group_box(g) for g in groups]
    sizes = [max(ln.size for ln in g) for g in groups]
    horizontal = [not all(w.vertical for ln in g for w in ln.words) for g in groups]

    def under(n: int, k: int) -> bool:
        return boxes[k].bottom <= boxes[n].top + 1 and boxes[k].x0 - body_size <= boxes[n].xmid <= boxes[k].x1 + body_size

    def is_subhead(n: int) -> bool:
        if not horizontal[n]:
            return False
        tops = [k for k in range(len(groups)) if k != n and horizontal[k] and under(n, k)
                and x_overlap(boxes[k], boxes[n]) > 0 and sizes[k] > 1.05 * sizes[n]]   # larger print, not float noise
        if not tops:
            return False
        k = max(tops, key=lambda k: boxes[k].bottom)   # the nearest larger headline above it
        return sizes[k] >= rules.subhead_ratio * sizes[n]

    subs = [n for n in range(len(groups)) if is_subhead(n)]
    kept = [n for n in range(len(groups)) if n not in subs]
    return [groups[n] for n in kept], [authors[n] for n in kept], [ln for n in subs for ln in groups[n] + authors[n]]


def read_by_ocr(w: Word) -> bool:
    return w.confidence is not None and w.confidence < 1.0


def stack_headings(heads: list[Line]) -> list[list[Line]]:
    """Headline lines printed one under the other, centred on each other: kicker, headline (maybe wrapped),
    subtitle. A kicker stands further above its headline than a wrapped line does: up to most of the headline's
    own height."""
    groups: list[list[Line]] = []
    for ln in sorted(heads, key=lambda ln: ln.box.top):
        for g in groups:
            last = g[-1].box
            reach = 0.8 * (ln.size if ln.size > g[-1].size else min(ln.size, g[-1].size))
            if -1 <= ln.box.top - last.bottom < reach \
                    and abs(ln.box.xmid - last.xmid) < 0.25 * max(ln.box.width, last.width):
                g.append(ln)
                break
        else:
            groups.append([ln])
    return groups


def assign_headings(segments: list[Segment], headings: list[Heading], size: float, reach: float) -> None:
    """A headline owns the columns that start together right under it (within `reach` of its own line heights,
    at least three body lines) and span its centre, or lie within its width (the first columns of a lead story
    whose middle is a picture or a box)."""
    rows: list[list[Segment]] = []
    for s in sorted(segments, key=lambda s: (s.box.top, s.box.x0)):
        row = next((r for r in rows if abs(r[0].box.top - s.box.top) < 2
                    and min(max(s.box.x0 - x.box.x1, x.box.x0 - s.box.x1) for x in r) < 3 * size), None)
        if row is None:
            rows.append([s])
        else:
            row.append(s)
    for row in rows:
        span = Box(x0=min(s.box.x0 for s in row), top=row[0].box.top, x1=max(s.box.x1 for s in row),
                   bottom=max(s.box.bottom for s in row))
        above = [k for k, h in enumerate(headings)
                 if h.box.bottom <= span.top + 1 and span.top - h.box.bottom < max(3 * size, reach * max(h.sizes))
                 and (span.x0 - size <= h.box.xmid <= span.x1 + size
                      or h.box.x0 - size <= span.x0 and span.x1 <= h.box.x1 + size)]
        nearest = min((span.top - headings[k].box.bottom for k in above), default=0)
        above = [k for k in above if span.top - headings[k].box.bottom < nearest + size]
        # Articles side by side under their own headlines: each column goes to the nearest headline centre.
        for s in row:
            if above:
                s.heading = min(above, key=lambda k: abs(headings[k].box.xmid - s.box.xmid))
    # A vertical headline stands at the right of its story's columns, level with them; read right to left, the
    # columns nearest it come first, each no further from the previous than a few characters.
    for k, h in enumerate(headings):
        if not h.vertical:
            continue
        edge = h.box.x0
        def beside(s: Segment) -> bool:   # the lines level with it end left of it; lower ones may run under it
            level = [ln for ln in s.lines if ln.box.top < h.box.bottom]
            return bool(level) and s.box.bottom > h.box.top and all(ln.box.x1 <= h.box.x0 + size for ln in level)
        for s in sorted((s for s in segments if s.heading is None and beside(s)),
                        key=lambda s: -max(ln.box.x1 for ln in s.lines if ln.box.top < h.box.bottom)):
            right = max(ln.box.x1 for ln in s.lines if ln.box.top < h.box.bottom)
            if edge - right > 3 * size:
                break
            s.heading, edge = k, s.box.x0


def group_articles(segments: list[Segment], headings: list[Heading], size: float) -> list[list[Segment]]:
    """Segments sharing a headline form one article; a segment with none continues the column above it
    when only a table, a photo or empty space lies between (no headline, no other text)."""
    articles: list[list[Segment]] = []
    by_heading: dict[int, int] = {}
    done: list[Segment] = []
    for s in sorted(segments, key=lambda s: s.box.top):
        if s.heading is not None:
            s.article = by_heading.setdefault(s.heading, len(articles))
            if s.article == len(articles):
                articles.append([])
        else:
            above = [u for u in done if u.box.bottom <= s.box.top + 1
                     and x_overlap(u.box, s.box) > 0.5 * min(u.box.width, s.box.width)]
            up = max(above, key=lambda u: u.box.bottom, default=None)
            between = lambda top: [k for k, h in enumerate(headings)  # noqa: E731
                                   if h.box.top >= top - 1 and h.box.bottom <= s.box.top + 1
                                   and x_overlap(h.box, s.box) > 0]
            # else the nearest headline above it, when its story has begun and no other headline lies between
            # (a column starting lower, under a picture or a rubric drawn as an image)
            over = max((k for k in between(0) if not headings[k].vertical and k in by_heading),
                       key=lambda k: headings[k].box.bottom, default=None)
            if up is not None and not between(up.box.bottom):
                s.article = up.article
            elif over is not None and not between(headings[over].box.bottom):
                s.article = by_heading[over]
            else:
                s.article = len(articles)
                articles.append([])
        articles[s.article].append(s)
        done.append(s)
    return [reading_order(segs) for segs in articles]


def reading_order(segs: list[Segment]) -> list[Segment]:
    """Columns left to right, each top to bottom; segments one above the other share a column."""
    columns: list[list[Segment]] = []
    for s in sorted(segs, key=lambda s: s.box.x0):
        col = next((c for c in columns if any(x_overlap(u.box, s.box) > 0.5 * min(u.box.width, s.box.width)
                                              for u in c)), None)
        if col is None:
            columns.append([s])
        else:
            col.append(s)
    return [s for col in columns for s in sorted(col, key=lambda s: s.box.top)]


def article_anchor(segs: list[Segment], headings: list[Heading]) -> tuple[float, float]:
    k = next((s.heading for s in segs if s.heading is not None), None)
    box = headings[k].box if k is not None else segs[0].box
    return round(box.top / 10), box.x0


def paragraphs(segs: list[Segment], size: float) -> list[str]:
    """A line indented from its column's left edge opens a paragraph; the others run on."""
    out: list[str] = []
    for s in segs:
        left = min(ln.box.x0 for ln in s.lines)
        for ln in s.lines:
            if not out or ln.box.x0 > left + 0.8 * size:
                out.append(ln.text)
            else:
                out[-1] = join_lines(out[-1], ln.text)
    return out


def link_captions(out: ArticlesOfPage) -> None:
    for c in out.captions:
        near = min(out.articles, key=lambda a: distance(a.box, c.box), default=None) if c.box else None
        c.article_id = near.article_id if near else None
