"""Off-site copies of the backups, in S3-compatible storage (Amazon S3, Wasabi, or any
service with an S3 endpoint address).

Nothing leaves the computer unless the office sets this up: with no bucket and access
key saved, no function here opens a connection (`push_after_backup` returns before
boto3 is even imported).

What is sent is each backup exactly as it lies in the backup folder, three objects
under `<prefix>/<vault id>/`:
- the backup file: the vault's pages as SQLCipher encrypted them with the vault's own
  key; it is never decrypted to be sent;
- its manifest (`.json`): when and why it was made, its size, SHA-256 and record counts
  per table; no personal data;
- its key slots (`.keys`): the vault's key wrapped (AES-256-GCM) under the passphrase
  (Argon2id) and under the recovery key, as they were that day, so that the copy can
  be opened on another computer with one of them, and with nothing less.

Each object carries its SHA-256 as object metadata; after the upload, `head_object`
reads back the size and that digest of every object before the copy counts. Remote
copies are rotated with the same keep-days as the local ones (the newest whole copy
is always kept). Restoring downloads to a temp folder beside the vault, compares the
digests, and hands the file to the usual restore (`backups.restore_backup`), which
checks it twice before it swaps anything in.

The settings (endpoint, region, bucket, prefix, access key id) live in the vault's
settings; the secret access key only in this computer's keychain (`vault.keychain`),
never in the vault, a log or a message. Without a keychain it is asked for each time.
Every failure is one sentence (`UserError`); after a local backup a failure is kept
for the status, never raised: the local backup stands whatever the network does.

Who may: setting up, testing, sending, listing, rotating, deleting and restoring
off-site copies need "backups_restore", as local backups do. The status
(`offsite_status`, `get_settings`: no secret) stays open for the status bar, and the
copy sent after an automatic backup (`push_after_backup`) goes whoever is signed in.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import permissions
from crasme_desktop.services.stored import read_json, write_json
from crasme_desktop.vault import backup as local
from crasme_desktop.vault import keychain as secrets
from crasme_desktop.vault.errors import KeychainLocked
from crasme_desktop.vault.paths import VAULT_SUFFIX, keyslot_path

if TYPE_CHECKING:
    from crasme_desktop.vault import Vault
    from crasme_desktop.vault.backup import BackupInfo

log = logging.getLogger(__name__)

SETTINGS_KEY = "backup.offsite"
STATE_KEY = "backup.offsite.state"
SETTINGS_PLACE = "Settings \u203a Backups \u203a Off-site copy"
#: Seconds to wait for the storage to answer at each step.
CONNECT_TIMEOUT_S = 10
READ_TIMEOUT_S = 60
#: Files above this go up in parts, several at a time (S3's smallest part is 5 MB).
MULTIPART_THRESHOLD = 64 * 1024 * 1024
PART_SIZE = 16 * 1024 * 1024
KEYS_SUFFIX = ".keys"
MANIFEST_SUFFIX = local.MANIFEST_SUFFIX
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class OffsiteSettings:
    #: Empty: Amazon S3; else the storage's address, such as https://s3.wasabisys.com.
    endpoint_url: str = ""
    #: Empty: us-east-1 (Amazon S3 finds a bucket in another region on its own).
    region: str = ""
    bucket: str = ""
    #: A folder inside the bucket, such as "office/crasme" (may be empty).
    prefix: str = ""
    access_key_id: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.bucket and self.access_key_id)

    @property
    def place(self) -> str:
        """Where copies go, for people: "bucket/prefix at host"."""
        host = urlparse(self.endpoint_url).hostname if self.endpoint_url else "Amazon S3"
        path = "/".join(p for p in (self.bucket, self.prefix) if p)
        return f"{path} at {host}"


@dataclass(frozen=True)
class OffsiteCopy:
    """The last backup sent off-site and checked there."""

    name: str
    sent_at: datetime
    created_at: datetime
    size: int


@dataclass(frozen=True)
class OffsiteFailure:
    at: datetime
    message: str


@dataclass(frozen=True)
class OffsiteStatus:
    """What the status bar and the Settings page say about off-site copies (read from
    the vault alone: no keychain, no network)."""

    settings: OffsiteSettings
    last_good: OffsiteCopy | None
    #: The last attempt's failure, if it failed after the last good copy.
    last_failure: OffsiteFailure | None

    @property
    def configured(self) -> bool:
        return self.settings.configured

    def summary(self, now: datetime) -> str:
        if not self.configured:
            return "Off-site copies are off."
        if self.last_good is None:
            text = "No off-site copy has been made yet."
        else:
            text = f"Last off-site copy {_age(now - self.last_good.sent_at)}."
        if self.last_failure is not None:
            text += " The last off-site copy failed: " + self.last_failure.message
        return text


@dataclass(frozen=True)
class OffsiteSetup:
    """The settings with what the keychain says, for the Settings page."""

    status: OffsiteStatus
    secret_saved: bool
    keychain_available: bool

    @property
    def settings(self) -> OffsiteSettings:
        return self.status.settings


@dataclass(frozen=True)
class RemoteBackup:
    """One backup in the off-site storage."""

    name: str
    key: str
    created_at: datetime
    reason: str
    size: int
    #: Both companions are there (manifest and key slots): a whole copy.
    complete: bool


@dataclass(frozen=True)
class PushOutcome:
    copy: OffsiteCopy
    #: Names of the remote backups deleted by the rotation.
    removed: tuple[str, ...] = ()


# ------------------------------------------------------------------------ settings


def secret_name(vault: Vault) -> str:
    """The keychain entry of this vault's secret access key."""
    return f"Crasme Desktop off-site secret key ({vault.vault_id})"


