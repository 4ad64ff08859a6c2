"""One test per rule, run through :func:`acs.risk.decide` so the trail is checked too."""

from __future__ import annotations

from acs.risk import CardStatus, ChallengeMethod, CustomerFacts, Opposition, decide
from tests.risk.builders import card, customer, make_input, thresholds


def test_card_known_unknown_card_is_denied_08():
    """A PAN in a served range without a card record is N with reason 08."""
    d = decide(make_input(card=card(known=False)), thresholds())
    assert (d.trans_status, d.reason, d.rules_fired) == ("N", "08", ("card_known",))


def test_card_opposed_lost_stolen_is_10():
    """A card opposed as lost or stolen is N with reason 10."""
    c = card(status=CardStatus.OPPOSED, opposition=Opposition.LOST_STOLEN)
    d = decide(make_input(card=c), thresholds())
    assert (d.trans_status, d.reason) == ("N", "10")
    assert d.rules_fired == ("card_known", "card_opposed")


def test_card_opposed_fraud_is_11():
    """A card opposed for fraud is N with reason 11."""
    c = card(status=CardStatus.OPPOSED, opposition=Opposition.FRAUD)
    assert decide(make_input(card=c), thresholds()).reason == "11"


def test_card_cancelled_is_12():
    """A cancelled card is N with reason 12."""
    d = decide(make_input(card=card(status=CardStatus.CANCELLED)), thresholds())
    assert (d.trans_status, d.reason) == ("N", "12")


def test_card_expired_is_05():
    """An expired card is N with reason 05."""
    d = decide(make_input(card=card(expired=True)), thresholds())
    assert (d.trans_status, d.reason, d.rules_fired[-1]) == ("N", "05", "card_expired")


def test_data_only_is_informational():
    """challengeInd 06 in 2.2.0 gives I, not a challenge."""
    d = decide(make_input(challenge_inds=("06",)), thresholds())
    assert (d.trans_status, d.challenge_method, d.rules_fired[-1]) == ("I", None, "data_only")


def test_three_ri_recurring_with_prior_sca_is_frictionless():
    """A 3RI recurring payment that points at a prior SCA is Y."""
    inp = make_input(device_channel="03", three_ri_ind="01", prior_sca_ref=True)
    d = decide(inp, thresholds())
    assert (d.trans_status, d.rules_fired[-1]) == ("Y", "three_ri_prior_sca")


def test_three_ri_account_verification_is_y():
    """A 3RI NPA account verification (threeRIInd 05) is Y: no payment is at stake."""
    inp = make_input(device_channel="03", message_category="02", three_ri_ind="05")
    assert decide(inp, thresholds()).trans_status == "Y"


def test_three_ri_status_check_is_informational():
    """A 3RI NPA trust-list status check (threeRIInd 10) is I in 2.2.0."""
    inp = make_input(device_channel="03", message_category="02", three_ri_ind="10")
    d = decide(inp, thresholds())
    assert (d.trans_status, d.rules_fired[-1]) == ("I", "three_ri_no_payment")


def test_challenge_mandated_sets_the_flag():
    """challengeInd 04 gives a challenge with challenge_mandated set."""
    d = decide(make_input(challenge_inds=("04",)), thresholds())
    assert (d.trans_status, d.challenge_mandated) == ("C", True)
    assert d.rules_fired == ("card_known", "challenge_mandated", "method_securpass")


def test_challenge_requested_preference_is_honoured():
    """challengeInd 03 (a preference) gives a challenge that is not marked mandated."""
    d = decide(make_input(amount_minor=500, challenge_inds=("03",)), thresholds())
    assert (d.trans_status, d.challenge_mandated) == ("C", False)
    assert "challenge_requested" in d.rules_fired


def test_three_ri_needs_sca_without_decoupled_is_21():
    """A 3RI top-up without decoupled support is N with reason 21 in 2.1.0."""
    inp = make_input(version="2.1.0", device_channel="03", three_ri_ind="05")
    d = decide(inp, thresholds())
    assert (d.trans_status, d.reason) == ("N", "21")
    assert d.rules_fired[-2:] == ("three_ri_needs_sca", "three_ri_no_challenge")


