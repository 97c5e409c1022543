"""report.html opened in a real browser (headless Chromium): no console error, no broken image, no external
resource, the interactive maps' script ran and their data loaded; a screenshot is kept as an artefact.

How: a copy of the report gets a check script injected at the top of its ``<head>`` (before the report's own
script). It records ``console.error`` calls, uncaught errors, unhandled rejections and resources that fail to
load, and on ``load`` writes a JSON verdict into the DOM (every ``<img>``'s ``naturalWidth``, each map's link
elements and its pan/zoom marker), which ``--dump-dom`` prints. Chromium's own console log on stderr is a
second net: the report writes nothing to the console, so any page console line fails the test.

Skipped (not failed) only where ``/usr/bin/chromium`` is absent outside CI, or when ``.ci/run`` could not install
it (it then sets ``GRID_MODEL_NO_BROWSER`` to the reason); on CI (``CI`` set) a missing browser fails otherwise.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from grid_model.compare import run_compare

EXAMPLE = sorted(Path("scenarios/example").glob("*.yaml"))
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=5000",
]

CHECK_SCRIPT = """<script>
(function () {
  var errors = [];
  var original = console.error;
  console.error = function () {
    errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments);
  };
  window.addEventListener('error', function (e) {
    var t = e.target;
    var what = t && (t.currentSrc || t.src || t.href);
    errors.push(e.message ? 'error: ' + e.message : 'failed to load: ' + String(what).slice(0, 80));
  }, true);
  window.addEventListener('unhandledrejection', function (e) { errors.push('unhandled rejection: ' + e.reason); });
  window.addEventListener('load', function () {
    var imgs = Array.prototype.slice.call(document.images);
    var maps = Array.prototype.slice.call(document.querySelectorAll('svg.netmap'));
    var refs = Array.prototype.slice.call(document.querySelectorAll('[src],[href]'));
    var verdict = {
      errors: errors,
      images: imgs.length,
      broken: imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; })
                  .map(function (i) { return i.alt || i.src.slice(0, 80); }),
      external: refs.map(function (e) { return e.getAttribute('src') || e.getAttribute('href'); })
                    .filter(function (u) { return !/^(data:|#)/.test(u); }),
      maps: maps.map(function (s) {
        return {id: s.id, links: s.querySelectorAll('g.link').length,
                tooltips: s.querySelectorAll('g.link > title').length,
                declared: Number(s.getAttribute('data-links')),
                zones: s.querySelectorAll('g.zone').length, panzoom: s.getAttribute('data-panzoom'),
                height: s.getBoundingClientRect().height};
      })
    };
    var pre = document.createElement('pre');
    pre.id = 'browser-check';
    pre.textContent = JSON.stringify(verdict);
    document.body.appendChild(pre);
  });
})();
</script>"""


def _chromium() -> Path:
    """The browser, or a skip (a failure on CI) with the reason."""
    if CHROMIUM.exists():
        return CHROMIUM
    if why := os.environ.get("GRID_MODEL_NO_BROWSER"):  # set by .ci/run when the install was impossible
        pytest.skip(why)
    reason = f"{CHROMIUM} not found: install Debian's chromium (.ci/run does) to test report.html in a browser"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _run(page: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Chromium on a local file with a fresh profile under ``tmp``."""
    cmd = [str(_chromium()), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def browser_check(report: Path, tmp: Path) -> dict:
    """Open ``report`` (a copy with the check script) and return the verdict plus the page's console lines."""
    page = tmp / "checked.html"
    page.write_text(report.read_text().replace("<head>", "<head>" + CHECK_SCRIPT, 1))
    proc = _run(page, tmp, "--window-size=1280,1600", "--dump-dom")
    found = re.search(r'<pre id="browser-check">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"the check script wrote no verdict (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    verdict = json.loads(html.unescape(found.group(1)))
    verdict["console"] = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return verdict


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example scenarios compared, figures and report included."""
    _chromium()
    out = tmp_path_factory.mktemp("browser") / "compare"
    run_compare(EXAMPLE, out)
    return out


def test_report_opens_without_errors_broken_images_or_external_resources(compared: Path, tmp_path: Path) -> None:
    verdict = browser_check(compared / "report.html", tmp_path)
    assert verdict["errors"] == [] and verdict["console"] == [], (verdict["errors"], verdict["console"])
    assert verdict["images"] >= 9 and verdict["broken"] == [], verdict["broken"]
    assert verdict["external"] == [], "report.html must need no other file"
    # a truncated PNG still shows (its top part) in a browser: decode each embedded image in full as well
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', (compared / "report.html").read_text())
    assert len(embedded) == verdict["images"]
    for data in embedded:
        with Image.open(io.BytesIO(base64.b64decode(data))) as im:
            im.load()
    shot = tmp_path / "report.png"
    _run(compared / "report.html", tmp_path, "--window-size=1280,1600", f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def test_interactive_maps_have_one_element_per_link_and_pan_zoom(compared: Path, tmp_path: Path) -> None:
    verdict = browser_check(compared / "report.html", tmp_path)
    maps = {m["id"]: m for m in verdict["maps"]}
    assert len(maps) == len(EXAMPLE)
    for folder in (compared / p.stem for p in EXAMPLE):
        links = pd.read_csv(folder / "links.csv")
        m = maps[f"map-{folder.name}"]
        assert m["links"] == m["tooltips"] == m["declared"] == len(links), m
        assert m["zones"] == len(pd.read_csv(folder / "zones.csv")), m
        assert m["panzoom"] == "ready", "the pan/zoom script did not run"
        assert m["height"] > 200, m
    # the maps alone, for a look: every other section hidden
    page = tmp_path / "maps.html"
    page.write_text(
        (compared / "report.html")
        .read_text()
        .replace("</head>", "<style>section:not(#maps),nav,h1,h1+p{display:none}</style></head>", 1)
    )
    shot = tmp_path / "maps.png"
    _run(page, tmp_path, "--window-size=1280,1400", f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def test_the_check_catches_a_broken_image_and_a_console_error(compared: Path, tmp_path: Path) -> None:
    report = tmp_path / "broken.html"
    text = (compared / "report.html").read_text()
    text = text.replace('src="data:image/png;base64,', 'src="data:image/png;base64,broken', 1)
    text = text.replace("</body>", "<script>console.error('deliberate')</script></body>", 1)
    report.write_text(text)
    verdict = browser_check(report, tmp_path)
    assert len(verdict["broken"]) == 1, verdict["broken"]
    assert any("deliberate" in e for e in verdict["errors"]), verdict["errors"]
    assert any("deliberate" in line for line in verdict["console"]), verdict["console"]


def test_print_gives_a_pdf_without_the_map_controls(compared: Path, tmp_path: Path) -> None:
    text = (compared / "report.html").read_text().replace("\n", "")
    print_rules = text[text.index("@media print{") : text.index("</style>")]
    assert re.search(r"\.controls[^{]*\{display:none", print_rules), "the print stylesheet must hide the map controls"
    pdf = tmp_path / "report.pdf"
    _run(compared / "report.html", tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 6  # a page per section
