"""What the preview adds to a served HTML page: a banner fixed at the top with the last rebuild's outcome, and a
small script that reloads the page when a rebuild finishes (it asks STATUS_URL?after=<its generation>, which the
server answers as soon as a rebuild has finished, or after WAIT seconds with nothing new; nothing external). Everything taken
from the records is escaped. The banner is added to the response only, never to the file on disk.

Every page carries a Content-Security-Policy (careledger/csp.py) that refuses inline scripts and styles, so the
banner's style and script are files the preview serves (STYLE_URL, SCRIPT_URL: the page's own origin, allowed by
'self'), the script reads the generation from the banner's `data-generation`, and the served copy's policy gains
`connect-src 'self'` for the polling (the published policy allows no connections).

The page FINDINGS_URL lists the findings in full; it exists only in the preview.
"""

from __future__ import annotations

import json
import re
from html import escape

from .. import csp
from ..findings import SEVERITY_LABELS, display_path, sort_key
from .state import Outcome, per_code

PREFIX = "__preview__"  # a URL folder the site never has (its paths are ids and slugs)
STATUS_URL = f"/{PREFIX}/status"
FINDINGS_URL = f"/{PREFIX}/findings"
BANNER_ID = "careledger-preview"
SHOWN = 20  # record errors listed in the banner itself; the rest on FINDINGS_URL
BEGIN, END = "<!-- careledger serve: preview banner -->", "<!-- /careledger serve -->"
STYLE_URL, SCRIPT_URL = f"/{PREFIX}/banner.css", f"/{PREFIX}/banner.js"
CONNECT = "connect-src 'self'"  # added to a served page's policy, for the polling
WAIT = 20.0  # seconds a STATUS_URL?after=N request is held when no rebuild finishes (then the page asks again)

STYLE = f"""
#{BANNER_ID} {{ position: fixed; top: 0; left: 0; right: 0; z-index: 2147483647; max-height: 45vh; overflow: auto;
  margin: 0; padding: .35rem 1rem; font: 14px/1.5 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  color: #1f2328; background: #dafbe1; border-bottom: 2px solid #1a7f37; box-sizing: border-box; }}
#{BANNER_ID}.warn {{ background: #fff8c5; border-color: #9a6700; }}
#{BANNER_ID}.fail {{ background: #ffebe9; border-color: #cf222e; color: #82071e; }}
#{BANNER_ID} a {{ color: inherit; font-weight: bold; }}
#{BANNER_ID} ol {{ margin: .25rem 0 .25rem 1.5rem; padding: 0; }}
#{BANNER_ID} code {{ font-family: monospace; }}
@media print {{ #{BANNER_ID} {{ display: none; }} html {{ padding-top: 0 !important; }} }}
"""

SCRIPT = """(function () {
  var banner = document.getElementById("%(id)s"), seen = Number(banner.dataset.generation);
  function fit() { document.documentElement.style.paddingTop = banner.offsetHeight + "px"; }
  fit(); window.addEventListener("resize", fit);
  function poll() {  /* the server holds the request until a rebuild finishes: the page reloads at once */
    fetch("%(status)s?after=" + seen, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.generation !== seen) { location.reload(); } else { setTimeout(poll, 100); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
""" % {"id": BANNER_ID, "status": STATUS_URL}


def _where(f) -> str:
    if not f.source.file:
        return "（全部记录）"
    return f"{f.source.file}:{f.source.line}" if f.source.line else f.source.file


def _item(f) -> str:
    field = f" {display_path(f.path)}" if f.path else ""
    return (f"<li><code>{escape(_where(f))}</code> {escape(SEVERITY_LABELS[f.severity])} "
            f"<code>{escape(f.code)}</code>{escape(field)}：{escape(f.message)}</li>")


def policy_line(outcome: Outcome) -> str:
    errors = sum(f.is_error for f in outcome.policy_findings)
    warnings = len(outcome.policy_findings) - errors
    if not outcome.policy_findings:
        return "政策检查：无提示"
    return f"政策检查：{errors} 个错误、{warnings} 个警告" if errors else f"政策检查：{warnings} 个警告"


