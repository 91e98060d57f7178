#!/usr/bin/env python3
"""check-html.py REPORT_DIR PAGE SCREENSHOT: open a tether-lint HTML report in
headless Chromium (Debian's `chromium`; never skipped: without it this fails)
and print what the rendered pages show, for FileCheck:
  index: N finding rows, M visible; K check rows, F file rows
  page PAGE: S path steps, V visible; B step badges in the source, W visible; fixit yes|no
then take a screenshot of PAGE (a test artifact) and check it is a PNG.
The counts come from the rendered layout (elements with a non-empty box in
the viewport's document), read through a probe page the report does not
contain, loaded from the same folder."""
import os
import shutil
import subprocess
import sys

PROBE = """<!DOCTYPE html><html><body><pre id="out">pending</pre>
<iframe id="f" src="%s" width="1280" height="900"></iframe>
<script>
const f = document.getElementById('f');
f.onload = () => {
  const d = f.contentDocument;
  const w = f.contentWindow;
  const shownIn = e => { const r = e.getBoundingClientRect(); const s = w.getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const c = sel => { const all = [...d.querySelectorAll(sel)];
    return [all.length, all.filter(shownIn).length]; };
  let out;
  if (d.getElementById('findings')) {
    const rows = c('tr.finding'), checks = c('#by-check tr td:first-child'),
          files = c('#by-file tr td:first-child');
    out = 'index: ' + rows[0] + ' finding rows, ' + rows[1] + ' visible; ' + checks[0] +
          ' check rows, ' + files[0] + ' file rows';
  } else {
    const steps = c('li.path-step'), badges = c('pre.code .step');
    out = 'page: ' + steps[0] + ' path steps, ' + steps[1] + ' visible; ' + badges[0] +
          ' step badges in the source, ' + badges[1] + ' visible; fixit ' +
          (d.getElementById('fixit') ? 'yes' : 'no');
  }
  document.getElementById('out').textContent = out;
};
</script></body></html>
"""


def chromium():
    for name in (os.environ.get("TETHER_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    sys.stderr.write("check-html: chromium is not installed: cannot check the HTML report "
                     "(apt-get install chromium, or tools/setup)\n")
    sys.exit(1)


def run(browser, args, profile):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--user-data-dir=" + profile, "--window-size=1280,900"] + args
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=120)
    if r.returncode != 0:
        sys.stderr.write("check-html: %s failed (%d): %s\n" % (
            " ".join(cmd), r.returncode, r.stderr[-2000:]))
        sys.exit(1)
    return r.stdout


def probe(browser, report, page, profile):
    path = os.path.join(report, ".probe-%d.html" % os.getpid())
    with open(path, "w", encoding="utf-8") as f:
        f.write(PROBE % page)
    try:
        dom = run(browser, ["--allow-file-access-from-files", "--virtual-time-budget=10000",
                            "--dump-dom", "file://" + os.path.abspath(path)], profile)
    finally:
        os.unlink(path)
    start = dom.find('<pre id="out">')
    text = dom[start + len('<pre id="out">'):dom.find("</pre>", start)] if start >= 0 else ""
    if not text or text == "pending":
        sys.stderr.write("check-html: the probe did not report on %s\n" % page)
        sys.exit(1)
    return text


def main():
    report, page, shot = sys.argv[1:4]
    browser = chromium()
    profile = os.path.join(os.path.dirname(os.path.abspath(shot)), "chromium-profile")
    print(probe(browser, report, "index.html", profile))
    print(probe(browser, report, page, profile).replace("page:", "page %s:" % page))
    run(browser, ["--screenshot=" + os.path.abspath(shot),
                  "file://" + os.path.abspath(os.path.join(report, page))], profile)
    with open(shot, "rb") as f:
        data = f.read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 10000:
        sys.stderr.write("check-html: %s is no screenshot (%d bytes)\n" % (shot, len(data)))
        sys.exit(1)
    print("screenshot: %s" % os.path.basename(shot))


main()
