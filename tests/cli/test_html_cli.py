#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`deadair analyze -f html`: one self-contained file (nothing fetched from
elsewhere: no http:// or https:// src/href, no <link>, style and script
inline and allowed by the page's own Content-Security-Policy hashes), its
structure (summary, then per call findings, ladder, timeline; every in-page
link has its target), and a capture whose SIP headers carry markup rendering
as inert text."""
import base64
import hashlib
import html.parser
import os
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
example = os.path.join(root, "examples", "sipp-echo-call.pcap")
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {detail}")


class Doc(html.parser.HTMLParser):
    """Collects what matters: tags, attributes, ids, links, inline style/script text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.ids, self.hrefs, self.srcs, self.handlers = [], set(), [], [], []
        self.styles, self.scripts, self.csp, self._in = [], [], None, None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for k, v in attrs:
            if k == "href":
                self.hrefs.append(v)
            if k in ("src", "srcset", "action", "formaction", "xlink:href", "data", "poster"):
                self.srcs.append((tag, k, v))
            if k.startswith("on"):
                self.handlers.append((tag, k, v))
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = a.get("content")
        if tag in ("style", "script"):
            self._in = tag
            (self.styles if tag == "style" else self.scripts).append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.styles[-1] += data
        elif self._in == "script":
            self.scripts[-1] += data


def parse(path):
    with open(path, "rb") as f:
        raw = f.read()
    d = Doc()
    d.feed(raw.decode("utf-8"))
    d.raw = raw
    return d


