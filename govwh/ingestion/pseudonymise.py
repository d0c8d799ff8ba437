"""Keyed pseudonymisation of personal identifiers at ingestion (HMAC-SHA256).

ID card numbers, unified social credit codes, names and phone numbers never reach the
warehouse in clear: ingestion replaces them with HMAC-SHA256(key, value), so the same
applicant is still counted across cases but cannot be read back without the key. The HMAC
is computed inside DuckDB (sha256 over the padded key blocks, RFC 2104), vectorised over
millions of rows instead of a Python call per value.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

PII_KEY_ENV = "GOVWH_PII_KEY"
# Only the generated demo city may run without a key of its own; its data is fake.
DEMO_PII_KEY = "govwh-demo-key-not-secret"

_BLOCK_SIZE = 64  # SHA-256 block size in bytes


class MissingPiiKeyError(RuntimeError):
    """Real data must not be loaded without a pseudonymisation key."""


@dataclass(frozen=True)
class PseudonymisationKey:
    """The inner and outer padded keys of HMAC-SHA256, ready to bind into SQL."""

    inner_pad: bytes
    outer_pad: bytes

    @classmethod
    def from_secret(cls, secret: str) -> PseudonymisationKey:
        key = secret.encode("utf-8")
        if len(key) > _BLOCK_SIZE:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK_SIZE, b"\0")
        return cls(inner_pad=bytes(b ^ 0x36 for b in key), outer_pad=bytes(b ^ 0x5C for b in key))

    @classmethod
    def from_env(cls, *, demo: bool, environ: dict[str, str] | None = None) -> PseudonymisationKey:
        env = os.environ if environ is None else environ
        secret = env.get(PII_KEY_ENV)
        if secret:
            return cls.from_secret(secret)
        if demo:
            return cls.from_secret(DEMO_PII_KEY)
        raise MissingPiiKeyError(
            f"set {PII_KEY_ENV} to a secret key: personal identifiers are replaced by a keyed "
            "hash at ingestion and real data is never loaded without one"
        )


def hmac_sql(
    column_sql: str, inner_param: str = "$pii_inner", outer_param: str = "$pii_outer"
) -> str:
    """SQL computing the hex HMAC-SHA256 of a text column (null stays null: every step of
    it propagates null). Four SHA-256 blocks per value, which is why the loader hashes
    repeated values once (loader._hashed_pii)."""
    inner_hash = f"sha256({inner_param} || encode(cast({column_sql} as varchar)))"
    return f"sha256({outer_param} || unhex({inner_hash}))"


def hmac_python(secret: str, value: str) -> str:
    """The same hash in Python, for tests and for looking up one applicant."""
    return hmac.new(secret.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()
