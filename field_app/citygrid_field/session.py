# SPDX-License-Identifier: GPL-2.0-or-later
"""The device's side of the HTTP API: every request, its errors as coded Problems, and signing in.

A network error and a 5xx are `Retryable` (the sync job backs off and tries again); a 401 on a signed-in
route is `field.sign_in_again`; any other refusal is the centre's own code and details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from citygrid.problems import Problem
from citygrid.sync import protocol
from citygrid.sync.protocol import PullPage, PushBatch, PushReply

from .store import Store

if TYPE_CHECKING:
    import httpx  # imported when the first request is made: a cold start to the task list never needs it


class Retryable(Exception):
    """Try again later: the server could not be reached or was busy (`retry_after` seconds if it said)."""

    def __init__(self, problem: Problem, retry_after: float | None = None):
        super().__init__(str(problem))
        self.problem, self.retry_after = problem, retry_after


@dataclass
class Api:
    server: str
    token: str | None = None
    lang: str = "zh_CN"
    transport: httpx.BaseTransport | None = None  # tests put a fake or a cutting proxy here
    timeout: float = 30.0

    def __post_init__(self):
        import httpx

        self.server = self.server.rstrip("/")
        self.http = httpx.Client(base_url=self.server, transport=self.transport, timeout=self.timeout)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, ok: tuple[int, ...] = (), **kw) -> httpx.Response:
        """The answer when it is a 2xx or one of `ok`; otherwise raises Retryable or a Problem."""
        headers = {protocol.HEADER: str(protocol.PROTOCOL), "Accept-Language": self.lang.replace("_", "-"),
                   **kw.pop("headers", {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        import httpx

        try:
            r = self.http.request(method, path, headers=headers, **kw)
        except httpx.TransportError as e:
            raise Retryable(Problem("field.unreachable", server=self.server, reason=type(e).__name__)) from e
        if r.is_success or r.status_code in ok:
            return r
        raise _refusal(r, signed_in=self.token is not None and not path.endswith("/auth/login"))

    def json(self, method: str, path: str, **kw):
        r = self.request(method, path, **kw)
        try:
            return r.json()
        except ValueError:
            raise Problem("sync.bad_answer", reason=f"{path} is not JSON") from None

    def check_protocol(self) -> dict:
        """The centre's /health, refused with `protocol.*` when it no longer serves this app's protocol."""
        health = self.json("GET", "/api/v1/health")
        if not isinstance(health, dict):
            raise Problem("sync.bad_answer", reason="health")
        protocol.check_version(protocol.PROTOCOL, newest=_version(health, "protocol"),
                               oldest=_version(health, "oldest_protocol"))
        return health

    def pull(self, cursor: str | None, limit: int) -> PullPage:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        return PullPage.from_wire(self.json("GET", "/api/v1/sync/pull", params=params))

    def push(self, batch: PushBatch) -> PushReply:
        return PushReply.from_wire(self.json("POST", "/api/v1/sync/push", json=batch.to_wire()))


def _version(health: dict, key: str) -> int:
    value = health.get(key, protocol.DEFAULT_PROTOCOL)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Problem("sync.bad_answer", reason=key)
    return value


def _refusal(r: httpx.Response, signed_in: bool) -> Exception:
    problem = _problem(r)
    if r.status_code >= 500 or r.status_code == 423:  # 423: another request is writing this upload
        return Retryable(problem, _retry_after(r))
    if r.status_code == 401 and signed_in:
        return Problem("field.sign_in_again", reason=problem.code)
    return problem


def _problem(r: httpx.Response) -> Problem:
    try:
        error = r.json().get("error")
        code, details = error["code"], error.get("details") or {}
        if not isinstance(code, str) or not isinstance(details, dict):
            raise TypeError
        return Problem(code, **{str(k): v for k, v in details.items()})
    except (ValueError, TypeError, KeyError, AttributeError):
        return Problem("field.server_status", status=r.status_code)


def _retry_after(r: httpx.Response) -> float | None:
    raw = r.headers.get("Retry-After", "")
    return float(min(int(raw), 3600)) if raw.isdigit() else None


def sign_in(store: Store, api: Api, username: str, password: str) -> dict:
    """Exchange credentials for a token and keep it. The outbox is never touched; another user's
    pulled tasks and cursor are dropped (their outbox items wait for them)."""
    api.token = None
    answer = api.json("POST", "/api/v1/auth/login",
                      json={"username": username, "password": password, "device_id": store.device_id})
    if not isinstance(answer, dict) or not isinstance(answer.get("token"), str):
        raise Problem("sync.bad_answer", reason="login")
    with store.transaction() as cx:
        if store.get("username") not in (None, username) or store.get("server") not in (None, api.server):
            cx.execute("DELETE FROM records")
            cx.execute("DELETE FROM tasks")
            store.put(cx, cursor=None, batch_id=None)
        store.put(cx, token=answer["token"], username=username, server=api.server,
                  expires_at=str(answer.get("expires_at")))
    api.token = answer["token"]
    return answer


def signed_in_api(store: Store, lang: str = "zh_CN", **kw) -> Api:
    """An Api for the server and token kept in the store (`field.not_signed_in` when there are none)."""
    server, token = store.get("server"), store.get("token")
    if not server or not token:
        raise Problem("field.not_signed_in")
    return Api(server, token, lang, **kw)
