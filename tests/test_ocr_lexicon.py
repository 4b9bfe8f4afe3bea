"""OCR'd words set right by the tables' vocabulary (extractor/ocr_lexicon.py): only characters the recogniser was
unsure of, only where one vocabulary word explains them; text layers are never touched."""
from extractor.hints import load_layout
from extractor.ocr_lexicon import code_labels, with_known_words
from schemas.document import Box, Page, Word

HINTS = load_layout()


def ocr_word(text, confidences, x0=0.0):
    return Word(text=text, box=Box(x0=x0, top=0, x1=x0 + 9 * len(text), bottom=9), confidence=min(confidences),
                char_confidences=confidences)


def read(*words):
    page = Page(source="s.png", page=1, kind="scan", width=600, height=800, words=list(words))
    return [w.text for w in with_known_words(page, HINTS).words]


def test_an_unsure_character_one_off_a_header_word_is_read_as_the_word():
    assert read(ocr_word("较大隐惠", [0.99, 0.99, 0.99, 0.69]), ocr_word("贵任单位", [0.55, 0.99, 0.88, 0.99])) == \
        ["较大隐患", "责任单位"]


def test_a_sure_character_stays_as_read():
    assert read(ocr_word("较大隐惠", [0.99, 0.99, 0.99, 0.97])) == ["较大隐惠"]


def test_a_word_that_already_spells_a_vocabulary_word_is_kept():
    # 整改数 is a header word of its own; the unsure 整 must not become 未 (未整改数 is one character longer)
    assert read(ocr_word("已完成数", [0.99, 0.99, 0.60, 0.99]), ocr_word("整改数", [0.5, 0.99, 0.99])) == \
        ["已完成数", "整改数"]


def test_a_rate_unit_read_as_x_is_a_percent_sign():
    assert read(ocr_word("安装率（x）", [0.99] * 6)) == ["安装率（%）"]


def test_a_text_layer_is_never_changed():
    page = Page(source="p.pdf", page=1, kind="pdf", width=600, height=800,
                words=[Word(text="较大隐惠", box=Box(x0=0, top=0, x1=36, bottom=9))])
    assert with_known_words(page, HINTS) is page


def test_code_labels_with_a_letter_for_a_digit_take_the_column_pattern():
    labels = ["全市", "WGO1", "WG02", "WG03", "WG04", "WG1l", "WGX9"]
    assert code_labels(labels) == {"WGO1": "WG01", "WG1l": "WG11"}
    assert code_labels(["WGO1", "WG02"]) == {}  # two codes are no pattern
