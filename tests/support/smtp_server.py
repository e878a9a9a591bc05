"""A real SMTP server (aiosmtpd) on 127.0.0.1 for mail tests.

    tls = make_tls_files(tmp_path)          # a throwaway CA and a certificate for 127.0.0.1
    with running_smtp_server("starttls", tls=tls, username="ann", password="s3cret") as server:
        ... send to server.host:server.port, trusting tls.ca_file ...
        server.messages[0].message["Subject"]

Three kinds: "none" (plain text), "starttls" (plain, then STARTTLS; AUTH only after it)
and "ssl" (TLS from the first byte). With a username, the server offers AUTH LOGIN and
PLAIN, checks the pair and refuses mail from anyone who did not log in. Messages are
collected before the server answers the end of DATA, so they are there when the
client's send returns. The server listens on a socket bound to a free port before it
starts, so two tests never race for a port.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class TlsFiles:
    """A CA made for one test run and a server certificate it signed (PEM files)."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this test's CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def make_tls_files(folder: Path, *, common_name: str = "Crasme test mail CA") -> TlsFiles:
    """Write a fresh CA and a certificate for 127.0.0.1 and localhost into `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


@dataclass(frozen=True)
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    logged_in_as: str

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(file name, content type, bytes) of each attachment."""
        out = []
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            out.append((part.get_filename() or "", part.get_content_type(), payload))
        return out


@dataclass
class SmtpTestServer:
    host: str
    port: int
    security: str
    username: str
    password: str
    tls: TlsFiles | None
    messages: list[Received] = field(default_factory=list)
    #: (mechanism, user name, accepted) of each login attempt.
    logins: list[tuple[str, str, bool]] = field(default_factory=list)
    #: Recipients the server refuses with 550.
    refused_recipients: set[str] = field(default_factory=set)
    #: When set to an unset Event, the server holds each message (before answering the
    #: end of DATA) until the test sets it: a way to look at a client while it waits.
    gate: threading.Event | None = None
    _guard: threading.Lock = field(default_factory=threading.Lock)


class _Handler:
    def __init__(self, server: SmtpTestServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.lower() in {a.lower() for a in self.server.refused_recipients}:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        gate = self.server.gate
        if gate is not None:
            await asyncio.get_running_loop().run_in_executor(None, gate.wait, 30)
        content = envelope.original_content or b""
        auth = session.auth_data
        user = auth.login.decode() if isinstance(auth, LoginPassword) else ""
        with self.server._guard:
            self.server.messages.append(
                Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), content, user)
            )
        return "250 Message accepted"


class _BoundController(Controller):
    """A controller serving on a socket that is already bound (so the port is ours)."""

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        self._sock = sock
        super().__init__(handler, hostname=HOST, port=sock.getsockname()[1], **kwargs)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock,
                                       ssl=self.ssl_context)


@contextmanager
def running_smtp_server(
    security: str = "none",
    *,
    tls: TlsFiles | None = None,
    username: str = "",
    password: str = "",
) -> Iterator[SmtpTestServer]:
    """Run a server for the `with` block; `tls` is needed for "starttls" and "ssl"."""
    if security not in ("none", "starttls", "ssl"):
        raise ValueError(f"unknown security {security!r}")
    if security != "none" and tls is None:
        raise ValueError(f"a {security} server needs TLS files")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    server = SmtpTestServer(HOST, sock.getsockname()[1], security, username, password, tls)

    def authenticator(smtp: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == username
            and auth_data.password.decode() == password
        )
        user = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else ""
        server.logins.append((mechanism, user, ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    options: dict[str, Any] = {"server_hostname": "mail.test", "ident": "Crasme test SMTP"}
    if username:
        options.update(authenticator=authenticator, auth_required=security == "starttls",
                       auth_require_tls=security == "starttls")
    if security == "starttls":
        assert tls is not None
        options.update(tls_context=tls.server_context(), require_starttls=True)
    ssl_context = tls.server_context() if security == "ssl" and tls is not None else None
    if username and security != "starttls":
        # aiosmtpd offers AUTH only after STARTTLS unless told otherwise; for implicit
        # TLS the connection is already encrypted, and the plain kind is for tests only.
        options["auth_require_tls"] = False
    controller = _BoundController(_Handler(server), sock, ssl_context=ssl_context, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
        sock.close()


@contextmanager
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections but never answers (for timeouts)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(1)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@contextmanager
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))  # bound but not listening: the port stays ours and refuses
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
