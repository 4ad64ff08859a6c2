"""The baseline: a bare aiohttp app that parses the AReq JSON and answers a fixed ARes.

It does what every HTTP JSON service must do (read, parse, serialize, answer) and nothing of the
ACS's work, so ACS / baseline is the cost of the ACS itself on the same machine and stack.

    python -m benchmarks.baseline --port 8100
"""

from __future__ import annotations

import argparse
import json

from aiohttp import web

__all__ = ["ROUTE", "create_app", "main"]

ROUTE = "/3ds/areq"
FIXED_ARES = {
    "messageType": "ARes",
    "messageVersion": "2.2.0",
    "acsTransID": "d7c1ee99-9478-44a6-b1f2-391e29c6b340",
    "acsReferenceNumber": "3DS_LOA_ACS_BENCH_020200_00001",
    "acsOperatorID": "ACS-BENCH-01",
    "dsReferenceNumber": "DS_TEST_REF_0001",
    "transStatus": "Y",
    "eci": "05",
    "authenticationValue": "QUJDREVGR0hJSktMTU5PUFFSU1Q=",
}


async def areq(request: web.Request) -> web.Response:
    message = json.loads(await request.read())
    ares = {
        **FIXED_ARES,
        "threeDSServerTransID": message.get("threeDSServerTransID"),
        "dsTransID": message.get("dsTransID"),
    }
    return web.json_response(ares)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post(ROUTE, areq)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="baseline AReq server for the benchmarks")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(create_app(), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