def test_three_ri_no_challenge_with_device_but_no_decoupled_request_is_23():
    """A 2.2 3RI needing SCA for a device owner who could decouple is N with reason 23."""
    inp = make_input(device_channel="03", three_ri_ind="07", amount_minor=1000)
    d = decide(inp, thresholds())
    assert (d.trans_status, d.reason) == ("N", "23")


def test_npa_needs_sca():
    """An add-card NPA from a browser needs a challenge even when trust-listed."""
    inp = make_input(message_category="02", authentication_ind="04", trust_listed=True)
    d = decide(inp, thresholds())
    assert d.trans_status == "C"
    assert "npa_needs_sca" in d.rules_fired


def test_secure_corporate_in_2_3_1():
    """2.3.1 challengeInd 11 for a corporate card is Y with exemption 11 when enabled."""
    inp = make_input(version="2.3.1", challenge_inds=("11",), customer=customer(corporate=True))
    d = decide(inp, thresholds(secure_corporate_enabled=True))
    assert (d.trans_status, d.exemption) == ("Y", "11")


def test_secure_corporate_disabled_by_default():
    """challengeInd 11 is not honoured while the issuer has not enabled Art. 17."""
    inp = make_input(version="2.3.1", challenge_inds=("11",), customer=customer(corporate=True))
    assert decide(inp, thresholds()).trans_status == "C"


def test_acquirer_tra():
    """challengeInd 05 under the acquirer TRA ceiling is Y with exemption 05 (2.3.1)."""
    inp = make_input(version="2.3.1", challenge_inds=("05",), amount_minor=50000)
    d = decide(inp, thresholds())
    assert (d.trans_status, d.exemption, d.rules_fired[-1]) == ("Y", "05", "acquirer_tra")


def test_acquirer_tra_above_ceiling_is_challenged():
    """challengeInd 05 one cent above the ceiling is challenged."""
    inp = make_input(challenge_inds=("05",), amount_minor=50001)
    assert decide(inp, thresholds()).trans_status == "C"


def test_trust_list():
    """A trust-listed merchant is Y with exemption 08 (2.3.1)."""
    d = decide(make_input(version="2.3.1", trust_listed=True), thresholds())
    assert (d.trans_status, d.exemption) == ("Y", "08")


def test_trust_list_disabled():
    """A trust-listed merchant is challenged when the trust list is disabled."""
    inp = make_input(trust_listed=True)
    assert decide(inp, thresholds(trust_list_enabled=False)).trans_status == "C"


def test_issuer_tra():
    """Issuer TRA on a known browser within the ETV band is Y with exemption 05."""
    inp = make_input(version="2.3.1", customer=customer(browser_known=True))
    d = decide(inp, thresholds(issuer_tra_enabled=True))
    assert (d.trans_status, d.exemption, d.rules_fired[-1]) == ("Y", "05", "issuer_tra")


def test_issuer_tra_new_browser_challenges():
    """A new browser disables issuer TRA when new_browser_challenges is set."""
    inp = make_input(customer=customer(browser_known=False, trusted_device=True))
    assert decide(inp, thresholds(issuer_tra_enabled=True)).trans_status == "C"


def test_issuer_tra_new_browser_allowed_when_configured():
    """A trusted device on a new browser passes issuer TRA when new browsers are allowed."""
    inp = make_input(customer=customer(browser_known=False, trusted_device=True))
    thr = thresholds(issuer_tra_enabled=True, new_browser_challenges=False)
    assert decide(inp, thr).trans_status == "Y"


def test_low_value():
    """A 20 EUR payment with no earlier exemption is Y, exemption 10, counted."""
    d = decide(make_input(version="2.3.1", amount_minor=2000), thresholds())
    assert (d.trans_status, d.exemption, d.counts_as_low_value) == ("Y", "10", True)
    assert d.rules_fired == ("card_known", "low_value")


def test_low_value_other_currency_is_challenged():
    """A small amount in a currency other than the thresholds' one is not low value."""
    assert decide(make_input(amount_minor=2000, currency="840"), thresholds()).trans_status == "C"


