"""``start_simulators`` starts DS, 3DS Server and shop on free ports and stops them."""

from __future__ import annotations

import aiohttp

from merchant_simulator.run import start_simulators


async def test_start_simulators_on_ephemeral_ports() -> None:
    """With ports 0 each party answers on its own URL; close() stops them all."""
    simulators = await start_simulators("http://127.0.0.1:9", ports=(0, 0, 0))
    try:
        urls = {simulators.shop_url, simulators.ds_url, simulators.threeds_server_url}
        assert len(urls) == 3
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{simulators.shop_url}/") as response:
                assert "Vente Privée Démo" in await response.text()
            async with session.get(f"{simulators.ds_url}/ranges") as response:
                ranges = (await response.json())["cardRangeData"]
        assert [r["threeDSMethodURL"] for r in ranges] == ["http://127.0.0.1:9/3ds/method"] * 2
    finally:
        await simulators.close()
