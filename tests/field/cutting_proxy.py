# SPDX-License-Identifier: GPL-2.0-or-later
"""A TCP proxy on 127.0.0.1 that cuts the connection once, N bytes into a PATCH (or a POST) of a photo."""

import socket
import threading

from live import free_port


class CuttingProxy:
    def __init__(self, upstream_port: int):
        self.upstream, self.port = upstream_port, free_port()
        self.cut_after: int | None = None  # bytes of PATCH traffic on one connection before the cut
        self.cut_on = b"PATCH "  # or b"POST /api/v1/uploads" for a creation-with-upload cut midway
        self.cuts = 0
        self.sock = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src, dst, upward: bool) -> None:
        seen = None  # bytes since the first PATCH on this connection
        try:
            while data := src.recv(65536):
                if upward and self.cut_after is not None:
                    seen = seen if seen is not None else (0 if self.cut_on in data else None)
                    if seen is not None and seen + len(data) > self.cut_after:
                        dst.sendall(data[:self.cut_after - seen])
                        self.cut_after, self.cuts = None, self.cuts + 1
                        raise OSError("cut")
                    seen = None if seen is None else seen + len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):  # shutdown wakes the other pump's recv; close alone would not
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self) -> None:
        self.sock.close()
