"""Cells that stay data in a spreadsheet (CSV/formula injection, CWE-1236).

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (tab and carriage
return too) as a formula: a unit name ``=HYPERLINK("http://x","y")`` in a report would become a
live link. Every exporter writes its rows through these helpers.
"""

from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: Any) -> Any:
    """A CSV field: text that a spreadsheet would read as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """:func:`csv_value` of every field."""
    return [csv_value(value) for value in values]


def append_row(sheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet with every text cell stored as text, never as a
    formula (openpyxl makes any string starting with ``=`` a formula), and marked with
    Excel's quote prefix so that editing the cell keeps it text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
            cell.data_type = "s"
            cell.quotePrefix = True
