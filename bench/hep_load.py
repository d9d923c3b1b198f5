#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Load on `deadair watch --hep udp:...`: several capture agents at once.

In a network namespace of its own (its UDP counters are then this run's
alone; loopback only), deadair watch listens for HEP on 127.0.0.1:9060 and
--agents sender processes, each a capture agent with an ID of its own
(2001, 2002, ...), replay the same generated capture (bench/gen_capture.py:
--concurrent calls in progress, SIP and RTP both ways at 20 ms, no loss, no
jitter) as HEPv3 over UDP (tests/watch/heplib.py builds the frames), at the
capture's own pace, its times moved to now. All senders start at one moment.
Each agent is a capture point in deadair, so the calls are --agents times
--concurrent in all.

Measured: HEP packets sent per agent against what deadair counted per agent
(its last status line), the kernel's UDP receive-buffer drops in the
namespace (/proc/net/snmp RcvbufErrors), deadair's CPU (% of one core, and per
10,000 packets/s) and memory (RSS, anonymous RSS, calls in progress) once a
second, the load average. Results in --out (summary.txt). Run as root.

usage: bench/hep_load.py [--agents 8] [--concurrent 60] [--seconds 40] [--deadair PATH]
                         [--out DIR] [--tag T] [--nice N] [--sender-nice N]
