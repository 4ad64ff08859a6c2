"""Bad challenge input through the real app: an Erro with its code or a 4xx, never a failure."""

from __future__ import annotations

import json

import pytest

from acs.protocol import b64url_encode
from tests.challenge.helpers import creq_for, encode, start

FOLLOW_UPS = ("otp", "resend", "cancel", "continue")


async def erro_for(response) -> dict:
    assert response.status == 200
    answer = await response.json()
    assert answer["messageType"] == "Erro", answer
    return answer


async def test_invalid_utf8_form_body_is_101(client):
    """A urlencoded form that is not UTF-8 is a 101, not a system failure."""
    response = await client.post(
        "/3ds/challenge",
        data=b"creq=%FF%FE&threeDSSessionData=\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (await erro_for(response))["errorCode"] == "101"


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=zzz", "multipart/form-data", "multipart/form-data; boundary="],
)
async def test_bad_multipart_boundary_is_101(client, content_type):
    """A multipart body whose boundary is missing or wrong is a 101."""
    response = await client.post(
        "/3ds/challenge",
        data=b'--other\r\nContent-Disposition: form-data; name="creq"\r\n\r\nx\r\n--other--\r\n',
        headers={"Content-Type": content_type},
    )
    assert (await erro_for(response))["errorCode"] == "101"


@pytest.mark.parametrize("kind", [["CReq"], {"a": "CReq"}, 1])
async def test_non_string_creq_message_type_is_101(client, fake_ds, kind):
    """A CReq whose messageType is a list, an object or a number is a 101 naming it."""
    areq_msg, ares = await start(client, fake_ds.url)
    creq = creq_for(areq_msg, ares, messageType=kind)
    response = await client.post("/3ds/challenge", data={"creq": encode(creq)})
    answer = await erro_for(response)
    assert (answer["errorCode"], answer["errorDetail"]) == ("101", "messageType")


@pytest.mark.parametrize("route", FOLLOW_UPS)
@pytest.mark.parametrize("token", ["é", "\u2603" * 40])
async def test_non_ascii_token_on_a_follow_up_is_403(client, fake_ds, route, token):
    """A token that is not ASCII is refused like any wrong token (403), not a 500."""
    _areq_msg, ares = await start(client, fake_ds.url)
    path = f"/3ds/challenge/{ares['acsTransID']}/{route}"
    body = f"token={token}".encode()
    response = await client.post(
        path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status == 403


@pytest.mark.parametrize("route", FOLLOW_UPS)
async def test_unreadable_form_on_a_follow_up_is_400(client, fake_ds, route):
    """A follow-up form that is not UTF-8 is a 400 with a message, not a 500."""
    _areq_msg, ares = await start(client, fake_ds.url)
    response = await client.post(
        f"/3ds/challenge/{ares['acsTransID']}/{route}",
        data=b"token=\xed\xb2\x80\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 400
    assert "form" in await response.text()


@pytest.mark.parametrize("token", ["%C3%A9", "%E2%98%83", "%ED%B2%80", "%FF"])
async def test_non_ascii_token_on_status_is_403(client, fake_ds, token):
    """The status long-poll refuses a non-ASCII token with a 403, not a 500."""
    _areq_msg, ares = await start(client, fake_ds.url)
    response = await client.get(f"/3ds/challenge/{ares['acsTransID']}/status?token={token}")
    assert response.status == 403


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe", b"a.b.c.d.e", b"....", b"e30.e30.e30.e30.e30", b"WyJ4Il0.a.b.c.d", b"x" * 10],
)
async def test_app_challenge_garbage_is_an_erro_with_its_code(client, body):
    """A body that is no JWE of this ACS gets an Erro (101 or 302), never a system failure."""
    response = await client.post(
        "/3ds/app-challenge", data=body, headers={"Content-Type": "application/jose"}
    )
    assert (await erro_for(response))["errorCode"] in {"101", "302"}


@pytest.mark.parametrize("kid", ["a\x00b", "\ud800", "x" * 5000, 12, ["k"], None])
async def test_app_challenge_kid_that_is_no_acs_trans_id_is_302(client, kid):
    """A JWE whose kid is not an acsTransID (NUL, surrogate, huge, not a string) is a 302."""
    header = json.dumps({"alg": "dir", "enc": "A128GCM", "kid": kid}).encode()
    token = ".".join([b64url_encode(header), "", "AAAA", "AAAA", "AAAA"]).encode()
    response = await client.post(
        "/3ds/app-challenge", data=token, headers={"Content-Type": "application/jose"}
    )
    answer = await erro_for(response)
    assert (answer["errorCode"], answer["errorDetail"]) == ("302", "kid")


@pytest.mark.parametrize("session_data", ["a\x00b", "\x1b[31m", "line\nbreak"])
async def test_session_data_with_control_characters_is_203(client, fake_ds, session_data):
    """threeDSSessionData holding a NUL or a control character is a 203 naming it, not stored."""
    areq_msg, ares = await start(client, fake_ds.url)
    form = {"creq": encode(creq_for(areq_msg, ares)), "threeDSSessionData": session_data}
    answer = await erro_for(await client.post("/3ds/challenge", data=form))
    assert (answer["errorCode"], answer["errorDetail"]) == ("203", "threeDSSessionData")


@pytest.mark.parametrize("trans_id", ["%FF", "%ED%B2%80", "%00", "x" * 300, "%C3%A9"])
async def test_odd_acs_trans_id_in_a_follow_up_path_is_403(client, trans_id):
    """An acsTransID in the path that is no id (bad UTF-8, NUL, huge) is refused with a 403."""
    for route in FOLLOW_UPS:
        response = await client.post(f"/3ds/challenge/{trans_id}/{route}", data={"token": "t"})
        assert response.status == 403, route
    response = await client.get(f"/3ds/challenge/{trans_id}/status?token=t")
    assert response.status == 403
