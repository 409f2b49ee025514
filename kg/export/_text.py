"""Text clean-up shared by the Gephi and Neo4j writers.

Article text may hold control characters (a stray ``\\x0b`` from a PDF, a
form feed). XML 1.0 forbids them outright and CSV importers choke on them,
so the file writers drop them; the JSON and Turtle writers keep the text as
is. Tab and newline stay (both are legal in XML and quoted CSV); ``\\r\\n``
and a lone ``\\r`` become ``\\n`` so the output does not depend on the
platform the article came from.
"""

from __future__ import annotations

import re

# Everything XML 1.0 does not allow: C0 controls except tab and newline
# (carriage return is folded into newline first), surrogates, U+FFFE/U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: what ``clean_text`` changes: those and the carriage return
_CHANGED = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> str:
    """``value`` as a string without XML-illegal characters.

    >>> clean_text("a\\x0bb\\r\\nc")
    'ab\\nc'
    >>> clean_text(None)
    ''
    """
    if value is None:
        return ""
    text = str(value)
    if not _CHANGED.search(text):  # nearly all text: nothing to fold or drop
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text)