def clean_settings(settings: OffsiteSettings | Mapping[str, str]) -> OffsiteSettings:
    """The settings tidied, or a `UserError` naming the first problem (a mapping, as
    the Settings page sends them, is taken field by field)."""
    if not isinstance(settings, OffsiteSettings):
        fields = asdict(OffsiteSettings())
        settings = OffsiteSettings(**{k: str(settings.get(k) or "") for k in fields})
    endpoint = settings.endpoint_url.strip().rstrip("/")
    if endpoint:
        parsed = urlparse(endpoint)
        if parsed.scheme not in ("https", "http") or not parsed.hostname:
            raise UserError("Type the endpoint address in full, such as "
                            "https://s3.eu-central-1.wasabisys.com, or leave it empty for "
                            "Amazon S3.")
        if parsed.scheme == "http" and parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise UserError("Use an https:// endpoint address: the access key must not be "
                            "sent unencrypted (plain http is only for this computer).")
    region = settings.region.strip()
    if region and not re.fullmatch(r"[a-z0-9-]{2,40}", region):
        raise UserError("Type the region as your storage provider writes it, such as "
                        "eu-central-1, or leave it empty.")
    bucket = settings.bucket.strip()
    access = settings.access_key_id.strip()
    if bucket or access:
        if not _BUCKET.match(bucket):
            raise UserError("Type the bucket's name as your storage provider shows it: 3 to "
                            "63 lower-case letters, digits, dots or hyphens.")
        if not re.fullmatch(r"[A-Za-z0-9+/=_\-]{8,128}", access):
            raise UserError("Type the access key id as your storage provider shows it.")
    prefix = "/".join(p for p in settings.prefix.strip().split("/") if p)
    if len(prefix) > 200 or any(c in prefix for c in "\\\n\r\t"):
        raise UserError("Choose a shorter folder name in the bucket, made of letters, "
                        "digits, hyphens and slashes.")
    return OffsiteSettings(endpoint, region, bucket, prefix, access)


def get_settings(vault: Vault) -> OffsiteSettings:
    raw = _read(vault, SETTINGS_KEY)
    if not isinstance(raw, dict):
        return OffsiteSettings()
    known = {k: str(raw[k]) for k in asdict(OffsiteSettings()) if k in raw}
    try:
        return clean_settings(OffsiteSettings(**known))
    except UserError:
        return OffsiteSettings()


