"""A small closed-loop HTTP load generator: threads + http.client, loopback only, bounded in time.

Each virtual user logs in, then browses (sheet list, sheet pages) and saves 個表 through the edit
form exactly as a browser would post it (every field of the form, the optimistic-locking version
included). It never leaves 127.0.0.1 and stops by itself at its deadline.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

STALE_MARK = "他の利用者が先に保存しました"
HOST = "127.0.0.1"
RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class FormParser(HTMLParser):
    """The fields of every <form> of a page, serialised as a browser submits them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._select: tuple[str, list[str], list[str]] | None = None  # name, selected, all
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        if not self.forms or "disabled" in a:
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                fields.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[2].append(value)
            if "selected" in a:
                self._select[1].append(value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, selected, options = self._select
            for value in selected or options[:1]:
                self.forms[-1].append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            self.forms[-1].append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None


def form_with(html: str, field_name: str) -> list[tuple[str, str]] | None:
    parser = FormParser()
    parser.feed(html)
    return next((f for f in parser.forms if any(name == field_name for name, _ in f)), None)


@dataclass
class Sample:
    kind: str
    ms: float
    status: int


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stale: int = 0
    reconnects: int = 0
    saves: list[tuple[int, int, str]] = field(default_factory=list)  # sheet id, version after, token
    lock: threading.Lock = field(default_factory=threading.Lock)


class User:
    def __init__(self, port: int, results: Results):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.results = results

    def request(self, kind: str, method: str, path: str, body: dict | list | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in (1, 2):
            reused = self.conn.sock is not None
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read().decode("utf-8", errors="replace")
                break
            except (OSError, http.client.HTTPException) as error:
                self.conn.close()
                # The server closed an idle keep-alive connection before reading the request: send it
                # again on a new connection, as a browser does. Anything else is an error.
                if attempt == 1 and reused and isinstance(error, RETRYABLE):
                    with self.results.lock:
                        self.results.reconnects += 1
                    started = time.perf_counter()
                    continue
                with self.results.lock:
                    self.results.errors.append(f"{kind} {path}: {error!r}")
                return 0, ""
        ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        with self.results.lock:
            self.results.samples.append(Sample(kind, ms, response.status))
            if response.status >= 500 or response.status in (400, 403, 404):
                self.results.errors.append(f"{kind} {path}: HTTP {response.status}")
        return response.status, content

    def login(self, username: str, password: str) -> bool:
        _status, page = self.request("login", "GET", "/login/")
        fields = form_with(page, "csrfmiddlewaretoken") or []
        token = dict(fields).get("csrfmiddlewaretoken", "")
        body = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        status, _ = self.request("login", "POST", "/login/", body)
        return status == 302

    def save(self, sheet_id: int, token: str) -> None:
        status, page = self.request("edit_page", "GET", f"/sheets/{sheet_id}/edit/")
        fields = form_with(page, "header-version") if status == 200 else None
        if not fields:
            if status == 200:
                with self.results.lock:
                    self.results.errors.append(f"edit form of {sheet_id} not found")
            return
        version = int(dict(fields)["header-version"])
        body = [(k, token if k == "direction-direction_text" else v) for k, v in fields]
        status, page = self.request("save", "POST", f"/sheets/{sheet_id}/edit/", body)
        with self.results.lock:
            if status == 302:
                self.results.saves.append((sheet_id, version + 1, token))
            elif status == 200 and STALE_MARK in page:
                self.results.stale += 1
            elif status == 200:
                self.results.errors.append(f"save {sheet_id}: form refused")


def run_users(
    *, port: int, users: list[tuple[str, str]], duration: float, actions, seed: int = 1
) -> tuple[Results, float]:
    """Run every user in its own thread until ``duration`` seconds have passed; return the results."""
    results = Results()
    barrier = threading.Barrier(len(users) + 1)

    def loop(index: int, username: str, password: str) -> None:
        rng = random.Random(f"{seed}-{index}")
        user = User(port, results)
        ok = user.login(username, password)
        barrier.wait()
        if not ok:
            with results.lock:
                results.errors.append(f"login {username} failed")
            return
        n, deadline = 0, time.perf_counter() + duration
        while time.perf_counter() < deadline:
            n += 1
            actions(user, rng, f"u{index}-{n}")
            time.sleep(rng.uniform(0.05, 0.25))  # a user's think time, short: this is a stress test

    threads = [
        threading.Thread(target=loop, args=(i, name, pw), daemon=True) for i, (name, pw) in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=duration + 120)
    return results, time.perf_counter() - started
