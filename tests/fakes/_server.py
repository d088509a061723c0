"""A lean HTTP/1.1 server on 127.0.0.1 in a background thread, shared by the provider fakes.

Thread-per-connection (`ThreadingHTTPServer`) keeps slow mode and long polls simple: a handler
just waits. TCP_NODELAY and single-write responses avoid the 40 ms Nagle/delayed-ACK stall that
otherwise caps keep-alive clients at ~25 requests/s. `stop()` closes idle keep-alive
connections and wakes waiting handlers, so no thread outlives the fake.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(400)
            return
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=unquote(url.path),
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.fake.handle(request)
        except Exception:  # a bug in the fake must not look like a dropped connection
            traceback.print_exc()
            response = Response(500, b'{"error": "fake server bug, see stderr"}')
        head = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
        headers = {"Content-Type": response.content_type, **response.headers}
        headers["Content-Length"] = str(len(response.body))
        head += [f"{k}: {v}" for k, v in headers.items()]
        payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = do_PUT = _serve

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b""):
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests assert on recorded calls, not on access logs."""


def _reason(status: int) -> str:
    return _Handler.responses.get(status, ("Unknown",))[0]


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins handler threads
    block_on_close = True

    def __init__(self, fake: FakeServer) -> None:
        self.fake = fake
        self.open_connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._lock:
            connections = list(self.open_connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class FakeServer:
    """Base of the fakes: `with Fake() as fake:` serves on `fake.url` until the block ends."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("fake server is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Origin of the fake, e.g. http://127.0.0.1:54321 (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self.stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def pause(self, seconds: float) -> None:
        """Sleep in a handler, cut short when the fake stops."""
        if seconds > 0:
            self.stopping.wait(seconds)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