def offsite_status(vault: Vault) -> OffsiteStatus:
    settings = get_settings(vault)
    raw = _read(vault, STATE_KEY)
    good = failure = None
    if isinstance(raw, dict):
        with contextlib.suppress(TypeError, KeyError, ValueError):
            g = raw["last_good"]
            good = OffsiteCopy(str(g["name"]), _aware(g["sent_at"]), _aware(g["created_at"]),
                               int(g["size"]))
        with contextlib.suppress(TypeError, KeyError, ValueError):
            f = raw["last_failure"]
            failure = OffsiteFailure(_aware(f["at"]), str(f["message"]))
    return OffsiteStatus(settings, good, failure)


def offsite_setup(vault: Vault) -> OffsiteSetup:
    permissions.require(vault, "backups_restore")
    available, saved = secrets.secret_state(secret_name(vault))
    return OffsiteSetup(offsite_status(vault), saved, available)


def save_settings(
    vault: Vault, settings: OffsiteSettings | Mapping[str, str], secret_key: str | None = None
) -> OffsiteSetup:
    """Check and save the settings; `secret_key` goes to the keychain only (None keeps
    the saved one, "" forgets it). Nothing is sent anywhere: `test_connection` does."""
    from crasme_desktop.services import audit

    permissions.require(vault, "backups_restore")
    clean = clean_settings(settings)
    with vault.unit_of_work(immediate=True) as uow:
        write_json(uow.session, SETTINGS_KEY, asdict(clean))
        audit.add(uow.session, "backup.offsite.update", "setting", SETTINGS_KEY)
    name = secret_name(vault)
    try:
        if secret_key == "" or not clean.configured:  # nosec B105  # a label or setting name, not a password
            secrets.delete_secret(name)
        elif secret_key is not None:
            if not secrets.secrets_available():
                raise UserError(
                    "The settings are saved, but this computer has no keychain to keep the "
                    "secret access key in: it will be asked for each time a copy is sent."
                )
            secrets.store_secret(name, secret_key.strip())
    except KeychainLocked:
        raise UserError(
            "The settings are saved, but the keychain stayed locked so the secret access "
            "key is not; unlock the keychain and save again."
        ) from None
    return offsite_setup(vault)


def forget_settings(vault: Vault) -> None:
    """Stop sending copies: the settings and the remembered state leave the vault, the
    secret access key leaves the keychain (the copies already sent stay where they are)."""
    from crasme_desktop.domain.models import Setting
    from crasme_desktop.services import audit

    permissions.require(vault, "backups_restore")
    with vault.unit_of_work(immediate=True) as uow:
        for key in (SETTINGS_KEY, STATE_KEY):
            row = uow.session.get(Setting, key)
            if row is not None:
                uow.session.delete(row)
        audit.add(uow.session, "backup.offsite.delete", "setting", SETTINGS_KEY)
    try:
        secrets.delete_secret(secret_name(vault))
    except KeychainLocked:
        raise UserError(
            "The off-site settings are removed, but the keychain stayed locked so the "
            "secret access key is still in it; unlock the keychain and remove them again."
        ) from None


# ------------------------------------------------------------------------- sending


def test_connection(
    vault: Vault,
    settings: OffsiteSettings | Mapping[str, str] | None = None,
    secret_key: str | None = None,
    progress: Progress | None = None,
) -> str:
    """Reach the bucket, write a small object and delete it; a sentence saying so, or a
    `UserError` saying what is wrong. `settings` default to the saved ones."""
    permissions.require(vault, "backups_restore")
    settings = clean_settings(settings) if settings is not None else get_settings(vault)
    if progress is not None:
        progress.update(0, 0, f"Connecting to {settings.place}")
    remote = _Remote.open(vault, settings, secret_key)
    probe = f"{remote.base}.crasme-connection-test"
    with remote.explained():
        # A write first: its answer says why it fails (a HEAD's answer has no body).
        remote.client.put_object(Bucket=settings.bucket, Key=probe, Body=b"ok")
        remote.client.delete_object(Bucket=settings.bucket, Key=probe)
    return f"Connected: Crasme Desktop can write to {settings.place}."


