#!/usr/bin/env python3
"""Plots bench/scale.sh's table as SVG: usage: scale_plot.py TABLE.tsv OUT.svg

Two panels against the zone's size in names: peak RSS (MiB) and wall time per million names
(seconds), one line per job. Plain SVG written here (no plotting library needed)."""
import csv
import sys
from collections import defaultdict

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
W, H = 460, 300          # one panel
ML, MR, MT, MB = 70, 20, 40, 50


def nice_max(v):
    if v <= 0:
        return 1
    step = 10 ** (len(str(int(v))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * step:
            return m * step
    return 10 * step


def panel(x0, title, ylabel, series, xmax):
    ymax = nice_max(max(y for pts in series.values() for _, y in pts) * 1.05)
    pw, ph = W - ML - MR, H - MT - MB
    sx = lambda x: x0 + ML + pw * x / xmax
    sy = lambda y: MT + ph - ph * y / ymax
    out = [f'<text x="{x0 + W / 2}" y="22" text-anchor="middle" font-weight="bold">{title}</text>']
    for k in range(6):
        yv = ymax * k / 5
        out.append(f'<line x1="{x0 + ML}" y1="{sy(yv):.1f}" x2="{x0 + ML + pw}" y2="{sy(yv):.1f}" '
                   f'stroke="#ddd"/>')
        out.append(f'<text x="{x0 + ML - 6}" y="{sy(yv) + 4:.1f}" text-anchor="end">'
                   f'{yv:g}</text>')
    for k in range(5):
        xv = xmax * k / 4
        out.append(f'<text x="{sx(xv):.1f}" y="{MT + ph + 18}" text-anchor="middle">'
                   f'{xv / 1e6:g}M</text>')
    out.append(f'<line x1="{x0 + ML}" y1="{MT + ph}" x2="{x0 + ML + pw}" y2="{MT + ph}" '
               f'stroke="black"/>')
    out.append(f'<line x1="{x0 + ML}" y1="{MT}" x2="{x0 + ML}" y2="{MT + ph}" stroke="black"/>')
    out.append(f'<text x="{x0 + ML + pw / 2}" y="{H - 10}" text-anchor="middle">names</text>')
    out.append(f'<text x="{x0 + 16}" y="{MT + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 + 16} {MT + ph / 2})">{ylabel}</text>')
    for i, (job, pts) in enumerate(sorted(series.items())):
        c = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in sorted(pts))
        out.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{c}"/>')
    return out


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    rss, per_m = defaultdict(list), defaultdict(list)
    for r in rows:
        n = int(r["names"])
        rss[r["job"]].append((n, float(r["rss_mib"])))
        per_m[r["job"]].append((n, float(r["seconds"]) * 1e6 / n))
    xmax = nice_max(max(int(r["names"]) for r in rows))
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 30}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{2 * W}" height="{H + 30}" fill="white"/>']
    svg += panel(0, "peak RSS", "MiB", rss, xmax)
    svg += panel(W, "wall time per million names", "seconds", per_m, xmax)
    for i, job in enumerate(sorted(rss)):
        c = COLOURS[i % len(COLOURS)]
        x = 20 + i * (2 * W - 40) / max(len(rss), 1)
        svg.append(f'<rect x="{x:.0f}" y="{H + 12}" width="12" height="12" fill="{c}"/>')
        svg.append(f'<text x="{x + 16:.0f}" y="{H + 22}">{job}</text>')
    svg.append("</svg>")
    open(sys.argv[2], "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
