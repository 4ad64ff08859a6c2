"""The issue's goals, checked against a results document (reported, never asserted)."""

from __future__ import annotations

__all__ = ["ACS_SERVERS", "ARRIVALS", "METHODS", "challenge_results", "evaluate"]

METHODS = ("code", "biometrics")  # how the phones approve, in the order they run
ARRIVALS = ("burst", "spread")  # all K approvals at once; at random at a set mean rate
ACS_SERVERS = ("acs-sqlite", "acs-postgres")  # one worker each: the goals are per worker

P99_TARGET_MS = 10.0
RATIO_TARGET = 0.4
APPROVAL_P99_TARGET_MS = 50.0


def _goal(name: str, target: str, measured: str | None, met: bool | None) -> dict:
    return {"goal": name, "target": target, "measured": measured or "not measured", "met": met}


def _throughput_ratio(server: str, acs: dict, baseline: dict) -> dict:
    name = f"{server}: frictionless AReq throughput, one worker, vs baseline"
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


def _p99_at_half(server: str, acs: dict) -> dict:
    name = f"{server}: AReq p99 at half the ACS's saturation rate"
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


def _arrival_figures(challenge: dict, arrival: str) -> tuple[dict, str]:
    """The per-method figures of one way of approving, and how to name it."""
    if arrival == "burst":
        return challenge.get("methods") or {}, f"all K at once, K = {challenge['concurrent']}"
    spread = challenge.get("spread") or {}
    rate = spread.get("approvals_per_s")
    return spread.get("methods") or {}, f"at random, {rate:g}/s, K = {challenge['concurrent']}"


def _approval(server: str, challenge: dict | None, method: str, arrival: str) -> dict:
    name = f"{server}: Sécur'Pass approval ({method}, {arrival}) → challenge page, p99"
    target = f"< {APPROVAL_P99_TARGET_MS:.0f} ms"
    if not challenge or not challenge.get("available"):
        return _goal(name, target, (challenge or {}).get("message", "not run"), None)
    methods, how = _arrival_figures(challenge, arrival)
    figures = methods.get(method)
    p99 = (figures or {}).get("approval_to_page", {}).get("p99_ms")
    if p99 is None:
        return _goal(name, target, "not measured" if not figures else "no successful approval",
                     None)  # fmt: skip
    failures = figures["failures"]
    measured = f"{p99:.1f} ms ({how}, {figures['samples']} approvals, {failures} failed)"
    return _goal(name, target, measured, p99 < APPROVAL_P99_TARGET_MS and not failures)


def _server_goals(server: str, results: dict) -> list[dict]:
    acs = results["servers"].get(server) or {}
    baseline = results["servers"].get("baseline") or {}
    challenge = challenge_results(results).get(server)
    return [
        _throughput_ratio(server, acs, baseline),
        _p99_at_half(server, acs),
        *(_approval(server, challenge, m, a) for a in ARRIVALS for m in METHODS),
    ]


def evaluate(results: dict) -> list[dict]:
    """Each goal with its target, what was measured and whether it is met, per ACS server
    in the document (the SQLite one at least)."""
    found = challenge_results(results)
    servers = [s for s in ACS_SERVERS if s in results["servers"] or s in found]
    servers = servers or [ACS_SERVERS[0]]
    return [goal for server in servers for goal in _server_goals(server, results)]
