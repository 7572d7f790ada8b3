"""The HTML shell of every preview page: one inline stylesheet, a strict CSP, no script.

Pages are self-contained: no external stylesheet, font, script or image, so
they render the same from a CI artifact, a file:// URL or the emulator.
"""

from __future__ import annotations

from html import escape

# Nothing may load or run: styles are inline, charts are inline SVG.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
       "form-action 'none'")

CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
 sans-serif;color:#212529;background:#f1f3f5}
header.top{padding:16px 24px;background:#fff;border-bottom:1px solid #dee2e6}
header.top h1{margin:0;font-size:20px}
header.top p{margin:4px 0 0;color:#495057}
header.top a{color:#4263eb}
header.top nav{font-size:13px;margin-bottom:4px}
main{padding:24px}
section.dashboard{margin:0 0 32px}
section.dashboard>h2{margin:0 0 12px;font-size:17px}
.canvas{display:inline-block;padding:12px;background:#e9ecef;border-radius:8px}
.grid{position:relative;margin:0;padding:0;border:0}
.tile{position:absolute;display:flex;flex-direction:column;overflow:hidden;margin:0;
 background:#fff;border:1px solid #ced4da;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.tile>.head{display:flex;gap:6px;align-items:center;padding:4px 8px;border-bottom:1px solid #f1f3f5;
 font-size:12px;white-space:nowrap}
.tile .id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600;
 overflow:hidden;text-overflow:ellipsis}
.tile .kind{margin-left:auto;color:#868e96;text-transform:lowercase}
.tile .query{padding:4px 8px 0;font-size:12px;color:#495057;white-space:nowrap;overflow:hidden;
 text-overflow:ellipsis}
.tile .query b{font-weight:600;color:#212529}
.tile .body{flex:1;min-height:0;padding:6px 8px 8px;display:flex}
.tile .series{display:flex;flex-wrap:wrap;gap:0 10px;margin:0;padding:3px 8px 0;list-style:none;
 font-size:11px;line-height:1.3;color:#495057}
.tile .series li{display:flex;align-items:center;gap:4px;max-width:100%;white-space:nowrap;
 overflow:hidden;text-overflow:ellipsis}
.tile .swatch{flex:none;width:10px;height:10px;border-radius:2px}
.tile .series .more{color:#868e96;font-style:italic}
.tile.sampled{padding-bottom:14px}
.tile>.sample{position:absolute;right:0;bottom:0;margin:0;padding:0 4px 1px;text-align:right;
 font-size:10px;line-height:13px;font-style:italic;font-weight:600;color:#9c36b5;
 background:rgba(255,255,255,.85);border-top-left-radius:4px}
.sample-note{display:inline-block;margin:-8px 0 8px;padding:4px 10px;border-left:3px solid #9c36b5;
 background:#f8f0fc;color:#495057;font-size:13px}
.sample-note b{color:#9c36b5}
.tile .chart{flex:1;width:100%;height:100%;min-height:0}
.chart .axis,.chart .rule{stroke:#ced4da;stroke-width:1;vector-effect:non-scaling-stroke}
.chart text{font-size:11px;fill:#343a40}
.chart .th{font-weight:600;fill:#868e96}
.chart .kpi{font-size:30px;font-weight:700;fill:#212529}
.chart .delta{font-size:12px;font-weight:600}
.chart .sub{font-size:10px;fill:#868e96}
.tile .md{flex:1;min-height:0;overflow:auto;padding:6px 10px;font-size:13px}
.md>:first-child{margin-top:0}.md h1{font-size:18px}.md h2{font-size:16px}.md h3{font-size:14px}
.md-image{color:#868e96;font-style:italic}
.compact .tile>.head{padding:2px 6px;font-size:11px}
.compact .tile .query{padding:2px 6px 0;font-size:10px}
.compact .tile .body{padding:2px 6px 4px}
.compact .tile .md{font-size:11px;padding:2px 6px}
.compact .tile .series{padding:1px 6px 0;font-size:10px;gap:0 6px}
.compact .tile .swatch{width:8px;height:8px}
.compact .tile.sampled{padding-bottom:11px}
.compact .tile>.sample{padding:0 4px;font-size:9px;line-height:11px}
.tile.narrow>.sample{padding:0 2px;font-size:8px;line-height:9px;font-weight:400}
.tile.mark-added{border:2px solid #2f9e44;background:#ebfbee}
.tile.mark-changed{border:2px solid #f08c00;background:#fff9db}
.tile.mark-removed{border:2px dashed #e03131;background:#fff5f5;opacity:.8}
.badge{display:inline-block;padding:0 6px;border-radius:9px;font-size:11px;font-weight:700;
 color:#fff}
.badge.added,.badge.create{background:#2f9e44}.badge.changed,.badge.update{background:#f08c00}
.badge.removed,.badge.delete{background:#e03131}
.sides{display:flex;gap:24px;align-items:flex-start}
.canvas.missing{display:block;background:none;border:2px dashed #ced4da}
.side h3{margin:0 0 8px;font-size:14px;color:#495057}
.empty{padding:24px;color:#868e96;font-style:italic}
.legend{margin:0 0 12px;color:#495057;font-size:13px}
ul.list{padding-left:20px}ul.list li{margin:4px 0}
.problems{color:#c92a2a;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
"""


def esc(value: object) -> str:
    """Text made safe for HTML element content and quoted attribute values."""
    return escape(str(value), quote=True)


def document(title: str, body: str, *, subtitle: str = "", nav: str = "") -> str:
    """A whole HTML page. ``body`` and ``nav`` are HTML; title and subtitle are text."""
    sub = f"<p>{esc(subtitle)}</p>" if subtitle else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="dashctl preview"><link rel="icon" href="data:,">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f'<body><header class="top">{nav}<h1>{esc(title)}</h1>{sub}</header>\n'
        f"<main>{body}</main></body></html>\n"
    )
