"""A real IMAP server (Dovecot) on 127.0.0.1 for the support-mailbox tests.

    tls = make_tls_files(tmp_path / "tls")      # a throwaway CA and a certificate for 127.0.0.1
    with running_imap_server(tmp_path / "imap", tls=tls) as server:
        uid = server.append(raw_message_bytes)
        ... fetch from server.host:server.port as server.username, trusting tls.ca_file ...
        assert "\\Seen" in server.flags(uid)

Dovecot runs unprivileged, as its documentation describes for a rootless install: a
generated dovecot.conf with its own base_dir, state_dir and log file, every service and
the mail processes running as one account, no chroot, IMAPS only (`ssl = required`,
the certificate read with the `<` prefix), a passwd-file with one user and a static
userdb whose home is a maildir in the test's folder. Under a normal account that
account is used. Dovecot refuses to run its login process as root, so when the tests
run as root (CI does) the server is started as the unprivileged `nobody` account in a
private folder under the system's temporary directory that `nobody` may enter (the
test's own tmp_path is closed to other accounts), removed afterwards.

Messages go in by IMAP APPEND from the test, as a mail client would put them there.
A missing Dovecot fails the test with the command that installs it: nothing is
skipped silently.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests.support.smtp_server import HOST, TlsFiles

DOVECOT_PLACES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
#: How long the server may take to start listening before the test fails.
START_TIMEOUT_S = 30.0
UNPRIVILEGED_ACCOUNT = "nobody"


def dovecot_binary() -> str:
    """Dovecot's path, or a test failure that says how to install it."""
    found = shutil.which("dovecot") or next(
        (p for p in DOVECOT_PLACES if os.access(p, os.X_OK)), None
    )
    if found is None:
        pytest.fail(
            "Dovecot is needed for the support-mailbox tests but is not installed; run "
            "scripts/setup (it installs dovecot-imapd).",
            pytrace=False,
        )
    return found


