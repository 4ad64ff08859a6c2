"""Rule order, version fitting, counters and TRA band boundaries."""

from __future__ import annotations

import itertools

import pytest

from acs.risk import CardStatus, ChallengeMethod, Opposition, RiskThresholds, decide
from acs.risk.engine import RULES, fit_reason
from acs.risk.rules import tra_ceiling
from tests.risk.builders import card, customer, make_input, thresholds

# --- order ---------------------------------------------------------------------------------


def test_rules_run_in_one_visible_order():
    """The engine's order starts with the card and ends with the enrolment fallback."""
    names = [rule.__name__ for rule in RULES]
    assert names[0] == "card_known"
    assert names[-1] == "not_enrolled"
    assert names.index("challenge_mandated") < names.index("low_value")


def test_opposed_card_beats_mandate():
    """A stolen card is denied even when the requestor mandates a challenge."""
    c = card(status=CardStatus.OPPOSED, opposition=Opposition.LOST_STOLEN)
    d = decide(make_input(card=c, challenge_inds=("04",)), thresholds())
    assert (d.trans_status, d.reason) == ("N", "10")


def test_mandate_beats_low_value():
    """A mandated challenge is not exempted even for a low-value amount."""
    d = decide(make_input(amount_minor=500, challenge_inds=("04",)), thresholds())
    assert (d.trans_status, d.challenge_mandated, d.counts_as_low_value) == ("C", True, False)
    assert "low_value" not in d.rules_fired


def test_mandate_beats_trust_list_and_tra():
    """A mandate in 2.3.1 wins over trust list and acquirer TRA requested in the same AReq."""
    inp = make_input(version="2.3.1", challenge_inds=("05", "04"), trust_listed=True)
    d = decide(inp, thresholds(issuer_tra_enabled=True))
    assert (d.trans_status, d.exemption, d.challenge_mandated) == ("C", None, True)


def test_mandate_with_decoupled_is_mandated_d():
    """A mandated challenge done decoupled keeps challenge_mandated."""
    d = decide(make_input(challenge_inds=("04",), dec_req_ind="Y"), thresholds())
    assert (d.trans_status, d.challenge_mandated) == ("D", True)


def test_mandate_without_any_method_is_not_marked_mandated():
    """challenge_mandated is only set on C or D outcomes."""
    d = decide(
        make_input(
            challenge_inds=("04",),
            customer=customer(has_active_device=False, has_secure_mobile=False),
        ),
        thresholds(),
    )
    assert (d.trans_status, d.reason, d.challenge_mandated) == ("N", "13", False)


def test_trust_list_saves_the_low_value_counter():
    """A trust-listed low amount uses the trust list, not a low-value slot."""
    d = decide(make_input(amount_minor=1000, trust_listed=True), thresholds())
    assert (d.trans_status, d.counts_as_low_value) == ("Y", False)


def test_data_only_never_challenges_even_with_high_amount():
    """challengeInd 06 gives I whatever the amount and method."""
    d = decide(make_input(challenge_inds=("06",), amount_minor=10**7), thresholds())
    assert d.trans_status == "I"


# --- versions ------------------------------------------------------------------------------


def _grid():
    for version, channel, category, inds, dec in itertools.product(
        ("2.1.0", "2.2.0", "2.3.1"),
        ("01", "02", "03"),
        ("01", "02"),
        ((), ("03",), ("04",), ("05",), ("06",), ("08",), ("10",), ("12",)),
        (None, "Y", "B"),
    ):
        for amount, trusted in ((500, False), (80000, True), (80000, False)):
            yield make_input(
                version=version,
                device_channel=channel,
                message_category=category,
                challenge_inds=inds,
                dec_req_ind=dec,
                amount_minor=amount,
                trust_listed=trusted,
                three_ri_ind="07" if channel == "03" else None,
            )


_STATUSES = {"2.1.0": set("YNUACR"), "2.2.0": set("YNUACRDI"), "2.3.1": set("YNUACRDI")}
_REASONS = {"2.1.0": 21, "2.2.0": 26, "2.3.1": 30}


@pytest.mark.parametrize("inp", list(_grid()))
def test_outputs_fit_the_version(inp):
    """Every outcome uses a status and reason the version defines, and never S."""
    d = decide(inp, RiskThresholds())
    assert d.trans_status in _STATUSES[inp.version]
    assert d.reason is None or 1 <= int(d.reason) <= _REASONS[inp.version]
    assert (d.reason is None) == (d.trans_status not in "NUR")
    if inp.version != "2.3.1":
        assert d.exemption is None
    if inp.device_channel == "03":
        assert d.trans_status != "C"
    if "06" in inp.challenge_inds and inp.version != "2.1.0":
        assert d.trans_status != "C"


def test_no_decoupled_in_2_1_0():
    """DecReqInd in a 2.1.0 AReq never yields D."""
    d = decide(make_input(version="2.1.0", dec_req_ind="Y"), thresholds())
    assert (d.trans_status, d.challenge_method) == ("C", ChallengeMethod.SECURPASS_OOB)


