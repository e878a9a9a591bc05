"""The version of the SQLCipher library the program runs on (About box, --version).

Asked of an in-memory connection: no vault needs to be open, nothing touches a disk,
and importing this module costs no SQLAlchemy import.
"""

from __future__ import annotations

from functools import cache


@cache
def sqlcipher_version() -> str:
    """SQLCipher's `PRAGMA cipher_version`, e.g. "4.6.1 community"."""
    import sqlcipher3.dbapi2 as sqlcipher

    conn = sqlcipher.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    return str(row[0]) if row and row[0] else "unknown (not SQLCipher)"
