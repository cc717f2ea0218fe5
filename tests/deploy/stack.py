"""The production stack of deploy/, on loopback, for tests/deploy/test_stack.py: a certificate
made here, nginx with the site rendered from deploy/nginx/pajr.conf, and the commands of the
systemd units (gunicorn with deploy/gunicorn.conf.py, a Celery worker per queue, beat), with the
environment of deploy/pajr.env.example. Plus a small HTTPS client that keeps cookies and follows
no redirect. Nothing is mocked."""

import contextlib
import datetime
import http.client
import ipaddress
import os
import re
import shlex
import signal
import socket
import ssl
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNIT_PREFIX = "/srv/pajr/.venv/bin/"
UNIT_STATE = "/var/lib/pajr"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def render_site(values: dict[str, str]) -> str:
    """deploy/nginx/pajr.conf with every @@NAME@@ replaced, as the README says to do."""
    text = (DEPLOY / "nginx" / "pajr.conf").read_text()
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    left = set(re.findall(r"@@(\w+)@@", text))
    assert not left, f"placeholders not filled: {sorted(left)}"
    return text


def nginx_main_config(folder: Path, site: Path) -> str:
    """The test's own nginx.conf (Debian's would write to /var/log and /run) around the site."""
    temp = {kind: folder / f"{kind}_temp" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    # As root, nginx's workers would otherwise run as nobody, who cannot read the test's folders.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temps = "\n".join(f"    {kind}_temp_path {path};" for kind, path in temp.items())
    return (
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {folder}/nginx-other.log;\n{temps}\n    include {site};\n}}\n"
    )


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as systemd's EnvironmentFile= reads them (comments and blanks skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"')
    return values


def unit_command(unit: str, *, instance: str = "", state_dir: Path) -> list[str]:
    """The ExecStart= of a unit of deploy/systemd, for this checkout: its virtualenv, `instance` for
    %i, the host name for %H, `state_dir` for /var/lib/pajr."""
    text = (DEPLOY / "systemd" / unit).read_text()
    (line,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    command = line.removeprefix("ExecStart=").replace("%i", instance).replace("%H", socket.gethostname())
    command = command.replace(UNIT_STATE, str(state_dir))
    assert command.startswith(UNIT_PREFIX), command
    venv_bin = REPO / ".venv" / "bin"
    return [str(venv_bin / command.removeprefix(UNIT_PREFIX).split()[0]), *shlex.split(command)[1:]]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    @classmethod
    def start(cls, name: str, command: list[str], *, env: dict, log_path: Path, cwd: Path = REPO) -> "Process":
        with log_path.open("ab") as log:
            popen = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return cls(name, popen, log_path)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, ready, *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not ready(self):
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited with code {self.popen.returncode}:\n{self.log[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log[-4000:]}")
            time.sleep(0.2)

    def stop(self, grace: float = 15) -> None:
        """SIGTERM to its process group (what systemd's KillMode=mixed does at the end), then SIGKILL."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class HttpsClient:
    """One visitor: cookies kept, redirects not followed, the test's certificate trusted."""

    port: int
    cafile: Path
    host: str = "localhost"
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None) -> Response:
        context = ssl.create_default_context(cafile=str(self.cafile))
        connection = http.client.HTTPSConnection(self.host, self.port, context=context, timeout=30)
        headers = {"Accept-Language": "fr", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            # nginx may answer (413) before the whole body is sent: that answer is read below.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(response.status, response.headers, data)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def follow(self, response: Response, limit: int = 5) -> Response:
        while response.status in (301, 302, 303) and limit:
            location = response.location.removeprefix(self.origin)
            assert location.startswith("/"), f"redirect off the site: {response.location}"
            response, limit = self.get(location), limit - 1
        return response

    def csrf_token(self, page: Response) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, f"no CSRF token in the page:\n{page.text[:2000]}"
        return match.group(1)

    def post(self, path: str, fields: dict, files: dict[str, tuple[str, bytes, str]] | None = None) -> Response:
        headers = {"Origin": self.origin, "Referer": self.origin + path}
        if files:
            boundary = uuid.uuid4().hex
            body = multipart(boundary, fields, files)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", path, body=body, headers=headers)


def multipart(boundary: str, fields: dict, files: dict[str, tuple[str, bytes, str]]) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()