Python 3 standard library only."""
import argparse
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "watch"))
PORT = 9060


def sender(a):
    """One agent: build its frames, wait for the common start, send them at the
    capture's pace; write what it sent to --stats."""
    import heplib  # tests/watch/heplib.py: the capture's UDP packets, HEPv3 frames
    pkts = heplib.udp_packets(a.cap)
    t0 = pkts[0][0]
    # the frames with a time of 0: the real time is patched in when the start
    # is known (chunks 9 and 10, seconds and microseconds, at fixed places)
    frames = []
    for p in pkts:
        f = heplib.hep3((0,) + tuple(p[1:]), a.agent)
        at = f.index(struct.pack(">HHH", 0, 9, 10))
        frames.append(((p[0] - t0) / 1e9, p[0] - t0, bytearray(f), at))
    del pkts
    open(a.stats + ".ready", "w").close()
    go = a.stats.rsplit("/", 1)[0] + "/go"
    while not os.path.exists(go):
        time.sleep(0.01)
    time.sleep(0.05)
    start_at = float(open(go).read())
    start_ns = int(start_at * 1e9)
    out = []
    for off, off_ns, f, at in frames:
        ts = start_ns + off_ns
        struct.pack_into(">I", f, at + 6, ts // 1_000_000_000)
        struct.pack_into(">I", f, at + 16, ts % 1_000_000_000 // 1000)
        out.append((off, bytes(f)))
    frames = out
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dst = ("127.0.0.1", PORT)
    while time.time() < start_at:
        time.sleep(0.002)
    base = time.monotonic() - (time.time() - start_at)
    sent = errors = 0
    worst = 0.0
    for off, f in frames:
        ahead = base + off - time.monotonic()
        if ahead > 0.002:
            time.sleep(ahead)
        elif -ahead > worst:
            worst = -ahead
        try:
            s.sendto(f, dst)
            sent += 1
        except OSError:
            errors += 1
    with open(a.stats, "w") as f:
        json.dump({"agent": a.agent, "sent": sent, "errors": errors, "frames": len(frames),
                   "worst_late_ms": round(worst * 1000, 1), "seconds": round(time.monotonic() - base, 1)}, f)


def sh(*argv, **kw):
    return subprocess.run(argv, check=True, **kw)


def udp_rcvbuf_errors(ns):
    txt = subprocess.run(["ip", "netns", "exec", ns, "cat", "/proc/net/snmp"], capture_output=True, text=True).stdout
    lines = [l.split() for l in txt.splitlines() if l.startswith("Udp:")]
    if len(lines) < 2:
        return None
    d = dict(zip(lines[0][1:], lines[1][1:]))
    return int(d.get("RcvbufErrors", 0)), int(d.get("InDatagrams", 0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=8)
    ap.add_argument("--concurrent", type=int, default=60, help="calls in progress per agent")
    ap.add_argument("--seconds", type=float, default=40, help="about how long the capture lasts")
    ap.add_argument("--deadair", default=os.environ.get("DEADAIR", os.path.join(REPO, "build", "deadair")))
    ap.add_argument("--out")
    ap.add_argument("--tag", default="hep%d" % os.getpid())
    ap.add_argument("--nice", type=int, default=0, help="deadair's niceness (default 0)")
    ap.add_argument("--sender-nice", type=int, default=10,
                    help="the senders' niceness (default 10: they stand for agents on other machines, and"
                    " should not take deadair's CPU on this one)")
    # the sender's own arguments (the script runs itself once per agent)
    ap.add_argument("--send", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--agent", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--cap", help=argparse.SUPPRESS)
    ap.add_argument("--stats", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.send:
        return sender(a)
    if os.geteuid() != 0:
        sys.exit("hep_load.py: run as root (a network namespace of its own)")
    if not re.fullmatch(r"[a-z0-9]{1,10}", a.tag):
        sys.exit("hep_load.py: --tag: 1-10 of a-z0-9")
    if not (1 <= a.agents <= 64 and 1 <= a.concurrent <= 2000 and 5 <= a.seconds <= 600):
        sys.exit("hep_load.py: --agents 1-64, --concurrent 1-2000, --seconds 5-600")
    out = os.path.abspath(a.out or "/tmp/deadair-hep-load-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    os.makedirs(out, exist_ok=True)
    ns = "dl-%s-hep" % a.tag
    log = open(os.path.join(out, "summary.txt"), "w")

    def say(msg):
        print(msg)
        log.write(msg + "\n")
        log.flush()

    # the capture: --concurrent calls of 5-15 s, each replaced when it ends, for
    # about --seconds seconds (gen_capture sizes it in MiB: 100 packets/s a
    # call, 214 bytes a packet, and a tail while the last calls end)
    cap = os.path.join(out, "calls.pcap")
    size_mb = a.concurrent * 100 * 220 * (a.seconds + 10) / (1 << 20)
    meta = subprocess.run([sys.executable, os.path.join(HERE, "gen_capture.py"), "--size-mb", "%.2f" % size_mb,
                           "--concurrent", str(a.concurrent), "--min-duration", "5", "--max-duration", "15",
                           "--ramp", "2", "--jitter-ms", "0", "--loss", "0", cap],
                          check=True, capture_output=True, text=True).stdout.strip()
    say("capture: " + meta)
    per_agent = json.loads(meta)["max_calls_in_progress"]
    procs = []
    deadair = None
    try:
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        # deadair asks 4 MiB for its HEP socket; the kernel caps it at
        # rmem_max (read-only in a namespace: the host's value)
        rmem = subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-n", "net.core.rmem_max"],
                              capture_output=True, text=True).stdout.strip()
        limit = int(a.seconds + 120)
        status = open(os.path.join(out, "status.log"), "w")
        deadair = subprocess.Popen(["ip", "netns", "exec", ns, "timeout", "-s", "TERM", str(limit + 60),
                                    "nice", "-n", str(a.nice), a.deadair,
                                    "watch", "--hep", "udp:127.0.0.1:%d" % PORT, "--status", "1", "--alerts",
                                    os.path.join(out, "alerts.jsonl")], stderr=status, stdout=subprocess.DEVNULL)
        da_pid = None
        for _ in range(100):
            r = subprocess.run(["pgrep", "-P", str(deadair.pid), "-x", "deadair"], capture_output=True, text=True)
            if r.stdout.strip():
                da_pid = int(r.stdout.split()[0])
                break
            # ip netns exec runs timeout, which runs deadair
            for t in subprocess.run(["pgrep", "-P", str(deadair.pid)], capture_output=True, text=True).stdout.split():
                r = subprocess.run(["pgrep", "-P", t, "-x", "deadair"], capture_output=True, text=True)
                if r.stdout.strip():
                    da_pid = int(r.stdout.split()[0])
            if da_pid:
                break
            time.sleep(0.1)
        if not da_pid:
            sys.exit("hep_load.py: deadair did not start")
        time.sleep(1)
        udp0 = udp_rcvbuf_errors(ns)
        for k in range(a.agents):
            procs.append(subprocess.Popen(["ip", "netns", "exec", ns, "timeout", "-s", "KILL", str(limit + 300),
                                           "nice", "-n", str(a.sender_nice), sys.executable, os.path.abspath(__file__), "--send", "--agent",
                                           str(2001 + k), "--cap", cap,
                                           "--stats", os.path.join(out, "sender-%d.json" % (2001 + k))]))
        # every sender builds its frames, then all start at one moment
        t_wait = time.time() + 240
        while time.time() < t_wait and not all(
                os.path.exists(os.path.join(out, "sender-%d.json.ready" % (2001 + k))) for k in range(a.agents)):
            if any(p.poll() is not None for p in procs):
                sys.exit("hep_load.py: a sender failed")
            time.sleep(0.2)
        start_at = time.time() + 1
        with open(os.path.join(out, "go.tmp"), "w") as f:
            f.write("%.6f" % start_at)
        os.rename(os.path.join(out, "go.tmp"), os.path.join(out, "go"))
        # the sampler: deadair's CPU, RSS, anonymous RSS; the load average
        samples = []
        ticks = os.sysconf("SC_CLK_TCK")
        done = threading.Event()

        def sample():
            while not done.is_set():
                try:
                    st = open("/proc/%d/stat" % da_pid).read().rsplit(")", 1)[1].split()
                    stt = open("/proc/%d/status" % da_pid).read()
                except OSError:
                    break
                kib = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM|RssAnon):\s+(.*)$", stt, re.M)}
                lines = [l for l in open(os.path.join(out, "status.log")).read().splitlines() if "frames" in l]
                m = re.search(r"(\d+) calls in progress", lines[-1]) if lines else None
                samples.append((time.time(), (int(st[11]) + int(st[12])) / ticks, kib.get("VmRSS", 0),
                                kib.get("VmHWM", 0), kib.get("RssAnon", 0), int(m.group(1)) if m else 0,
                                float(open("/proc/loadavg").read().split()[0])))
                time.sleep(1)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        for p in procs:
            p.wait(timeout=limit + 60)
        end_at = time.time()
        time.sleep(2)
        udp1 = udp_rcvbuf_errors(ns)
        deadair.send_signal(signal.SIGTERM)
        subprocess.run(["kill", "-TERM", str(da_pid)])
        deadair.wait(timeout=30)
        done.set()
        th.join(timeout=5)
        status.close()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        if deadair and deadair.poll() is None:
            deadair.kill()
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)

    sent = {}
    for k in range(a.agents):
        with open(os.path.join(out, "sender-%d.json" % (2001 + k))) as f:
            s = json.load(f)
        sent[s["agent"]] = s
    last = [l for l in open(os.path.join(out, "status.log")).read().splitlines() if "frames" in l][-1]
    say("deadair's last status: " + last)
    m = re.search(r"agents \(([^)]*)\)", last)
    got = {int(k): int(v) for k, v in re.findall(r"(\d+): (\d+)", m.group(1))} if m else {}
    total_sent = sum(s["sent"] for s in sent.values())
    total_got = sum(got.values())
    for ag in sorted(sent):
        s = sent[ag]
        say("agent %d: sent %d HEP packets in %.1f s (send errors %d, worst lateness %.1f ms), deadair counted %d" % (
            ag, s["sent"], s["seconds"], s["errors"], s["worst_late_ms"], got.get(ag, 0)))
    say("all agents: sent %d, deadair counted %d, missing %d; UDP receive-buffer drops in the namespace %d"
        " (datagrams received by the kernel %d); net.core.rmem_max %s bytes; deadair at nice %d, senders at nice %d" % (
            total_sent, total_got, total_sent - total_got, udp1[0] - udp0[0], udp1[1] - udp0[1], rmem, a.nice, a.sender_nice))
    busy = [s for s in samples if start_at <= s[0] <= end_at]
    if len(busy) >= 2:
        x, y = busy[0], busy[-1]
        dt = y[0] - x[0]
        pps = total_sent / max(end_at - start_at, 1e-9)
        cpu = 100 * (y[1] - x[1]) / dt
        # deadair's status line counts the calls of -i only, not of the HEP
        # agents: the calls in progress are the capture's, once per agent
        peak = max(samples, key=lambda s: s[4])
        idle = samples[0][4]
        say("sending %.0f s: %.0f HEP packets/s; deadair CPU %.1f%% of one core (%.1f%% per 10k packets/s);"
            " load average %.1f-%.1f" % (end_at - start_at, pps, cpu, cpu / (pps / 10000), min(s[6] for s in busy),
                                          max(s[6] for s in busy)))
        say("memory: peak RSS %.1f MiB; anonymous %.1f MiB idle, %.1f MiB at most, with %d calls in progress"
            " (%d agents x %d, the capture's peak): %.1f MiB per 1,000 calls" % (
                max(s[3] for s in samples) / 1024, idle / 1024, peak[4] / 1024, a.agents * per_agent, a.agents,
                per_agent, (peak[4] - idle) / 1024 / max(a.agents * per_agent, 1) * 1000))
    alerts = [json.loads(l) for l in open(os.path.join(out, "alerts.jsonl")) if l.strip()]
    kinds = {}
    for x in alerts:
        kinds[(x["type"], x["id"])] = kinds.get((x["type"], x["id"]), 0) + 1
    say("alerts: %d (%s)" % (len(alerts), ", ".join("%s %s: %d" % (k[0], k[1], v) for k, v in sorted(kinds.items()))
                              or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
