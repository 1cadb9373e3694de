"""The marketplace's shared words: the curated skills, the channels, language levels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from chalicelib.domain.errors import InvalidInput

HELPDESK_TOOLS = {
    "zendesk": "Zendesk",
    "freshdesk": "Freshdesk",
    "intercom": "Intercom",
    "gorgias": "Gorgias",
    "hubspot": "HubSpot",
    "help-scout": "Help Scout",
    "salesforce-service-cloud": "Salesforce Service Cloud",
}
CHANNELS = {"email": "Email", "chat": "Chat", "phone": "Phone", "social": "Social media"}
SKILLS = {**HELPDESK_TOOLS, **CHANNELS}

# CEFR levels in order, then native: "at level" means this rank or above.
LEVELS = ("a1", "a2", "b1", "b2", "c1", "c2", "native")
# What a person picks a level by (the CEFR's own names for its levels).
LEVEL_NAMES = {
    "a1": "A1 beginner",
    "a2": "A2 elementary",
    "b1": "B1 intermediate",
    "b2": "B2 upper intermediate",
    "c1": "C1 advanced",
    "c2": "C2 proficient",
    "native": "Native",
}
_TAG = re.compile(r"^[a-z0-9][a-z0-9 .+&'-]{0,38}[a-z0-9+]$|^[a-z0-9]$")

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "tl": "Tagalog",
    "hi": "Hindi",
    "ja": "Japanese",
    "zh": "Chinese",
    "ar": "Arabic",
    "ru": "Russian",
    "tr": "Turkish",
}


def language_name(code: str) -> str:
    """'pt' -> 'Portuguese'; a code off the list (an old free-text one) is shown as it is."""
    return LANGUAGE_NAMES.get(code, code)


def level_name(level: str | int) -> str:
    """'c1' (or its rank, 4) -> 'C1 advanced'; anything else as it is."""
    if isinstance(level, int) and 0 <= level < len(LEVELS):
        level = LEVELS[level]
    return LEVEL_NAMES.get(str(level), str(level))


def _rank(level: str | int) -> int:
    if isinstance(level, int):
        return level
    return LEVELS.index(level) if level in LEVELS else -1


def _rows(languages: Mapping[str, str | int]) -> list[tuple[str, str, int]]:
    rows = [(language_name(code), level_name(level), _rank(level)) for code, level in languages.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def spoken(languages: Mapping[str, str | int]) -> list[tuple[str, str]]:
    """`{"pt": "native", "en": "c1"}` (levels by code or rank) as people read it, (language name,
    level name) strongest first, then by name: [("Portuguese", "Native"), ("English", "C1 advanced")]."""
    return [(name, level) for name, level, _ in _rows(languages)]


def languages_said(languages: Mapping[str, str | int], *, at_least: bool = False) -> str:
    """The languages in one phrase: 'Portuguese (Native), English (C1 advanced)'; `at_least` for
    a requirement: 'English (B2 upper intermediate or above)' (native has nothing above it)."""
    top = len(LEVELS) - 1
    return ", ".join(
        f"{name} ({level}{' or above' if at_least and 0 <= rank < top else ''})"
        for name, level, rank in _rows(languages)
    )


def skill_names(skills: Iterable[str]) -> list[str]:
    """Skills by name, helpdesk tools then channels as SKILLS lists them; one off the list as it is."""
    order = list(SKILLS)
    listed = set(skills)
    known = sorted((s for s in listed if s in SKILLS), key=order.index)
    return [SKILLS[s] for s in known] + sorted(s for s in listed if s not in SKILLS)


def level_rank(level: str, *, field: str = "level") -> int:
    if level not in LEVELS:
        raise InvalidInput(f"a level is one of {', '.join(LEVELS)}", field=field)
    return LEVELS.index(level)


def check_language(code: str, *, field: str = "language") -> str:
    """One of the listed languages (LANGUAGE_NAMES), by its ISO 639-1 code. Anything else is
    refused, never guessed at: a language matched on a typo ("eng" for "English") hides an agent
    from every opening, and routing and detection know only these."""
    if code not in LANGUAGE_NAMES:
        listed = ", ".join(f"{c} ({n})" for c, n in sorted(LANGUAGE_NAMES.items()))
        raise InvalidInput(f"“{code[:40]}” is not a language on the list; pick one of {listed}", field=field)
    return code


def check_skills(skills: list[str], *, field: str = "skills") -> frozenset[str]:
    for index, skill in enumerate(skills):
        if skill not in SKILLS:
            raise InvalidInput(
                f"“{skill[:40]}” is not a skill on the list; pick one of {', '.join(sorted(SKILLS))}",
                field=f"{field}.{index}",
            )
    return frozenset(skills)


def normalise_tags(tags: list[str], *, field: str = "products") -> frozenset[str]:
    """Free product-knowledge tags ("Shopify", "iPhone"): compared case-insensitively."""
    cleaned: set[str] = set()
    for index, tag in enumerate(tags):
        text = " ".join(tag.lower().split())
        if not _TAG.match(text):
            raise InvalidInput(
                "tags are 1 to 40 letters, digits and simple punctuation", field=f"{field}.{index}"
            )
        cleaned.add(text)
    if len(cleaned) > 30:
        raise InvalidInput("at most 30 tags", field=field)
    return frozenset(cleaned)
