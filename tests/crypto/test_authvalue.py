"""authenticationValue (CAVV, AAV) generation and verification, and the ECI table."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from acs.config import Scheme
from acs.crypto.aav import normalise_merchant
from acs.crypto.authvalue import (
    AuthInput,
    AuthValueError,
    AuthValueInputError,
    AuthValueMismatch,
    SchemeKeys,
    generate,
    verify,
)
from acs.crypto.cavv import cvv, parse_cavv
from acs.crypto.eci import eci

KEYS = SchemeKeys(
    cvk_a=bytes.fromhex("0123456789ABCDEF"),
    cvk_b=bytes.fromhex("FEDCBA9876543210"),
    aav_key=bytes(range(32)),
)
INPUT = AuthInput(
    pan="4970101234567890",
    trans_status="Y",
    method="09",
    amount_minor=4999,
    currency="978",
    merchant_name="Librairie du Port",
    acs_trans_id="8a880dc0-d2d2-4067-bcb1-b08d1690b26e",
)
ATN = 1234567890123456
CASES = [
    (scheme, status, method)
    for scheme in Scheme
    for status, method in (("Y", "09"), ("Y", "02"), ("Y", "99"), ("A", "98"))
]


@pytest.mark.parametrize(("scheme", "status", "method"), CASES)
def test_verify_accepts_what_generate_made(scheme, status, method):
    """A freshly generated value verifies and returns its ATN for both schemes."""
    inp = replace(INPUT, trans_status=status, method=method)
    verified = verify(scheme, KEYS, generate(scheme, KEYS, inp, atn=ATN), inp)
    assert (verified.scheme, verified.atn, verified.trans_status) == (scheme, ATN, status)


@pytest.mark.parametrize("scheme", list(Scheme))
def test_value_is_28_base64_characters(scheme):
    """The value is 28 standard base64 characters, 20 bytes."""
    value = generate(scheme, KEYS, INPUT, atn=ATN)
    assert len(value) == 28
    assert len(base64.b64decode(value, validate=True)) == 20


@pytest.mark.parametrize("scheme", list(Scheme))
def test_changing_the_pan_breaks_the_value(scheme):
    """A value does not verify for another PAN."""
    value = generate(scheme, KEYS, INPUT, atn=ATN)
    with pytest.raises(AuthValueMismatch) as caught:
        verify(scheme, KEYS, value, replace(INPUT, pan="4970101234567891"))
    assert caught.value.check == "cryptogram"


@pytest.mark.parametrize(
    "change",
    [
        {"amount_minor": 5000},
        {"currency": "840"},
        {"merchant_name": "Librairie du Pont"},
        {"acs_trans_id": "00000000-0000-4000-8000-000000000000"},
    ],
)
def test_aav_binds_amount_currency_merchant_and_transaction(change):
    """Changing amount, currency, merchant or acsTransID breaks the AAV (RTS Art. 5)."""
    value = generate(Scheme.MASTERCARD, KEYS, INPUT, atn=ATN)
    with pytest.raises(AuthValueMismatch):
        verify(Scheme.MASTERCARD, KEYS, value, replace(INPUT, **change))


def test_cavv_does_not_bind_amount_or_merchant():
    """The Visa CAVV still verifies with another amount: the ATN is what ties it to the payment."""
    value = generate(Scheme.VISA, KEYS, INPUT, atn=ATN)
    other = replace(INPUT, amount_minor=1, merchant_name="Elsewhere")
    assert verify(Scheme.VISA, KEYS, value, other).atn == ATN


def test_aav_merchant_name_is_normalised():
    """Case and spacing differences in the merchant name do not break the AAV."""
    value = generate(Scheme.MASTERCARD, KEYS, INPUT, atn=ATN)
    same = replace(INPUT, merchant_name="  LIBRAIRIE   du port ")
    verify(Scheme.MASTERCARD, KEYS, value, same)
    assert normalise_merchant("Ｃafé\tdu  Port") == "café du port"


@pytest.mark.parametrize("scheme", list(Scheme))
def test_changing_the_status_breaks_the_value(scheme):
    """A Y value does not verify as an attempts value."""
    value = generate(scheme, KEYS, INPUT, atn=ATN)
    with pytest.raises(AuthValueMismatch) as caught:
        verify(scheme, KEYS, value, replace(INPUT, trans_status="A", method="98"))
    assert caught.value.check == "trans_status"


@pytest.mark.parametrize("scheme", list(Scheme))
def test_other_keys_break_the_value(scheme):
    """A value does not verify under another range's keys."""
    value = generate(scheme, KEYS, INPUT, atn=ATN)
    other = replace(KEYS, cvk_b=bytes(8), aav_key=bytes(32))
    with pytest.raises(AuthValueMismatch):
        verify(scheme, other, value, INPUT)


@pytest.mark.parametrize("scheme", list(Scheme))
@pytest.mark.parametrize("position", [3, 4, 9, 12, 19])
def test_a_flipped_bit_is_detected(scheme, position):
    """Any altered byte in a value makes it fail to verify."""
    raw = bytearray(base64.b64decode(generate(scheme, KEYS, INPUT, atn=ATN)))
    raw[position] ^= 0x01
    with pytest.raises(AuthValueMismatch):
        verify(scheme, KEYS, base64.b64encode(bytes(raw)).decode(), INPUT, expected_atn=ATN)


