"""OCR backends behind one interface: an image in, text lines with pixel boxes and confidences out.

Models are only ever loaded from local files (the RapidOCR wheel ships PP-OCRv4); nothing is downloaded.
"""
from __future__ import annotations

import importlib.util
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Protocol

import cv2
import numpy as np

from extractor.hints import read_toml
from extractor.messages import say
from extractor.numbers import parse_number

# Detection runs on a copy scaled so that text is about this tall: the DB detector finds lines well there,
# and a 300-dpi page costs a quarter of the time it would at full size. Recognition uses full-resolution crops.
DET_TEXT_HEIGHT = 20.0
CROP_PAD = 2   # pixels kept around a detected line: rec misreads glyphs cut at the edge
# RapidOCR's own cut-off: under it a "line" is a smudge, a picture edge or a glyph sliver. A lone 0 is the
# exception: alone in its crop the recogniser takes it for "o" or "。" and is unsure, yet it is a table's zero.
MIN_LINE_SCORE = 0.5


@dataclass
class OcrLine:
    """One detected text line. Boxes are in pixels of the image given to read()."""
    text: str
    box: list[tuple[float, float]]                  # 4 corners, clockwise from top-left
    confidence: float
    char_confidences: list[float] | None = None     # one per character of text
    char_centres: list[float] | None = None         # x of each character's centre, where the backend knows it

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [p[0] for p in self.box]
        ys = [p[1] for p in self.box]
        return min(xs), min(ys), max(xs), max(ys)


Rect = tuple[float, float, float, float]   # x0, y0, x1, y1 in pixels
# Given the rectangles of the text lines found in an image, returns the rectangles to recognise: lets the
# caller skip article text (most of a page, of no use to the tables) and cut lines at cell borders.
Plan = Callable[[list[Rect]], list[Rect]]


@lru_cache(maxsize=None)
def ocr_settings() -> dict:
    """schemas/ocr.toml: the confidence threshold, digit lookalikes and confusable characters."""
    return read_toml("schemas", "ocr")


def digits_for_lookalikes(text: str) -> str:
    """A word the recogniser read with letters for digits ("o" for 0 in a lone-zero cell) as the number it is;
    any other word unchanged."""
    lookalikes = ocr_settings()["lookalikes"]
    if not any(c in lookalikes for c in text):
        return text
    mapped = "".join(lookalikes.get(c, c) for c in text)
    return mapped if parse_number(mapped).value is not None else text


class OcrBackend(Protocol):
    name: str
    version: str

    def read(self, image: np.ndarray, plan: Plan | None = None) -> list[OcrLine]: ...


