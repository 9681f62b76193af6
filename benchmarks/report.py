"""The benchmark's outputs: targets, the printed table, the JSON file and the plot."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any, Dict, List, Optional

# (key, label, comparison, target) from the issue.
TARGETS = (
    ("intent_accuracy", "held-out intent accuracy", ">=", 0.95),
    ("role_f1", "held-out role F1", ">=", 0.95),
    ("oos_rejected", "out-of-scope rejected", ">=", 0.90),
    ("p95_ms_at_20", "p95 latency at 20 concurrent (ms)", "<=", 250.0),
    ("throughput_vs_stock_at_20", "throughput at 20 concurrent vs stock (x)", ">=", 4.0),
    ("ready_s", "start to ready (s)", "<=", 40.0),
    ("rss_peak_mb", "Rasa server resident memory, peak (MB)", "<=", 800.0),
    ("train_s", "rasa train (s)", "<=", 180.0),
    # Issue 20: one lean process (actions in-process, no TensorFlow).
    ("capacity_vs_stock", "open-loop capacity vs stock (x)", ">=", 3.0),
    ("p50_ms_at_1", "one visitor p50 (ms)", "<=", 8.0),
    ("rss_everything_mb", "RSS of everything make run starts, peak (MB)", "<=", 400.0),
    ("ready_s_lean", "start to ready, issue 20 (s)", "<=", 3.0),
    ("turn_cost_growth", "turn cost at 200 events over 1 event (x)", "<=", 2.0),
)


def machine() -> Dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "ram_gib": round(ram_kb / 2**20, 1),
        "python": platform.python_version(),
    }


def level(serving: Optional[Dict[str, Any]], concurrency: int) -> Optional[Dict[str, Any]]:
    for entry in (serving or {}).get("levels", []):
        if entry["concurrency"] == concurrency:
            return entry
    return None


def headline(results: Dict[str, Any]) -> Dict[str, Optional[float]]:
    """The figures the targets are about, from the full results."""
    ours = results.get("understanding", {}).get("this_assistant") or {}
    serving = results.get("serving", {})
    at20 = level(serving.get("this_assistant"), 20)
    stock20 = level(serving.get("stock"), 20)
    ratio = None
    if at20 and stock20 and stock20["throughput_rps"]:
        ratio = round(at20["throughput_rps"] / stock20["throughput_rps"], 2)
    return {
        "intent_accuracy": ours.get("intent_accuracy"),
        "role_f1": ours.get("role_f1"),
        "oos_rejected": ours.get("oos_rejected"),
        "p95_ms_at_20": at20["p95_ms"] if at20 else None,
        "throughput_vs_stock_at_20": ratio,
        "ready_s": (serving.get("this_assistant") or {}).get("ready_s"),
        "rss_peak_mb": (serving.get("this_assistant") or {}).get("rss_peak_mb"),
        "train_s": (results.get("training", {}).get("this_assistant") or {}).get("seconds"),
        "capacity_vs_stock": capacity_ratio(results.get("open_loop") or {}),
        "p50_ms_at_1": (level(serving.get("this_assistant"), 1) or {}).get("p50_ms"),
        # One process since issue 20: the server's process tree is everything `make run` starts.
        "rss_everything_mb": (serving.get("this_assistant") or {}).get("rss_peak_mb"),
        "ready_s_lean": (serving.get("this_assistant") or {}).get("ready_s"),
        "turn_cost_growth": ((results.get("turn_cost") or {}).get("this_assistant") or {}).get("growth_200_over_1"),
    }


def capacity_ratio(opened: Dict[str, Any]) -> Optional[float]:
    ours = (opened.get("this_assistant") or {}).get("capacity_per_s")
    stock = (opened.get("stock") or {}).get("capacity_per_s")
    if ours is None or not stock:
        return None  # stock at 0 (not even the lowest rate within 300 ms): no finite ratio
    return round(ours / stock, 2)


def targets(results: Dict[str, Any]) -> List[Dict[str, Any]]:
    values = headline(results)
    rows = []
    for key, label, op, goal in TARGETS:
        value = values.get(key)
        met = None if value is None else (value >= goal if op == ">=" else value <= goal)
        rows.append({"key": key, "label": label, "target": f"{op} {goal:g}", "value": value, "met": met})
    return rows


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if abs(value) <= 1:
            return f"{value:.3f}"  # shares: accuracy, F1, rejection
        return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def table(results: Dict[str, Any]) -> str:
    """A plain-text table: every figure for this assistant and stock, then the targets."""
    u = results.get("understanding", {})
    ours, stock = u.get("this_assistant") or {}, u.get("stock") or {}
    ours_cv, stock_cv = ours.get("cross_validation") or {}, stock.get("cross_validation") or {}
    serving = results.get("serving", {})
    training = results.get("training", {})
    conv = results.get("conversations") or {}
    rows: List[List[str]] = [["measure", "this assistant", "stock rasa init"]]

    def add(label: str, a: Any, b: Any = None) -> None:
        rows.append([label, _fmt(a), _fmt(b)])

    add("held-out intent accuracy", ours.get("intent_accuracy"), stock.get("intent_accuracy"))
    add("held-out intent macro F1", ours.get("intent_macro_f1"), stock.get("intent_macro_f1"))

    def prf(u: Dict[str, Any]) -> Optional[str]:
        return "/".join(_fmt(u.get(k)) for k in ("role_precision", "role_recall", "role_f1")) if u else None

    def rss(s: Dict[str, Any]) -> Optional[str]:
        return f"{_fmt(s.get('rss_idle_mb'))} / {_fmt(s.get('rss_peak_mb'))}" if s else None

    add("role P / R / F1", prf(ours), prf(stock))
    add("out-of-scope rejected", ours.get("oos_rejected"), stock.get("oos_rejected"))
    add("5-fold CV intent accuracy", ours_cv.get("intent_accuracy"), stock_cv.get("intent_accuracy"))
    add("5-fold CV intent macro F1", ours_cv.get("intent_macro_f1"), stock_cv.get("intent_macro_f1"))
    if conv:
        add("conversation tests passed", f"{conv['passed']}/{conv['stories']}", None)
    add(
        "rasa train, cold cache (s)",
        (training.get("this_assistant") or {}).get("seconds"),
        (training.get("stock") or {}).get("seconds"),
    )
    s_ours, s_stock = serving.get("this_assistant") or {}, serving.get("stock") or {}
    add("start to ready (s)", s_ours.get("ready_s"), s_stock.get("ready_s"))
    add("RSS idle / peak (MB)", rss(s_ours), rss(s_stock))
    for entry in s_ours.get("levels", []):
        c = entry["concurrency"]
        other = level(s_stock, c)
        add(f"{c:>2} concurrent: msg/s", entry["throughput_rps"], other and other["throughput_rps"])
        add(
            f"{c:>2} concurrent: p50/p95/p99 ms",
            f"{entry['p50_ms']:.0f}/{entry['p95_ms']:.0f}/{entry['p99_ms']:.0f}",
            other and f"{other['p50_ms']:.0f}/{other['p95_ms']:.0f}/{other['p99_ms']:.0f}",
        )
    for entry in s_ours.get("levels", []):
        if entry["concurrency"] == 20:
            other = level(s_stock, 20)

            def tail(e: Optional[Dict[str, Any]]) -> Optional[str]:
                if not e or not e.get("p50_ms") or e.get("mean_ms") is None:
                    return None
                return f"{e['mean_ms']:.0f} ms, {e['p95_ms'] / e['p50_ms']:.2f}"

            add("20 concurrent: mean, p95/p50", tail(entry), tail(other))
    cost = results.get("turn_cost") or {}
    if cost:

        def marks(c: Optional[Dict[str, Any]]) -> Optional[str]:
            if not c:
                return None
            return "/".join(_fmt((c.get(m) or {}).get("p50_ms")) for m in ("1", "50", "200"))

        add("turn cost p50 at 1/50/200 events (ms)", marks(cost.get("this_assistant")), marks(cost.get("stock")))
    opened = results.get("open_loop") or {}
    if opened:
        add(
            "open loop: capacity, msg/s at p95 <= 300 ms",
            (opened.get("this_assistant") or {}).get("capacity_per_s"),
            (opened.get("stock") or {}).get("capacity_per_s"),
        )
    sqlite = serving.get("this_assistant_sqlite")
    for entry in (sqlite or {}).get("levels", []):
        add(
            f"{entry['concurrency']:>2} concurrent, SQLite store: msg/s, p95 ms",
            f"{entry['throughput_rps']:.1f}, {entry['p95_ms']:.0f}",
            None,
        )

    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += ["", "targets:"]
    for row in results.get("targets", []):
        mark = {True: "met", False: "MISSED", None: "not measured"}[row["met"]]
        lines.append(f"  {row['label']:<44} {row['target']:>8}   {_fmt(row['value']):>8}   {mark}")
    return "\n".join(lines)


def plot(results: Dict[str, Any], path: Path) -> Optional[Path]:
    """Latency (p50, p95) and throughput against concurrency, this assistant vs stock."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    serving = results.get("serving", {})
    series = [
        ("this assistant", serving.get("this_assistant"), "tab:blue"),
        ("stock rasa init", serving.get("stock"), "tab:red"),
    ]
    series = [(name, s, colour) for name, s, colour in series if s and s.get("levels")]
    if not series:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, s, colour in series:
        xs = [e["concurrency"] for e in s["levels"]]
        left.plot(xs, [e["p95_ms"] for e in s["levels"]], "o-", color=colour, label=f"{name}, p95")
        left.plot(xs, [e["p50_ms"] for e in s["levels"]], "o--", color=colour, alpha=0.6, label=f"{name}, p50")
        right.plot(xs, [e["throughput_rps"] for e in s["levels"]], "o-", color=colour, label=name)
    left.axhline(250, color="grey", linestyle=":", label="p95 target at 20 (250 ms)")
    left.set_yscale("log")
    left.set_xlabel("concurrent conversations")
    left.set_ylabel("REST latency per message (ms)")
    left.set_title("Latency")
    left.legend(fontsize=8)
    right.set_ylim(bottom=0)
    right.set_xlabel("concurrent conversations")
    right.set_ylabel("messages per second")
    right.set_title("Throughput")
    right.legend(fontsize=8)
    meta = results.get("meta", {})
    mach = meta.get("machine", {})
    date = str(meta.get("date", ""))[:16].replace("T", " ")
    fig.suptitle(
        f"PMO Learning Assistant vs stock Rasa {meta.get('rasa', '')}: REST over loopback, "
        f"closed-loop conversations - {date}, {mach.get('nproc')} cores {mach.get('cpu_model', '')}",
        fontsize=9,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def markdown(results: Dict[str, Any]) -> str:
    """The README's figures: the table as Markdown, then the targets."""
    text = table(results)
    body = text.partition("\n\ntargets:\n")[0]
    rows = [line for line in body.splitlines() if not set(line.replace(" ", "")) <= {"-"}]
    cells = [[c.strip() for c in _split_row(line)] for line in rows]
    out = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    out += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    out += ["", "| target | goal | measured | |", "|---|---|---|---|"]
    for row in results.get("targets", []):
        mark = {True: "met", False: "**missed**", None: "not measured"}[row["met"]]
        out.append(f"| {row['label']} | {row['target']} | {_fmt(row['value'])} | {mark} |")
    return "\n".join(out)


def _split_row(line: str) -> List[str]:
    """Split a row of the plain-text table on its runs of two or more spaces."""
    import re

    parts = re.split(r"\s{2,}", line.strip())
    return ([*parts, "", ""])[:3]


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m benchmarks.report [results.json]``: the table, as text and Markdown."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "docs" / "bench-results.json"
    results = json.loads(path.read_text())
    print(table(results))
    print()
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
