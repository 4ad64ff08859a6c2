"""A test 3DS SDK: the app side of the challenge, written independently of ``acs.crypto``.

Its JOSE, ECDH and Concat KDF code uses ``cryptography`` primitives directly, so a bug shared
with the ACS cannot pass on both sides.
"""

from merchant_simulator.sdk.channel import Channel, ChannelError, SignedContentInvalid
from merchant_simulator.sdk.client import AppSdk, SdkErro

__all__ = ["AppSdk", "Channel", "ChannelError", "SdkErro", "SignedContentInvalid"]
