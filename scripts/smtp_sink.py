"""A real SMTP server on loopback, which can be up, down or hanging (tests, prod-local).

``SmtpSink`` keeps one port for its whole life: ``up()`` serves SMTP there (aiosmtpd)
and records every message; ``down()`` closes the port (connections are refused);
``hang()`` accepts connections and never says a word, as a stuck mail server does.
"""

import socket
import threading

from aiosmtpd.controller import Controller

from scripts.with_postgres import free_port


class _Recorder:
    def __init__(self, messages: list, on_message=None):
        self.messages = messages
        self.on_message = on_message

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        if self.on_message is not None:
            self.on_message(envelope)
        return "250 OK"


class SmtpSink:
    """An SMTP server at ``127.0.0.1:port``; starts down."""

    def __init__(self, port: int | None = None, on_message=None):
        self.port = port or free_port()
        self.on_message = on_message
        self.messages: list = []
        self._controller: Controller | None = None
        self._hang_socket: socket.socket | None = None
        self._held: list[socket.socket] = []

    def up(self) -> None:
        if self._controller is not None:
            return  # serving already
        self.down()
        self._controller = Controller(
            _Recorder(self.messages, self.on_message),
            hostname="127.0.0.1",
            port=self.port,
            ready_timeout=10,
        )
        self._controller.start()

    def hang(self) -> None:
        self.down()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._hang_socket = listener

        def accept_and_hold():
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return  # closed by down()
                self._held.append(connection)  # never answered

        threading.Thread(target=accept_and_hold, daemon=True).start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._hang_socket is not None:
            try:  # wakes the thread blocked in accept(); close() alone would not
                self._hang_socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._hang_socket.close()
            self._hang_socket = None
        for connection in self._held:
            connection.close()
        self._held.clear()

    def held_connections(self) -> int:
        """Connections the hanging server has taken and never answered."""
        return len(self._held)

    def recipients(self) -> list[str]:
        """Everyone a message was delivered to, once per message."""
        return [address for envelope in self.messages for address in envelope.rcpt_tos]
