"""Text encodings of CSV and JSON-lines exports: detect UTF-8 (with or without BOM) or
GB18030/GBK, and transcode GB18030 to UTF-8 for DuckDB's CSV reader.

DuckDB reads UTF-8 (and UTF-16, Latin-1) itself; GB18030 needs its `encodings` extension,
which is downloaded at run time and so not available here. The transcoding streams the file
through Python's incremental codec (C code, megabytes per call), never row by row.
"""

from __future__ import annotations

import codecs
from pathlib import Path

SAMPLE_BYTES = 4 * 1024 * 1024
CHUNK_BYTES = 16 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8


class EncodingError(ValueError):
    """The file's bytes do not decode in the encoding it was declared or detected to have."""


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """'utf-8' or 'gb18030' for `path`; EncodingError when the bytes contradict `declared`."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    utf8 = sample.startswith(UTF8_BOM) or _decodes(sample, "utf-8")
    if declared == "auto":
        if utf8:
            return "utf-8"
        if _decodes(sample, "gb18030"):
            return "gb18030"
        raise EncodingError(f"{path.name} is neither UTF-8 nor GB18030 text")
    if declared == "utf-8" and not utf8:
        hint = " (its bytes decode as GB18030)" if _decodes(sample, "gb18030") else ""
        raise EncodingError(
            f"{path.name} is not valid UTF-8 text{hint}, but its mapping sets encoding: utf-8; "
            "set encoding: gb18030, or auto to detect it"
        )
    if declared == "gb18030" and utf8 and not sample.isascii():
        raise EncodingError(
            f"{path.name} is UTF-8 text, but its mapping sets encoding: gb18030; set encoding: "
            "utf-8, or auto to detect it"
        )
    return declared


def transcode_to_utf8(path: Path, encoding: str, target: Path) -> Path:
    """Write `path` decoded from `encoding` as UTF-8 to `target`, in large chunks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as source, target.open("wb") as sink:
        while chunk := source.read(CHUNK_BYTES):
            try:
                sink.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as error:
                raise EncodingError(
                    f"{path.name}: invalid {encoding} bytes at byte {offset + error.start}"
                ) from error
            offset += len(chunk)
        try:
            sink.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError as error:
            raise EncodingError(
                f"{path.name}: the file ends inside a {encoding} character"
            ) from error
    return target
