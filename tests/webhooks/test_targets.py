"""The SSRF guard: forbidden addresses refused at registration and at send time."""

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from campaigns.webhooks import targets, transport
from campaigns.webhooks.targets import (
    TargetRefused,
    address_problem,
    check_registration,
    checked_addresses,
    parse_target,
)

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.20", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata services
    ("100.64.0.1", "non-public"),  # carrier-grade NAT
    ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fc00::1", "private"),  # unique local (ULA)
    ("fd12:3456::1", "private"),
    ("fe80::1", "link-local"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
]


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_each_forbidden_kind_of_address_is_named(address, kind):
    """Every private, loopback, link-local, multicast, reserved or mapped address is refused."""
    assert address_problem(address, allow_private=False) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass(address):
    """Ordinary public addresses are fine."""
    assert address_problem(address, allow_private=False) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "::1", "fc00::1"])
def test_allow_private_lets_local_targets_through(address):
    """WEBHOOK_ALLOW_PRIVATE: loopback and private addresses are allowed."""
    assert address_problem(address, allow_private=True) is None


@pytest.mark.parametrize("address", ["0.0.0.0", "224.0.0.1"])
def test_allow_private_still_refuses_what_is_no_host(address):
    """Unspecified and multicast addresses are refused even then."""
    assert address_problem(address, allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fc00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",
        "https://localhost:8443/hook",
    ],
)
def test_registration_refuses_private_targets(url):
    """Literal addresses and localhost are refused when registering."""
    with pytest.raises(TargetRefused):
        check_registration(url, allow_private=False)


def test_a_name_resolving_to_loopback_is_refused(monkeypatch):
    """A public-looking name whose DNS points inside is refused, at registration and send."""
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["93.184.216.34", "127.0.0.1"])
    with pytest.raises(TargetRefused, match=r"sneaky\.example\.com resolves to a non-public"):
        check_registration("https://sneaky.example.com/hook", allow_private=False)
    target = parse_target("https://sneaky.example.com/hook", allow_private=False)
    with pytest.raises(TargetRefused):
        checked_addresses(target, allow_private=False)


def test_numeric_host_spellings_are_resolved_and_refused():
    """127.1 and 2130706433 are loopback to the resolver, so they are refused too."""
    for url in ("https://127.1/hook", "https://2130706433/hook"):
        with pytest.raises(TargetRefused):
            check_registration(url, allow_private=False)


def test_a_name_that_does_not_resolve_yet_may_be_registered(monkeypatch):
    """The receiver may not be deployed yet; each send checks again."""

    def fail(host, port):
        raise OSError("Name or service not known")

    monkeypatch.setattr(targets, "resolve", fail)
    assert check_registration(" https://hooks.example.org/x ", allow_private=False) == (
        "https://hooks.example.org/x"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/x", "https://"),
        ("ftp://hooks.example.org/x", "https://"),
        ("https://user:pw@hooks.example.org/x", "user name"),
        ("https://hooks.example.org:99999/x", "not a web address"),
        ("https://hooks_example/x", "not a web address"),
        ("https://intranet/x", "not a web address"),
        ("https://fe80::1%25eth0/x", "not a web address"),
        ("https://hooks.example.org/a b", "not a web address"),
        ("", "Give the address"),
        ("https://" + "a" * 2050 + ".org/", "not a web address"),
    ],
)
def test_malformed_or_plain_http_urls_are_refused(url, message):
    """https only, no credentials, a real host name, a valid port."""
    with pytest.raises(TargetRefused, match=message):
        parse_target(url, allow_private=False)


def test_allow_private_permits_plain_http():
    """For development: http and local names are allowed."""
    target = parse_target("http://localhost:8000/hooks?x=1", allow_private=True)
    assert (target.scheme, target.host, target.port, target.path) == (
        "http", "localhost", 8000, "/hooks?x=1"
    )  # fmt: skip
    assert target.host_header == "localhost:8000"


def test_dns_is_asked_once_per_send_and_the_checked_address_is_used(monkeypatch):
    """Rebinding: the connection goes to the address that was checked, never a second answer."""
    answers = [["93.184.216.34"], ["127.0.0.1"]]
    asked, connected = [], []
    monkeypatch.setattr(targets, "resolve", lambda host, port: asked.append(host) or answers.pop(0))

    class Refuse(Exception):
        """Stop before any network traffic."""

    def fake_open(target, addresses, deadline):
        connected.extend(addresses)
        raise Refuse

    monkeypatch.setattr(transport, "_open", fake_open)
    with pytest.raises(Refuse):
        transport.post("https://rebind.example.com/h", b"{}", {}, timeout=1, allow_private=False)
    assert asked == ["rebind.example.com"] and connected == ["93.184.216.34"]


@pytest.fixture
def tls_receiver(tmp_path):
    """An HTTPS server on 127.0.0.1 whose certificate names hooks.test (self-signed)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=hooks.test",
         "-addext", "subjectAltName=DNS:hooks.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    hosts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            """Record the Host header and answer 204."""
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hosts.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            """Quiet."""

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], str(cert), hosts
    server.shutdown()
    server.server_close()


def test_https_to_a_pinned_address_checks_the_certificate_name(monkeypatch, tls_receiver):
    """The socket goes to the checked IP, while TLS verifies the URL's host name (SNI)."""
    port, cert, hosts = tls_receiver
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["127.0.0.1"])
    monkeypatch.setattr(transport, "CA_CERTS", cert)
    url = f"https://hooks.test:{port}/in"
    answer = transport.post(url, b"{}", {}, timeout=3, allow_private=True)
    assert answer.status == 204 and hosts == [f"hooks.test:{port}"]
    with pytest.raises(ValueError, match="doesn't match"):
        transport.post(f"https://other.test:{port}/in", b"{}", {}, timeout=3, allow_private=True)
    monkeypatch.setattr(transport, "CA_CERTS", None)
    with pytest.raises(ssl.SSLError):
        transport.post(url, b"{}", {}, timeout=3, allow_private=True)  # not a trusted CA


def test_a_receiver_that_trickles_is_cut_at_the_timeout():
    """A response sent a byte at a time cannot hold the worker past the timeout."""
    import time

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):
            """Start a status line, then drip."""
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(30):
                time.sleep(0.1)
                try:
                    self.wfile.write(b"X")
                except OSError:
                    return

        def log_message(self, *args):
            """Quiet."""

    server = HTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            transport.post(url, b"{}", {}, timeout=1, allow_private=True)
        assert time.monotonic() - started < 2.5
    finally:
        server.shutdown()
        server.server_close()
