#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch --hep --listen: the HEP agents' calls in progress are on the
live page (/calls.json) and in /metrics as the -i table's are, each judged at
its agent's own time. On loopback only.

The first 12 s of clean_call (answered, RTP both ways) sent as HEPv3 by
agent 7, its time stamps 300 s behind the wall clock (an agent whose clock is
off): the call is listed in progress with RTP flowing both ways, its age from
the agent's time (about 12 s, not 300), and deadair_calls_in_progress is 1.
Then the rest of the call: it is listed among the finished calls.
"""
import json
import os
import re
import signal
import socket
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heplib  # noqa: E402
import watchlib  # noqa: E402


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def main():
    deadair = os.path.abspath(sys.argv[1])
    failures = []
    checks = 0
    cache = os.environ.get("DEADAIR_TEST_CACHE")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = cache if cache else tmp
        os.makedirs(out_dir, exist_ok=True)
        cap = watchlib.generate("clean_call", out_dir)
        pkts = heplib.udp_packets(cap)
        pkts = heplib.starting_at(pkts, time.time_ns() - 300 * 10**9)
        cut = next(i for i, p in enumerate(pkts) if p[0] - pkts[0][0] > 12 * 10**9)
        port = heplib.free_port(socket.SOCK_DGRAM)
        w = watchlib.Watch([deadair, "watch", "--hep", f"udp:127.0.0.1:{port}", "--listen", "127.0.0.1:0",
                            "--status", "0", "--linger", "30"])
        url = None
        try:
            deadline = time.monotonic() + 20
            while url is None and time.monotonic() < deadline:
                line = w.p.stderr.readline().decode("utf-8", "replace")
                m = re.search(r"serving on (http://127\.0\.0\.1:\d+/)", line)
                if m:
                    url = m.group(1)
            if not url:
                print("FAIL: watch --listen did not start")
                return 1
            heplib.send_udp([heplib.hep3(p, 7) for p in pkts[:cut]], port)
            time.sleep(2.5)
            doc = json.loads(get(url + "calls.json"))
            metrics = get(url + "metrics")
            checks += 1
            calls = doc.get("calls", [])
            if doc.get("in_progress") != 1 or len(calls) != 1:
                failures.append(f"in progress {doc.get('in_progress')}, {len(calls)} listed: expected the agent's call")
            else:
                c = calls[0]
                dirs = [d["rtp"] for d in c["directions"]]
                print(f"listed: {c['call_id']} {c['state']} age {c['age_s']} s, RTP {dirs}")
                checks += 1
                if c["state"] != "answered" or dirs != ["flowing", "flowing"]:
                    failures.append(f"the agent's call: {c['state']}, RTP {dirs}")
                checks += 1
                if not 8 <= c["age_s"] <= 20:
                    failures.append(f"age {c['age_s']} s: not from the agent's own time")
            checks += 1
            if not re.search(r"^deadair_calls_in_progress 1$", metrics, re.M):
                failures.append("deadair_calls_in_progress is not 1: "
                                + " ".join(l for l in metrics.splitlines() if "in_progress " in l))
            heplib.send_udp([heplib.hep3(p, 7) for p in pkts[cut:]], port)
            # the ended call lingers a few seconds of the agent's time (which
            # goes on with the wall clock while it sends nothing)
            deadline = time.monotonic() + 30
            while True:
                time.sleep(1)
                doc = json.loads(get(url + "calls.json"))
                if doc.get("in_progress") == 0 or time.monotonic() > deadline:
                    break
            checks += 1
            if doc.get("in_progress") != 0 or not doc.get("recent"):
                failures.append(f"after the BYE: {doc.get('in_progress')} in progress, "
                                f"{len(doc.get('recent', []))} finished listed")
            else:
                print(f"finished: {doc['recent'][0]['call_id']}")
            w.p.send_signal(signal.SIGINT)
            rc = w.wait(timeout=60)
            checks += 1
            if rc != 0:
                failures.append(f"watch exit status {rc}")
        finally:
            if w.p.poll() is None:
                w.p.kill()
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