def banner(outcome: Outcome | None) -> str:
    """The banner's element (without style or script)."""
    link = f'<a href="{FINDINGS_URL}">查看全部</a>'
    if outcome is None:
        return f'<div id="{BANNER_ID}" role="status">预览：正在生成……</div>'
    if outcome.failed:
        errors = outcome.record_errors
        kept = (f"此页是上次成功生成的页面（{escape(outcome.last_good)}）" if outcome.last_good
                else "还没有成功生成过网站")
        more = f"<p>另有 {len(errors) - SHOWN} 个，{link}。</p>" if len(errors) > SHOWN else ""
        return (f'<div id="{BANNER_ID}" class="fail" role="alert"><strong>记录有 {len(errors)} 个错误</strong>'
                f"（{escape(outcome.finished)} 生成失败）：{kept}，改正后保存即自动更新。"
                f"<ol>{''.join(_item(f) for f in errors[:SHOWN])}</ol>{more}</div>")
    notes = [policy_line(outcome)]
    if outcome.record_warnings:
        notes.insert(0, f"记录有 {len(outcome.record_warnings)} 个警告")
    busy = bool(outcome.policy_findings or outcome.record_warnings)
    return (f'<div id="{BANNER_ID}" class="{"warn" if busy else "ok"}" role="status">预览（只在本机）'
            f" · {escape(outcome.finished)} 已生成 · {escape('；'.join(notes))}" + (f" · {link}" if busy else "")
            + "</div>")


def block(outcome: Outcome | None, generation: int) -> str:
    element = banner(outcome).replace(f'<div id="{BANNER_ID}"',
                                      f'<div id="{BANNER_ID}" data-generation="{generation}"', 1)
    return (f'{BEGIN}<link rel="stylesheet" href="{STYLE_URL}">{element}'
            f'<script src="{SCRIPT_URL}"></script>{END}')


_BODY = re.compile(rb"<body\b[^>]*>", re.I)


def inject(page: bytes, outcome: Outcome | None, generation: int) -> bytes:
    """The page with the banner right after <body>, and CONNECT added to its policy; the page's own bytes are
    otherwise unchanged."""
    added = block(outcome, generation).encode("utf-8")
    found = _BODY.search(page)
    at = found.end() if found else 0
    page = page[:at] + added + page[at:]
    policy = csp.policy_of(page.decode("utf-8", "replace"))
    if policy is None:
        return page
    old, new = csp.meta(policy).encode("utf-8"), csp.meta(f"{policy}; {CONNECT}").encode("utf-8")
    return page.replace(old, new, 1)


def status(outcome: Outcome | None, generation: int) -> bytes:
    return json.dumps({"generation": generation, "failed": bool(outcome and outcome.failed)}).encode("utf-8")


def findings_page(outcome: Outcome | None) -> bytes:
    """Every finding of the last rebuild: the record's first (the clerk's to correct), then the policy's per code."""
    parts = ["<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
             "<title>预览：检查结果</title><style>body{font:15px/1.6 sans-serif;margin:1.5rem auto;max-width:70rem;"
             "padding:0 1rem} code{font-family:monospace} table{border-collapse:collapse} td,th{border:1px solid #ccc;"
             "padding:.2rem .5rem;text-align:left;vertical-align:top} .num{text-align:right} "
             ".nowrap{white-space:nowrap}</style></head><body>",
             "<h1>预览：检查结果</h1><p>只在本机预览中提供，不在生成的网站里。<a href=\"/\">回到首页</a></p>"]
    if outcome is None:
        parts.append("<p>正在生成……</p>")
    else:
        records = sorted(outcome.record_findings, key=sort_key)
        parts.append(f"<h2>记录问题（{len(records)} 条）</h2>")
        parts.append(f"<ol>{''.join(_item(f) for f in records)}</ol>" if records else "<p>无。</p>")
        if outcome.failed:
            parts.append("<p>记录有错误，未检查政策规则；网站仍是上次成功生成的样子。</p>")
        else:
            policy = outcome.policy_findings
            parts.append(f"<h2>{escape(policy_line(outcome))}</h2>")
            if policy:
                rows = "".join(f"<tr><td class=\"nowrap\"><a href=\"#{escape(code)}\"><code>{escape(code)}</code>"
                               "</a></td>"
                               f"<td class=\"nowrap\">{escape(SEVERITY_LABELS[sev])}</td>"
                               f"<td class=\"num\">{n}</td><td>{escape(text)}</td></tr>"
                               for code, n, sev, text in per_code(policy))
                parts.append("<table><thead><tr><th>代码</th><th>级别</th><th>条数</th><th>说明</th></tr></thead>"
                             f"<tbody>{rows}</tbody></table>")
                for code, n, _, text in per_code(policy):
                    items = sorted((f for f in policy if f.code == code), key=sort_key)
                    parts.append(f"<h3 id=\"{escape(code)}\"><code>{escape(code)}</code> {escape(text)}（{n} 条）</h3>"
                                 f"<ol>{''.join(_item(f) for f in items)}</ol>")
    parts.append("</body></html>")
    return csp.sealed("".join(parts)).encode("utf-8")
