"""A keyring backend that keeps secrets in a JSON file, for tests only.

Subprocesses pick it up through the environment:

    PYTHON_KEYRING_BACKEND=tests.support.file_keyring.FileKeyring
    CRASME_TEST_KEYRING_FILE=/tmp/.../keyring.json

(with the repository on PYTHONPATH). When `CRASME_TEST_KEYRING_FILE` is unset
the backend reports itself unusable, the way a machine without a keychain does.
Secrets are stored in the clear: never point this at a real keychain's data.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

ENV_FILE = "CRASME_TEST_KEYRING_FILE"
BACKEND_PATH = "tests.support.file_keyring.FileKeyring"


class FileKeyring(KeyringBackend):
    """Secrets in one JSON file: {service: {username: password}}."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self._explicit = Path(path) if path is not None else None

    @property
    def path(self) -> Path | None:
        if self._explicit is not None:
            return self._explicit
        raw = os.environ.get(ENV_FILE)
        return Path(raw) if raw else None

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - a class property, as in keyring itself
        """Usable only when the environment names a file; low, so a real keychain wins."""
        if not os.environ.get(ENV_FILE):
            raise RuntimeError(f"{ENV_FILE} is not set")
        return 0.5

    def _load(self) -> dict[str, dict[str, str]]:
        path = self._require_path()
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, dict[str, str]]) -> None:
        path = self._require_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keyring-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def _require_path(self) -> Path:
        path = self.path
        if path is None:
            raise RuntimeError(f"{ENV_FILE} is not set, so the test keyring has no file")
        return path

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        try:
            del data[service][username]
        except KeyError:
            raise PasswordDeleteError(f"no secret for {service}/{username}") from None
        if not data[service]:
            del data[service]
        self._save(data)

    def entries(self) -> dict[str, dict[str, str]]:
        """Everything stored, for assertions in tests."""
        return self._load()

    def clear(self) -> None:
        """Forget every secret, as if the keychain had been wiped."""
        self._save({})
