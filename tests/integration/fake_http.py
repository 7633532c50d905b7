"""A misbehaving HTTP server for tests: each connection gets what `behaviour` says."""

import socket
import ssl
import threading


class FakeHttp:
    """behaviour(request_bytes) -> bytes to send, or None to hang until closed."""

    def __init__(self, behaviour, tls_context=None):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.tls = tls_context
        self.requests = []
        self.open = []
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path="/server-status?auto", scheme="http", host="127.0.0.1"):
        return f"{scheme}://{host}:{self.port}{path}"

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        self.open.append(conn)
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.requests.append(data)
            reply = self.behaviour(data)
            if reply is None:
                self.stopped.wait(60)  # hang
                return
            conn.sendall(reply)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stopped.set()
        self.sock.close()
        for c in self.open:
            try:
                c.close()
            except OSError:
                pass


def reply(body, status="200 OK", content_length=None, headers=""):
    if isinstance(body, str):
        body = body.encode()
    length = len(body) if content_length is None else content_length
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {length}\r\n"
            f"{headers}Connection: close\r\n\r\n").encode() + body
