"""Structured logs: one JSON object per line, transaction ids bound, PANs masked."""

from __future__ import annotations

import io
import json
import logging

from acs.logs import JsonFormatter, RedactingFilter, bind, bind_more, mask_pan


def capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("acs.test.logs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, stream


def test_mask_keeps_first_six_and_last_four():
    """PCI DSS display rule: 4970 10•• •••• 0014."""
    assert mask_pan("4970100000000014") == "4970 10•• •••• 0014"


def test_bound_ids_appear_on_every_line():
    """Ids bound for a request are written with each record, then forgotten."""
    logger, stream = capture()
    with bind(threeDSServerTransID="t-1"):
        bind_more(acsTransID="a-1")
        logger.info("decided")
    logger.info("after")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (first["threeDSServerTransID"], first["acsTransID"]) == ("t-1", "a-1")
    assert "acsTransID" not in second and first["msg"] == "decided"


def test_a_pan_that_slips_into_a_message_is_masked():
    """The last line of defence: a PAN-like digit run is masked before it is written."""
    logger, stream = capture()
    logger.info("card %s refused", "4970100000000030")
    line = json.loads(stream.getvalue())
    assert "4970100000000030" not in stream.getvalue()
    assert line["msg"] == "card 4970 10•• •••• 0030 refused"
