"""A 3DS Server simulator: builds browser AReqs from real browser data, runs the 3DS Method and
the challenge iframe, receives the final CRes and the RReq."""

from merchant_simulator.threeds_server.app import create_threeds_server_app
from merchant_simulator.threeds_server.browser import BrowserInfo
from merchant_simulator.threeds_server.config import Merchant, ThreeDSServerConfig

__all__ = ["BrowserInfo", "Merchant", "ThreeDSServerConfig", "create_threeds_server_app"]
