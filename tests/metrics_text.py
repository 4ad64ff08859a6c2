"""Reading /metrics in tests: the counters are the process's (prometheus-client), so tests
compare a scrape before and after what they do."""

from __future__ import annotations

import re


def sample(text: str, name: str, **labels: str) -> float:
    """The value of ``name{labels}`` in a Prometheus text scrape (0 when absent); labels not
    given are summed over."""
    total = 0.0
    for found in re.finditer(rf"^{re.escape(name)}(?:\{{([^}}]*)\}})? (\S+)$", text, re.M):
        have = dict(re.findall(r'(\w+)="([^"]*)"', found[1] or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(found[2])
    return total


async def scrape(client) -> str:
    return await (await client.get("/metrics")).text()
