"""Reading the corpus CSV files with the line numbers errors must point at."""

import csv
from collections.abc import Iterator
from pathlib import Path

from api.errors import ApiError


class CorpusRowError(ApiError):
    """A row that cannot be imported; nothing of its file is written."""

    status_code, error = 422, "corpus_row_invalid"

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path.name}:{line}: {message}")
        self.path, self.line, self.reason = path, line, message


def read_rows(path: Path, required_columns: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    """Yield ``(line_number, row)`` with the line where each record starts.

    Quoted fields may span lines (two corpus descriptions do), so the number is taken from
    the reader, not by counting rows. Values are stripped; empty values become ``None``.

    :raises CorpusRowError: when a required column is missing from the header.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in required_columns if name not in (reader.fieldnames or [])]
        if missing:
            raise CorpusRowError(path, 1, f"缺少列: {', '.join(missing)}")
        line = reader.line_num + 1
        for row in reader:
            cleaned = {
                key: (value.strip() or None) if isinstance(value, str) else value
                for key, value in row.items()
            }
            yield line, cleaned
            line = reader.line_num + 1


def parse_float(path: Path, line: int, value: str | None, name: str) -> float | None:
    """A float column or None. :raises CorpusRowError: when not a number."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise CorpusRowError(path, line, f"{name} 不是数字: {value!r}") from None


def parse_int(path: Path, line: int, value: str | None, name: str) -> int | None:
    """An integer column or None. :raises CorpusRowError: when not an integer."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise CorpusRowError(path, line, f"{name} 不是整数: {value!r}") from None
