"""The audit trail's hash chain: how one entry's hash is made.

Each audit event has a gapless `seq` (1, 2, 3, ...), the `prev_hash` of the entry
before it (`GENESIS` for the first) and its own `hash`: the hex SHA-256 of a canonical
encoding of (seq, at, user id, actor, action, record type, record id, prev hash).
The encoding is a compact JSON array of those values as text, so no value can run
into the next one; `at` is written the way the vault stores times (UTC, no offset,
microseconds: "2026-11-22 10:21:53.000123").

Editing an entry changes its hash; deleting one leaves a gap in `seq` and a
`prev_hash` that no longer matches; an entry slipped in by hand breaks the next one's
link. What the chain cannot show on its own is someone holding the vault's key who
rewrites every hash after their change, or who cuts entries off the end.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64


def canonical_time(at: datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def entry_hash(seq: int, at: datetime, user_id: str | None, actor: str, action: str,
               record_type: str, record_id: str, prev_hash: str) -> str:
    encoded = json.dumps(
        [str(seq), canonical_time(at), user_id or "", actor, action, record_type, record_id,
         prev_hash],
        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
