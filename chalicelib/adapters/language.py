"""The language an inquiry is written in, when nobody said: langdetect (Google's language-detection
profiles, pure Python), imported on first use and loaded with the profiles of the languages
deskhire's agents list (domain.vocabulary.LANGUAGE_NAMES) only, so that the first detection in a
container loads 15 profiles instead of 55 and the answer is always a language an agent can have.

Short text is guessed poorly by any detector: below MIN_LETTERS letters, or when the best guess is
under MIN_PROBABILITY, the answer is the fallback (the business's first language, English by
default). The detector is seeded, so the same text always gets the same answer."""

from __future__ import annotations

import functools
import threading
from typing import Any

MIN_LETTERS = 12
MIN_PROBABILITY = 0.7
# langdetect's profile names for deskhire's language codes where they differ
_PROFILES = {"zh": "zh-cn"}
_lock = threading.Lock()


@functools.cache
def _factory() -> Any:
    import os

    from langdetect import detector_factory
    from langdetect.detector_factory import DetectorFactory

    from chalicelib.domain.vocabulary import LANGUAGE_NAMES

    factory = DetectorFactory()
    factory.seed = 0
    directory = detector_factory.PROFILES_DIRECTORY
    profiles = []
    for code in sorted(LANGUAGE_NAMES):
        with open(os.path.join(directory, _PROFILES.get(code, code)), encoding="utf-8") as file:
            profiles.append(file.read())
    factory.load_json_profile(profiles)
    return factory


def detect(text: str, *, fallback: str = "en") -> str:
    """The ISO 639-1 code of the language `text` is written in, or `fallback` when unsure."""
    if sum(c.isalpha() for c in text) < MIN_LETTERS:
        return fallback
    from langdetect.lang_detect_exception import LangDetectException

    with _lock:  # a langdetect Detector is not shared, but its factory's loading is not thread-safe
        factory = _factory()
    try:
        detector = factory.create()
        detector.append(text[:2000])
        best = max(detector.get_probabilities(), key=lambda found: found.prob, default=None)
    except LangDetectException:
        return fallback
    if best is None or best.prob < MIN_PROBABILITY:
        return fallback
    code = str(best.lang).split("-")[0]
    return code
