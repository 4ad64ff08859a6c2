"""The issue's goals, checked against a results document (reported, never asserted)."""

from __future__ import annotations

__all__ = ["METHODS", "challenge_results", "evaluate"]

METHODS = ("code", "biometrics")  # how the phones approve, in the order they run

P99_TARGET_MS = 10.0
RATIO_TARGET = 0.4
APPROVAL_P99_TARGET_MS = 50.0


def _goal(name: str, target: str, measured: str | None, met: bool | None) -> dict:
    return {"goal": name, "target": target, "measured": measured or "not measured", "met": met}


def _throughput_ratio(acs: dict, baseline: dict) -> dict:
    name = "frictionless AReq throughput, one worker, vs baseline"
    try:
        ours = acs["steps"]["saturation_frictionless"]["throughput_rps"]
        base = baseline["steps"]["saturation_frictionless"]["throughput_rps"]
    except (KeyError, TypeError):
        return _goal(name, f"≥ {RATIO_TARGET} ×", None, None)
    ratio = ours / base if base else 0.0
    return _goal(name, f"≥ {RATIO_TARGET} ×", f"{ratio:.2f} × ({ours:.0f} / {base:.0f} req/s)",
                 ratio >= RATIO_TARGET)  # fmt: skip


def half_saturation_step(steps: dict) -> dict | None:
    """The fixed-rate step closest to half the full-mix saturation rate."""
    half = steps["saturation_mix"]["throughput_rps"] / 2
    fixed = steps.get("fixed") or []
    return min(fixed, key=lambda s: abs(s["offered_rps"] - half), default=None)


def _p99_at_half(acs: dict) -> dict:
    name = "AReq p99 at half the ACS's saturation rate"
    step = half_saturation_step(acs["steps"]) if acs and "steps" in acs else None
    if step is None:
        return _goal(name, f"< {P99_TARGET_MS:.0f} ms", None, None)
    p99 = step["p99_ms"]
    measured = f"{p99:.1f} ms at {step['offered_rps']:.0f} req/s"
    return _goal(name, f"< {P99_TARGET_MS:.0f} ms", measured, p99 < P99_TARGET_MS)


def challenge_results(results: dict) -> dict[str, dict]:
    """Challenge-path results by server (an older document held one, for the SQLite ACS)."""
    found = results.get("challenge") or {}
    return {"acs-sqlite": found} if "available" in found else found


def _approval(challenge: dict | None, method: str) -> dict:
    name = f"Sécur'Pass approval ({method}) → challenge page, p99"
    target = f"< {APPROVAL_P99_TARGET_MS:.0f} ms"
    if not challenge or not challenge.get("available"):
        return _goal(name, target, (challenge or {}).get("message", "not run"), None)
    figures = (challenge.get("methods") or {}).get(method)
    p99 = (figures or {}).get("approval_to_page", {}).get("p99_ms")
    if p99 is None:
        return _goal(name, target, "no successful approval", None)
    k, failures = challenge["concurrent"], figures["failures"]
    measured = f"{p99:.1f} ms (K = {k}, {figures['samples']} approvals, {failures} failed)"
    return _goal(name, target, measured, p99 < APPROVAL_P99_TARGET_MS and not failures)


def evaluate(results: dict) -> list[dict]:
    """Each goal with its target, what was measured on the SQLite ACS and whether it is met."""
    acs = results["servers"].get("acs-sqlite") or {}
    baseline = results["servers"].get("baseline") or {}
    return [
        _throughput_ratio(acs, baseline),
        _p99_at_half(acs),
        *(_approval(challenge_results(results).get("acs-sqlite"), m) for m in METHODS),
    ]