def test_data_only_code_is_no_preference_in_2_1_0():
    """challengeInd 06 does not exist in 2.1.0: the transaction is decided as usual."""
    assert (
        decide(make_input(version="2.1.0", challenge_inds=("06",)), thresholds()).trans_status
        == "C"
    )


def test_exemption_reported_only_in_2_3_1():
    """Low value applies in 2.2.0 but its exemption code is only returned in 2.3.1."""
    inp = make_input(amount_minor=1000)
    older, newer = (
        decide(inp, thresholds()),
        decide(make_input(version="2.3.1", amount_minor=1000), thresholds()),
    )
    assert (older.trans_status, older.exemption, older.counts_as_low_value) == ("Y", None, True)
    assert (newer.trans_status, newer.exemption) == ("Y", "10")


def test_reason_fallback_for_older_versions():
    """Reasons newer than the version map to the closest older code."""
    assert fit_reason("23", "2.1.0") == "21"
    assert fit_reason("25", "2.2.0") == "25"
    assert fit_reason("28", "2.2.0") == "09"
    assert fit_reason("08", "2.1.0") == "08"


def test_three_ri_23_becomes_21_in_2_1_0():
    """A 3RI needing SCA in 2.1.0 is reported with reason 21."""
    inp = make_input(version="2.1.0", device_channel="03", three_ri_ind="01")
    assert decide(inp, thresholds()).reason == "21"


def test_three_ri_decoupled_is_d():
    """A 2.2 3RI needing SCA with decoupled requested and a device is D, never C."""
    inp = make_input(device_channel="03", three_ri_ind="01", dec_req_ind="Y")
    d = decide(inp, thresholds())
    assert (d.trans_status, d.challenge_method) == ("D", ChallengeMethod.DECOUPLED)


def test_three_ri_mandate_is_never_c():
    """A 3RI with challengeInd 04 is not answered C."""
    inp = make_input(device_channel="03", three_ri_ind="07", challenge_inds=("04",))
    assert decide(inp, thresholds()).trans_status == "N"


# --- low-value counters ----------------------------------------------------------------------


@pytest.mark.parametrize(("count", "status"), [(4, "Y"), (5, "C")])
def test_low_value_count_fifth_passes_sixth_is_challenged(count, status):
    """With 4 exempted since the last SCA the 5th is exempt; with 5 the 6th is challenged."""
    inp = make_input(amount_minor=1000, card=card(low_value_count=count))
    assert decide(inp, thresholds()).trans_status == status


@pytest.mark.parametrize(("spent", "amount", "status"), [(7000, 3000, "Y"), (7001, 3000, "C")])
def test_low_value_cumulative_100_eur(spent, amount, status):
    """In cumulative mode the total may reach exactly 100 EUR, not one cent more."""
    inp = make_input(
        amount_minor=amount, card=card(low_value_cumulative_minor=spent, low_value_count=9)
    )
    assert decide(inp, thresholds(low_value_limit="cumulative")).trans_status == status


@pytest.mark.parametrize(("amount", "status"), [(3000, "Y"), (3001, "C")])
def test_low_value_30_eur_ceiling(amount, status):
    """30.00 EUR is low value; 30.01 EUR is not."""
    assert decide(make_input(amount_minor=amount), thresholds()).trans_status == status


def test_low_value_thresholds_come_from_config():
    """A lower configured ceiling is applied."""
    thr = thresholds(low_value_max_minor=1000)
    assert decide(make_input(amount_minor=1500), thr).trans_status == "C"


# --- issuer TRA bands ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "ceiling"), [(13.0, 10000), (13.1, None), (6.0, 25000), (5.0, 25000), (1.0, 50000)]
)
def test_tra_ceiling_by_fraud_rate(rate, ceiling):
    """The ETV is the highest band whose reference rate the issuer's rate meets."""
    assert tra_ceiling(RiskThresholds(issuer_fraud_rate_bps=rate)) == ceiling


@pytest.mark.parametrize(("amount", "status"), [(25000, "Y"), (25001, "C")])
def test_issuer_tra_band_boundary(amount, status):
    """At 5 bps the 250 EUR band applies: 250.00 is exempt, 250.01 is challenged."""
    inp = make_input(amount_minor=amount, customer=customer(trusted_device=True))
    thr = thresholds(issuer_tra_enabled=True, issuer_fraud_rate_bps=5.0)
    assert decide(inp, thr).trans_status == status


@pytest.mark.parametrize(
    ("closed", "amount", "status"),
    [((10000,), 8000, "C"), ((10000,), 20000, "Y"), ((25000,), 8000, "Y"), ((25000,), 20000, "C")],
)
def test_a_band_closed_by_the_monitor_is_not_granted(closed, amount, status):
    """RTS Art. 20: a band the fraud-rate monitor closed exempts nothing; the others still do."""
    inp = make_input(amount_minor=amount, customer=customer(trusted_device=True))
    thr = thresholds(issuer_tra_enabled=True, issuer_fraud_rate_bps=5.0, tra_closed_bands=closed)
    assert decide(inp, thr).trans_status == status


def test_issuer_tra_needs_a_low_risk_signal():
    """Without a trusted device or known browser, issuer TRA does not apply."""
    assert decide(make_input(), thresholds(issuer_tra_enabled=True)).trans_status == "C"
