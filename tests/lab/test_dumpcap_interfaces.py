#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dumpcap on two interfaces at once, as Wireshark users capture a softphone
and its local proxy: in network namespaces made (and deleted) here, the
example call's SIP is sent over the loopback interface and its RTP over a
veth pair, while `dumpcap -i lo -s 65535 -i veth0 -s 1500` writes one pcapng
with an interface block per interface, each with its own snap length. deadair must read it as tshark does (the same frame and
SIP message counts), make of it one capture point and one call with its
streams, and name the interface of the frames its evidence cites. dumpcap
ends the file with an interface statistics block (ISB) per interface: its
drop counters (none dropped here) must leave the report as it is, and the
same file with veth0's isb_ifdrop rewritten must say the capture dropped
packets. Needs root (ip netns); exits 77 (skipped) otherwise. Addresses live
only in the namespaces."""
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

deadair = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DEADAIR", "")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("dumpcap") or not shutil.which("tshark"):
    print("SKIPPED: needs root, ip, dumpcap and tshark")
    sys.exit(77)

NS_A, NS_B = f"da-ifa-{os.getpid()}", f"da-ifb-{os.getpid()}"
A, B = "10.99.0.1", "10.99.0.2"   # the same length as 127.0.0.1: SDP lengths unchanged
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(f"{what}: {detail}")


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, capture_output=True, timeout=60, **kw)


def isb_drop_options(data):
    """[(interface, {option code: (offset of its value, value)})] of the ISBs of a little-endian pcapng."""
    out, off = [], 0
    while off + 12 <= len(data):
        btype, total = struct.unpack_from("<II", data, off)
        if btype == 5:
            opts, q = {}, off + 20
            while q + 4 <= off + total - 4:
                code, ln = struct.unpack_from("<HH", data, q)
                if code == 0:
                    break
                if code in (5, 7) and ln == 8:
                    opts[code] = (q + 4, struct.unpack_from("<Q", data, q + 4)[0])
                q += 4 + ((ln + 3) & ~3)
            out.append((struct.unpack_from("<I", data, off + 8)[0], opts))
        off += total
    return out


def udp_payloads(path):
    """(time, sport, dport, payload) of every UDP/IPv4 packet of a classic Ethernet pcap."""
    data = open(path, "rb").read()
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        ihl = (pkt[14] & 15) * 4
        if pkt[12:14] != b"\x08\x00" or pkt[23] != 17:
            continue
        u = 14 + ihl
        sport, dport, ulen = struct.unpack(">HHH", pkt[u:u + 6])
        out.append((sec + usec / 1e6, sport, dport, pkt[u + 8:u + ulen]))
    return out


SENDER = r"""
import socket, sys, time, json
plan = json.load(open(sys.argv[1]))
socks = {}
t0 = time.monotonic()
for at, src, sport, dst, dport, hexdata in plan:
    while time.monotonic() - t0 < at:
        time.sleep(0.0005)
    s = socks.get((src, sport))
    if s is None:
        s = socks[(src, sport)] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, sport))
    s.sendto(bytes.fromhex(hexdata), (dst, dport))
