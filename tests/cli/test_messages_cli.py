#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every SIP message of a call whole: `--messages -v` (text), `--messages -f
json` (start line, headers, body) and the HTML report (one closed <details>
per message, opened from the ladder), on a capture made here: a call whose
INVITE carries markup, a NUL, an escape sequence, a bidi override and a
header past the 8 KiB kept of a message, and a call of many distinct
re-INVITEs past the 128 KiB kept of a call. The bytes come out whole where
they fit, escaped for each output, and what was cut or left out is said."""
import html.parser
import json
import os
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(root, "tests", "scengen"))
import packets as P  # noqa: E402

failures = []
T0 = 1_700_000_000 * 1_000_000_000
MS = 1_000_000
MSG_CAP, CALL_CAP = 8192, 128 * 1024


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {str(detail)[:800]}")


class Capture:
    def __init__(self):
        self.link = P.LinkLayer("ethernet")
        self.w = P.PcapWriter(P.LINKTYPE_ETHERNET)

    def udp(self, ts, src, dst, payload, ident):
        dg = P.udp_datagram(src, dst, 5060, 5060, payload)
        for pkt in P.ipv4_packets(src, dst, P.IPPROTO_UDP, dg, ident=ident):
            self.w.write(ts, self.link.frame(pkt, P.mac_for(src), P.mac_for(dst)))

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.w.getvalue())


A, B = "10.0.0.1", "10.0.0.2"


def message(first, headers, body=b""):
    head = first.encode() + b"\r\n" + b"".join(n.encode() + b": " + v + b"\r\n" for n, v in headers)
    return head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


def dialog_headers(cid, cseq, method, to_tag=None, branch="z9hG4bK-1"):
    return [("Via", b"SIP/2.0/UDP 10.0.0.1:5060;branch=" + branch.encode()),
            ("From", b"<sip:alice@10.0.0.1>;tag=fa"),
            ("To", b"<sip:bob@10.0.0.2>" + (b";tag=" + to_tag.encode() if to_tag else b"")),
            ("Call-ID", cid.encode()), ("CSeq", b"%d %s" % (cseq, method.encode()))]


def sdp(version, port):
    return (b"v=0\r\no=- 1 %d IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
            b"m=audio %d RTP/AVP 0\r\n" % (version, port))


HOSTILE = ("X-Hostile", b"</pre><script>alert(1)</script>\x00nul\x1b[31mred\x1b[0m \xe2\x80\xaeevil <b>x</b>")
HUGE = ("X-Huge", b"h" * 20000)


def build(path):
    cap = Capture()
    ident = 100
    # call 1: hostile INVITE, 200 with a huge header, ACK, BYE, 200
    invite = message("INVITE sip:bob@10.0.0.2 SIP/2.0",
                     dialog_headers("hostile-1", 1, "INVITE") +
                     [("Contact", b"<sip:alice@10.0.0.1:5060>"), HOSTILE,
                      ("Content-Type", b"application/sdp")], sdp(1, 4000))
    ok = message("SIP/2.0 200 OK", dialog_headers("hostile-1", 1, "INVITE", "tb") +
                 [("Contact", b"<sip:bob@10.0.0.2:5060>"), HUGE, ("Content-Type", b"application/sdp")],
                 sdp(1, 6000).replace(b"10.0.0.1", b"10.0.0.2"))
    ack = message("ACK sip:bob@10.0.0.2:5060 SIP/2.0",
                  dialog_headers("hostile-1", 1, "ACK", "tb", "z9hG4bK-ack"))
    bye = message("BYE sip:bob@10.0.0.2:5060 SIP/2.0",
                  dialog_headers("hostile-1", 2, "BYE", "tb", "z9hG4bK-bye"))
    bye_ok = message("SIP/2.0 200 OK", dialog_headers("hostile-1", 2, "BYE", "tb", "z9hG4bK-bye"))
    t = T0
    for src, dst, m in ((A, B, invite), (B, A, ok), (A, B, ack), (A, B, bye), (B, A, bye_ok)):
        ident += 1
        cap.udp(t, src, dst, m, ident)
        t += 100 * MS
    # call 2: 60 re-INVITEs of 3 KB each, all different: past the call's budget
    big = []
    t = T0 + 10_000 * MS
    msgs = [message("INVITE sip:bob@10.0.0.2 SIP/2.0", dialog_headers("many-2", 1, "INVITE") +
                    [("Contact", b"<sip:alice@10.0.0.1:5060>"), ("Content-Type", b"application/sdp")], sdp(1, 4000)),
            message("SIP/2.0 200 OK", dialog_headers("many-2", 1, "INVITE", "tb") +
                    [("Contact", b"<sip:bob@10.0.0.2:5060>"), ("Content-Type", b"application/sdp")],
                    sdp(1, 6000))]
    for i in range(2, 62):
        br = "z9hG4bK-re%d" % i
        msgs.append(message("INVITE sip:bob@10.0.0.2:5060 SIP/2.0", dialog_headers("many-2", i, "INVITE", "tb", br) +
                            [("X-Pad", b"%d" % i + b"p" * 3000), ("Content-Type", b"application/sdp")],
                            sdp(i, 4000)))
    for i, m in enumerate(msgs):
        ident += 1
        cap.udp(t, A if i != 1 else B, B if i != 1 else A, m, ident)
        t += 50 * MS
        big.append(m)
    cap.save(path)
    return [invite, ok, ack, bye, bye_ok], big


def run(*args):
    p = subprocess.run([deadair, "analyze", *args], capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def call_of(doc, cid):
    for c in doc["captures"][0]["calls"]:
        if c["call_id"] == cid:
            return c
    return None


def split(m):
    head, _, body = m.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    return lines[0], [tuple(x.split(b": ", 1)) for x in lines[1:]], body


def as_json_text(b):
    """What the JSON writer makes of bytes: UTF-8 where valid, U+FFFD otherwise."""
    return b.decode("utf-8", "replace")


with tempfile.TemporaryDirectory() as tmp:
    cap = os.path.join(tmp, "messages.pcap")
    sent, big = build(cap)

    # ---- JSON ----
    rc, out, err = run("-f", "json", "--all", "--messages", cap)
    doc = json.loads(out)
    c1 = call_of(doc, "hostile-1")
    check("json: the hostile call is reported", c1 is not None, err)
    if c1:
        msgs = c1["messages"]
        check("json: every message has its raw member", len(msgs) == 5 and all("raw" in m for m in msgs), msgs)
        whole = True
        for m, b in zip(msgs, sent):
            r = m["raw"]
            if b is sent[1]:
                continue
            first, headers, body = split(b)
            got = [(h["name"], h["value"]) for h in r["headers"]]
            want = [(as_json_text(n), as_json_text(v)) for n, v in headers]
            if (r["start_line"] != first.decode() or got != want or r["body"] != as_json_text(body)
                    or r["bytes"] != len(b) or r["kept"] != len(b) or r["cut"]):
                whole = False
                print("  differs:", m["frame"], r, file=sys.stderr)
        check("json: start line, headers (the NUL and the escape sequence included) and body as sent", whole)
        hostile = [h["value"] for h in msgs[0]["raw"]["headers"] if h["name"] == "X-Hostile"]
        check("json: the NUL comes out as U+0000 in a JSON string", hostile and "\x00nul" in hostile[0], hostile)
        r = msgs[1]["raw"]
        check("json: the 200 with a 20 000-byte header is cut at 8 KiB and says so",
              r["cut"] and r["kept"] == MSG_CAP and r["bytes"] == len(sent[1]), {k: r[k] for k in ("cut", "kept", "bytes")})
        check("json: what was kept of it is its first 8 KiB",
              (r["start_line"] + "\r\n" + "".join("%s: %s\r\n" % (h["name"], h["value"]) for h in r["headers"]))
              .startswith(sent[1][:200].decode()), r["start_line"])
        check("json: the call says what it kept", c1.get("raw_messages", {}).get("cut") == 1 and
              c1["raw_messages"]["left_out"] == 0, c1.get("raw_messages"))
    c2 = call_of(doc, "many-2")
    n_kept2 = -1
    if c2:
        rm = c2.get("raw_messages", {})
        kept = [m for m in c2["messages"] if m["raw"] is not None]
        n_kept2 = len(kept)
        check("json: a call's messages stop at 128 KiB, the rest counted as left out",
              rm.get("bytes_kept", 0) <= CALL_CAP and rm.get("left_out", 0) > 0 and
              len(kept) + rm["left_out"] == len(big), rm)
        check("json: the messages kept of that call are whole",
              all(m["raw"]["bytes"] == len(b) and not m["raw"]["cut"] for m, b in zip(kept, big)))
    else:
        check("json: the call of many re-INVITEs is reported", False)
    rc, out, err = run("-f", "json", "--all", cap)
    check("json: without --messages no raw member", b'"raw"' not in out and b'"raw_messages"' not in out)

    # ---- text ----
    rc, out, err = run("--all", "-m", "-v", "--color", "never", cap)
    text = out.decode("utf-8", "replace")
    check("text: -m -v shows the messages whole", "SIP messages, whole" in text, text[:400])
    check("text: no escape byte of the capture reaches the terminal", b"\x1b" not in out)
    check("text: the NUL and the escape shown as visible escapes", "\\x00nul\\x1b[31mred" in text,
          [l for l in text.splitlines() if "X-Hostile" in l])
    check("text: the bidi override shown as an escape", "\\u{202e}evil" in text)
    shown = "".join(l[8:] + "\n" for l in text.splitlines() if l.startswith("      | "))
    bye = sent[3].decode().replace("\r\n", "\n")
    check("text: a message's lines appear whole, in order", bye in shown)
    check("text: the cut message says so", "(cut: the first 8192 of its %d bytes)" % len(sent[1]) in text)
    check("text: the call past its budget says how many were not shown",
          "messages not shown whole: at most 131072 bytes" in text)
    rc, out, err = run("--all", "-m", "--color", "never", cap)
    check("text: -m alone lists messages, not their bytes", b"SIP messages, whole" not in out and b"X-Hostile" not in out)

    # ---- HTML ----
    html_path = os.path.join(tmp, "r.html")
    rc, out, err = run("-f", "html", "--all", "-o", html_path, cap)
    page = open(html_path, encoding="utf-8").read()

    class Pre(html.parser.HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.depth, self.texts, self.inner_tags, self.ids, self.hrefs = 0, [], set(), set(), []
            self.cur = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if "id" in a:
                self.ids.add(a["id"])
            if tag == "a" and a.get("class") == "msgref":
                self.hrefs.append(a.get("href"))
            if self.cur is not None:
                self.inner_tags.add(tag)
            if tag == "pre" and a.get("class") == "sipraw":
                self.cur = []

        def handle_endtag(self, tag):
            if tag == "pre" and self.cur is not None:
                self.texts.append("".join(self.cur))
                self.cur = None

        def handle_data(self, data):
            if self.cur is not None:
                self.cur.append(data)

    p = Pre()
    p.feed(page)
    check("html: one <pre> per message kept (as JSON kept them)", len(p.texts) == 5 + n_kept2, (len(p.texts), n_kept2))
    check("html: nothing but our own marks inside a message", p.inner_tags <= {"span", "mark"}, p.inner_tags)
    check("html: the script of the capture is text", "<script>alert" not in page and
          any("</pre><script>alert(1)</script>\ufffdnul\ufffd[31mred" in t for t in p.texts),
          [t[:300] for t in p.texts[:1]])
    bye_text = sent[3].decode().replace("\r\n", "\n")
    check("html: a message's text whole", any(t == bye_text for t in p.texts), [t for t in p.texts if t.startswith("BYE")])
    check("html: every arrow's link has its message", p.hrefs and all(h[1:] in p.ids for h in p.hrefs),
          [h for h in p.hrefs if h[1:] not in p.ids][:5])
    check("html: the cut message says so", "Cut: the first 8192 of its %d bytes." % len(sent[1]) in page)
    check("html: huge header bounded", "h" * 8300 not in page)
    rc, out, err = run("-f", "html", "-q", "-o", html_path, cap)
    check("html -q: no messages", 'class="sipraw"' not in open(html_path, encoding="utf-8").read())

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