def test_cavv_cryptogram_covers_only_the_low_atn_digits():
    """A CAVV with altered high ATN digits verifies alone; expected_atn catches it."""
    raw = bytearray(base64.b64decode(generate(Scheme.VISA, KEYS, INPUT, atn=ATN)))
    raw[7] ^= 0x10  # first ATN digit 1 -> 0
    value = base64.b64encode(bytes(raw)).decode()
    assert verify(Scheme.VISA, KEYS, value, INPUT).atn == ATN - 10**15
    with pytest.raises(AuthValueMismatch) as caught:
        verify(Scheme.VISA, KEYS, value, INPUT, expected_atn=ATN)
    assert caught.value.check == "atn"


@pytest.mark.parametrize("value", ["", "not base64!", base64.b64encode(bytes(19)).decode()])
def test_malformed_values_are_mismatches(value):
    """Bad base64 and wrong lengths are reported as a format mismatch."""
    with pytest.raises(AuthValueMismatch) as caught:
        verify(Scheme.VISA, KEYS, value, INPUT)
    assert caught.value.check == "format"


def test_bad_inputs_are_input_errors():
    """A status without a code, a bad method or an ATN out of range cannot be encoded."""
    with pytest.raises(AuthValueInputError):
        generate(Scheme.MASTERCARD, KEYS, replace(INPUT, trans_status="N"), atn=ATN)
    with pytest.raises(AuthValueInputError):
        generate(Scheme.VISA, KEYS, replace(INPUT, method="9"), atn=ATN)
    with pytest.raises(AuthValueError):
        generate(Scheme.VISA, KEYS, INPUT, atn=10**16)


def test_cvv_known_answer():
    """The classic CVV vector: PAN 4123456789012345, 8701, 101 under the test CVKs gives 561."""
    assert cvv("4123456789012345", "8701", "101", KEYS.cvk_a, KEYS.cvk_b) == "561"


def test_cavv_layout():
    """The CAVV carries results code, second factor, key indicator, ATN and zero tail bytes."""
    raw = base64.b64decode(generate(Scheme.VISA, KEYS, INPUT, atn=ATN))
    fields = parse_cavv(raw)
    assert (fields.results_code, fields.second_factor, fields.key_indicator) == ("0", "09", "01")
    assert (fields.atn, fields.atn_low) == ("1234567890123456", "3456")
    assert fields.cvv_output[0] == "0"
    assert raw[15:] == bytes(5)


def test_cavv_output_is_cvv_with_atn():
    """The CAVV output is the CVV of PAN, ATN low digits and the two codes."""
    raw = base64.b64decode(generate(Scheme.VISA, KEYS, INPUT, atn=ATN))
    expected = cvv(INPUT.pan, "3456", "009", KEYS.cvk_a, KEYS.cvk_b)
    assert parse_cavv(raw).cvv_output == "0" + expected


def test_aav_layout():
    """The AAV starts with the SPA control byte, key id, method and the sequence number."""
    raw = base64.b64decode(generate(Scheme.MASTERCARD, KEYS, INPUT, atn=ATN))
    assert raw[:3] == bytes([0x8C, 0x01, 0x09])
    assert int.from_bytes(raw[3:10], "big") == ATN


# --- ECI --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "visa", "mastercard"),
    [("Y", "05", "02"), ("A", "06", "01"), ("N", "07", "00"), ("U", "07", "00"), ("R", "07", "00")],
)
def test_eci_by_status(status, visa, mastercard):
    """Authenticated, attempted and failed outcomes map to the scheme ECIs."""
    assert eci(Scheme.VISA, status) == visa
    assert eci(Scheme.MASTERCARD, status) == mastercard


@pytest.mark.parametrize("status", ["C", "D", "S"])
def test_no_eci_while_a_challenge_is_pending(status):
    """C, D and S have no ECI: the final outcome comes in the RReq."""
    assert eci(Scheme.VISA, status) is None
    assert eci(Scheme.MASTERCARD, status) is None


def test_eci_data_only():
    """Data-only is 07 for Visa and 04 for Mastercard."""
    assert eci(Scheme.VISA, "I", data_only=True) == "07"
    assert eci(Scheme.MASTERCARD, "I", data_only=True) == "04"


def test_eci_mastercard_tra_exemption_and_3ri():
    """Mastercard: a TRA exemption is 06 and an authenticated 3RI is 07; Visa stays 05."""
    assert eci(Scheme.MASTERCARD, "Y", exemption="05") == "06"
    assert eci(Scheme.MASTERCARD, "Y", exemption="10") == "02"
    assert eci(Scheme.MASTERCARD, "Y", three_ri=True) == "07"
    assert eci(Scheme.VISA, "Y", exemption="05", three_ri=True) == "05"


def test_eci_mastercard_non_payment():
    """A Mastercard NPA is N2 when verified and N0 otherwise."""
    assert eci(Scheme.MASTERCARD, "Y", message_category="02") == "N2"
    assert eci(Scheme.MASTERCARD, "N", message_category="02") == "N0"
