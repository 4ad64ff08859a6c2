"""The enrolment use cases, one module each, named here for the web layer:

- :mod:`.eligibility`: who may enrol (SP-10 … SP-16) and the SP-15 lift;
- :mod:`.enrolments`: the current enrolment, expired when its window passed (SP-33);
- :mod:`.selfcare`: the start from the app (SP-20); :mod:`.branch`: face to face (SP-30);
- :mod:`.activation`: the phone activates (SP-21, SP-34, SP-40/41);
- :mod:`acs.flows.display`: how the secure mobile is shown.
"""

from __future__ import annotations

from acs.flows.display import masked_mobile
from acs.flows.securpass.activation import BIOMETRIC_PROOF_LABEL, Activation, activate_device
from acs.flows.securpass.branch import initiate_in_branch
from acs.flows.securpass.eligibility import customer_or_404, eligibility_of, record_lift
from acs.flows.securpass.enrolments import current_enrolment, expire_if_due
from acs.flows.securpass.selfcare import start_selfcare

__all__ = [
    "BIOMETRIC_PROOF_LABEL",
    "Activation",
    "activate_device",
    "current_enrolment",
    "customer_or_404",
    "eligibility_of",
    "expire_if_due",
    "initiate_in_branch",
    "masked_mobile",
    "record_lift",
    "start_selfcare",
]
