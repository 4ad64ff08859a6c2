"""The dashboard through the real app: per day, AReqs by answer, the frictionless rate,
challenges by method and outcome, refusals and declarations, as SVG charts with their table."""

from __future__ import annotations

from html import unescape

from acs.flows.backoffice.dashboard import percentile
from tests.areqs import areq


async def pay(client, minor: int, pan: str = "4970100000000014") -> dict:
    message = areq(acctNumber=pan, purchaseAmount=str(minor))
    return await (await client.post("/3ds/areq", json=message)).json()


def test_percentile_is_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([float(i) for i in range(1, 101)], 99) == 99.0


async def test_the_dashboard_counts_the_day(client, login, camille, clock):
    """Two frictionless, one challenge, one refusal (an opposed card) today."""
    await pay(client, 2000)
    await pay(client, 2000)
    await pay(client, 90000)
    await pay(client, 2000, pan="4970100000000030")  # Chloé's opposed card: N
    await login()
    answer = await client.get("/backoffice/dashboard")
    text = unescape(await answer.text())
    assert answer.status == 200
    assert text.count("<svg") == 5 and 'role="img"' in text and "<title" in text
    assert "http://" not in text.split("<svg", 1)[1].replace("http://www.w3.org/2000/svg", "")
    today = clock.now().strftime("%d/%m/%Y")
    row = text.split(f"<td>{today}</td>", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    assert cells[:5] == ["4", "75,0\u00a0%", "1", "1", "0"], cells
    assert "securpass_oob en cours" in text
