"""The "Challenge path" section of ``docs/performance.md``."""

from __future__ import annotations

from benchmarks.goals import APPROVAL_P99_TARGET_MS, METHODS, challenge_results

__all__ = ["challenge_lines"]

HOW = f"""\
How: K customers eligible for Sécur'Pass are imported with `acs import`; K phones
(`merchant_simulator.phone`) enrol in self-care (activation code read from `GET /dev/sms`) with a
biometric key for payments, and listen. Each round sends K AReqs at a challenge amount with
`dsURL` = a fake DS (aiohttp on a loopback port, in the harness process), posts each CReq to
`/3ds/challenge`, starts the page's status long-poll, waits until every phone has its operation
and the long-polls are parked; then all K phones approve at once (the worst case: the ACS drains
K simultaneous approvals), and in as many more rounds they approve one after another at random, a
Poisson process at 20 approvals/s (cardholders each decide when they read the screen; a bank's
peak of a few hundred challenges a second spread over its workers). Clocks start when the signed
answer goes out (its envelope and signature are built before): **→ page** ends when the long-poll
answers `final` (the ACS says so on the decision's commit; the page's post for the final CRes
then waits for the RRes), **→ RReq** when the RReq reaches
the fake DS, **answer call** when the phone's own request returns. Code rounds first, then
biometric rounds. The code costs a scrypt check on the ACS (a thread); biometrics an ES256
verification. Goal: approval → page < {APPROVAL_P99_TARGET_MS:.0f} ms p99. Client, fake DS and
server share the machine."""


def _pair(figures: dict, key: str) -> str:
    s = figures.get(key) or {}
    if s.get("p50_ms") is None:
        return "—"
    return f"{s['p50_ms']:.1f} / {s['p99_ms']:.1f} / {s['max_ms']:.1f}"


def _arrivals(c: dict) -> list[tuple[str, dict]]:
    """(how the K phones approved, figures by method): the burst, then the spread if run."""
    found = [("all at once", c.get("methods") or {})]
    spread = c.get("spread")
    if spread:
        found.append((f"at random, {spread['approvals_per_s']:g}/s", spread.get("methods") or {}))
    return found


def _rows(name: str, c: dict) -> list[str]:
    lines = []
    for arrival, methods in _arrivals(c):
        for method in METHODS:
            f = methods.get(method)
            if f is None:
                continue
            lines.append(
                f"| {name} | {method} | {arrival} | {c['concurrent']} × {c['rounds']} | "
                f"{f['samples']} / {f['failures']} | {_pair(f, 'approval_to_page')} | "
                f"{_pair(f, 'approval_to_rreq')} | {_pair(f, 'answer_http')} |"
            )
    return lines


def _problems(name: str, c: dict) -> list[str]:
    lines = []
    for arrival, methods in _arrivals(c):
        for method, f in methods.items():
            where = f"{name}, {method}, {arrival}"
            if f.get("failure_examples"):
                lines.append(f"- {where}: " + "; ".join(f["failure_examples"]))
            if f.get("rreq_missing"):
                lines.append(f"- {where}: {f['rreq_missing']} RReq(s) never reached the DS")
    return lines


def _drain_note(name: str, server: dict) -> list[str]:
    if "drain_seconds" not in server:
        return []
    waited = server["drain_seconds"]
    how = f"after {waited:g} s" if waited is not None else "not even after 600 s (still busy)"
    return [f"- {name}: measured once the load steps' unanswered challenges had timed out and "
            f"their RReqs were delivered ({how})."]  # fmt: skip


def _unavailable(name: str, c: dict) -> str:
    routes = ", ".join(f"`{route}` → {status}" for route, status in c.get("routes", {}).items())
    return f"- {name}: {c['message']} (K = {c['concurrent']}; routes probed: {routes})."


def challenge_lines(results: dict) -> list[str]:
    """The table per server and approval method, what failed, and how it was measured."""
    found = challenge_results(results)
    if not found:
        return ["Not run (`--no-challenge` or `--challenge-k 0`)."]
    table = [
        "| ACS | approval by | the K phones approve | K × rounds | approvals ok / failed | "
        "approval → page ms p50 / p99 / max | approval → RReq at DS ms p50 / p99 / max | "
        "answer call ms p50 / p99 / max |",
        "|---|---|---|--:|--:|--:|--:|--:|",
    ]
    notes = []
    for name, c in found.items():
        if c.get("available"):
            table += _rows(name, c)
            notes += _problems(name, c)
            notes.append(f"- {name}: {c['concurrent']} phones enrolled in {c['enrol_seconds']} s.")
            notes += _drain_note(name, (results.get("servers") or {}).get(name) or {})
        else:
            notes.append(_unavailable(name, c))
    lines = table if len(table) > 2 else []
    return [*lines, "", *notes, "", HOW] if lines else [*notes, "", HOW]
