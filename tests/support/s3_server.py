"""A real S3-compatible server (moto's server mode) on 127.0.0.1 for off-site tests.

    with running_s3_server() as s3:
        settings = OffsiteSettings(endpoint_url=s3.endpoint, bucket=s3.bucket,
                                   access_key_id=s3.access_key_id)
        ... s3.secret_key, s3.objects(), s3.go_down() ...

The server checks signatures like S3 does: an IAM user with its own access key and an
s3:* policy is made first, then authentication is switched on (a wrong secret gets
SignatureDoesNotMatch, an unknown key InvalidAccessKeyId). Clients reach it through a
small TCP relay on another loopback port, so `go_down()` can stop the server the way
a dropped network does: the server stops, the relay closes every open connection and
its port, and whatever comes next is refused. (Stopping moto's threaded server alone
leaves its listening socket and kept-alive connections open.)
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


class _Relay(threading.Thread):
    """Forwards TCP connections from its own port to `upstream`; `cut()` drops all."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        super().__init__(name="s3-relay", daemon=True)
        self.upstream = upstream
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.down = threading.Event()

    def run(self) -> None:
        while not self.down.is_set():
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.down.is_set():
                    client.close()
                    server.close()
                    return
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def cut(self) -> None:
        self.down.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
            self.sockets.clear()


@dataclass
class S3Server:
    endpoint: str
    bucket: str
    access_key_id: str
    secret_key: str
    moto: Any
    relay: _Relay
    admin: Any
    stopped: bool = field(default=False)

    def objects(self, bucket: str | None = None) -> dict[str, dict[str, Any]]:
        """Every object in the bucket: key -> {"size", "metadata", "body"} (read by
        moto's own client, straight from the server, not through the relay)."""
        found: dict[str, dict[str, Any]] = {}
        name = bucket or self.bucket
        listing = self.admin.list_objects_v2(Bucket=name)
        for item in listing.get("Contents", []):
            got = self.admin.get_object(Bucket=name, Key=item["Key"])
            found[item["Key"]] = {"size": item["Size"], "metadata": got["Metadata"],
                                  "body": got["Body"].read()}
        return found

    def go_down(self) -> None:
        """Stop the server as a dropped network would: every connection and the port
        close; nothing answers any more."""
        if self.stopped:
            return
        self.stopped = True
        self.relay.cut()
        self.moto.stop()


@contextlib.contextmanager
def running_s3_server(bucket: str = "office-backups") -> Iterator[S3Server]:
    import boto3
    from moto import settings
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    direct = f"http://{host}:{port}"
    before = settings.INITIAL_NO_AUTH_ACTION_COUNT
    relay = _Relay((host, port))
    relay.start()
    try:
        _reset(direct)  # moto keeps its state per process: start from nothing
        plain = {"endpoint_url": direct, "region_name": "us-east-1",
                 "aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
        iam = boto3.client("iam", **plain)
        iam.create_user(UserName="office")
        key = iam.create_access_key(UserName="office")["AccessKey"]
        iam.put_user_policy(UserName="office", PolicyName="backups",
                            PolicyDocument=json.dumps(POLICY))
        admin = boto3.client("s3", endpoint_url=direct, region_name="us-east-1",
                             aws_access_key_id=key["AccessKeyId"],
                             aws_secret_access_key=key["SecretAccessKey"])
        admin.create_bucket(Bucket=bucket)
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # from now on, signatures are checked
        yield S3Server(f"http://{HOST}:{relay.port}", bucket, key["AccessKeyId"],
                       key["SecretAccessKey"], server, relay, admin)
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = before
        relay.cut()
        with contextlib.suppress(Exception):
            _reset(direct)
        with contextlib.suppress(Exception):
            server.stop()


def _reset(direct: str) -> None:
    import urllib.request

    request = urllib.request.Request(f"{direct}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
