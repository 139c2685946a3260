"""Text cleaning, in one place: once at input, and once more for what each export format can hold.

Input: everything a person types or uploads goes through `clean_text` (multi-line fields) or
`clean_line` (titles, names, one-line fields) before it is stored. Word's pasted line breaks
(vertical tab, form feed) become new lines; NUL and other control characters go; so do the
invisible characters that reverse or reorder text on screen (bidirectional overrides and
isolates), which can make a title read differently from what is stored.

Export: every cell a spreadsheet or CSV export writes from stored text goes through
`spreadsheet_cell`, which drops what XLSX cannot hold and stops text being run as a formula.
"""

import re
import unicodedata
from typing import overload

# Word and Outlook paste a vertical tab (and sometimes a form feed) for a manual line break.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 controls except tab and newline, DEL and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI).
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Unicode noncharacters and lone surrogates cannot be encoded in UTF-8 or XML.
_UNENCODABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")

# What a spreadsheet runs as a formula (OWASP's list), and the full-width forms some Excel
# locales read the same way.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@overload
def clean_text(value: str) -> str: ...
@overload
def clean_text(value: None) -> None: ...
@overload
def clean_text(value: str | None) -> str | None: ...


def clean_text(value: str | None) -> str | None:
    """Multi-line text as it should be stored: new lines kept, nothing invisible or harmful."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", str(value))
    value = _LINE_BREAKS.sub("\n", value)
    value = _CONTROL.sub("", value)
    value = _BIDI_CONTROLS.sub("", value)
    value = _UNENCODABLE.sub("", value)
    return value.strip()


@overload
def clean_line(value: str) -> str: ...
@overload
def clean_line(value: None) -> None: ...
@overload
def clean_line(value: str | None) -> str | None: ...


def clean_line(value: str | None) -> str | None:
    """One line of text: line breaks and tabs become single spaces."""
    value = clean_text(value)
    if value is None:
        return None
    return " ".join(value.split())


def spreadsheet_cell(value):
    """A value as a spreadsheet or CSV cell may safely hold it.

    Text loses characters XLSX cannot store (so one pasted character can never break an export)
    and the direction overrides input cleaning removes (text stored before it still reads as
    stored), and text that a spreadsheet would run as a formula gets a leading apostrophe.
    Numbers, dates and None pass through unchanged.
    """
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", _LINE_BREAKS.sub("\n", value))
    value = _UNENCODABLE.sub("", _BIDI_CONTROLS.sub("", value))
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
