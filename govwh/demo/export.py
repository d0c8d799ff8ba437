"""Write the generated sources as platform exports: Parquet, or CSV / XLSX with Chinese
headers and vocabularies, the way real exports look."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml

from govwh.ingestion.schemas import SourceSchema

HEADERS_FILE = Path(__file__).with_name("headers_zh.yaml")
FORMATS = ("parquet", "csv", "xlsx")
ENCODINGS = ("utf-8", "gb18030")
HEADERS = ("en", "zh")
XLSX_MAX_ROWS = 1_000_000  # a sheet holds 1,048,576 rows: larger frames go to several files
XLSX_SCALES = ("tiny", "small")


def check_format(fmt: str, encoding: str, headers: str, scale: str) -> None:
    """Refuse impossible export requests before anything is written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {HEADERS}, got {headers!r}")
    if fmt == "xlsx" and scale not in XLSX_SCALES:
        raise ValueError(f"xlsx exports are written for scales {XLSX_SCALES} only, not {scale!r}")


@cache
def zh_translations() -> dict:
    return yaml.safe_load(HEADERS_FILE.read_text(encoding="utf-8"))


def to_chinese(frame: pl.DataFrame, source: SourceSchema) -> pl.DataFrame:
    """Chinese column names and vocabulary, as the platform's own export shows them."""
    translations = zh_translations()[source.name]
    values = translations.get("values", {})
    translated = frame.with_columns(
        pl.col(column)
        .cast(pl.String)
        .replace_strict(mapping, default=pl.col(column).cast(pl.String))
        for column, mapping in values.items()
        if column in frame.columns
    )
    return translated.rename(
        {k: v for k, v in translations["columns"].items() if k in frame.columns}
    )


def write_frame(
    frame: pl.DataFrame,
    source: SourceSchema,
    path_without_suffix: Path,
    *,
    fmt: str = "parquet",
    encoding: str = "utf-8",
    headers: str = "en",
) -> list[Path]:
    """Write one frame as one file (xlsx: one file per million rows); return the paths."""
    # the demo platform exports no case deadlines of its own: optional columns it does not
    # produce are left out, as a real export would
    present = {c: t for c, t in source.columns.items() if c in frame.columns}
    frame = frame.select(list(present)).cast(present)
    if headers == "zh":
        frame = to_chinese(frame, source)
    path = path_without_suffix.with_name(f"{path_without_suffix.name}.{fmt}")
    if fmt == "parquet":
        frame.write_parquet(path, compression="zstd", statistics=True)
    elif fmt == "csv":
        text = frame.write_csv(datetime_format="%Y-%m-%d %H:%M:%S")
        path.write_bytes(text.encode(encoding))
    else:
        parts = max(1, -(-frame.height // XLSX_MAX_ROWS))
        paths = []
        for part in range(parts):
            target = path if parts == 1 else path.with_name(f"{path.stem}_{part + 1}.xlsx")
            frame.slice(part * XLSX_MAX_ROWS, XLSX_MAX_ROWS).write_excel(
                target, worksheet=source.name, dtype_formats={pl.Datetime: "yyyy-mm-dd hh:mm:ss"}
            )
            paths.append(target)
        return paths
    return [path]