@dataclass
class ImapTestServer:
    """A running Dovecot and the one account on it."""

    host: str
    port: int
    username: str
    password: str
    tls: TlsFiles
    folder: Path
    process: subprocess.Popen[bytes]
    _clients: list[imaplib.IMAP4_SSL] = field(default_factory=list)

    @property
    def log_file(self) -> Path:
        return self.folder / "dovecot.log"

    def log_text(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        """A logged-in connection of the test (not of the code under test)."""
        connection = imaplib.IMAP4_SSL(self.host, self.port,
                                       ssl_context=self.tls.client_context(), timeout=30)
        try:
            if (self.username + self.password).isascii():
                connection.login(self.username, self.password)
            else:  # imaplib's LOGIN is ASCII only; PLAIN carries UTF-8
                token = f"\0{self.username}\0{self.password}".encode()
                connection.authenticate("PLAIN", lambda _challenge: token)
            yield connection
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                connection.logout()

    def append(self, raw: bytes, *, mailbox: str = "INBOX", flags: str = "") -> int:
        """Put one message into `mailbox` as a mail client would; its UID."""
        with self.client() as imap:
            if mailbox != "INBOX":
                imap.create(mailbox)  # an existing folder answers NO, which is fine
            status, data = imap.append(mailbox, f"({flags})" if flags else None, None, raw)
            assert status == "OK", data
            # UIDPLUS: "[APPENDUID <uidvalidity> <uid>] Append completed."
            answer = data[-1].decode() if data and isinstance(data[-1], bytes) else ""
            match = re.search(r"APPENDUID (\d+) (\d+)", answer)
            assert match, f"Dovecot gave no APPENDUID: {answer!r}"
            return int(match.group(2))

    def flags(self, uid: int, *, mailbox: str = "INBOX") -> set[str]:
        with self.client() as imap:
            imap.select(mailbox, readonly=True)
            status, data = imap.uid("FETCH", str(uid), "(FLAGS)")
            assert status == "OK", data
            text = b" ".join(d for d in data if isinstance(d, bytes)).decode()
            found = re.search(r"FLAGS \(([^)]*)\)", text)
            return set(found.group(1).split()) if found else set()

    def count(self, *, mailbox: str = "INBOX") -> int:
        with self.client() as imap:
            status, data = imap.select(mailbox, readonly=True)
            assert status == "OK", data
            return int(data[0])


@contextlib.contextmanager
def running_imap_server(
    folder: Path,
    *,
    tls: TlsFiles,
    username: str = "support@example.org",
    password: str = "imap s3cret",
) -> Iterator[ImapTestServer]:
    """Run Dovecot for the `with` block, serving IMAPS on a free port of 127.0.0.1."""
    binary = dovecot_binary()
    account = _account()
    home = Path(tempfile.mkdtemp(prefix="crasme-dovecot-")) if account else folder
    try:
        home.mkdir(parents=True, exist_ok=True)
        server = _start(binary, home, tls, username, password, account)
        try:
            yield server
        finally:
            _stop(server.process)
    finally:
        if account:
            shutil.rmtree(home, ignore_errors=True)


def _account() -> pwd.struct_passwd | None:
    """The account Dovecot runs as when the tests run as root; None: the current one."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(UNPRIVILEGED_ACCOUNT)
    except KeyError:
        pytest.fail(f"The tests run as root, and Dovecot must then run as the unprivileged "
                    f"account {UNPRIVILEGED_ACCOUNT!r}, which this system does not have.",
                    pytrace=False)


def _start(binary: str, home: Path, tls: TlsFiles, username: str, password: str,
           account: pwd.struct_passwd | None) -> ImapTestServer:
    last_log = ""
    for _attempt in range(5):  # another process may take the free port before Dovecot does
        port = _free_port()
        _write_config(home, tls, username, password, port, account)
        process = subprocess.Popen(  # nosec B603  # a fixed binary and arguments, no shell
            [binary, "-F", "-c", str(home / "dovecot.conf")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
            cwd=home,
        )
        server = ImapTestServer(HOST, port, username, password, tls, home, process)
        if _wait_until_listening(server):
            return server
        _stop(process)
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        last_log = (server.log_text() + stderr).strip()
        if "in use" not in last_log:
            break
    pytest.fail(f"Dovecot did not start; its log says:\n{last_log}", pytrace=False)


def _write_config(home: Path, tls: TlsFiles, username: str, password: str, port: int,
                  account: pwd.struct_passwd | None) -> None:
    for name in ("run", "state", "mail"):
        (home / name).mkdir(exist_ok=True)
    shutil.copyfile(tls.cert_file, home / "server.pem")
    shutil.copyfile(tls.key_file, home / "server.key")
    (home / "users").write_text(f"{username}:{{PLAIN}}{password}\n", encoding="utf-8")
    log = home / "dovecot.log"
    log.touch()
    uid = account.pw_uid if account else os.getuid()
    gid = account.pw_gid if account else os.getgid()
    user = account.pw_name if account else pwd.getpwuid(uid).pw_name
    group_line = f"default_internal_group = {_group_name(gid)}"
    (home / "dovecot.conf").write_text(
        f"""# Written by tests/support/imap_server.py for one test.
protocols = imap
listen = {HOST}
base_dir = {home}/run
state_dir = {home}/state
log_path = {log}
info_log_path = {log}
default_internal_user = {user}
{group_line}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
ssl = required
ssl_cert = <{home}/server.pem
ssl_key = <{home}/server.key
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/mail/%n
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    if account is not None:
        for path in (home, *home.rglob("*")):
            os.chown(path, uid, gid)


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_until_listening(server: ImapTestServer) -> bool:
    """Poll until the port takes a connection (True) or Dovecot exits or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            if sock.connect_ex((server.host, server.port)) == 0:
                return _greets(server)
        time.sleep(0.05)
    return False


def _greets(server: ImapTestServer) -> bool:
    """The TLS greeting arrives (the login process is up, not only the master's socket)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((server.host, server.port), timeout=5) as raw, \
                    server.tls.client_context().wrap_socket(raw, server_hostname=HOST) as tls:
                if tls.recv(100).startswith(b"* OK"):
                    return True
        except (OSError, ssl.SSLError):
            if server.process.poll() is not None:
                return False
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    if process.stderr is not None:
        process.stderr.close()
