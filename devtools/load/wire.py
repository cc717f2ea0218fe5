"""HTTP/1.1 as the load generator speaks it: a request written in one piece, an answer read to its
end so that the connection can carry the next (Content-Length, chunked, or until the server closes).
What fails raises what http.client raises in the same case, so the generator counts it alike:
RemoteDisconnected when the server closed the connection before answering (a keep-alive connection
it closed while idle), BadStatusLine, IncompleteRead; the socket's own errors are OSErrors."""

import http.client
from io import BufferedReader

MAX_LINE = 65_536
NO_BODY = (204, 304)


def request_bytes(method: str, path: str, body: bytes, headers: dict[str, str], host: str) -> bytes:
    """The request as sent: request line, Host, the given headers, Content-Length when there is a
    body (or a POST without one), then the body."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def read_response(reader: BufferedReader) -> tuple[int, bool]:
    """Read one whole answer from `reader`: its status, and whether the connection must close after
    it (HTTP/1.0, `Connection: close`, or a body that ends with the connection)."""
    status_line = reader.readline(MAX_LINE + 1)
    if not status_line:
        raise http.client.RemoteDisconnected("Remote end closed connection without response")
    version, _, rest = status_line.partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/") or not code.isdigit():
        raise http.client.BadStatusLine(status_line.decode("latin-1").rstrip())
    status, will_close = int(code), version == b"HTTP/1.0"
    length, chunked = None, False
    while True:
        line = reader.readline(MAX_LINE + 1)
        if not line:
            raise http.client.IncompleteRead(b"")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = _number(value, 10)
        elif name == b"transfer-encoding":
            chunked = value.endswith(b"chunked")
        elif name == b"connection":
            will_close = value == b"close" or (will_close and value != b"keep-alive")
    if status in NO_BODY or 100 <= status < 200:
        return status, will_close
    if chunked:
        _read_chunks(reader)
    elif length is not None:
        _read_exactly(reader, length)
    else:  # the body ends with the connection
        reader.read()
        will_close = True
    return status, will_close


def _read_exactly(reader: BufferedReader, length: int) -> None:
    got = reader.read(length)
    if len(got) < length:
        raise http.client.IncompleteRead(got, length - len(got))


def _read_chunks(reader: BufferedReader) -> None:
    while True:
        size_line = reader.readline(MAX_LINE + 1)
        if not size_line:
            raise http.client.IncompleteRead(b"")
        size = _number(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while reader.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):  # trailers
                pass
            return
        _read_exactly(reader, size + 2)  # the chunk and its CRLF


def _number(text: bytes, base: int) -> int:
    try:
        number = int(text, base)
    except ValueError:
        number = -1
    if number < 0:
        raise http.client.HTTPException(f"not a length: {text[:40]!r}")
    return number