def test_sca_required_method_securpass():
    """A risky payment by a Sécur'Pass user is challenged out of band."""
    d = decide(make_input(), thresholds())
    assert (d.trans_status, d.challenge_method, d.reason) == (
        "C",
        ChallengeMethod.SECURPASS_OOB,
        None,
    )
    assert d.rules_fired == ("card_known", "sca_required", "method_securpass")


def test_decoupled_too_short_is_25():
    """Decoupled requested with less time than the minimum is N with reason 25."""
    inp = make_input(dec_req_ind="Y", dec_max_time_minutes=1)
    d = decide(inp, thresholds(decoupled_min_time_minutes=2))
    assert (d.trans_status, d.reason, d.rules_fired[-1]) == ("N", "25", "decoupled_too_short")


def test_method_decoupled():
    """Decoupled requested by a device owner in 2.2.0 is D with the decoupled method."""
    d = decide(make_input(dec_req_ind="B", version="2.3.1"), thresholds())
    assert (d.trans_status, d.challenge_method, d.reason) == ("D", ChallengeMethod.DECOUPLED, None)


def test_method_decoupled_absent_max_time_means_seven_days():
    """An absent threeDSRequestorDecMaxTime is read as 10080 minutes, enough for D."""
    d = decide(make_input(dec_req_ind="Y"), thresholds(decoupled_min_time_minutes=60))
    assert d.trans_status == "D"


def test_method_sms_otp():
    """A cardholder with only a secure mobile is challenged by SMS OTP."""
    inp = make_input(customer=CustomerFacts(has_secure_mobile=True))
    d = decide(inp, thresholds())
    assert (d.trans_status, d.challenge_method) == ("C", ChallengeMethod.SMS_OTP)


def test_a_blocked_sms_otp_is_not_offered_but_n_19():
    """RTS Art. 4(3)(b): with SMS OTP blocked and no device the answer is N, reason 19."""
    inp = make_input(customer=CustomerFacts(has_secure_mobile=True, sms_otp_blocked=True))
    d = decide(inp, thresholds())
    assert (d.trans_status, d.reason, d.challenge_method) == ("N", "19", None)
    assert d.rules_fired[-1] == "sms_otp_blocked"


def test_a_blocked_sms_otp_leaves_securpass_in_place():
    """A blocked SMS OTP does not stop a Sécur'Pass challenge (its success lifts the block)."""
    facts = CustomerFacts(has_active_device=True, has_secure_mobile=True, sms_otp_blocked=True)
    d = decide(make_input(customer=facts), thresholds())
    assert (d.trans_status, d.challenge_method) == ("C", ChallengeMethod.SECURPASS_OOB)


def test_not_enrolled_is_13():
    """A cardholder with neither device nor mobile is N with reason 13."""
    d = decide(make_input(customer=CustomerFacts()), thresholds())
    assert (d.trans_status, d.reason, d.rules_fired[-1]) == ("N", "13", "not_enrolled")


def test_operations_limited_refuse_is_n_19_even_with_a_mobile():
    """Over the phone's operation limits with ``refuse``: N, reason 19, never D or C."""
    inp = make_input(customer=customer(push_limited="refuse"), dec_req_ind="Y")
    d = decide(inp, thresholds())
    assert (d.trans_status, d.reason, d.rules_fired[-1]) == ("N", "19", "operations_limited")


def test_operations_limited_sms_falls_back_to_the_sms_code():
    """Over the limits with ``sms``: the SMS code (C), not the phone; without a mobile, or on
    3RI (no challenge possible), N / 19."""
    d = decide(make_input(customer=customer(push_limited="sms"), dec_req_ind="Y"), thresholds())
    assert (d.trans_status, d.challenge_method) == ("C", ChallengeMethod.SMS_OTP)
    no_mobile = customer(push_limited="sms", has_secure_mobile=False)
    assert decide(make_input(customer=no_mobile), thresholds()).reason == "19"
    three_ri = make_input(customer=customer(push_limited="sms"), device_channel="03",
                          three_ri_ind="01", dec_req_ind="Y")  # fmt: skip
    assert decide(three_ri, thresholds()).reason == "19"
