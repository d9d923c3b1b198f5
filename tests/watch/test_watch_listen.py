#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch --listen on loopback: /metrics is valid Prometheus text
(`promtool check metrics`), a real Prometheus (started here with a config and a
data directory of its own, on loopback, for a bounded time) scrapes it (its
HTTP API answers up{job="deadair"} == 1 and a deadair metric with the value
watch counted); the counters agree with the alerts written and the capture;
/calls.json lists the call in progress, then the finished call with its report
at /report/N; the token and the Host check as serve has them; usage errors.

usage: test_watch_listen.py DEADAIR
Skipped (77) without promtool and prometheus (Debian package prometheus)."""
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402

failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print("FAIL:", what)


class Served:
    """deadair watch with --listen 127.0.0.1:0: its URL from its stderr, its alerts from stdout."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.err = []
        self.alerts = []
        self.url = None
        got = threading.Event()

        def read_err():
            for line in self.p.stderr:
                self.err.append(line)
                m = re.search(r"serving on (http://127\.0\.0\.1:\d+/)", line)
                if m and not self.url:
                    self.url = m.group(1)
                    got.set()
            got.set()

        def read_out():
            for line in self.p.stdout:
                self.alerts.append(json.loads(line))

        self.threads = [threading.Thread(target=read_err, daemon=True), threading.Thread(target=read_out, daemon=True)]
        for t in self.threads:
            t.start()
        got.wait(30)
        if not self.url:
            self.stop()
            raise RuntimeError("watch did not say where it listens: " + "".join(self.err))

    def get(self, path, headers=None, method="GET"):
        req = urllib.request.Request(self.url.rstrip("/") + path, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        for t in self.threads:
            t.join(5)
        return rc


def metric_values(text):
    """{(name, frozenset(labels)): value} of an exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        if not m:
            out[("BAD LINE", line)] = None
            continue
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def prometheus_scrape(target, tmp):
    """A Prometheus on loopback scraping target every second: (up, frames) as its API answers them."""
    port = free_port()
    cfg = os.path.join(tmp, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: deadair\n    static_configs:\n"
                f"      - targets: ['{target}']\n")
    data = os.path.join(tmp, "prometheus-data")
    log = open(os.path.join(tmp, "prometheus.log"), "w")
    p = subprocess.Popen(["prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + data,
                          f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h"],
                         stdout=log, stderr=log)
    api = f"http://127.0.0.1:{port}/api/v1/query?query="
    up = frames = None
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            time.sleep(1)
            try:
                with urllib.request.urlopen(api + urllib.parse.quote('up{job="deadair"} == 1'), timeout=5) as r:
                    res = json.load(r)["data"]["result"]
                if not res:
                    continue
                up = res[0]["value"][1]
                with urllib.request.urlopen(api + urllib.parse.quote('deadair_frames_total{job="deadair"}'),
                                            timeout=5) as r:
                    res = json.load(r)["data"]["result"]
                if res:
                    frames = float(res[0]["value"][1])
                    break
            except (urllib.error.URLError, ConnectionError, OSError, ValueError, KeyError):
                continue
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        log.close()
    if up is None:
        print(open(os.path.join(tmp, "prometheus.log")).read()[-3000:])
    return up, frames


def usage_errors(deadair, cap, tmp):
    for args, what in ((["--listen", "0.0.0.0:0"], "needs a token"),
                       (["--listen", "nowhere"], "[ADDR:]PORT"),
                       (["--listen", "123456"], "[ADDR:]PORT"),
                       (["--linger", "3"], "go with --listen"),
                       (["--exec-max", "0", "--exec", "true"], "--exec-max")):
        r = subprocess.run([deadair, "watch", "-r", cap, *args], capture_output=True, text=True, timeout=60)
        check(r.returncode == 2 and what in r.stderr, f"watch {' '.join(args)}: exit {r.returncode}, {r.stderr!r}")


def token_and_host(deadair, cap, tmp):
    token = "s3cret-token-of-the-test-0123456789"
    tf = os.path.join(tmp, "token")
    with open(tf, "w") as f:
        f.write(token + "\n")
    # a port alone: on loopback
    w = Served([deadair, "watch", "-r", cap, "--listen", "0", "--token-file", tf, "--linger", "60",
                "--status", "0"])
    try:
        st, hdr, _ = w.get("/metrics")
        check(st == 401 and "Basic" in hdr.get("WWW-Authenticate", ""), f"no token: {st}")
        st, _, _ = w.get("/metrics", {"Authorization": "Bearer wrong-token-wrong-token"})
        check(st == 401, f"a wrong token: {st}")
        st, _, body = w.get("/metrics", {"Authorization": "Bearer " + token})
        check(st == 200 and b"deadair_frames_total" in body, f"Bearer token: {st}")
        basic = base64.b64encode(("anyone:" + token).encode()).decode()
        st, _, _ = w.get("/calls.json", {"Authorization": "Basic " + basic})
        check(st == 200, f"Basic with the token as password: {st}")
        st, _, _ = w.get("/metrics", {"Authorization": "Bearer " + token, "Host": "rebind.example:80"})
        check(st == 421, f"a Host naming another machine on loopback: {st}")
    finally:
        rc = w.stop()
    check(rc == 0, f"watch with a token: exit {rc}: {''.join(w.err)}")


def live_loopback(deadair):
    """As root: watch -i lo with a filter on one UDP port; packets sent to it on
    127.0.0.1 show in the capture's own counters (pcap_stats) and the frames."""
    if os.geteuid() != 0:
        print("live capture on lo: skipped (not root)")
        return
    port = free_port()
    w = Served([deadair, "watch", "-i", "lo", "--listen", "127.0.0.1:0", "--status", "0", f"udp and dst port {port}"])
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

        def frames():
            return metric_values(w.get("/metrics")[2].decode()).get(("deadair_frames_total", frozenset()), 0)

        # until the capture loop runs (one packet counted), then 20 more
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and frames() == 0:
            s.sendto(b"warm-up", ("127.0.0.1", port))
            time.sleep(0.5)
        time.sleep(1.2)
        base = frames()
        for i in range(20):
            s.sendto(b"not SIP %d" % i, ("127.0.0.1", port))
            time.sleep(0.01)
        s.close()
        v = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            time.sleep(0.5)
            v = metric_values(w.get("/metrics")[2].decode())
            if v.get(("deadair_frames_total", frozenset()), 0) >= base + 20:
                break
        v[("deadair_frames_total", frozenset())] = v.get(("deadair_frames_total", frozenset()), 0) - base
        received = v.get(("deadair_capture_packets_total", frozenset({("outcome", "received")})))
        print(f"live capture on lo: frames {v.get(('deadair_frames_total', frozenset()))}, received {received}")
        check(v.get(("deadair_frames_total", frozenset())) == 20, f"live: frames {v.get(('deadair_frames_total', frozenset()))} of 20")
        check(received is not None and received >= 20, f"live: pcap_stats received {received}")
        check(("deadair_capture_packets_total", frozenset({("outcome", "kernel_dropped")})) in v, "live: kernel drops")
    finally:
        rc = w.stop()
    check(rc == 0, f"watch -i lo: exit {rc}: {''.join(w.err)}")


def main():
    deadair = sys.argv[1]
    if not shutil.which("promtool") or not shutil.which("prometheus"):
        print("skipped: promtool and prometheus are needed (Debian package prometheus; scripts/deps.sh test)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        cap = watchlib.generate("media_stops_midcall", tmp)
        _, recs = watchlib.pcap_records(cap)
        usage_errors(deadair, cap, tmp)
        token_and_host(deadair, cap, tmp)
        live_loopback(deadair)

        # 42 s of capture at 4 times its pace: about 10 s, then served until stopped
        w = Served([deadair, "watch", "-r", cap, "--realtime", "--speed", "4", "--listen", "127.0.0.1:0",
                    "--linger", "600", "--status", "0"])
        try:
            seen_in_progress = False
            ended = None
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                st, hdr, body = w.get("/calls.json")
                if st == 200:
                    doc = json.loads(body)
                    if doc["calls"]:
                        c = doc["calls"][0]
                        seen_in_progress = True
                        check(len(c["directions"]) == 2 and c["state"] in ("answered", "ringing", "calling",
                                                                            "proceeding"), f"a call in progress: {c}")
                    if doc["ended"]:
                        ended = doc
                        break
                time.sleep(0.5)
            check(seen_in_progress, "the call was never listed in progress")
            check(ended is not None, "the input never ended in /calls.json")

            st, hdr, body = w.get("/metrics")
            text = body.decode()
            check(st == 200 and hdr.get("Content-Type", "").startswith("text/plain; version=0.0.4"),
                  f"/metrics: {st} {hdr.get('Content-Type')}")
            pt = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True,
                                timeout=60)
            check(pt.returncode == 0, f"promtool check metrics: {pt.returncode} {pt.stdout} {pt.stderr}")
            print("promtool check metrics:", pt.returncode, (pt.stdout + pt.stderr).strip() or "no remarks")
            v = metric_values(text)
            check(not any(k[0] == "BAD LINE" for k in v), "lines promtool may take but this test cannot read")
            check(all(k[0].startswith("deadair_") for k in v), "a metric not named deadair_*")
            for line in text.splitlines():
                m = re.match(r"# TYPE (\S+) counter$", line)
                if m:
                    check(m.group(1).endswith("_total"), f"counter {m.group(1)} without _total")
            check(v.get(("deadair_frames_total", frozenset())) == len(recs),
                  f"frames {v.get(('deadair_frames_total', frozenset()))}, the capture holds {len(recs)}")
            check(v.get(("deadair_calls_finished_total", frozenset())) == 1, "calls finished")
            check(v.get(("deadair_calls_in_progress", frozenset())) == 0, "calls in progress after the end")
            check(v.get(("deadair_resident_memory_bytes", frozenset()), 0) > 1 << 20, "resident memory")
            for kind, name in (("finding", "deadair_findings_total"), ("warning", "deadair_warnings_total")):
                want = {}
                for a in w.alerts:
                    if a["type"] == kind:
                        key = (name, frozenset({("id", a["id"]), ("severity", a["severity"])}))
                        want[key] = want.get(key, 0) + 1
                got = {k: n for k, n in v.items() if k[0] == name}
                check(want and got == want, f"{name}: {got}, the alerts say {want}")
            check(any(a["type"] == "warning" and a["id"] == "ONE_WAY_AUDIO" for a in w.alerts),
                  "no ONE_WAY_AUDIO warning among the alerts")

            done = ended["recent"][0] if ended and ended["recent"] else {}
            check(done.get("warned") and "ONE_WAY_AUDIO" in done.get("warnings", []), f"the finished call: {done}")
            st, hdr, body = w.get(done.get("report") or "/report/1")
            html = body.decode("utf-8", "replace")
            check(st == 200 and "default-src 'none'" in hdr.get("Content-Security-Policy", "")
                  and done.get("call_id", "?") in html and "ONE_WAY_AUDIO" in html,
                  f"the report: {st} {hdr.get('Content-Security-Policy')}")
            st, _, _ = w.get("/report/99")
            check(st == 404, f"/report/99: {st}")
            st, _, _ = w.get("/nothing")
            check(st == 404, f"/nothing: {st}")
            st, _, _ = w.get("/metrics", method="POST")
            check(st == 405, f"POST /metrics: {st}")

            up, frames = prometheus_scrape(urllib.parse.urlparse(w.url).netloc, tmp)
            print(f"prometheus: up{{job=\"deadair\"}} = {up}, deadair_frames_total = {frames}")
            check(up == "1", f"Prometheus: up{{job=\"deadair\"}} == 1 answered {up}")
            check(frames == len(recs), f"Prometheus: deadair_frames_total {frames}, expected {len(recs)}")
        finally:
            rc = w.stop()
        check(rc == 0, f"watch --listen: exit {rc} after SIGTERM: {''.join(w.err)}")
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
