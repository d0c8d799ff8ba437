"""Keyed hashing of personal identifiers: the SQL HMAC equals the standard library's."""

from __future__ import annotations

import duckdb
import pytest

from govwh.ingestion.pseudonymise import (
    MissingPiiKeyError,
    PseudonymisationKey,
    hmac_python,
    hmac_sql,
)


@pytest.mark.parametrize("secret", ["k", "a-much-longer-secret-key-" * 4, "中文密钥"])
def test_sql_hmac_matches_python(secret: str) -> None:
    key = PseudonymisationKey.from_secret(secret)
    values = ["110101199003077777", "91410100MA44ABCD1X", "张三", "13812345678", None]
    with duckdb.connect() as connection:
        connection.execute("create table people (value varchar)")
        connection.executemany("insert into people values (?)", [[v] for v in values])
        hashed = connection.sql(
            f"select {hmac_sql('value')} from people",
            params={"pii_inner": key.inner_pad, "pii_outer": key.outer_pad},
        ).fetchall()
    assert [h for (h,) in hashed] == [None if v is None else hmac_python(secret, v) for v in values]


def test_same_value_same_hash_different_key_different_hash() -> None:
    assert hmac_python("a", "x") == hmac_python("a", "x")
    assert hmac_python("a", "x") != hmac_python("b", "x")


def test_real_data_needs_a_key() -> None:
    with pytest.raises(MissingPiiKeyError, match="GOVWH_PII_KEY"):
        PseudonymisationKey.from_env(demo=False, environ={})
    assert PseudonymisationKey.from_env(demo=True, environ={}).inner_pad
    explicit = PseudonymisationKey.from_env(demo=False, environ={"GOVWH_PII_KEY": "s"})
    assert explicit == PseudonymisationKey.from_secret("s")
