"""A real SMTP server on loopback (aiosmtpd) for delivery tests."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler that keeps every message, or refuses recipients when told to."""

    def __init__(self):
        """Start empty and accepting."""
        self.messages = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Accept the recipient, or refuse it permanently."""
        if self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the parsed message."""
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """Start and stop an aiosmtpd server on a fixed loopback port."""

    def __init__(self):
        """Pick a port; the server is not running yet."""
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        """Listen on the port."""
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        """Stop listening (the port then refuses connections)."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    """An SMTP server on loopback, stopped at the end of the test."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(app_factory, smtp_server):
    """An app that delivers through the loopback SMTP server."""
    return app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
