"""The enrolment state machine (SP-20 … SP-45) with an injected clock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from acs.clock import FrozenClock
from acs.securpass.eligibility import ActivationChannel, Eligibility, Unmet
from acs.securpass.enrolment import (
    ActivationTicket,
    BiometricPurpose,
    Biometrics,
    Enrolment,
    EnrolmentChannel,
    EnrolmentState,
    SaleChannel,
    activate,
    check_activation_code,
    close,
    expire,
    initiate_branch,
    initiate_selfcare,
    issue_activation_code,
    lock,
    set_biometrics,
)
from acs.securpass.errors import ActivationCodeRejected, InvalidTransition, Reason

KEY = b"k" * 32
APP_OK = Eligibility(ActivationChannel.APP, ())
BRANCH_OK = Eligibility(ActivationChannel.BRANCH, ())


def selfcare(clock: FrozenClock) -> Enrolment:
    return initiate_selfcare(
        enrolment_id="e1", customer_id="c1", eligibility=APP_OK, now=clock.now()
    )


def branch(clock: FrozenClock, sale_channel: str = "face_to_face") -> Enrolment:
    return initiate_branch(
        enrolment_id="e1",
        customer_id="c1",
        advisor_id="adv-42",
        sale_channel=sale_channel,
        eligibility=BRANCH_OK,
        now=clock.now(),
    )


def used_ticket(enrolment: Enrolment, clock: FrozenClock) -> ActivationTicket:
    code, ticket = issue_activation_code(enrolment, key=KEY, now=clock.now())
    return check_activation_code(ticket, code, key=KEY, now=clock.now())


def subscribed(clock: FrozenClock, device_id: str = "dev-1") -> Enrolment:
    enrolment = selfcare(clock)
    ticket = used_ticket(enrolment, clock)
    return activate(enrolment, ticket=ticket, device_id=device_id, now=clock.now()).enrolment


def reason_of(call) -> Reason:
    with pytest.raises(InvalidTransition) as info:
        call()
    return info.value.reason


def test_sp20_selfcare_starts_initiated(clock) -> None:
    """SP-20: a self-care enrolment starts initiated, in the selfcare channel."""
    enrolment = selfcare(clock)
    assert enrolment.state == EnrolmentState.INITIATED
    assert enrolment.channel == EnrolmentChannel.SELFCARE


def test_ineligible_customer_cannot_start(clock) -> None:
    """SP-10 … SP-14: an unmet condition stops initiation, naming the rules."""
    bad = Eligibility(ActivationChannel.APP, (Unmet("SP-13", "no secure phone"),))
    with pytest.raises(InvalidTransition, match="SP-13") as info:
        initiate_selfcare(enrolment_id="e1", customer_id="c1", eligibility=bad, now=clock.now())
    assert info.value.reason == Reason.NOT_ELIGIBLE


def test_sp16_branch_eligibility_does_not_open_selfcare(clock) -> None:
    """SP-16: eligibility checked for the branch does not allow self-care activation."""
    call = lambda: initiate_selfcare(  # noqa: E731
        enrolment_id="e1", customer_id="c1", eligibility=BRANCH_OK, now=clock.now()
    )
    assert reason_of(call) == Reason.NOT_ELIGIBLE


def test_sp30_sp32_branch_face_to_face_starts_initiated(clock) -> None:
    """SP-30/32: face to face, the advisor initiates; the enrolment shows "initiated"."""
    enrolment = branch(clock)
    assert enrolment.state == EnrolmentState.INITIATED
    assert enrolment.channel == EnrolmentChannel.BRANCH and enrolment.initiated_by == "adv-42"


@pytest.mark.parametrize("channel", [SaleChannel.CALL_CENTRE, "remote_advisor", "web", ""])
def test_sp30_branch_only_face_to_face(clock, channel) -> None:
    """SP-30: call centres, remote advisors and any other channel are refused."""
    assert reason_of(lambda: branch(clock, channel)) == Reason.BRANCH_FACE_TO_FACE_ONLY


def test_sp33_branch_window_is_24_hours(clock) -> None:
    """SP-33: activation within 24 h works; at 24 h it is refused and the enrolment expires."""
    enrolment = branch(clock)
    clock.advance(hours=23, minutes=59)
    ticket = used_ticket(enrolment, clock)
    assert activate(enrolment, ticket=ticket, device_id="d", now=clock.now()).enrolment.state == (
        EnrolmentState.SUBSCRIBED
    )
    clock.advance(minutes=1)
    late = lambda: activate(enrolment, ticket=ticket, device_id="d", now=clock.now())  # noqa: E731
    assert reason_of(late) == Reason.ENROLMENT_EXPIRED
    assert expire(enrolment, now=clock.now()).state == EnrolmentState.EXPIRED


def test_sp33_cannot_expire_early(clock) -> None:
    """SP-33: an enrolment inside its window is not expired."""
    enrolment = branch(clock)
    clock.advance(hours=12)
    assert reason_of(lambda: expire(enrolment, now=clock.now())) == Reason.NOT_YET_EXPIRED


def test_sp33_expired_enrolment_cannot_activate(clock) -> None:
    """SP-33: once expired the customer must start again in branch."""
    enrolment = branch(clock)
    ticket = used_ticket(enrolment, clock)
    clock.advance(hours=25)
    gone = expire(enrolment, now=clock.now())
    call = lambda: activate(gone, ticket=ticket, device_id="d", now=clock.now())  # noqa: E731
    assert reason_of(call) == Reason.WRONG_STATE


def test_sp21_sp22_activation_subscribes_with_time_and_sms_fallback(clock) -> None:
    """SP-21: subscribed with the activation date and time; SP-22: SMS OTP subscribed too."""
    enrolment = selfcare(clock)
    clock.advance(minutes=3)
    change = activate(
        enrolment, ticket=used_ticket(enrolment, clock), device_id="dev-1", now=clock.now()
    )
    assert change.enrolment.state == EnrolmentState.SUBSCRIBED
    assert change.enrolment.activated_at == clock.now()
    assert change.enrolment.sms_otp_subscribed and change.enrolment.device_id == "dev-1"
    assert change.revoke_device_ids == ()


def test_sp34_branch_activation_records_time(clock) -> None:
    """SP-34: a branch enrolment activated on the phone becomes subscribed with its time."""
    enrolment = branch(clock)
    clock.advance(hours=2)
    change = activate(
        enrolment, ticket=used_ticket(enrolment, clock), device_id="d", now=clock.now()
    )
    assert change.enrolment.state == EnrolmentState.SUBSCRIBED
    assert change.enrolment.activated_at == clock.now()


def test_activation_needs_a_checked_code_of_this_enrolment(clock) -> None:
    """An unchecked ticket, or one of another enrolment, cannot activate."""
    enrolment = selfcare(clock)
    _, unchecked = issue_activation_code(enrolment, key=KEY, now=clock.now())
    call = lambda t: activate(enrolment, ticket=t, device_id="d", now=clock.now())  # noqa: E731
    assert reason_of(lambda: call(unchecked)) == Reason.WRONG_STATE
    other = replace(used_ticket(enrolment, clock), enrolment_id="e2")
    assert reason_of(lambda: call(other)) == Reason.WRONG_STATE


def test_activation_code_is_six_digits_and_stored_as_hash(clock) -> None:
    """The SMS code has 6 digits; the ticket keeps only its HMAC."""
    code, ticket = issue_activation_code(selfcare(clock), key=KEY, now=clock.now())
    assert len(code) == 6 and code.isdigit()
    assert code not in ticket.code_hash and code not in repr(ticket)


def test_activation_code_expires_after_10_minutes(clock) -> None:
    """The activation code is valid for 10 minutes."""
    code, ticket = issue_activation_code(branch(clock), key=KEY, now=clock.now())
    clock.advance(minutes=10)
    with pytest.raises(ActivationCodeRejected) as info:
        check_activation_code(ticket, code, key=KEY, now=clock.now())
    assert info.value.reason == Reason.ACTIVATION_CODE_EXPIRED


def test_activation_code_has_three_attempts(clock) -> None:
    """Three wrong codes exhaust the ticket; even the right code is then refused."""
    code, ticket = issue_activation_code(selfcare(clock), key=KEY, now=clock.now())
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (2, 1, 0):
        with pytest.raises(ActivationCodeRejected) as info:
            check_activation_code(ticket, wrong, key=KEY, now=clock.now())
        ticket = info.value.ticket
        assert info.value.reason == Reason.WRONG_ACTIVATION_CODE and ticket.attempts_left == left
    with pytest.raises(ActivationCodeRejected) as info:
        check_activation_code(ticket, code, key=KEY, now=clock.now())
    assert info.value.reason == Reason.ACTIVATION_ATTEMPTS_EXHAUSTED


def test_activation_code_is_single_use(clock) -> None:
    """A used code cannot be checked again."""
    enrolment = selfcare(clock)
    code, ticket = issue_activation_code(enrolment, key=KEY, now=clock.now())
    used = check_activation_code(ticket, code, key=KEY, now=clock.now())
    with pytest.raises(ActivationCodeRejected):
        check_activation_code(used, code, key=KEY, now=clock.now())


def test_activation_code_is_bound_to_its_enrolment(clock) -> None:
    """A code issued for one enrolment does not check for another's ticket."""
    code, ticket = issue_activation_code(selfcare(clock), key=KEY, now=clock.now())
    with pytest.raises(ActivationCodeRejected):
        check_activation_code(replace(ticket, enrolment_id="e2"), code, key=KEY, now=clock.now())


