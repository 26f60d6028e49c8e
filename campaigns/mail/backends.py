"""Delivery backends: real SMTP, the console, and the development mailbox."""

import logging
import smtplib
import ssl
from email.message import EmailMessage

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The server refused this message for good; retrying will not help."""


class SmtpBackend:
    """Sends through the MAIL_* server, one connection per batch."""

    def __init__(self, config: dict):
        """Keep the settings; connect lazily."""
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        """Open (and if asked, secure and authenticate) the SMTP connection."""
        c = self.config
        host, port, timeout = c["MAIL_SERVER"], c["MAIL_PORT"], c["MAIL_TIMEOUT"]
        if c["MAIL_USE_SSL"]:
            conn = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(host, port, timeout=timeout)
            if c["MAIL_USE_TLS"]:
                conn.starttls(context=ssl.create_default_context())
        if c["MAIL_USERNAME"]:
            conn.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"] or "")
        return conn

    def send(self, message: EmailMessage) -> None:
        """Send one message; refused recipients are a permanent failure."""
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError) as exc:
            # Refused recipient, or an address the server cannot carry (no SMTPUTF8).
            raise PermanentFailure(str(exc) or type(exc).__name__) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx is final, except 521/554, which servers also use while refusing service
            # as a whole (overload, greylisting): those are retried like an outage.
            if 500 <= exc.smtp_code < 600 and exc.smtp_code not in (521, 554):
                raise PermanentFailure(str(exc)) from exc
            raise

    def close(self) -> None:
        """Say goodbye to the server if connected."""
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


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
