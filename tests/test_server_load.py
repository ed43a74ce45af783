"""The HTTP server under 16 concurrent loopback clients: no error, no memory growth.

A load test with a bounded duration and request count, on 127.0.0.1 only: 6 s
in the test suite (``TOOLPICKER_LOAD_SECONDS`` for longer; ``make bench`` runs
the long one, recorded in BENCHMARKS.md). The assertions are about errors and
leaks, not speed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

CLIENTS = 16
SECONDS = float(os.environ.get("TOOLPICKER_LOAD_SECONDS", "6"))
MAX_REQUESTS = 200_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _post(url: str, body: dict[str, object]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",  # noqa: S310 - loopback
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback, our own server
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_sixteen_clients_without_errors_or_leaks(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TOOLPICKER_CACHE_DIR": str(tmp_path / "cache")}
    server = subprocess.Popen([sys.executable, "-m", "toolpicker", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/api/schema", timeout=2).read()  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        profiles = [{"employees": n, "siae": n % 3 == 0, "needs": ["website"] if n % 2 else [],
                     "digital_budget_eur": 300 * (n % 5), "maturity": ["beginner", "progressing", "experienced"][n % 3]}
                    for n in range(40)]
        bad = {"employes": 3}
        for profile in profiles:  # warm-up: caches and allocator arenas fill before the first reading
            _post(f"{base}/api/recommend?as_of=2026-11-28", profile)
        before = _rss_mb(server.pid)
        counts = {"ok": 0, "unprocessable": 0, "errors": 0}
        lock = threading.Lock()
        deadline = time.monotonic() + SECONDS

        def client(k: int) -> None:
            i = k
            while time.monotonic() < deadline and sum(counts.values()) < MAX_REQUESTS:
                body = bad if i % 10 == 0 else profiles[i % len(profiles)]
                status = _post(f"{base}/api/recommend?as_of=2026-11-28", body)
                with lock:
                    if status == 200:
                        counts["ok"] += 1
                    elif status == 422 and body is bad:
                        counts["unprocessable"] += 1
                    else:
                        counts["errors"] += 1
                i += CLIENTS

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        after = _rss_mb(server.pid)
        print(f"\n{CLIENTS} clients, {SECONDS:.0f} s: {counts}, RSS {before:.1f} -> {after:.1f} MB")
        assert counts["errors"] == 0
        assert counts["ok"] > 0 and counts["unprocessable"] > 0
        assert after - before < 20
        assert server.poll() is None  # still serving
    finally:
        server.terminate()
        server.wait(timeout=10)
