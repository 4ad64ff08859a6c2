"""The issue's goals, checked against a results document (reported, never asserted)."""

from __future__ import annotations

__all__ = ["evaluate"]

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


def _approval(challenge: dict | None) -> dict:
    name = "Sécur'Pass approval → challenge page, p99"
    if not challenge or not challenge.get("available"):
        reason = (challenge or {}).get("message", "not run")
        return _goal(name, f"< {APPROVAL_P99_TARGET_MS:.0f} ms", reason, None)
    p99 = challenge["approval_to_page"]["p99_ms"]
    return _goal(name, f"< {APPROVAL_P99_TARGET_MS:.0f} ms", f"{p99:.1f} ms",
                 p99 < APPROVAL_P99_TARGET_MS)  # fmt: skip


def evaluate(results: dict) -> list[dict]:
    """Each goal with its target, what was measured on the SQLite ACS and whether it is met."""
    acs = results["servers"].get("acs-sqlite") or {}
    baseline = results["servers"].get("baseline") or {}
    return [
        _throughput_ratio(acs, baseline),
        _p99_at_half(acs),
        _approval(results.get("challenge")),
    ]