def push_backup(
    vault: Vault,
    backup: Path | None = None,
    *,
    secret_key: str | None = None,
    progress: Progress | None = None,
) -> PushOutcome:
    """Send a backup (by default the newest checked one in the backup folder) with its
    manifest and key slots, check each object's size and SHA-256 there, then rotate the
    remote copies. The outcome, or the failure, is kept for the status."""
    permissions.require(vault, "backups_restore")
    return _push_backup(vault, backup, secret_key=secret_key, progress=progress)


def _push_backup(
    vault: Vault,
    backup: Path | None,
    *,
    secret_key: str | None = None,
    progress: Progress | None = None,
) -> PushOutcome:
    from crasme_desktop.services import backups

    settings = get_settings(vault)
    if not settings.configured:
        raise UserError("Off-site copies are not set up: enter the storage's bucket and "
                        f"access key in {SETTINGS_PLACE} first.")
    try:
        if backup is None:
            found = [b for b in backups.list_backups(vault) if b.has_manifest]
            if not found:
                raise UserError("There is no checked backup to send yet; make one first.")
            info = found[0]
        else:
            info = local.read_info(Path(backup))
            if not info.has_manifest:
                raise UserError(f"The file {info.name} is not a checked backup (it has no "
                                "manifest); make a backup and send that one.")
        outcome = _push(vault, settings, info, secret_key, progress)
    except Cancelled:
        raise
    except UserError as exc:
        _remember_failure(vault, exc.message)
        raise
    return outcome


def push_after_backup(
    vault: Vault, info: BackupInfo, progress: Progress | None = None
) -> PushOutcome | None:
    """After a local backup: send it if off-site copies are set up. Never raises: a
    failure is logged (its sentence only) and kept for the status bar and Settings."""
    if not get_settings(vault).configured:
        return None  # nothing leaves the computer: not even a connection is opened
    try:
        return _push_backup(vault, info.path, progress=progress)
    except Cancelled:
        _remember_failure(vault, "The off-site copy was stopped before it was complete.")
    except UserError as exc:
        log.warning("Off-site copy failed: %s", exc.message)
    except Exception as exc:  # a bug must not undo the local backup either
        log.exception("Off-site copy failed (%s)", type(exc).__name__)
        _remember_failure(vault, "The off-site copy failed for an unexpected reason; the "
                                 "local backup is fine. Try “Send to off-site now”.")
    return None


def _push(
    vault: Vault,
    settings: OffsiteSettings,
    info: BackupInfo,
    secret_key: str | None,
    progress: Progress | None,
) -> PushOutcome:
    from crasme_desktop.services import backups

    files = [p for p in (local.manifest_path(info.path), keyslot_path(info.path), info.path)
             if p.exists()]
    digests = {p: _sha256(p) for p in files}
    if info.sha256 and digests[info.path] != info.sha256:
        raise UserError(f"The backup {info.name} has changed since it was checked, so it "
                        "was not sent; make a new backup and send that one.")
    remote = _Remote.open(vault, settings, secret_key)
    total = sum(p.stat().st_size for p in files)
    meter = _Meter(progress, total, "Sending the backup off-site")
    meta = {"created-at": info.created_at.isoformat(), "reason": info.reason}
    with remote.explained():
        # Companions first, the backup last: a listed backup is a whole one.
        for path in files:
            remote.upload(path, digests[path], meta, meter)
        for path in files:
            remote.verify(path.name, path.stat().st_size, digests[path])
    copy = OffsiteCopy(info.name, vault.clock.now(), info.created_at, info.size)
    removed: tuple[str, ...] = ()
    try:
        keep_days = backups.get_preferences(vault).keep_days
        removed = tuple(_rotate(remote, keep_days, vault.clock.now()))
    except UserError as exc:
        log.warning("Old off-site copies were not rotated: %s", exc.message)
    _remember_good(vault, copy)
    if removed:
        log.info("Removed %d off-site copies older than %d days", len(removed), keep_days)
    return PushOutcome(copy, removed)


# ------------------------------------------------------------------- listing, rotation


