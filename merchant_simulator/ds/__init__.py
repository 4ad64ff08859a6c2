"""A Directory Server simulator: routes AReqs by card range, relays RReqs, lists card ranges."""

from merchant_simulator.ds.app import create_ds_app
from merchant_simulator.ds.config import AcsRange, DsConfig

__all__ = ["AcsRange", "DsConfig", "create_ds_app"]
