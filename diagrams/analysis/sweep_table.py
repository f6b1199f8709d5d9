r"""The table file of a parameter sweep: one row per point, appended as points finish, read back to resume.

A sweep (:mod:`diagrams.analysis.sweep`) writes a *tidy* table: one row per point, one column per
parameter and result.  The file kind follows the extension:

* ``.csv`` -- a header line, then one line per row, **appended and flushed as each point finishes**.
  Numbers are written so that they read back exactly (``repr`` of a double, e.g. ``0.1``,
  ``1e-06``, ``nan``); an empty cell is a missing value (``None``).  A last line cut short by a
  killed process (no final newline) is dropped when the file is opened again.
* ``.parquet`` / ``.pq`` -- a Parquet file (``pyarrow``) with typed columns (``int64``, ``float64``,
  ``string``; missing values are nulls).  Parquet cannot be appended in place, so the whole table
  is written to a temporary file beside it and moved over the old one (an atomic rename) at most
  every ``interval`` seconds and when the sweep stops: a kill at any moment leaves the previous
  complete table.

A column is ``(name, kind)`` with ``kind`` one of ``"int"``, ``"float"``, ``"str"``.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> cols = [("N", "int"), ("gamma", "float"), ("mean", "float"), ("theory", "float")]
>>> with TableFile(path, cols) as t:
...     t.append({"N": 10, "gamma": 0.1, "mean": 1.5, "theory": None})
>>> open(path).read()
'N,gamma,mean,theory\n10,0.1,1.5,\n'
>>> TableFile(path, cols).rows
[{'N': 10, 'gamma': 0.1, 'mean': 1.5, 'theory': None}]
>>> read_table(path)[1]
[{'N': 10, 'gamma': 0.1, 'mean': 1.5, 'theory': None}]
"""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path

__all__ = ["TableFile", "read_table", "table_format", "KINDS"]

#: The kinds of a column.
KINDS = ("int", "float", "str")

_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def table_format(path, name: str = "out") -> str:
    """The kind of a sweep table file, ``"csv"`` or ``"parquet"``, from its extension.

    Parameters
    ----------
    path : str or path-like
        The table file; its extension (any case) must be ``.csv``, ``.parquet`` or ``.pq``.
    name : str, optional
        The option named in error messages.

    Returns
    -------
    str
        ``"csv"`` for ``.csv``, ``"parquet"`` for ``.parquet`` and ``.pq``.

    Raises
    ------
    ValueError
        If the extension is none of these.

    Examples
    --------
    >>> table_format("sweep.CSV")
    'csv'
    >>> table_format("runs/sweep.parquet")
    'parquet'
    >>> table_format("sweep.txt")
    Traceback (most recent call last):
    ...
    ValueError: out: the table file must end in .csv, .parquet or .pq, got 'sweep.txt'
    """
    kind = _SUFFIXES.get(Path(os.fspath(path)).suffix.lower())
    if kind is None:
        raise ValueError(f"{name}: the table file must end in .csv, .parquet or .pq, got {os.fspath(path)!r}")
    return kind


def _cell_text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "float":
        return repr(float(value))
    if kind == "int":
        return str(int(value))
    return str(value)


def _cell_value(text: str, kind: str, column: str, path):
    if text == "":
        return None
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        raise ValueError(f"out: {path} has {text!r} in column {column}, not a number; is it a table of this "
                         "sweep?") from None
    return text


