"""Structured logs: one JSON object per line, transaction ids bound, PANs masked."""

from __future__ import annotations

import io
import json
import logging

from acs.logs import (
    JsonFormatter,
    LogOptions,
    RedactingFilter,
    bind,
    bind_more,
    configure_logging,
    mask_pan,
    stop_logging,
)


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


def _through_the_queue(log_format: str) -> str:
    """Log a line and a traceback through configure_logging (queue, listener thread)."""
    stream = io.StringIO()
    configure_logging(LogOptions("INFO", log_format), stream=stream)
    logger = logging.getLogger("acs.test.queue")
    try:
        with bind(threeDSServerTransID="t-1", dsTransID="d-1"):
            bind_more(acsTransID="a-1")
            logger.info("decided %s", "Y")
            try:
                raise ValueError("card 4970100000000030")
            except ValueError:
                logger.exception("failed")
    finally:
        stop_logging()
    return stream.getvalue()


def test_the_queue_keeps_the_ids_and_masks_tracebacks():
    """Through the logging thread each JSON line keeps the ids bound in the caller's context;
    the traceback is a field of its own, PAN masked."""
    first, second = (json.loads(line) for line in _through_the_queue("json").splitlines())
    assert (first["msg"], first["acsTransID"], first["dsTransID"]) == ("decided Y", "a-1", "d-1")
    assert second["level"] == "error" and "ValueError" in second["exc"]
    assert "4970100000000030" not in second["exc"] and "4970 10•• •••• 0030" in second["exc"]


def test_text_lines_read_like_the_start_up_lines():
    """Text: `acs: <message>  [ids]`, then the traceback; warnings say so."""
    text = _through_the_queue("text")
    assert text.startswith(
        "acs: decided Y  [threeDSServerTransID=t-1 dsTransID=d-1 acsTransID=a-1]\n"
    )
    assert "acs: failed  [" in text and "Traceback (most recent call last)" in text
    assert logging.getLogger("acs").propagate  # handed back to the root logger once stopped
