"""Delivery backends: real SMTP, the console, and the development mailbox."""

import logging
import smtplib
import ssl
from email.message import EmailMessage

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The server refused this message for good; retrying will not help."""


class MaybeSent(Exception):
    """The connection failed after the message was handed over: it may have been delivered.

    Retrying could email the recipient twice, so the caller gives up on it instead.
    """


class _TracksData:
    """Remembers whether DATA was started, so a failure after it counts as maybe delivered."""

    data_started = False

    def data(self, msg):
        """Note that the message is being handed over, then send it."""
        self.data_started = True
        return super().data(msg)


class _SMTP(_TracksData, smtplib.SMTP):
    """smtplib.SMTP that tracks DATA."""


class _SMTP_SSL(_TracksData, smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL that tracks DATA."""


class SmtpBackend:
    """Sends through the MAIL_* server, one connection per delivery pass."""

    def __init__(self, config: dict):
        """Keep the settings; connect lazily."""
        self.config = config
        self.connection: _SMTP | None = None

    def _connect(self) -> "_SMTP":
        """Open (and if asked, secure and authenticate) the SMTP connection."""
        c = self.config
        host, port, timeout = c["MAIL_SERVER"], c["MAIL_PORT"], c["MAIL_TIMEOUT"]
        if c["MAIL_USE_SSL"]:
            conn = _SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = _SMTP(host, port, timeout=timeout)
            if c["MAIL_USE_TLS"]:
                conn.starttls(context=ssl.create_default_context())
        if c["MAIL_USERNAME"]:
            conn.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"] or "")
        return conn

    def send(self, message: EmailMessage) -> None:
        """Send one message; a connection the server dropped since the last one is reopened."""
        reused = self.connection is not None
        try:
            self._send(message)
        except smtplib.SMTPServerDisconnected:
            if not reused:
                raise
            # Servers close idle or long-lived connections; nothing was handed over yet.
            self._send(message)

    def _send(self, message: EmailMessage) -> None:
        """Send on the open connection; say whether a failure may have delivered it."""
        if self.connection is None:
            self.connection = self._connect()
        conn = self.connection
        conn.data_started = False
        try:
            conn.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            # 4xx for every recipient is greylisting or a full mailbox: worth retrying.
            if all(400 <= code < 500 for code, _ in exc.recipients.values()):
                raise
            raise PermanentFailure(str(exc) or type(exc).__name__) from exc
        except smtplib.SMTPNotSupportedError as exc:
            # An address the server cannot carry (no SMTPUTF8).
            raise PermanentFailure(str(exc) or type(exc).__name__) from exc
        except smtplib.SMTPResponseException as exc:
            # The server answered, so it did not take the message. 5xx is final, except
            # 521/554, which servers also use while refusing service as a whole (overload,
            # greylisting): those are retried like an outage.
            if 500 <= exc.smtp_code < 600 and exc.smtp_code not in (521, 554):
                raise PermanentFailure(str(exc)) from exc
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            if conn.data_started:
                raise MaybeSent(f"{type(exc).__name__}: {exc}") from exc
            raise

    def close(self) -> None:
        """Say goodbye to the server if connected."""
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()


class ConsoleBackend:
    """Writes each message to the log, for development and debugging."""

    def __init__(self, config: dict):
        """No settings needed."""
        self.config = config

    def send(self, message: EmailMessage) -> None:
        """Log the message's headers and plain-text body."""
        body = message.get_body(preferencelist=("plain",))
        log.warning(
            "Email to %s: %s\n%s",
            message["To"],
            message["Subject"],
            body.get_content() if body else "",
        )

    def close(self) -> None:
        """Nothing to close."""


class DevBackend(ConsoleBackend):
    """Console output; the sent rows are readable at /dev/mailbox."""


BACKENDS = {"smtp": SmtpBackend, "console": ConsoleBackend, "dev": DevBackend}


def get_backend(config: dict):
    """The backend named by MAIL_BACKEND."""
    return BACKENDS[config["MAIL_BACKEND"]](config)