def csp_hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def self_contained(name, d):
    check(f"{name}: one <style>, one <script>", len(d.styles) == 1 and len(d.scripts) == 1,
          f"{len(d.styles)} styles, {len(d.scripts)} scripts")
    check(f"{name}: no src, no <link>, no <iframe>/<object>/<img>",
          not d.srcs and not {"link", "iframe", "object", "embed", "img"} & set(d.tags), str(d.srcs)[:300])
    check(f"{name}: no http:// or https:// reference anywhere",
          b"http://" not in d.raw and b"https://" not in d.raw)
    check(f"{name}: every href is an in-page link", all(h.startswith("#") for h in d.hrefs),
          str([h for h in d.hrefs if not h.startswith("#")])[:300])
    missing = [h for h in d.hrefs if h[1:] not in d.ids]
    check(f"{name}: every in-page link has its target", not missing, str(missing)[:300])
    check(f"{name}: no event handler attributes", not d.handlers, str(d.handlers)[:300])
    csp = d.csp or ""
    check(f"{name}: a CSP that allows nothing from elsewhere", csp.startswith("default-src 'none';"), csp)
    if d.styles and d.scripts:
        check(f"{name}: the CSP hashes are those of the inline style and script",
              csp_hash(d.styles[0]) in csp and csp_hash(d.scripts[0]) in csp, csp)


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "report.html")
    p = subprocess.run([deadair, "analyze", "-f", "html", "-o", out, example], capture_output=True, timeout=120)
    check("-f html exits 0", p.returncode == 0, p.stderr.decode())
    check("-f html -o writes one file, nothing beside it", os.listdir(tmp) == ["report.html"], str(os.listdir(tmp)))
    d = parse(out)
    self_contained("example", d)
    text = d.raw.decode()
    order = [text.find(s) for s in ('<section class="capture" id="p1">', '<article class="call" id="p1-c1">',
                                    '<section class="findings">', '<svg class="ladder"', '<svg class="timeline"')]
    check("summary, then the call: findings, ladder, timeline", -1 not in order and order == sorted(order), str(order))
    check("the example's finding with its evidence links",
          "CODEC_CHANGE_WITHOUT_REINVITE" in text and 'class="evref" href="#p1-c1-' in text)
    check("print CSS", "@media print" in d.styles[0])
    p2 = subprocess.run([deadair, "analyze", "-f", "html", example], capture_output=True, timeout=120)
    check("-f html to standard output is the same document", p2.stdout == d.raw)

    two = os.path.join(tmp, "two.html")
    p = subprocess.run([deadair, "analyze", "-f", "html", "-o", two, example, example], capture_output=True, timeout=120)
    d2 = parse(two)
    check("two captures: two summaries, links stay within their capture",
          p.returncode == 0 and {"p1", "p2", "p1-c1", "p2-c1"} <= d2.ids, str(sorted(d2.ids))[:200])
    self_contained("two captures", d2)
    check("two captures of one call: compared across the points, linking to the call at each",
          "x1" in d2.ids and 'href="#p1-c1"' in d2.raw.decode() and 'href="#p2-c1"' in d2.raw.decode(),
          str(sorted(d2.ids))[:200])

    # both sides of a SIP ALG: the comparison's finding, in the page
    pts = []
    for pt in ("phone", "outside"):
        pts.append(os.path.join(tmp, f"alg-{pt}.pcap"))
        subprocess.run([sys.executable, scengen, os.path.join(root, "tests", "scenarios", "sip_alg.scn"), pts[-1],
                        "--point", pt], check=True, timeout=120)
    alg = os.path.join(tmp, "alg.html")
    p = subprocess.run([deadair, "analyze", "-f", "html", "-o", alg, *pts], capture_output=True, timeout=120)
    da = parse(alg)
    at = da.raw.decode()
    across = at[at.find('id="x1"'):]
    check("both sides of an ALG: the rewrite proven in the across section",
          p.returncode == 0 and 'id="x1-f0"' in across and "SIP_ALG_SUSPECTED" in across
          and "192.168.1.20" in across and "198.51.100.7" in across, across[:300])
    self_contained("both sides of an ALG", da)
    for f in pts:
        os.remove(f)

    cap = os.path.join(tmp, "xss.pcap")
    subprocess.run([sys.executable, scengen, os.path.join(root, "tests", "web", "xss.scn"), cap], check=True,
                   timeout=120)
    xout = os.path.join(tmp, "xss.html")
    p = subprocess.run([deadair, "analyze", "-f", "html", "-o", xout, cap], capture_output=True, timeout=120)
    x = parse(xout)
    os.remove(cap)
    self_contained("markup in SIP headers", x)
    check("markup in SIP headers: no element came from the capture",
          not {"img", "svg:onload", "b"} & set(x.tags) and x.tags.count("script") == 1, str(sorted(set(x.tags))))
    xt = x.raw.decode()
    check("markup in SIP headers: shown as text",
          "&lt;script&gt;window.__xss=1&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;" in xt
          and "&lt;svg onload=&quot;window.__xss=3&quot;&gt;" in xt
          and "text=&quot;&lt;script&gt;window.__xss=5&lt;/script&gt;&quot;" in xt, "")

    # signalling only (a pasted trace; a capture filtered to SIP): grey "not in this
    # input", never the red silence of a direction that stopped
    trace = os.path.join(root, "tests", "traces", "samples", "sngrep-missing-ack.txt")
    tout = os.path.join(tmp, "trace.html")
    p = subprocess.run([deadair, "analyze", "--all", "-f", "html", "-o", tout, trace], capture_output=True,
                       timeout=120)
    tt = open(tout, encoding="utf-8").read()
    check("a SIP trace: its talk time is grey 'media not in this input', not a red silence",
          'class="unseen"' in tt and "signalling only" in tt and 'class="silence"' not in tt
          and 'class="lost"' not in tt, tt[tt.find("<svg class=\"timeline\""):][:400])
    # a call that has RTP next to a call whose media ran elsewhere: only the first one is judged
    both = os.path.join(tmp, "oneway.pcap")
    subprocess.run([sys.executable, scengen, os.path.join(root, "tests", "scenarios", "one_way_from_start.scn"),
                    both], check=True, timeout=120)
    bout = os.path.join(tmp, "oneway.html")
    p = subprocess.run([deadair, "analyze", "--all", "-f", "html", "-o", bout, both], capture_output=True,
                       timeout=120)
    bt = open(bout, encoding="utf-8").read()
    check("one-way audio stays a red silence", 'class="silence"' in bt and 'class="unseen"' not in bt, "")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("all checks passed")
