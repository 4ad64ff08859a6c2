"""The latency-against-offered-load plot (matplotlib; skipped with a note when it is absent)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["plot_latency"]


def _series(steps: dict, key: str) -> tuple[list[float], list[float]]:
    fixed = sorted(steps.get("fixed", []), key=lambda s: s["offered_rps"])
    return [s["offered_rps"] for s in fixed], [s[key] for s in fixed]


def plot_latency(results: dict, path: Path) -> bool:
    """Draw p50 and p99 against offered load for every server; False without matplotlib."""
    from benchmarks.render import servers_in_order

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    for index, (name, outcome) in enumerate(servers_in_order(results)):
        steps = outcome.get("steps") or {}
        for key, style in (("p99_ms", "-o"), ("p50_ms", "--.")):
            xs, ys = _series(steps, key)
            if xs:
                label = f"{name} {key.removesuffix('_ms')}"
                axes.plot(xs, ys, style, color=f"C{index}", label=label)
    axes.set(xlabel="offered load (AReq/s, open loop)", ylabel="latency (ms)", yscale="log")
    axes.set_title(f"AReq latency against offered load — {results['started']}")
    axes.grid(True, which="both", alpha=0.3)
    if axes.get_legend_handles_labels()[0]:  # a run without fixed-rate steps has no lines
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True
