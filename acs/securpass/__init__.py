"""Sécur'Pass, the pure protocol core: eligibility, codes, enrolments, signed calls, operations.

Nothing here stores anything or talks to the network (house habit 2): functions take the current
state and ``now`` and return the next state or a ``Verified…`` result. ``acs.flows`` decides where
the state lives. The rules cited as ``SP-n`` are in ``securpass-rules.md``; the wire protocol is
described in ``docs/securpass-protocol.md``.
"""