def _guess(text: str):
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _csv_line(values) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def _replace(path: Path, write) -> None:
    """Write through ``write(tmp_path)`` then move the temporary file over ``path`` (atomic)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _read_csv(path: Path):
    """``(header, rows of text cells)``; a last line without its newline (a killed writer) is dropped."""
    data = path.read_bytes()
    if not data:
        return None, []
    cut = data.rfind(b"\n")
    if cut < 0:
        return None, []
    text = data[:cut + 1].decode("utf-8")
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        return None, []
    return lines[0], lines[1:]


def _arrow_schema(columns):
    import pyarrow as pa

    types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}
    return pa.schema([(name, types[kind]) for name, kind in columns])


def read_table(path) -> tuple[list[str], list[dict]]:
    r"""The column names and rows of a sweep table written by :class:`TableFile`, CSV or Parquet.

    CSV cells are read back as ``int`` when they are integers, ``float`` when numbers, ``None`` when
    empty and text otherwise; Parquet columns keep their types.  A last CSV line without its newline
    (a killed writer) is dropped.

    Parameters
    ----------
    path : str or path-like
        The table file (``.csv``, ``.parquet`` or ``.pq``).

    Returns
    -------
    tuple of (list of str, list of dict)
        ``(column names, rows)``, each row a dict keyed by column name; ``([], [])`` for an empty
        CSV file.

    Raises
    ------
    ValueError
        If the extension is not one of the above.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("N,gamma,note\n10,0.1,\n20,1e-06,x\n30,0.")
    >>> read_table(path)
    (['N', 'gamma', 'note'], [{'N': 10, 'gamma': 0.1, 'note': None}, {'N': 20, 'gamma': 1e-06, 'note': 'x'}])
    >>> read_table("t.txt")
    Traceback (most recent call last):
    ...
    ValueError: path: the table file must end in .csv, .parquet or .pq, got 't.txt'
    """
    p = Path(os.fspath(path))
    if table_format(p, "path") == "parquet":
        import pyarrow.parquet as pq

        t = pq.read_table(p)
        return list(t.column_names), t.to_pylist()
    header, lines = _read_csv(p)
    if header is None:
        return [], []
    return header, [dict(zip(header, (_guess(c) for c in line))) for line in lines]


class TableFile:
    """A parameter sweep's table on disk, with the rows already there and :meth:`append` for new ones.

    The rows already in the file are :attr:`rows` (a resumed sweep skips them).

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.parquet`` or ``.pq``; created (with its directory) if it does not exist.
    columns : list of (name, kind)
        The columns of this sweep.  An existing file must have exactly these columns.
    interval : float
        Parquet only: the longest time between two rewrites of the file while rows are appended.

    Raises
    ------
    ValueError
        The extension is not one of the above, a column kind is not one of :data:`KINDS`, the path
        exists and is not a file, or the file holds a table with other columns (or a CSV line with
        another number of cells, or a non-number in a number column, or unreadable Parquet).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> with TableFile(path, [("N", "int"), ("loss", "float")]) as t:
    ...     t.append({"N": 10, "loss": 0.25})
    ...     t.append({"N": 20, "loss": None})
    >>> TableFile(path, [("N", "int"), ("loss", "float")]).rows
    [{'N': 10, 'loss': 0.25}, {'N': 20, 'loss': None}]
    >>> TableFile(path, [("N", "int"), ("mean", "float")])
    Traceback (most recent call last):
    ...
    ValueError: out: ... holds a table with columns N, loss; this sweep writes N, mean; write to another file
    >>> TableFile(path, [("N", "complex")])
    Traceback (most recent call last):
    ...
    ValueError: columns: the kind of N must be one of ('int', 'float', 'str'), got 'complex'
    """

    def __init__(self, path, columns, *, interval: float = 1.0):
        self.path = Path(os.fspath(path))
        self.kind = table_format(self.path)
        self.columns = [(str(n), str(k)) for n, k in columns]
        for name, kind in self.columns:
            if kind not in KINDS:
                raise ValueError(f"columns: the kind of {name} must be one of {KINDS}, got {kind!r}")
        self.names = [n for n, _ in self.columns]
        self.interval = float(interval)
        self.rows: list[dict] = []
        self._dirty = False
        self._last_write = 0.0
        if self.path.exists() and not self.path.is_file():
            raise ValueError(f"out: {self.path} exists and is not a file")
        self._load()

    # -- reading ---------------------------------------------------------------------------------
    def _mismatch(self, found):
        return ValueError(f"out: {self.path} holds a table with columns {', '.join(found)}; this sweep writes "
                          f"{', '.join(self.names)}; write to another file")

    def _load(self) -> None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._start()
            return
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            try:
                t = pq.read_table(self.path)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds; report one line
                raise ValueError(f"out: cannot read {self.path} as Parquet ({type(exc).__name__}: {exc})") from None
            if list(t.column_names) != self.names:
                raise self._mismatch(t.column_names)
            self.rows = t.to_pylist()
            return
        header, lines = _read_csv(self.path)
        if header is None:
            self._start()
            return
        if header != self.names:
            raise self._mismatch(header)
        kinds = dict(self.columns)
        for line in lines:
            if len(line) != len(self.names):
                raise ValueError(f"out: {self.path} has a line with {len(line)} cells, not {len(self.names)}")
            self.rows.append({n: _cell_value(c, kinds[n], n, self.path) for n, c in zip(self.names, line)})
        size = self.path.stat().st_size
        whole = self.path.read_bytes().rfind(b"\n") + 1
        if whole < size:                     # a row cut short by a kill: drop it before appending
            with open(self.path, "rb+") as fh:
                fh.truncate(whole)

    def _start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == "csv":
            self.path.write_text(_csv_line(self.names), encoding="utf-8")
        else:
            self._write_all(self.rows)

    # -- writing ---------------------------------------------------------------------------------
    def append(self, row: dict) -> None:
        """Add one row (a dict with every column); on disk at once (CSV) or within ``interval`` s (Parquet)."""
        missing = [n for n in self.names if n not in row]
        if missing:
            raise ValueError(f"row: no value for column(s) {', '.join(missing)}")
        row = {n: row[n] for n in self.names}
        self.rows.append(row)
        if self.kind == "csv":
            kinds = dict(self.columns)
            line = _csv_line([_cell_text(row[n], kinds[n]) for n in self.names])
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
            return
        self._dirty = True
        if time.monotonic() - self._last_write >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Write rows not yet on disk (Parquet; CSV rows are written by :meth:`append`)."""
        if self.kind == "parquet" and self._dirty:
            self._write_all(self.rows)

    def rewrite(self, rows) -> None:
        """Replace the whole table by ``rows`` (in this order), atomically."""
        self.rows = [{n: r[n] for n in self.names} for r in rows]
        self._write_all(self.rows)

    def _write_all(self, rows) -> None:
        if self.kind == "csv":
            kinds = dict(self.columns)

            def write(tmp):
                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    fh.write(_csv_line(self.names))
                    for r in rows:
                        fh.write(_csv_line([_cell_text(r[n], kinds[n]) for n in self.names]))
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            def write(tmp):
                pq.write_table(pa.Table.from_pylist(rows, schema=_arrow_schema(self.columns)), tmp)
        _replace(self.path, write)
        self._dirty = False
        self._last_write = time.monotonic()

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> "TableFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
