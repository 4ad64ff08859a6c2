"""The Banxo phone page: a phone drawn in the browser, backed by the phone client library.

``create_phone_app(PhoneWebConfig(acs_url, data_dir, idp_url))`` serves ``/phone/1`` (the
customer's phone) and ``/phone/2`` (a new phone, for the transfer of SP-40). The server keeps
each phone's keys in ``data_dir``, logs in at the bank's identity provider (``idp_url``) and
speaks only HTTP to both; the page gets live updates by server-sent events.
"""

from merchant_simulator.phone_web.app import SLOTS, create_phone_app
from merchant_simulator.phone_web.config import DEFAULT_PHONES, PhoneProfile, PhoneWebConfig
from merchant_simulator.phone_web.errors import SlotError
from merchant_simulator.phone_web.slot import PhoneSlot

__all__ = [
    "DEFAULT_PHONES",
    "SLOTS",
    "PhoneProfile",
    "PhoneSlot",
    "PhoneWebConfig",
    "SlotError",
    "create_phone_app",
]
