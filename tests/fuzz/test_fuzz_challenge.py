"""Mutated browser challenges through the real app: the CReq form on /3ds/challenge, the page's
follow-up forms and the status long-poll, and bodies on /3ds/app-challenge."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from aiohttp import FormData
from hypothesis import given
from hypothesis import strategies as st

from acs.protocol import b64url_encode
from tests.challenge.helpers import SMS_CARD, creq_for, encode, form_fields, start
from tests.fuzz.strategies import FUZZ, INPUT_CODES, ODD_TEXT, VALUES, Mutated, mutations

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=zzz",
        "multipart/form-data",
        "text/plain",
        "application/json",
    ]
)
RAW = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda t: t.encode("utf-8", "surrogatepass"), ODD_TEXT),
    st.builds(lambda b: b"creq=" + b, st.binary(max_size=80)),
)


def _urlencoded(fields: dict[str, str]) -> bytes:
    return urlencode(fields, encoding="utf-8", errors="surrogatepass").encode("ascii")


async def _erro_or_page(response, what: object) -> None:
    """No 5xx; a JSON answer is an Erro with a code an input may cause."""
    assert response.status < 500, (response.status, what)
    if response.content_type == "application/json":
        answer = await response.json()
        assert answer["messageType"] == "Erro", (answer, what)
        assert answer["errorCode"] in INPUT_CODES, (answer, what)


@FUZZ
@given(data=st.data())
async def test_mutated_creq_forms_get_a_page_or_their_erro(client, fake_ds, data):
    """No CReq mutation, form encoding or raw body ends in a 5xx or a system-failure Erro."""
    areq_msg, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    creq = creq_for(areq_msg, ares)
    how = data.draw(st.sampled_from(["creq", "raw", "multipart"]), label="how")
    if how == "raw":
        body = data.draw(RAW, label="body")
        content_type = data.draw(CONTENT_TYPES, label="content type")
        response = await client.post(
            "/3ds/challenge", data=body, headers={"Content-Type": content_type}
        )
        return await _erro_or_page(response, (body, content_type))
    mutated: Mutated = data.draw(mutations(creq), label="creq")
    session_data = data.draw(ODD_TEXT, label="threeDSSessionData")
    fields = {"creq": b64url_encode(mutated.body), "threeDSSessionData": session_data}
    if how == "multipart":
        form = FormData()
        for name, value in fields.items():
            # multipart parts are text here: a client cannot send a lone surrogate in one
            form.add_field(name, value.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
        response = await client.post("/3ds/challenge", data=form)
    else:
        response = await client.post("/3ds/challenge", data=_urlencoded(fields), headers=FORM)
    await _erro_or_page(response, mutated)


def _tokens(valid: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(valid),
        ODD_TEXT,
        st.sampled_from([valid + "x", valid[:-1], valid.upper(), valid + "é", "é" * len(valid)]),
    )


async def _open_page(client, fake_ds) -> tuple[str, str]:
    areq_msg, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    form = {"creq": encode(creq_for(areq_msg, ares))}
    page = await (await client.post("/3ds/challenge", data=form)).text()
    return ares["acsTransID"], form_fields(page)["token"]


@FUZZ
@given(data=st.data())
async def test_mutated_follow_up_forms_get_a_page_or_a_4xx(client, fake_ds, data):
    """otp, resend, cancel, continue: a wrong or odd token is a 403 (400 when unreadable), any
    other field a page; never a 5xx."""
    acs_trans_id, valid = await _open_page(client, fake_ds)
    route = data.draw(st.sampled_from(["otp", "resend", "cancel", "continue"]), label="route")
    token = data.draw(_tokens(valid), label="token")
    fields = {"token": token, "code": data.draw(ODD_TEXT, label="code")}
    fields |= data.draw(st.dictionaries(ODD_TEXT, ODD_TEXT, max_size=3), label="extra")
    fields["token"] = token
    raw = data.draw(st.booleans(), label="raw UTF-8")
    body = (
        "&".join(f"{k}={v}" for k, v in fields.items()).encode("utf-8", "surrogatepass")
        if raw
        else _urlencoded(fields)
    )
    path = f"/3ds/challenge/{acs_trans_id}/{route}"
    response = await client.post(path, data=body, headers=FORM)
    assert response.status < 500, (response.status, route, fields)
    if token != valid:
        assert response.status in (400, 403), (response.status, route, fields)


@FUZZ
@given(token=ODD_TEXT)
async def test_status_with_an_odd_token_is_a_4xx(client, fake_ds, token):
    """The status long-poll answers any token but the page's own with a 4xx, never a 5xx."""
    acs_trans_id, valid = await _open_page(client, fake_ds)
    if token == valid:
        return
    query = quote(token, safe="", encoding="utf-8", errors="surrogatepass")
    response = await client.get(f"/3ds/challenge/{acs_trans_id}/status?token={query}")
    assert response.status in (400, 403), (response.status, token)


def _jwe(header: object, tail: list[str]) -> bytes:
    head = b64url_encode(json.dumps(header).encode("utf-8", "surrogatepass"))
    return ".".join([head, *tail]).encode()


SEGMENTS = st.sampled_from(["", "e30", "WyJ4Il0", "AA", "AAAA" * 10])  # ASCII: a JWE's alphabet
KIDS = st.one_of(st.sampled_from(["\ud800", "a\x00b", "x" * 5000, "", 7]), ODD_TEXT, VALUES)
HEADERS = st.fixed_dictionaries(
    {
        "alg": st.sampled_from(["dir", "none", "RSA-OAEP"]),
        "enc": st.sampled_from(["A128GCM", "x"]),
        "kid": KIDS,
    }
)
JWE_LIKE = st.one_of(
    RAW,
    st.builds(lambda parts: ".".join(parts).encode(), st.lists(SEGMENTS, min_size=1, max_size=6)),
    st.builds(_jwe, HEADERS, st.lists(SEGMENTS, min_size=4, max_size=4)),
    st.builds(_jwe, VALUES, st.lists(SEGMENTS, min_size=4, max_size=4)),
)


@FUZZ
@given(body=JWE_LIKE)
async def test_app_challenge_bodies_get_their_erro(client, body):
    """A body that is no JWE of this ACS (garbage, odd segments, bad headers) gets an Erro with
    a code an input may cause (302 included), never a 5xx or a system failure."""
    response = await client.post(
        "/3ds/app-challenge", data=body, headers={"Content-Type": "application/jose"}
    )
    assert response.status in (200, 413), (response.status, body)
    answer = await response.json()
    assert answer["errorCode"] in INPUT_CODES | {"302"}, (answer, body)