def list_remote(vault: Vault, *, secret_key: str | None = None) -> list[RemoteBackup]:
    """The backups of this vault in the off-site storage, newest first."""
    permissions.require(vault, "backups_restore")
    remote = _Remote.open(vault, _configured(vault), secret_key)
    with remote.explained():
        return remote.listing()


def rotate_remote(
    vault: Vault, *, keep_days: int | None = None, now: datetime | None = None,
    secret_key: str | None = None,
) -> list[str]:
    """Delete remote copies older than `keep_days` (default: the local keep-days),
    always keeping the newest whole one. Returns the names deleted."""
    from crasme_desktop.services import backups

    permissions.require(vault, "backups_restore")
    remote = _Remote.open(vault, _configured(vault), secret_key)
    days = keep_days if keep_days is not None else backups.get_preferences(vault).keep_days
    with remote.explained():
        return _rotate(remote, days, now or vault.clock.now())


def delete_all_remote(vault: Vault, *, secret_key: str | None = None) -> int:
    """Delete every off-site copy of this vault (erasing everything); returns how many
    objects went. Copies of other vaults under the same prefix stay."""
    permissions.require(vault, "backups_restore")
    remote = _Remote.open(vault, _configured(vault), secret_key)
    with remote.explained():
        remote.listing()
        keys = list(remote.keys)
        remote.delete(keys)
    return len(keys)


def _rotate(remote: _Remote, keep_days: int, now: datetime) -> list[str]:
    if keep_days <= 0:
        return []
    found = remote.listing()
    whole = [b for b in found if b.complete]
    keep_newest = whole[0].name if whole else None
    cutoff = now - timedelta(days=keep_days)
    doomed = [b for b in found
              if b.name != keep_newest and b.complete and b.created_at < cutoff]
    keys = []
    for b in doomed:
        keys += [b.key, b.key + MANIFEST_SUFFIX, b.key + KEYS_SUFFIX]
    # Companions a cut-short upload left behind (their backup never arrived).
    names = {b.name for b in found}
    for key in remote.keys:
        name = key[len(remote.base):].removesuffix(MANIFEST_SUFFIX).removesuffix(KEYS_SUFFIX)
        parsed = local.parse_backup_name(name)
        if name not in names and parsed is not None and parsed[0] < cutoff:
            keys.append(key)
    with remote.explained():
        remote.delete(keys)
    return [b.name for b in doomed]


# ----------------------------------------------------------------------- restoring