"""

try:
    sh("ip", "netns", "add", NS_A)
    sh("ip", "netns", "add", NS_B)
    sh("ip", "link", "add", "veth0", "netns", NS_A, "type", "veth", "peer", "name", "veth1", "netns", NS_B)
    for ns, dev, addr in ((NS_A, "veth0", A), (NS_B, "veth1", B)):
        sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        pkts = udp_payloads(os.path.join(ROOT, "examples", "sipp-echo-call.pcap"))
        t0 = pkts[0][0]
        plan_a, plan_b = [], []
        for t, sport, dport, payload in pkts:
            if sport in (5060, 5070, 5080) or dport in (5060, 5070, 5080):
                # SIP between the softphone and its local proxy, on lo; its SDP
                # names the media addresses on the veth pair
                body = payload.replace(b"c=IN IP4 127.0.0.1", b"c=IN IP4 " + (A if sport == 5080 else B).encode())
                plan_a.append((t - t0, "127.0.0.1", sport, "127.0.0.1", dport, body.hex()))
            elif sport == 16000:   # the caller's RTP, from A
                plan_a.append((t - t0, A, sport, B, dport, payload.hex()))
            else:                  # the callee's, from B
                plan_b.append((t - t0, B, sport, A, dport, payload.hex()))
        for name, plan in (("a", plan_a), ("b", plan_b)):
            json.dump(plan, open(os.path.join(tmp, f"plan-{name}.json"), "w"))
        open(os.path.join(tmp, "send.py"), "w").write(SENDER)
        cap = os.path.join(tmp, "two-ifaces.pcapng")
        dc = subprocess.Popen(["ip", "netns", "exec", NS_A, "dumpcap", "-q", "-i", "lo", "-s", "65535",
                               "-i", "veth0", "-s", "1500", "-w", cap],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(2)
        senders = [subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, os.path.join(tmp, "send.py"),
                                     os.path.join(tmp, f"plan-{n}.json")]) for ns, n in ((NS_A, "a"), (NS_B, "b"))]
        for s in senders:
            s.wait(timeout=60)
        time.sleep(1)
        dc.send_signal(signal.SIGINT)
        dc.wait(timeout=30)
        frames = len(sh("tshark", "-r", cap, "-T", "fields", "-e", "frame.number").stdout.split())
        # (nothing listens: the kernel answers with ICMP errors quoting SIP, which
        # deadair counts apart, as the corpus test says)
        sip = sh("tshark", "-r", cap, "-Y", "sip && !icmp", "-T", "fields", "-e", "sip", "-E",
                 "occurrence=a").stdout.decode().count("Session Initiation Protocol")
        p = subprocess.run([deadair, "analyze", "-f", "json", cap], capture_output=True, timeout=120)
        doc = json.loads(p.stdout)
        caps = doc["captures"]
        c = caps[0]
        check("dumpcap -i lo -s 65535 -i veth0 -s 1500: one pcapng, two interfaces of their own snap lengths, "
              "read as tshark reads it",
              p.returncode == 0 and c["frames"] == frames and c["sip"]["messages"] == sip and sip == 6
              and [(i["name"], i["snap_length"]) for i in c.get("interfaces", [])] == [("lo", 65535), ("veth0", 1500)],
              f"rc {p.returncode} frames {c['frames']}/{frames} sip {c['sip']['messages']}/{sip} {c.get('interfaces')}")
        check("SIP on lo and RTP on veth0: one capture point, one call with its streams",
              len(caps) == 1 and len(c["calls"]) == 1 and len(c["calls"][0]["streams"]) >= 2
              and c["media"]["rtp_in_calls"] == c["media"]["rtp_packets"] > 0,
              json.dumps([len(caps), [len(x["streams"]) for x in c["calls"]], c["media"]]))
        ev = [e for x in c["calls"] for f in x["findings"] for e in f["evidence"]]
        check("evidence names the frames' interfaces (lo for SIP, veth0 for RTP)",
              ev and {e.get("interface") for e in ev} <= {"lo", "veth0"} and all(e.get("interface") for e in ev), ev)
        data = bytearray(open(cap, "rb").read())
        isbs = isb_drop_options(bytes(data))
        dropped = sum(v for _, o in isbs for _, v in o.values() if v != 2**64 - 1)
        check("dumpcap wrote an ISB with isb_ifdrop for each interface",
              sorted(i for i, o in isbs if 5 in o) == [0, 1], isbs)
        check("the report says the capture dropped what dumpcap's ISBs say (nothing when they say 0)",
              c.get("capture_dropped", 0) == dropped, f"{c.get('capture_dropped')} / {isbs}")
        veth = [o[5] for i, o in isbs if i == 1 and 5 in o]
        if veth:
            struct.pack_into("<Q", data, veth[-1][0], veth[-1][1] + 7)
            cap2 = os.path.join(tmp, "drops.pcapng")
            open(cap2, "wb").write(bytes(data))
            p = subprocess.run([deadair, "analyze", "-f", "json", cap2], capture_output=True, timeout=120)
            c2 = json.loads(p.stdout)["captures"][0]
            check("veth0's isb_ifdrop raised by 7: the report says the capture dropped 7 more, and the call "
                  "that its loss is not to be trusted",
                  c2.get("capture_dropped") == dropped + 7
                  and all(x.get("capture_loss", {}).get("dropped", 0) >= 7 for x in c2["calls"]),
                  f"{c2.get('capture_dropped')} {[x.get('capture_loss') for x in c2['calls']]}")
finally:
    for ns in (NS_A, NS_B):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)

print("\nall checks passed" if not failures else f"\n{len(failures)} checks failed")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
