"""The security headers of every answer, set in one place (issue #12 point 8).

- ``X-Content-Type-Options: nosniff`` on every answer;
- ``Cache-Control: no-store`` on every answer that does not set its own: ARes, Erro, CRes,
  challenge pages, the device API, the back office and the dev SMS inbox carry personal or
  transaction data, and nothing the ACS serves is worth caching (``/3ds/ranges`` and the ops
  endpoints included: they are cheap and change with the configuration);
- ``Strict-Transport-Security`` when the request came over TLS (``request.secure``; behind a
  TLS-terminating proxy the proxy sets it);
- ``Server: acs``, without a version.

It is an ``on_response_prepare`` hook, not a middleware: it sees every answer of the app,
including the router's 404/405, raised ``HTTPException`` pages and the WebSocket upgrade. The
answers aiohttp writes before any app sees the request (a malformed request line or header)
get aiohttp's default ``Server`` header, which :func:`install` replaces once for the process.
"""

from __future__ import annotations

from aiohttp import web, web_response

__all__ = ["HSTS", "SERVER", "install", "security_headers"]

SERVER = "acs"
HSTS = "max-age=31536000"  # one year; no includeSubDomains: the bank's other hosts are not ours


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Add the headers to ``response`` just before it is sent."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Cache-Control", "no-store")
    headers["Server"] = SERVER
    if request.secure:
        headers["Strict-Transport-Security"] = HSTS


def install(app: web.Application) -> None:
    """Register the hook on ``app`` and drop the version from aiohttp's own error answers."""
    # aiohttp reads this module global when it writes an answer's headers (setdefault), the
    # only way to reach the parser's 400s, which no application hook sees.
    web_response.SERVER_SOFTWARE = SERVER
    app.on_response_prepare.append(security_headers)
