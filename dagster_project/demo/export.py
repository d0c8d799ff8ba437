"""Write the generated sources as platform exports: Parquet, or CSV / XLSX with Chinese
headers and vocabularies, the way real exports look."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml

from dagster_project.landing.schemas import SourceSchema

HEADERS_FILE = Path(__file__).with_name("headers_zh.yaml")
FORMATS = ("parquet", "csv", "xlsx")
ENCODINGS = ("utf-8", "gb18030")


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
) -> Path:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    frame = frame.select(list(source.columns)).cast(source.columns)
    if headers == "zh":
        frame = to_chinese(frame, source)
    path = path_without_suffix.with_suffix(f".{fmt}")
    if fmt == "parquet":
        frame.write_parquet(path, compression="zstd", statistics=True)
    elif fmt == "csv":
        text = frame.write_csv(datetime_format="%Y-%m-%d %H:%M:%S")
        path.write_bytes(text.encode(encoding))
    else:
        frame.write_excel(path, worksheet=source.name)
    return path
