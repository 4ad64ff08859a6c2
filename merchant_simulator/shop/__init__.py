"""A French flash-sale shop (a demo): product, cart, checkout, and the 3-D Secure result."""

from merchant_simulator.shop.app import create_shop_app
from merchant_simulator.shop.config import ShopConfig

__all__ = ["ShopConfig", "create_shop_app"]
