"""Known strings written through the app never appear in the vault, its WAL or SHM."""

from __future__ import annotations

from crasme_desktop.services import contacts
from crasme_desktop.vault import keyslot_path, open_vault
from crasme_desktop.vault.paths import sidecar_paths

KNOWN = {
    "given_name": "Zebulonius",
    "family_name": "Quackenbrush-Öztürk",
    "email": "zebulonius.secret@example.org",
    "phone": "+4930123987654",
    "organization": "Geheimnisvolle Klempnerei GmbH",
    "notes": "Alarm code for the back door is 8841-XQ",
}


def needles() -> list[bytes]:
    out = []
    for value in KNOWN.values():
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            out.append(value.encode(encoding))
        out.append(value[:8].encode("utf-8"))  # a fragment is a leak too
    return out


def leaks(paths) -> list[str]:
    found = []
    for path in paths:
        if not path.exists():
            continue
        data = path.read_bytes()
        found += [f"{path.name}: {n!r}" for n in needles() if n in data]
    return found


def test_known_strings_never_reach_the_disk_in_the_clear(created, keychain):
    files = [created.path, *sidecar_paths(created.path), keyslot_path(created.path)]
    with open_vault(created.path, keychain=keychain) as vault:
        row = contacts.add_person(vault, **KNOWN)
        # While open: the WAL holds the new pages; it must be encrypted too.
        wal, _shm = sidecar_paths(created.path)
        assert wal.exists() and wal.stat().st_size > 0
        assert leaks(files) == []
        assert contacts.list_people(vault)[0].id == row.id
    assert leaks(files) == []
    # Guard against a test that cannot fail: the same strings are found in a plain file.
    plain = created.path.with_name("plain.txt")
    plain.write_text(" ".join(KNOWN.values()), encoding="utf-8")
    assert leaks([plain])
