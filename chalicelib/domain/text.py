"""What people may type: names and titles on one line, longer text on several, and none of the
characters that make text mean something other than it shows.

Refused everywhere: C0 control characters (a bare CR in an opening title became a new line in an
interview's calendar file), DEL and the C1 controls, bidirectional overrides and isolates (which
show `txt.exe` for `exe.txt`), and zero-width characters (which hide one name inside another).
Names and titles take no newline or tab either; long text keeps newline and tab, and a form's
CRLF line ends are read as LF.

Mail and other places that quote a person's words use `quoted_name` (a name or a title: one line)
and `quoted_text` (a note, a message: lines kept): control characters and URLs removed, length
capped, so that text a tenant chose cannot pass for deskhire's own or send a reader elsewhere.
chalicelib.mail.their_words puts both in a mail's body, as the person's words."""

from __future__ import annotations

import re

from chalicelib.domain.errors import InvalidInput

# Names a person or a business goes by; short enough for a mail line or a calendar title.
NAME_MAX_LENGTH = 80
TITLE_MAX_LENGTH = 120

_BIDI_AND_INVISIBLE = (
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner and invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space (BOM)
)
_NOT_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_AND_INVISIBLE}]")
_NOT_IN_A_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_INVISIBLE}]")
_URL = re.compile(
    r"(?i)(?:[a-z][a-z0-9+.-]*://\S*|\b(?:mailto|javascript|data|tel|sms):\S*|\bwww\.\S*|\S*@\S+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b(?:[/:?#]\S*)?)"
)


def problem_in(text: str, *, multiline: bool) -> str | None:
    """Why `text` is refused, in the user's words; None when it is fine."""
    pattern = _NOT_IN_TEXT if multiline else _NOT_IN_A_LINE
    found = pattern.search(text.replace("\r\n", "\n") if multiline else text)
    if found is None:
        return None
    char = found.group()
    if char in "\n\r\t":
        return "write this on one line"
    return f"remove the invisible or control character U+{ord(char):04X}"


def check_line(text: str, *, field: str) -> str:
    """A name or a title: one line, nothing hidden."""
    if problem := problem_in(text, multiline=False):
        raise InvalidInput(problem, field=field)
    return text


def check_text(text: str, *, field: str) -> str:
    """Longer text (a description, a message): lines and tabs allowed, nothing hidden; CRLF as LF."""
    if problem := problem_in(text, multiline=True):
        raise InvalidInput(problem, field=field)
    return text.replace("\r\n", "\n")


def quoted_name(text: str, *, limit: int = 60, fallback: str = "(no name)") -> str:
    """A tenant's or a person's name as deskhire may quote it: no control or invisible character,
    no URL, domain or mail address (mail clients make them links), one line, at most `limit` characters."""
    cleaned = _NOT_IN_A_LINE.sub(" ", text)
    cleaned = _URL.sub(" ", cleaned)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "\u2026"
    return cleaned or fallback


_BLANK_LINES = re.compile(r"\n{3,}")


def quoted_text(text: str, *, limit: int = 1000) -> str:
    """A person's longer words (a note, a message) as deskhire may quote them in mail: lines kept,
    no other control or invisible character, every URL, domain or mail address replaced by
    "[link removed]" (the words are on deskhire, where links are the reader's choice), at most
    `limit` characters."""
    cleaned = _NOT_IN_TEXT.sub(" ", text.replace("\r\n", "\n")).replace("\t", " ")
    cleaned = _URL.sub("[link removed]", cleaned)
    cleaned = "\n".join(" ".join(line.split()) for line in cleaned.split("\n")).strip()
    cleaned = _BLANK_LINES.sub("\n\n", cleaned)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "\u2026"
    return cleaned


def without_hidden(text: str) -> str:
    """Longer text that came from outside a form (a customer's mail): the characters `check_text`
    refuses are dropped instead of refused (a mail cannot be sent back to be fixed); lines and
    tabs kept, CRLF as LF."""
    return _NOT_IN_TEXT.sub("", text.replace("\r\n", "\n"))
