"""HTTP: the aiohttp app, its routes and the one place that turns exceptions into answers."""

from acs.web.app import create_app

__all__ = ["create_app"]
