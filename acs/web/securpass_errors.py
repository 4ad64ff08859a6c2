"""The ONE place where Sécur'Pass and advisor routes turn exceptions into HTTP answers:
:func:`json_api` wraps every route of the JSON APIs' route tables once, in the app factory
(around the handler itself, inside every middleware, so those see the 4xx answer).

Every refusal is a JSON body ``{"error": "<machine reason>", "message": "...", ...extra}``; the
core's ``detail`` goes to the log only. Bad input is always a 4xx, never a 500.

=====================================  ======  ==========================================
exception (reason)                     status  notes
=====================================  ======  ==========================================
InvalidRequest                         400     malformed_body, invalid_key, …
AnswerRejected malformed_answer        400
UnknownResource                        404
RequestRejected (signed call)          401     the app re-signs or re-activates
DeviceUnusable device_revoked          401     the app wipes its keys
DeviceUnusable device_blocked          403     re-activation needed (SP-45)
CodeRejected authentication_failed     401     generic + ``attempts_left`` (RTS 4(3)(a))
CodeRejected device_blocked            403
ActivationCodeRejected                 401     wrong code, ``attempts_left``; 410 expired;
                                               429 attempts exhausted
NotEligible, Forbidden                 403     ``unmet`` lists every SP rule not met
TooManyRequests                        429     too_many_activation_codes,
                                               too_many_requests_from_address;
                                               ``retry_after`` and ``Retry-After``
InvalidTransition                      409     wrong_state, not_yet_expired
StateConflict not_pending              409     a banking operation decided already
InvalidTransition enrolment_expired    410     SP-33: start again in branch
InvalidTransition not_eligible /       403
  branch_face_to_face_only
AnswerRejected not_pending             409     decided already (exactly once)
AnswerRejected expired                 410     late answer
AnswerRejected bad_signature           401
AnswerRejected (others)                422     nonce / summary / counter / key mismatch
WeakCode, InvalidLift                  422
SmsNotSent                             503
storage Conflict                       409     retry
TokenRejected (identity token)         401     ``WWW-Authenticate: Bearer error=…``; the app
                                               logs in again (docs/security.md)
RoleForbidden role_forbidden           403     ``action`` and ``role``: the staff member's
                                               role may not do it (docs/security.md)
KeysUnavailable                        503     identity_provider_unavailable
=====================================  ======  ==========================================
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from acs.auth import KeysUnavailable, TokenRejected
from acs.auth import Reason as TokenReason
from acs.auth.errors import RoleForbidden
from acs.flows.errors import Conflict
from acs.flows.securpass.errors import (
    CodeRejected,
    Forbidden,
    InvalidRequest,
    NotEligible,
    SecurPassFlowError,
    StateConflict,
    TooManyRequests,
    UnknownResource,
)
from acs.notify.sms import SmsNotSent
from acs.securpass.errors import (
    ActivationCodeRejected,
    AnswerRejected,
    DeviceUnusable,
    InvalidLift,
    InvalidTransition,
    Reason,
    RequestRejected,
    SecurPassError,
    WeakCode,
)

__all__ = ["error_response", "json_api"]

log = logging.getLogger("acs.web.securpass")

_FLOW_STATUS: dict[type, int] = {
    InvalidRequest: 400,
    UnknownResource: 404,
    NotEligible: 403,
    Forbidden: 403,
    CodeRejected: 401,
    TooManyRequests: 429,
    StateConflict: 409,
}
_REASON_STATUS: dict[str, int] = {
    Reason.DEVICE_BLOCKED: 403,
    Reason.DEVICE_REVOKED: 401,
    Reason.MALFORMED_ANSWER: 400,
    Reason.NOT_PENDING: 409,
    Reason.EXPIRED: 410,
    Reason.BAD_SIGNATURE: 401,
    Reason.ENROLMENT_EXPIRED: 410,
    Reason.ACTIVATION_CODE_EXPIRED: 410,
    Reason.ACTIVATION_ATTEMPTS_EXHAUSTED: 429,
    Reason.WRONG_ACTIVATION_CODE: 401,
    Reason.NOT_ELIGIBLE: 403,
    Reason.BRANCH_FACE_TO_FACE_ONLY: 403,
    "device_blocked": 403,
}
_CLASS_STATUS: tuple[tuple[type, int], ...] = (
    (RequestRejected, 401),
    (AnswerRejected, 422),
    (InvalidTransition, 409),
    (WeakCode, 422),
    (InvalidLift, 422),
)
_MESSAGES: dict[str, str] = {
    Reason.DEVICE_REVOKED: "Ce téléphone n'est plus enregistré pour Sécur'Pass.",
    Reason.DEVICE_BLOCKED: "Sécur'Pass est bloqué : réactivez-le depuis l'application.",
    Reason.NOT_PENDING: "Cette opération a déjà été traitée.",
    Reason.EXPIRED: "Le délai de validation de cette opération est dépassé.",
    Reason.ENROLMENT_EXPIRED: "Le délai d'activation est dépassé : recommencez l'adhésion.",
    Reason.WRONG_ACTIVATION_CODE: "Code d'activation incorrect.",
    Reason.ACTIVATION_CODE_EXPIRED: "Ce code d'activation a expiré : demandez-en un nouveau.",
    Reason.ACTIVATION_ATTEMPTS_EXHAUSTED: "Trop d'essais : demandez un nouveau code.",
    Reason.WEAK_CODE: "Ce code est trop simple : choisissez-en un autre.",
    Reason.BRANCH_FACE_TO_FACE_ONLY: "Sécur'Pass s'ajoute en agence, en face à face uniquement.",
}


_TOKEN_MESSAGES: dict[str, str] = {
    TokenReason.MISSING: "Connectez-vous à votre espace Banxo pour continuer.",
    TokenReason.EXPIRED: "Votre session a expiré : reconnectez-vous.",
    TokenReason.LOGIN_TOO_WEAK: (
        "Pour activer Sécur'Pass, reconnectez-vous avec votre identifiant et votre mot de passe."
    ),
}
_TOKEN_MESSAGE = "Votre session n'est pas reconnue : reconnectez-vous."
# Staff read their own words: the back office, not the Banxo app.
_STAFF_TOKEN_MESSAGES: dict[str, str] = {
    TokenReason.MISSING: "Connectez-vous avec votre compte agent pour continuer.",
    TokenReason.EXPIRED: "Votre session agent a expiré : reconnectez-vous.",
    TokenReason.CLAIMS: "Votre jeton agent ne porte pas de rôle ou d'agence reconnus.",
}
_STAFF_TOKEN_MESSAGE = "Votre session agent n'est pas reconnue : reconnectez-vous."
# RFC 6750 §3: a refused bearer token names the scheme and the error (the shared spec's value).
_WWW_AUTHENTICATE = 'Bearer error="invalid_token"'


def error_response(status: int, reason: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": reason, "message": message, **extra}, status=status)


def json_api(routes: Iterable[web.AbstractRouteDef], *, staff: bool = False) -> list[web.RouteDef]:
    """The routes of a JSON API, each handler wrapped by :func:`_refusals`; ``staff`` for the
    back office's (its refused tokens are worded for staff)."""
    wrapped = []
    for route in routes:
        assert isinstance(route, web.RouteDef)
        handler: Handler = _refusals(route.handler, staff=staff)
        wrapped.append(web.RouteDef(route.method, route.path, handler, route.kwargs))
    return wrapped