def restore_remote(
    vault: Vault, name: str, *, secret_key: str | None = None,
    progress: Progress | None = None,
) -> Any:
    """Download the remote backup `name` (with its manifest and key slots) into a temp
    folder beside the vault, compare each file's SHA-256 with the one it was sent with,
    then restore it through `backups.restore_backup` (checked, copied, checked again,
    swapped in; a safety backup first). Returns its `RestoreOutcome`."""
    from crasme_desktop.services import backups

    permissions.require(vault, "backups_restore")
    remote = _Remote.open(vault, _configured(vault), secret_key)
    with remote.explained():
        chosen = next((b for b in remote.listing() if b.name == name), None)
        if chosen is None:
            raise UserError(f"There is no off-site backup named {name}; choose one from the "
                            "list of off-site backups.")
        scratch = Path(tempfile.mkdtemp(prefix=".offsite-restore-", dir=vault.path.parent))
        try:
            target = scratch / name
            names = [name + MANIFEST_SUFFIX, name + KEYS_SUFFIX, name] if chosen.complete \
                else [name]
            heads = {n: remote.head(n) for n in names}
            meter = _Meter(progress, sum(h["ContentLength"] for h in heads.values()),
                           "Downloading the off-site backup")
            for n in names:
                path = scratch / n
                remote.download(n, path, meter)
                want = heads[n].get("Metadata", {}).get("sha256", "")
                if not want or _sha256(path) != want:
                    raise UserError(f"The off-site backup {name} arrived damaged (it differs "
                                    "from what was sent); the vault was not changed. Choose "
                                    "another off-site backup.")
            if progress is not None:
                progress.update(0, 0, "Checking the backup, then restoring it")
            return backups.restore_backup(vault, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


# ------------------------------------------------------------------- the S3 client


class _Remote:
    """One connection's worth of S3 calls for a vault's folder in the bucket."""

    def __init__(self, client: Any, settings: OffsiteSettings, base: str) -> None:
        self.client = client
        self.settings = settings
        self.base = base
        self.keys: list[str] = []

    @classmethod
    def open(cls, vault: Vault, settings: OffsiteSettings, secret_key: str | None) -> _Remote:
        if not settings.configured:
            raise UserError("Off-site copies are not set up: enter the storage's bucket "
                            f"and access key in {SETTINGS_PLACE} first.")
        secret = secret_key if secret_key else _load_secret(vault)
        return cls(_client(settings, secret), settings,
                   "/".join(p for p in (settings.prefix, vault.vault_id) if p) + "/")

    @contextlib.contextmanager
    def explained(self) -> Any:
        try:
            yield
        except (UserError, Cancelled):
            raise
        except Exception as exc:
            raise _explain(exc, self.settings) from None

    def upload(self, path: Path, digest: str, meta: dict[str, str], meter: _Meter) -> None:
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD,
                                multipart_chunksize=PART_SIZE, max_concurrency=4)
        self.client.upload_file(
            str(path), self.settings.bucket, self.base + path.name,
            ExtraArgs={"Metadata": {**meta, "sha256": digest},
                       "ContentType": "application/octet-stream"},
            Callback=meter, Config=config,
        )

    def head(self, name: str) -> dict[str, Any]:
        return self.client.head_object(Bucket=self.settings.bucket, Key=self.base + name)

    def verify(self, name: str, size: int, digest: str) -> None:
        head = self.head(name)
        if head.get("ContentLength") != size or head.get("Metadata", {}).get("sha256") != digest:
            raise UserError(f"The off-site storage does not hold {name} as it was sent; try "
                            "again (“Send to off-site now”).")

    def download(self, name: str, path: Path, meter: _Meter) -> None:
        self.client.download_file(self.settings.bucket, self.base + name, str(path),
                                  Callback=meter)

    def listing(self) -> list[RemoteBackup]:
        paginator = self.client.get_paginator("list_objects_v2")
        sizes: dict[str, int] = {}
        for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=self.base):
            for item in page.get("Contents", []):
                sizes[item["Key"]] = int(item["Size"])
        self.keys = list(sizes)
        found = []
        for key, size in sizes.items():
            name = key[len(self.base):]
            if "/" in name or not name.endswith(VAULT_SUFFIX):
                continue
            parsed = local.parse_backup_name(name)
            if parsed is None:
                continue
            complete = key + MANIFEST_SUFFIX in sizes and key + KEYS_SUFFIX in sizes
            found.append(RemoteBackup(name, key, parsed[0], parsed[1], size, complete))
        return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = keys[start:start + 1000]
            answer = self.client.delete_objects(
                Bucket=self.settings.bucket,
                Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True},
            )
            if answer.get("Errors"):
                raise UserError("The off-site storage refused to delete old copies; check "
                                "that the access key may delete objects in the bucket.")


def _client(settings: OffsiteSettings, secret: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path" if settings.endpoint_url else "auto"},
        # Only the address in Settings: no AWS_ENDPOINT_URL or ~/.aws redirections.
        ignore_configured_endpoint_urls=True,
    )
    session = boto3.session.Session(
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=secret,
        region_name=settings.region or "us-east-1",
    )
    return session.client("s3", endpoint_url=settings.endpoint_url or None, config=config)


def _load_secret(vault: Vault) -> str:
    try:
        secret = secrets.load_secret(secret_name(vault))
    except KeychainLocked:
        raise UserError("The keychain stayed locked, so the off-site secret access key "
                        "could not be read; unlock the keychain and try again.") from None
    except secrets.KeychainUnavailableError:
        secret = None
    if not secret:
        raise UserError("Type the off-site secret access key in "
                        f"{SETTINGS_PLACE}: this computer's keychain does not hold it.")
    return secret


