#!/usr/bin/env python3
"""Draws the throughput rows of a scripts/bench-tunnel.sh results table as an SVG bar chart.

Usage: scripts/bench-chart.py < table.md > docs/bench-tunnel.svg
The input is the markdown table the benchmark prints (or the one in BENCHMARKS.md); only the
rows measured in Gbit/s are drawn, one group of bars per row, one bar per implementation.
Standard library only.
"""

import sys
from xml.sax.saxutils import escape

COLOURS = ["#d9480f", "#1c7ed6", "#5c940d", "#862e9c"]
BAR, GAP, GROUP_GAP = 22, 4, 26
LEFT, TOP, WIDTH = 250, 40, 560


def parse(lines):
    """Header names of the implementations, and (label, values) of the Gbit/s rows."""
    rows = [l.strip().strip("|").split("|") for l in lines if l.strip().startswith("|")]
    rows = [[c.strip() for c in r] for r in rows]
    if not rows:
        raise SystemExit("no markdown table on stdin")
    header = rows[0]
    names = [h for h in header[2:] if "/" not in h]
    data = []
    for r in rows[2:]:
        if "Gbit/s" not in r[0]:
            continue
        try:
            values = [float(v) for v in r[2 : 2 + len(names)]]
        except ValueError:
            continue
        data.append((r[0].replace(", Gbit/s", ""), values))
    return names, data


def svg(names, data):
    top = max(v for _, vs in data for v in vs) or 1.0
    group = len(names) * (BAR + GAP) + GROUP_GAP
    height = TOP + len(data) * group + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{LEFT + WIDTH + 60}" '
        f'height="{height}" font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="22" font-size="15" font-weight="bold">'
        f"Tunnel throughput, Gbit/s (scripts/bench-tunnel.sh)</text>",
    ]
    for i, name in enumerate(names):
        x = LEFT + i * 140
        out.append(f'<rect x="{x}" y="{height - 20}" width="12" height="12" fill="{COLOURS[i % 4]}"/>')
        out.append(f'<text x="{x + 16}" y="{height - 10}">{escape(name)}</text>')
    for g, (label, values) in enumerate(data):
        y0 = TOP + g * group
        out.append(f'<text x="10" y="{y0 + len(names) * (BAR + GAP) / 2 + 4}">{escape(label)}</text>')
        for i, v in enumerate(values):
            y = y0 + i * (BAR + GAP)
            w = max(1.0, WIDTH * v / top)
            out.append(f'<rect x="{LEFT}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{COLOURS[i % 4]}"/>')
            out.append(f'<text x="{LEFT + w + 4:.1f}" y="{y + BAR - 6}">{v:.2f}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    names, data = parse(sys.stdin.read().splitlines())
    if not data:
        raise SystemExit("no Gbit/s rows in the table")
    sys.stdout.write(svg(names, data))


if __name__ == "__main__":
    main()
