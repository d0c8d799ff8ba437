"""Read one landing file into a DuckDB temporary relation, whatever its format.

Every reader produces the same shape: a relation `STAGE` with the file's own columns (as
named in the file) plus `_row_number` (the line of a CSV or JSON-lines file, the row of the
sheet, the 1-based row of a Parquet file), and a table `MALFORMED` of the rows the reader could
not split into columns (a CSV line with too few fields, a JSON line that is not JSON), with
their row number and the reason. Text formats are read as text; parsing to canonical types
is the next step (parsing.py). The reading is DuckDB's own (read_parquet, read_csv with
store_rejects, read_text + json), except XLSX, which polars reads through calamine.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from govwh.ingestion.encoding import UTF8_BOM, detect_encoding, transcode_to_utf8
from govwh.ingestion.mapping import SourceMapping

STAGE = "_landing_stage"
MALFORMED = "_landing_malformed"
FORMATS = {
    ".parquet": "parquet",
    ".csv": "csv",
    # delimited text under other names (tab-separated exports, ".txt" dumps): the delimiter is
    # detected from the header lines, as for ".csv"
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
HEADER_SCAN_ROWS = 30  # a header row is looked for among the first rows (title lines above it)
DELIMITERS = (",", "\t", ";", "|")


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most of the first lines into the same number of fields
    (a table's rows agree; a comma or semicolon inside free text does not), then the most
    fields; comma on a tie."""

    def score(delimiter: str) -> tuple[int, int, bool]:
        counts = [line.count(delimiter) for line in lines if line.strip()]
        if not counts or max(counts) == 0:
            return (0, 0, delimiter == ",")
        mode = max(set(counts), key=lambda c: (counts.count(c), c))
        return (counts.count(mode) if mode else 0, mode, delimiter == ",")

    return max(DELIMITERS, key=score)


class UnreadableFileError(ValueError):
    """The file cannot be read as its format at all (not a single row)."""


@dataclass(frozen=True)
class StagedFile:
    format: str
    encoding: str | None
    headers: list[str]
    types: dict[str, str]  # header -> DuckDB type of the staged column
    header_row: int | None  # 1-based line/row of the headers (text formats)
    empty: bool = False  # no bytes, or no header
    rows: int = 0  # rows of STAGE (the good rows; MALFORMED holds the others)


def file_format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def _headers_score(row: list[str], mappings: list[SourceMapping]) -> int:
    return max(m.matches([str(v) for v in row if v is not None]) for m in mappings)


def _best_header_row(rows: list[list[str]], mappings: list[SourceMapping]) -> int:
    """0-based index of the row that names the most canonical columns (the first on a tie)."""
    scores = [_headers_score(row, mappings) for row in rows]
    return max(range(len(rows)), key=lambda i: (scores[i], -i)) if rows else 0


def _declared(mappings: list[SourceMapping], attribute: str) -> object:
    values = {getattr(m, attribute) for m in mappings}
    return values.pop() if len(values) == 1 else None


def _describe(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        name: dtype
        for name, dtype, *_ in connection.execute(f"describe {STAGE}").fetchall()
        if name != "_row_number"
    }


def _count_rows(connection: duckdb.DuckDBPyConnection, relation: str) -> int:
    return int(connection.execute(f"select count(*) from {relation}").fetchall()[0][0])


def _empty_malformed(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        f"create or replace temp table {MALFORMED} "
        "(_row_number bigint, value varchar, reason varchar)"
    )


def _stage_parquet(connection: duckdb.DuckDBPyConnection, path: Path) -> StagedFile:
    # a view, for the file's columns and row count; the loader reads consecutive Parquet
    # files of the same columns with one read_parquet([...]) (parquet_batch_sql)
    connection.execute(
        f"create or replace temp view {STAGE} as select file_row_number + 1 as _row_number, * "
        f"exclude (file_row_number) from read_parquet('{_quote(path)}', file_row_number = true)"
    )
    _empty_malformed(connection)
    types = _describe(connection)
    rows = _count_rows(connection, STAGE)  # from the file's metadata, no data read
    return StagedFile("parquet", None, list(types), types, None, rows=rows)


def parquet_batch_sql(paths: list[Path], positions: str) -> str:
    """The rows of several Parquet files of the same columns, read in parallel: `_file` (the
    1-based position of the file's path in the SQL list `positions`), `_row_number` (1-based
    row in its file), then the file's columns."""
    listed = ", ".join(f"'{_quote(p)}'" for p in paths)
    return (
        f"select list_position({positions}, filename)::integer as _file, "
        "file_row_number + 1 as _row_number, * exclude (filename, file_row_number) "
        f"from read_parquet([{listed}], filename = true, file_row_number = true)"
    )


def _quote(path: Path) -> str:
    return path.as_posix().replace("'", "''")