def _explain(exc: BaseException, settings: OffsiteSettings) -> UserError:
    """One sentence for what went wrong talking to the storage (never the key)."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )
    from s3transfer.exceptions import RetriesExceededError

    where = settings.place
    # boto3's transfers wrap the client's error (S3UploadFailedError, retries...).
    seen = exc
    while not isinstance(seen, ClientError) and (seen.__cause__ or seen.__context__):
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    if isinstance(seen, ClientError):
        exc = seen
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("NoSuchBucket", "404", "NotFound"):
            return UserError(f"The bucket “{settings.bucket}” does not exist at {where}; "
                             "check its name in Settings, or create it with your storage "
                             "provider.")
        if code in ("InvalidAccessKeyId", "InvalidClientTokenId"):
            return UserError("The off-site storage does not know this access key id; check "
                             f"it in {SETTINGS_PLACE}.")
        if code == "SignatureDoesNotMatch":
            return UserError("The secret access key does not match the access key id; type "
                             f"it again in {SETTINGS_PLACE}.")
        if code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled") or status == 403:
            return UserError(f"The off-site storage refused access to {where}; check the "
                             "access key id and secret access key, and that the key may "
                             "read and write that bucket.")
        if code == "NoSuchKey":
            return UserError("That off-site backup is no longer there; list the off-site "
                             "backups again.")
        said = code or status
        return UserError(f"The off-site storage at {where} answered with an error ({said}); "
                         "try again later, or check the settings.")
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return UserError(f"The off-site storage at {where} could not be reached; check the "
                         "internet connection and the endpoint address, then try again.")
    if isinstance(exc, ConnectionClosedError | ReadTimeoutError | RetriesExceededError
                  | ConnectionError):
        return UserError(f"The connection to the off-site storage at {where} broke off; "
                         "try again when the connection is steady.")
    if isinstance(exc, OSError):
        why = exc.strerror or "a disk error"
        return UserError(f"A backup file could not be read or written ({why}); check the "
                         "backup folder and try again.")
    log.error("Unexpected off-site storage failure: %s", type(exc).__name__)
    return UserError(f"Talking to the off-site storage at {where} failed "
                     f"({type(exc).__name__}); check the settings and try again.")


class _Meter:
    """boto3's byte callbacks (from several threads) as one `Progress`."""

    def __init__(self, progress: Progress | None, total: int, text: str) -> None:
        self.progress = progress
        self.total = total
        self.text = text
        self.done = 0
        self._lock = threading.Lock()
        if progress is not None:
            progress.update(0, total, text)

    def __call__(self, amount: int) -> None:
        if self.progress is None:
            return
        with self._lock:
            self.done += amount
            done = self.done
        self.progress.update(min(done, self.total), self.total, self.text)


# ------------------------------------------------------------------------- helpers


def _configured(vault: Vault) -> OffsiteSettings:
    settings = get_settings(vault)
    if not settings.configured:
        raise UserError("Off-site copies are not set up: enter the storage's bucket and "
                        f"access key in {SETTINGS_PLACE} first.")
    return settings


def _remember_good(vault: Vault, copy: OffsiteCopy) -> None:
    from crasme_desktop.services import audit

    value = {"last_good": {"name": copy.name, "sent_at": copy.sent_at.isoformat(),
                           "created_at": copy.created_at.isoformat(), "size": copy.size}}
    with vault.unit_of_work(immediate=True) as uow:
        write_json(uow.session, STATE_KEY, value)
        audit.add(uow.session, "backup.offsite.push", "backup")


def _remember_failure(vault: Vault, message: str) -> None:
    raw = _read(vault, STATE_KEY)
    value = dict(raw) if isinstance(raw, dict) else {}
    value["last_failure"] = {"at": vault.clock.now().isoformat(), "message": message}
    with vault.unit_of_work(immediate=True) as uow:
        write_json(uow.session, STATE_KEY, value)


def _read(vault: Vault, key: str) -> Any:
    with vault.unit_of_work() as uow:
        return read_json(uow.session, key)


def _aware(text: Any) -> datetime:
    value = datetime.fromisoformat(str(text))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 2:
        return "just now"
    if minutes < 120:
        return f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours ago"
    return f"{hours // 24} days ago"