def test_sp40_transfer_to_a_new_phone_revokes_the_old(clock) -> None:
    """SP-40: a new activation on a new phone revokes the old device at that moment."""
    enrolment = subscribed(clock, "old-phone")
    clock.advance(days=30)
    change = activate(
        enrolment, ticket=used_ticket(enrolment, clock), device_id="new-phone", now=clock.now()
    )
    assert change.revoke_device_ids == ("old-phone",)
    assert change.enrolment.device_id == "new-phone"
    assert change.enrolment.activated_at == clock.now()


def test_sp41_reinstall_follows_the_activation_path(clock) -> None:
    """SP-41: a reinstalled app gets a new device id and re-activates like a new phone."""
    enrolment = subscribed(clock, "install-1")
    change = activate(
        enrolment, ticket=used_ticket(enrolment, clock), device_id="install-2", now=clock.now()
    )
    assert change.revoke_device_ids == ("install-1",)


def test_sp43_close_revokes_and_is_final(clock) -> None:
    """SP-43: closing revokes the device; a closed enrolment cannot be activated or closed again."""
    enrolment = subscribed(clock)
    ticket = used_ticket(enrolment, clock)
    change = close(enrolment, now=clock.now())
    assert change.enrolment.state == EnrolmentState.CLOSED and change.revoke_device_ids == (
        "dev-1",
    )
    closed = change.enrolment
    assert reason_of(lambda: close(closed, now=clock.now())) == Reason.WRONG_STATE
    call = lambda: activate(closed, ticket=ticket, device_id="d", now=clock.now())  # noqa: E731
    assert reason_of(call) == Reason.WRONG_STATE
    assert reason_of(lambda: issue_activation_code(closed, key=KEY, now=clock.now()))


