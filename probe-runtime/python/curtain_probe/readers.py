"""Safe reads of small kernel files: missing, unreadable or malformed means None, never an exception."""
import re
from typing import Optional

_ASCII_SPACE = " \t\n\r\x0b\x0c"
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ufffd]")
MAX_FIELD_LENGTH = 256


def read_text(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return None


def trim_ascii(text: str) -> str:
    """ASCII whitespace only, as the Node probe trims, so both agree on odd files."""
    return text.strip(_ASCII_SPACE)


def clean_field(text: Optional[str]) -> Optional[str]:
    """A one-line printable text field of sane length, else None."""
    if text is None:
        return None
    value = trim_ascii(text)
    if value == "" or len(value) > MAX_FIELD_LENGTH or _UNPRINTABLE.search(value):
        return None
    return value
