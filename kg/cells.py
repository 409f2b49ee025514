"""Spreadsheet-safe text cells, shared by every CSV kg writes (``neo4j/*.csv``, ``kg query --format csv``).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to LibreOffice and Excel (an article's ``=HYPERLINK(…)``
became a live link). Such a value is written with a leading apostrophe
(``'=HYPERLINK(…)``), which spreadsheets show as text. So that the real value
can be recovered, a value that itself begins with an apostrophe gets one more.
Reading back is one rule: drop one leading apostrophe (:func:`unescape_cell`).
"""

from __future__ import annotations

#: what makes a spreadsheet read a cell as a formula, plus the escape itself
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it as text: a leading ``'`` if it starts like a formula (or with ``'``).

    >>> escape_cell("=HYPERLINK(1)"), escape_cell("'a"), escape_cell("唐山")
    ("'=HYPERLINK(1)", "''a", '唐山')
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape_cell(text: str) -> str:
    """The real value of a cell written by ``escape_cell``: one leading ``'`` dropped.

    >>> unescape_cell("'=1+1"), unescape_cell("''a"), unescape_cell("a")
    ('=1+1', "'a", 'a')
    """
    return text[1:] if text.startswith("'") else text
