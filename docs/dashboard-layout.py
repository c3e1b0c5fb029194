#!/usr/bin/env python3
"""Draws the Grafana dashboard's panel layout (k8s/monitoring/grafana-dashboard.json) as an SVG.

    python3 docs/dashboard-layout.py            # writes docs/dashboard-layout.svg
    python3 docs/dashboard-layout.py --check    # fails if the SVG is not what the dashboard draws

The test suite runs --check, so the picture in the README cannot drift from the dashboard.
"""
import json
import pathlib
import sys
from xml.sax.saxutils import escape

ROOT = pathlib.Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "k8s" / "monitoring" / "grafana-dashboard.json"
SVG = ROOT / "docs" / "dashboard-layout.svg"
COLUMN, ROW, GAP = 34, 11, 6  # pixels per grid column (of 24) and per grid row


def render():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = sorted(dashboard["panels"], key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"]))
    variables = [v["name"] for v in dashboard.get("templating", {}).get("list", [])]
    top = 34
    height = top + max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels) * ROW + GAP
    width = 24 * COLUMN + GAP
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="#f4f5f5"/>',
           f'<text x="{GAP}" y="20" font-weight="bold">{escape(dashboard["title"])}</text>',
           f'<text x="{width - GAP}" y="20" text-anchor="end">variables: {escape(", ".join(variables))}</text>']
    for panel in panels:
        grid = panel["gridPos"]
        x, y = GAP + grid["x"] * COLUMN, top + grid["y"] * ROW
        w, h = grid["w"] * COLUMN - GAP, grid["h"] * ROW - GAP
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="#ffffff" stroke="#c7d0d9"/>')
        out.append(f'<text x="{x + 8}" y="{y + 18}" font-weight="bold">{escape(panel["title"])}</text>')
        queries = [t.get("expr", "") for t in panel.get("targets", [])]
        for i, query in enumerate(queries[:3]):
            shown = query if len(query) <= 64 else query[:61] + "..."
            out.append(f'<text x="{x + 8}" y="{y + 38 + 14 * i}" fill="#555" font-family="monospace" '
                       f'font-size="10">{escape(shown)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    svg = render()
    if "--check" in sys.argv[1:]:
        if not SVG.exists() or SVG.read_text(encoding="utf-8") != svg:
            sys.exit(f"{SVG.relative_to(ROOT)} is out of date: run python3 docs/dashboard-layout.py")
        return
    SVG.write_text(svg, encoding="utf-8")


if __name__ == "__main__":
    main()
