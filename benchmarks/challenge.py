"""Challenge path benchmark (scaffold): K concurrent Sécur'Pass approvals.

What it will measure once the ACS has the routes: for K transactions answered ``C`` with
Sécur'Pass, K simulated phones approve at once (``merchant_simulator.phone``), and we time
approval → the browser challenge page showing the result, and approval → the RReq reaching a
fake DS. Until then it reports "not available yet", found by HTTP 404 on the routes below
(the Sécur'Pass routes are the planned ones of docs/securpass-protocol.md §9). It never
reports numbers it did not measure.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from benchmarks.servers import Server

__all__ = ["REQUIRED_ROUTES", "probe", "run_challenge"]

REQUIRED_ROUTES = (
    ("POST", "/3ds/challenge"),  # the browser challenge page (acsURL)
    ("POST", "/securpass/v1/enrolments"),  # a phone enrols
    ("POST", "/securpass/v1/operations/probe/answer"),  # a phone approves
)


def _status(url: str, method: str) -> int:
    request = urllib.request.Request(url, data=b"{}" if method == "POST" else None, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


def probe(server: Server) -> dict[str, int]:
    """HTTP status of each required route (404: the ACS does not have it)."""
    return {f"{m} {p}": _status(server.base_url + p, m) for m, p in REQUIRED_ROUTES}


def run_challenge(server: Server, *, concurrent: int) -> dict:
    """The challenge-path result: "not available yet" while a required route answers 404."""
    routes = probe(server)
    missing = [route for route, status in routes.items() if status in (0, 404)]
    if missing:
        message = f"not available yet: the ACS answers 404 on {', '.join(missing)}"
    else:
        message = "not available yet: the routes exist but the approval driver is not written"
    return {"available": False, "concurrent": concurrent, "routes": routes, "message": message}