def _text_file(path: Path, mappings: list[SourceMapping], work_dir: Path) -> tuple[Path, str]:
    declared = _declared(mappings, "encoding") or "auto"
    encoding = detect_encoding(path, str(declared))
    if encoding == "utf-8":
        return path, encoding
    return transcode_to_utf8(path, encoding, work_dir / f"{path.stem}.utf8{path.suffix}"), encoding


def _first_lines(path: Path, count: int) -> list[str]:
    with path.open("rb") as handle:
        head = handle.read(1024 * 1024).removeprefix(UTF8_BOM)
    return head.decode("utf-8", errors="replace").splitlines()[:count]


def _stage_csv(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    mappings: list[SourceMapping],
    work_dir: Path,
) -> StagedFile:
    if path.stat().st_size == 0:
        return _stage_nothing(connection, "csv")
    text_path, encoding = _text_file(path, mappings, work_dir)
    lines = _first_lines(text_path, HEADER_SCAN_ROWS)
    delimiter = str(_declared(mappings, "delimiter") or detect_delimiter(lines))
    declared_row = _declared(mappings, "header_row")
    if declared_row:
        skip = int(declared_row) - 1
    else:
        skip = _best_header_row(
            [next(csv.reader(io.StringIO(line), delimiter=delimiter), []) for line in lines],
            mappings,
        )
    if len(lines) <= skip or not lines[skip].strip():
        return _stage_nothing(connection, "csv", encoding)
    delimiter_sql = "\\t" if delimiter == "\t" else delimiter  # DuckDB's escape for a tab
    connection.execute("drop table if exists _csv_reject_errors")
    connection.execute("drop table if exists _csv_reject_scans")
    connection.execute(
        f"""
        create or replace temp table _csv_rows as
        select * from read_csv('{_quote(text_path)}', header = true, skip = {skip},
            delim = '{delimiter_sql}', all_varchar = true, store_rejects = true,
            rejects_table = '_csv_reject_errors', rejects_scan = '_csv_reject_scans',
            null_padding = false)
        """
    )
    # data lines the reader rejected (wrong number of fields, bad quoting, invalid UTF-8), one
    # reason a line: DuckDB reports a line of the wrong width once per column it tried, each
    # with another count ("Found: 21", "Found: 22"), so the fields are counted here, outside
    # quoted text; any other error is reported as DuckDB's first for that line
    header_fields = len(connection.execute("describe _csv_rows").fetchall())
    unquoted = "regexp_replace(any_value(csv_line), '\"[^\"]*\"', '', 'g')"
    fields = f"length({unquoted}) - length(replace({unquoted}, chr({ord(delimiter)}), '')) + 1"
    connection.execute(
        f"""
        create or replace temp table {MALFORMED} as
        select line as _row_number,
            regexp_replace(any_value(csv_line), '[^,;|\t"]', '*', 'g') as value,
            case when bool_or(error_type in ('TOO MANY COLUMNS', 'MISSING COLUMNS'))
                    and any_value(csv_line) is not null
                then 'line has ' || ({fields}) || ' fields, the header has {header_fields}'
                else arg_min(error_type || ': ' || error_message, column_idx)
            end as reason
        from _csv_reject_errors group by line
        """
    )
    # a good row's line: the lines before it minus the rejected ones (no multi-line fields);
    # a view, so that the rows are copied once, when they are typed
    # (rowids of a table created inside a transaction start at an offset, not at 0)
    first_line = f"{skip + 1} + rowid - (select min(rowid) from _csv_rows) + 1"
    if _count_rows(connection, MALFORMED) == 0:
        connection.execute(
            f"create or replace temp view {STAGE} as "
            f"select {first_line} as _row_number, * from _csv_rows"
        )
    else:
        connection.execute(
            f"""
            create or replace temp view {STAGE} as
            with rejected as (
                select _row_number - {skip + 1} as data_line,
                    row_number() over (order by _row_number) as seen
                from {MALFORMED}
            ),
            rows as (
                select rowid - (select min(rowid) from _csv_rows) + 1 as good_rank, *
                from _csv_rows
            )
            select good_rank + {skip + 1} + (
                    select count(*) from rejected
                    where rejected.data_line - rejected.seen < good_rank
                ) as _row_number,
                rows.* exclude (good_rank)
            from rows
            """
        )
    types = _describe(connection)
    rows = _count_rows(connection, "_csv_rows")
    return StagedFile("csv", encoding, list(types), types, skip + 1, rows=rows)


def _stage_nothing(
    connection: duckdb.DuckDBPyConnection, fmt: str, encoding: str | None = None
) -> StagedFile:
    connection.execute(f"create or replace temp table {STAGE} (_row_number bigint)")
    _empty_malformed(connection)
    return StagedFile(fmt, encoding, [], {}, None, empty=True)