def test_sp45_lock_then_reactivation_unlocks(clock) -> None:
    """SP-45: five wrong codes lock the enrolment; only a re-activation unlocks it."""
    locked = lock(subscribed(clock), now=clock.now())
    assert locked.state == EnrolmentState.LOCKED
    assert reason_of(lambda: lock(locked, now=clock.now())) == Reason.WRONG_STATE
    change = activate(locked, ticket=used_ticket(locked, clock), device_id="dev-2", now=clock.now())
    assert change.enrolment.state == EnrolmentState.SUBSCRIBED
    assert change.revoke_device_ids == ("dev-1",)


def test_sp23_biometrics_per_purpose_independently(clock) -> None:
    """SP-23: payments and login are chosen independently: both, either or neither."""
    enrolment = subscribed(clock)
    assert enrolment.biometrics == Biometrics(payments=False, login=False)
    payments = set_biometrics(enrolment, purpose=BiometricPurpose.PAYMENTS, enabled=True)
    assert payments.biometrics == Biometrics(payments=True, login=False)
    both = set_biometrics(payments, purpose="login", enabled=True)
    assert both.biometrics == Biometrics(payments=True, login=True)
    login_only = set_biometrics(both, purpose="payments", enabled=False)
    assert login_only.biometrics == Biometrics(payments=False, login=True)


def test_sp23_biometrics_chosen_at_activation(clock) -> None:
    """SP-23: biometrics can be chosen at activation."""
    enrolment = selfcare(clock)
    change = activate(
        enrolment,
        ticket=used_ticket(enrolment, clock),
        device_id="d",
        now=clock.now(),
        biometrics=Biometrics(login=True),
    )
    assert change.enrolment.biometrics == Biometrics(payments=False, login=True)


def test_selfcare_window_is_ten_minutes(clock) -> None:
    """A self-care enrolment not activated within 10 minutes expires; the customer restarts."""
    enrolment = selfcare(clock)
    clock.advance(minutes=10)
    assert expire(enrolment, now=clock.now()).state == EnrolmentState.EXPIRED


def test_sp40_one_checked_code_serves_one_activation(clock) -> None:
    """SP-40: a used activation code cannot be replayed to move the service to another phone."""
    enrolment = selfcare(clock)
    ticket = used_ticket(enrolment, clock)
    first = activate(enrolment, ticket=ticket, device_id="dev-1", now=clock.now()).enrolment
    call = lambda: activate(first, ticket=ticket, device_id="dev-x", now=clock.now())  # noqa: E731
    assert reason_of(call) == Reason.WRONG_STATE
