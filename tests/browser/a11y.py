"""Page checks shared by the browser tests: axe-core, English on Indonesian pages, sizes.

axe-core is vendored (tests/browser/vendor, version below) and injected into the page.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from ews.checklist import FIELDS

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_VERSION = "4.14.1"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PO = Path(__file__).resolve().parents[2] / "ews/translations/id/LC_MESSAGES/messages.po"
# Words that read the same in both languages or are names (Indonesian offices use them).
SHARED = {"supervisor", "status", "model", "median", "total", "email", "online", "format",
          "token", "audit", "admin", "administrator", "internet", "visa", "paspor", "umrah",
          "hash", "login", "menu", "data", "item", "skor", "final", "normal", "detail",
          "working", "holiday",  # "Working Holiday": the name of a visa programme
          "line"}  # LINE, the chat app among the recruitment apps of an outcome
# A word touching digits or underscores is an identifier (officer1, ESC-X_1), not English.
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{4,}(?![A-Za-z0-9_])")


def axe_violations(page, exclude: tuple[str, ...] = ()) -> list[str]:
    """Run axe-core (WCAG 2.1 A and AA) on the page, except the `exclude` selectors; return
    one line per violating node."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    assert page.evaluate("axe.version") == AXE_VERSION
    result = page.evaluate(
        """async ([exclude, opts]) => await axe.run(
             exclude.length ? {include: [document], exclude: exclude} : document, opts)""",
        [list(exclude), {"runOnly": {"type": "tag", "values": WCAG}}])
    return [f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:160]}"
            for v in result["violations"] for node in v["nodes"]]


@cache
def english_words() -> frozenset[str]:
    """Return words of the English page texts that never occur in the Indonesian ones."""
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    english, indonesian = set(), set()

    def words(text: str) -> set[str]:
        text = re.sub(r"%\(\w+\)[sd]", " ", text)
        return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}

    for m in catalog:
        if not m.id:
            continue
        for text in (m.id if isinstance(m.id, tuple | list) else (m.id,)):
            english |= words(text)
        for text in (m.string if isinstance(m.string, tuple | list) else (m.string,)):
            indonesian |= words(text or "")
    for f in FIELDS.values():
        for label in (f.label, f.help):
            if isinstance(label, dict):
                english |= words(label.get("en", ""))
                indonesian |= words(label.get("id", ""))
    return frozenset(english - indonesian - SHARED)


VISIBLE_TEXT = """(root) => {
  const skip = el => el.closest(
    'cite, code, script, style, [translate="no"], body [lang="en"], [hidden]');
  const out = [];
  root = document.querySelector(root);
  if (!root) return '';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || skip(el) || !node.textContent.trim()) continue;
    out.push(node.textContent);
  }
  root.querySelectorAll('[aria-label], [placeholder], [title]').forEach(el => {
    if (skip(el)) return;
    ['aria-label', 'placeholder', 'title'].forEach(
      a => el.getAttribute(a) && out.push(el.getAttribute(a)));
  });
  return out.join(' \\n ');
}"""


def english_on_page(page, within: str = "body") -> list[str]:
    """Return English words shown on an Indonesian page (or in its `within` element) outside
    citations and codes."""
    text = page.evaluate(VISIBLE_TEXT, within)
    seen = {w.lower() for w in WORD.findall(text)}
    return sorted(seen & english_words())


SMALL_TARGETS = """(min) => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => e.offsetParent !== null || e.closest('.chip'))
  .map(e => e.closest('.chip') ? e.closest('.chip') : e)
  .filter(e => !e.closest('.sr-only') && !e.classList.contains('skip-link'))
  .map(e => [e.tagName.toLowerCase()
             + (e.className ? '.' + String(e.className).split(' ')[0] : '')
             + ' ' + (e.textContent || e.name || '').trim().slice(0, 30),
             e.getBoundingClientRect()])
  .filter(([, r]) => r.width > 0 && (r.height < min || r.width < min))
  .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""


def small_targets(page, minimum: int = 44) -> list[str]:
    """Return the visible controls (links, buttons, inputs, summaries) smaller than 44 px."""
    return page.evaluate(SMALL_TARGETS, minimum)


def header_rows(page) -> int:
    """Return how many rows the top bar's items take (1 when nothing wrapped)."""
    return page.evaluate("""() => {
      const items = [...document.querySelectorAll('.topbar > *, .topbar-end > *, .mainnav > *')]
        .filter(e => e.offsetParent !== null && !e.classList.contains('topbar-end')
                     && !e.classList.contains('mainnav'))
        .map(e => e.getBoundingClientRect());
      const tops = [];
      items.forEach(r => { if (!tops.some(t => Math.abs(t - r.top - r.height / 2) < r.height / 2))
                             tops.push(r.top + r.height / 2); });
      return tops.length;
    }""")


WEAK_BORDERS = """() => {
  const lum = c => {
    const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
                            return (x + 0.05) / (y + 0.05); };
  const background = el => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  return [...document.querySelectorAll(
      'input[type=text], input[type=search], input[type=password], textarea, select, .chip span')]
    .filter(e => e.offsetParent !== null)
    .map(e => [e.name || e.textContent.trim().slice(0, 20),
               ratio(getComputedStyle(e).borderTopColor, background(e))])
    .filter(([, r]) => r < 3).map(([n, r]) => n + ' ' + r.toFixed(2));
}"""


def weak_borders(page) -> list[str]:
    """Return inputs and chips whose border has less than 3:1 contrast with what is behind."""
    return page.evaluate(WEAK_BORDERS)