def to_bgr(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def text_height(gray: np.ndarray) -> float:
    """Median height of glyph-sized ink blobs: how big the text is, to pick the detection scale."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = [h for _, _, w, h, area in stats[1:] if 6 <= h <= 200 and 0.3 <= w / h <= 3 and area >= 12]
    return float(np.median(heights)) if len(heights) >= 5 else DET_TEXT_HEIGHT


class RapidOcrBackend:
    """PP-OCRv4 detection + recognition through rapidocr_onnxruntime, without the orientation classifier
    (it turns short numbers upside down: 9 -> 6, 0.8% -> %8.0)."""
    name = "rapidocr"

    def __init__(self) -> None:
        import onnxruntime
        # nothing may reach the network at run time: onnxruntime's telemetry (on by default in some builds) is off
        # before the first session is made
        onnxruntime.disable_telemetry_events()
        import rapidocr_onnxruntime as ro
        from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
        from rapidocr_onnxruntime.utils import read_yaml

        root = Path(ro.__file__).parent
        models = {"Det": root / "models" / "ch_PP-OCRv4_det_infer.onnx",
                  "Rec": root / "models" / "ch_PP-OCRv4_rec_infer.onnx"}
        missing = [str(p) for p in models.values() if not p.exists()]
        if missing:
            raise RuntimeError(say("ocr.rapid_models_missing", files=", ".join(missing)))
        config = read_yaml(str(root / "config.yaml"))
        for part, path in models.items():
            config[part]["model_path"] = str(path)
        # we choose the detection scale ourselves, so the detector must not resize again
        config["Det"].update(limit_type="max", limit_side_len=100_000)
        recognition = ocr_settings()["recognition"]
        # recognition batches are padded to their widest crop and to at least the model's input width; most
        # cells are far narrower than rapidocr's 320 px floor, which ocr.toml [recognition] lowers
        height = config["Rec"]["rec_img_shape"][1]
        config["Rec"].update(rec_img_shape=[3, height, recognition["min_width"]], rec_batch_num=recognition["batch"])
        self.detector = TextDetector(config["Det"])
        self.recognizer = TextRecognizer(config["Rec"])
        self.version = f"rapidocr-onnxruntime {version('rapidocr_onnxruntime')}, PP-OCRv4 det+rec"

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        scale = min(1.0, DET_TEXT_HEIGHT / text_height(gray))
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
        boxes, _ = self.detector(to_bgr(small))
        return [] if boxes is None else [b / scale for b in boxes]

    def read(self, image: np.ndarray, plan: Plan | None = None) -> list[OcrLine]:
        image = to_bgr(image)
        height, width = image.shape[:2]
        rects = [(*b.min(axis=0), *b.max(axis=0)) for b in self.detect(image)]
        crops, frames = [], []
        for rx0, ry0, rx1, ry1 in plan(rects) if plan else rects:
            x0, y0 = max(int(rx0) - CROP_PAD, 0), max(int(ry0) - CROP_PAD, 0)
            x1, y1 = min(int(math.ceil(rx1)) + CROP_PAD, width), min(int(math.ceil(ry1)) + CROP_PAD, height)
            if x1 - x0 >= 4 and y1 - y0 >= 4:
                crops.append(image[y0:y1, x0:x1])
                frames.append((x0, y0, x1, y1))
        if not crops:
            return []
        results, _ = self.recognizer(crops, True)
        return [line for frame, res in zip(frames, results) if (line := self.line_of(frame, res)) is not None]

    @staticmethod
    def line_of(frame: tuple[int, int, int, int], res: tuple) -> OcrLine | None:
        """An OcrLine from the recogniser's CTC output: per-character probabilities and the CTC column of each
        character, which places it along the crop (columns span the crop width evenly)."""
        text, score = res[0], float(res[1])
        if not text.strip() or (score < MIN_LINE_SCORE and digits_for_lookalikes(text.strip()) != "0"):
            return None
        x0, y0, x1, y1 = frame
        columns, _, char_columns, _, char_probs = res[2]
        flat = [c for word in char_columns for c in word]
        centres = None
        if len(flat) == len(text) and columns > 0:
            step = (x1 - x0) / columns
            centres = [x0 + (c + 0.5) * step for c in flat]
        confidences = [float(p) for p in char_probs] if len(char_probs) == len(text) else None
        return OcrLine(text=text, box=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], confidence=score,
                       char_confidences=confidences, char_centres=centres)


# Where PaddleOCR 3.x keeps the models it has fetched, and the variable that points baozhi at another folder.
PADDLE_MODELS = Path.home() / ".paddlex" / "official_models"
PADDLE_MODELS_VARIABLE = "BAOZHI_PADDLE_MODELS"
# A PaddleOCR 3.x model folder (PP-OCRv5_server_det, PP-OCRv4_mobile_rec, …): its program (inference.json, or
# inference.pdmodel from older exports), its weights and its config, whose Global.model_name names the model.
PADDLE_MODEL_FILES = ("inference.json|inference.pdmodel", "inference.pdiparams", "inference.yml")


def paddle_model(root: Path, part: str) -> tuple[Path, str] | None:
    """The first complete model folder under root whose name ends in _det or _rec, with its model name."""
    import yaml
    for folder in sorted(p for p in root.glob(f"**/*_{part}") if p.is_dir()):
        program = any((folder / name).is_file() for name in PADDLE_MODEL_FILES[0].split("|"))
        if program and all((folder / name).is_file() for name in PADDLE_MODEL_FILES[1:]):
            config = yaml.safe_load((folder / "inference.yml").read_text(encoding="utf-8")) or {}
            return folder, (config.get("Global") or {}).get("model_name") or folder.name
    return None


class PaddleOcrBackend:
    """PaddleOCR 3.x (its PaddleOCR pipeline and predict()), when it is installed with a detection and a
    recognition model already on disk: it is never allowed to download. Orientation classifiers and unwarping are
    off, as for RapidOCR: the text-line classifier flips short numbers."""
    name = "paddleocr"

    def __init__(self, model_dir: Path | None = None) -> None:
        if importlib.util.find_spec("paddleocr") is None:
            raise RuntimeError(say("ocr.paddle_missing"))
        root = model_dir or Path(os.environ.get(PADDLE_MODELS_VARIABLE) or PADDLE_MODELS)
        found = {part: paddle_model(root, part) for part in ("det", "rec")}
        missing = [part for part, model in found.items() if model is None]
        if missing:
            raise RuntimeError(say("ocr.paddle_models_missing", root=root, variable=PADDLE_MODELS_VARIABLE,
                                   parts=" ".join(f"*_{part}/" for part in missing),
                                   files=", ".join(PADDLE_MODEL_FILES).replace("|", " / ")))
        (det_dir, det_name), (rec_dir, rec_name) = found["det"], found["rec"]
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")  # no look for model hosts
        from paddleocr import PaddleOCR
        self.engine = PaddleOCR(text_detection_model_name=det_name, text_detection_model_dir=str(det_dir),
                                text_recognition_model_name=rec_name, text_recognition_model_dir=str(rec_dir),
                                use_doc_orientation_classify=False, use_doc_unwarping=False,
                                use_textline_orientation=False)
        try:
            self.version = f"paddleocr {version('paddleocr')} ({det_name}, {rec_name})"
        except PackageNotFoundError:
            self.version = f"paddleocr (unknown version; {det_name}, {rec_name})"

    def read(self, image: np.ndarray, plan: Plan | None = None) -> list[OcrLine]:
        """plan is not used: PaddleOCR detects and recognises in one call. Each result of predict() holds
        rec_texts, rec_scores and rec_polys (4-point polygons in the image's pixels)."""
        lines = []
        for page in self.engine.predict(to_bgr(image)):
            for text, score, poly in zip(page["rec_texts"], page["rec_scores"], page["rec_polys"]):
                if text.strip():
                    lines.append(OcrLine(text=text, box=[(float(x), float(y)) for x, y in poly],
                                         confidence=float(score)))
        return lines


BACKENDS = {"rapidocr": RapidOcrBackend, "paddleocr": PaddleOcrBackend}


@lru_cache(maxsize=None)
def get_backend(name: str = "rapidocr") -> OcrBackend:
    """One loaded backend per name for the life of the process (loading models costs about a second)."""
    if name not in BACKENDS:
        raise ValueError(say("ocr.unknown_backend", name=name, known=", ".join(BACKENDS)))
    return BACKENDS[name]()