def _refusals(handler: Handler, *, staff: bool) -> Handler:
    """Every known refusal becomes a clear 4xx JSON answer; anything else passes through."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except SecurPassFlowError as exc:
            log.info("%s %s refused: %s", request.method, request.path, exc.reason)
            return _flow_error(exc)
        except SecurPassError as exc:
            log.info("%s %s refused: %s (%s)", request.method, request.path, exc.reason, exc.detail)
            return _core_error(exc)
        except SmsNotSent:
            log.warning("SMS not sent for %s", request.path)
            return error_response(503, "sms_not_sent", "Le SMS n'a pas pu être envoyé.")
        except Conflict:
            return error_response(409, "conflict", "Une autre requête a modifié ces données.")
        except TokenRejected as exc:
            log.info(
                "%s %s token refused: %s (%s)",
                request.method,
                request.path,
                exc.reason,
                exc.message,
            )
            return _token_error(exc, staff=staff)
        except RoleForbidden as exc:
            log.info("%s %s forbidden: %s", request.method, request.path, exc)
            return _role_error(exc)
        except KeysUnavailable as exc:
            log.warning("%s %s: %s", request.method, request.path, exc)
            message = "Le service d'identification de la banque est indisponible : réessayez."
            return error_response(503, "identity_provider_unavailable", message)

    return wrapper


def _flow_error(exc: SecurPassFlowError) -> web.Response:
    status = _REASON_STATUS.get(exc.reason) if isinstance(exc, CodeRejected) else None
    status = status or _status_of(exc, _FLOW_STATUS.items(), 400)
    response = error_response(status, exc.reason, exc.message, **exc.extra)
    if isinstance(exc, TooManyRequests):  # RFC 9110 §10.2.3, for clients that read no body
        response.headers["Retry-After"] = str(exc.extra["retry_after"])
    return response


def _token_error(exc: TokenRejected, *, staff: bool) -> web.Response:
    if staff:
        message = _STAFF_TOKEN_MESSAGES.get(exc.reason, _STAFF_TOKEN_MESSAGE)
    else:
        message = _TOKEN_MESSAGES.get(exc.reason, _TOKEN_MESSAGE)
    response = error_response(401, str(exc.reason), message)
    response.headers["WWW-Authenticate"] = _WWW_AUTHENTICATE
    return response


def _role_error(exc: RoleForbidden) -> web.Response:
    message = f"Votre rôle ({exc.role}) ne permet pas cette action ({exc.action})."
    return error_response(403, "role_forbidden", message, action=exc.action, role=exc.role)


def _core_error(exc: SecurPassError) -> web.Response:
    reason = str(exc.reason)
    status = _REASON_STATUS.get(reason) or _status_of(exc, _CLASS_STATUS, 400)
    extra: dict[str, Any] = {}
    if isinstance(exc, ActivationCodeRejected):
        extra["attempts_left"] = exc.ticket.attempts_left
    if isinstance(exc, DeviceUnusable | RequestRejected) and reason not in _MESSAGES:
        message = "La requête signée est refusée."
    else:
        message = _MESSAGES.get(reason, "La requête est refusée.")
    return error_response(status, reason, message, **extra)


def _status_of(exc: Exception, table: Any, default: int) -> int:
    for cls, status in table:
        if isinstance(exc, cls):
            return status
    return default
