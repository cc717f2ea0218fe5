"""The load generator's HTTP/1.1 (devtools.load.wire), on a real socket pair: each answer is read to
its end whatever says where it ends, the next one starts right after, and a broken answer raises
what http.client raises (the generator counts those as errors)."""

import http.client
import socket

import pytest

from devtools.load.wire import read_response, request_bytes


def answers(*raw: bytes):
    """A reader of the bytes `raw` as a server would have written them, then the server closing."""
    server, client = socket.socketpair()
    server.sendall(b"".join(raw))
    server.close()
    return client.makefile("rb")


def test_the_request_is_written_whole_with_its_host_and_a_body_length():
    assert request_bytes(
        "GET", "/conseil/?vue=tous", b"", {"Cookie": "a=b", "Accept-Language": "fr"}, "127.0.0.1:8000"
    ) == (b"GET /conseil/?vue=tous HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nCookie: a=b\r\nAccept-Language: fr\r\n\r\n")
    sent = request_bytes("POST", "/notes/", b"text=Appel", {"X-CSRFToken": "t"}, "h")
    assert sent == b"POST /notes/ HTTP/1.1\r\nHost: h\r\nX-CSRFToken: t\r\nContent-Length: 10\r\n\r\ntext=Appel"
    assert b"Content-Length: 0\r\n" in request_bytes("POST", "/", b"", {}, "h")


def test_answers_are_read_to_their_end_one_after_the_other_on_a_kept_connection():
    reader = answers(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/html\r\n\r\nhello",
        b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nRetry-After: 5\r\n\r\n"
        b"4\r\nbusy\r\n6;ext=1\r\n, wait\r\n0\r\nX-Trailer: 1\r\n\r\n",
        b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n",
        b"HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    )
    assert read_response(reader) == (200, False)
    assert read_response(reader) == (503, False)  # chunked, trailer included
    assert read_response(reader) == (304, False)  # no body
    assert read_response(reader) == (302, False)
    assert read_response(reader) == (200, True)  # the server said it closes
    with pytest.raises(http.client.RemoteDisconnected):  # and it did: no answer to a next request
        read_response(reader)


def test_an_answer_without_a_length_ends_with_the_connection_and_http_1_0_closes():
    assert read_response(answers(b"HTTP/1.1 200 OK\r\n\r\nuntil the end")) == (200, True)
    assert read_response(answers(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")) == (200, True)
    assert read_response(answers(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")) == (
        200,
        False,
    )


@pytest.mark.parametrize(
    ("raw", "raised"),
    [
        (b"", http.client.RemoteDisconnected),
        (b"SSH-2.0-OpenSSH\r\n", http.client.BadStatusLine),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", http.client.IncompleteRead),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", http.client.IncompleteRead),  # headers cut
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", http.client.IncompleteRead),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", http.client.HTTPException),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", http.client.HTTPException),
    ],
)
def test_a_broken_answer_raises_what_http_client_raises(raw, raised):
    with pytest.raises(raised):
        read_response(answers(raw))