def _stage_jsonl(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    mappings: list[SourceMapping],
    work_dir: Path,
) -> StagedFile:
    if path.stat().st_size == 0:
        return _stage_nothing(connection, "jsonl")
    text_path, encoding = _text_file(path, mappings, work_dir)
    connection.execute(
        f"""
        create or replace temp table _json_lines as
        with split as (
            select string_split(replace(content, chr(13), ''), chr(10)) as lines
            from read_text('{_quote(text_path)}')
        )
        select line_number as _row_number, lines[line_number] as line
        from split, range(1, len(lines) + 1) as t(line_number)
        where trim(lines[line_number]) <> ''
        """
    )
    connection.execute(
        f"""
        create or replace temp table {MALFORMED} as
        select _row_number, regexp_replace(line, '[^{{}}\\[\\],:"]', '*', 'g') as value,
            'not a JSON object' as reason
        from _json_lines
        where not (case when json_valid(line) then json_type(line) = 'OBJECT' else false end)
        """
    )
    keys = [
        key
        for (key,) in connection.execute(
            "select key from (select unnest(json_keys(line)) as key, _row_number from _json_lines "
            f"where _row_number not in (select _row_number from {MALFORMED})) "
            "group by key order by min(_row_number)"
        ).fetchall()
    ]
    columns = ", ".join(
        f'json_extract_string(line, \'$."{k.replace(chr(39), chr(39) * 2)}"\') as "{k}"'
        for k in keys
    )
    connection.execute(
        f"create or replace temp table {STAGE} as select _row_number"
        f"{', ' + columns if columns else ''} from _json_lines "
        f"where _row_number not in (select _row_number from {MALFORMED})"
    )
    connection.execute("drop table _json_lines")
    types = _describe(connection)
    rows = _count_rows(connection, STAGE)
    return StagedFile("jsonl", encoding, list(types), types, None, empty=not keys, rows=rows)


def _stage_xlsx(
    connection: duckdb.DuckDBPyConnection, path: Path, mappings: list[SourceMapping]
) -> StagedFile:
    sheet = _declared(mappings, "sheet")
    try:
        frame = pl.read_excel(
            path,
            sheet_name=str(sheet) if sheet else None,
            sheet_id=None if sheet else 1,
            has_header=False,
            infer_schema_length=0,  # every cell as text: parsing is ours, the same for all formats
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as error:  # calamine's errors carry no common base class
        raise UnreadableFileError(
            f"{path.name} is not a readable XLSX workbook: {error}"
        ) from error
    if frame.height == 0:
        return _stage_nothing(connection, "xlsx")
    declared_row = _declared(mappings, "header_row")
    head = frame.head(HEADER_SCAN_ROWS).rows()
    header_index = (
        int(declared_row) - 1
        if declared_row
        else _best_header_row([list(r) for r in head], mappings)
    )
    headers = _unique_headers([frame.row(header_index)[i] for i in range(frame.width)])
    data = (
        frame.slice(header_index + 1)
        .pipe(lambda f: f.rename(dict(zip(f.columns, headers, strict=True))))
        .with_row_index("_row_number", offset=header_index + 2)
        .filter(~pl.all_horizontal(pl.exclude("_row_number").is_null()))
        .select(["_row_number", *[h for h in headers if not h.startswith("_blank_")]])
    )
    connection.register("_xlsx_frame", data)
    connection.execute(
        f"create or replace temp table {STAGE} as "
        "select cast(_row_number as bigint) as _row_number, * exclude (_row_number) "
        "from _xlsx_frame"
    )
    connection.unregister("_xlsx_frame")
    _empty_malformed(connection)
    types = _describe(connection)
    return StagedFile("xlsx", None, list(types), types, header_index + 1, rows=data.height)


def _unique_headers(cells: list[object]) -> list[str]:
    headers: list[str] = []
    for position, cell in enumerate(cells):
        name = str(cell).strip() if cell is not None and str(cell).strip() else f"_blank_{position}"
        headers.append(name if name not in headers else f"{name}_{position}")
    return headers


def stage_file(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    mappings: list[SourceMapping],
    work_dir: Path,
) -> StagedFile:
    """Read `path` into STAGE and MALFORMED; `mappings` help find the header row."""
    fmt = file_format(path)
    if fmt == "parquet":
        return _stage_parquet(connection, path)
    if fmt == "csv":
        return _stage_csv(connection, path, mappings, work_dir)
    if fmt == "jsonl":
        return _stage_jsonl(connection, path, mappings, work_dir)
    if fmt == "xlsx":
        return _stage_xlsx(connection, path, mappings)
    raise UnreadableFileError(f"{path.name}: unsupported file type (use {', '.join(FORMATS)})")
