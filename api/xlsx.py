"""Excel workbooks (XLSX) for exports, written in memory with XlsxWriter."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per ``(name, rows)``; the first row of each is a bold, frozen header."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F4"})
    for name, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        widths: dict[int, int] = {}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value, bold if r == 0 else None)
                widths[c] = max(widths.get(c, 0), min(60, len(str(value)) * 2 + 2))
        for c, width in widths.items():
            sheet.set_column(c, c, width)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
