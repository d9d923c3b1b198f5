#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Patterns across calls, on generated captures of known mixtures of 40 calls
(scenarios written here, turned into captures by tests/scengen):

- "nat": phones of 203.0.113.0/24 behind NATs that forget a UDP mapping after
  30 s idle; those held 35 s or longer lose the PBX's audio after the unhold,
  those held 25 s or less (or not at all) are fine. Phones of 192.0.2.0/24 (the
  same User-Agent, NATs with a 120 s timeout) and of two other networks (other
  User-Agents) hold as long and stay fine. The pattern must name the finding
  and direction, the network and the hold, contrast each with the calls that
  lack it, bound the NAT's idle timeout, and say nothing of the User-Agent.
- "spread": the same networks and holds, with one-way audio on 7 calls chosen
  across networks, User-Agents and holds (some not held): no pattern.
- "small": two failing calls of one network: too few for a claim.

Text and JSON are checked; HTML carries the section above the call table.
With the public corpus present, its capture of 771 healthy calls gives no
pattern section."""
import json
import os
import re
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
public = os.path.join(root, "..", "shared", "captures", "public")
failures = []

PBX = 'host pbx 198.51.100.10 rtp=10000 ua="Asterisk PBX 18.20.0" user=7000'
NETS = {
    # name: (public prefix, NAT timeout or None, or "none" for no NAT, User-Agent)
    "A": ("203.0.113", 30, "Yealink SIP-T46S 66.86.0.15"),
    "B": ("192.0.2", 120, "Yealink SIP-T46S 66.86.0.15"),
    "C": ("198.18.7", None, "Grandstream GXP2170 1.0.11.23"),
    "D": ("198.19.9", "none", "Polycom VVX 450 6.4.3"),
}


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {detail}")


def scenario(name, calls, nats):
    """calls: [(network, hold seconds or 0, down_stops_at_unhold)]: phone i calls the PBX;
    nats: the NAT timeouts of the networks, over NETS'."""
    lines = [f"# {name}: {len(calls)} calls from phones of several networks to one PBX (tests/cli/test_patterns.py)",
             PBX]
    per_net = {}
    body = []
    for i, call in enumerate(calls, 1):
        net, hold, cut = call[:3]
        prefix, timeout, ua = NETS[net]
        ua = call[3] if len(call) > 3 else ua
        mute = len(call) > 4 and call[4]
        timeout = nats.get(net, timeout)
        k = per_net[net] = per_net.get(net, 0) + 1
        host = f"p{i}"
        if timeout == "none":
            lines.append(f'host {host} {prefix}.{10 + k} rtp={20000 + 2 * i} ua="{ua}" user={1000 + i}')
        else:
            lines.append(f'host {host} 192.168.{i}.20 rtp=16384 ua="{ua}" user={1000 + i}')
            lines.append(f"nat {host} {prefix}.{10 + k}" + (f" timeout={timeout}" if timeout else ""))
        lines.append(f"call c{i} {host} -> pbx codecs=PCMU callee-rtp={10000 + 2 * i}")
        s = 1.5 * i
        t = lambda x: f"{s + x:.3f}"
        body += [f"{t(0)} c{i} INVITE", f"{t(0.01)} c{i} 100", f"{t(0.3)} c{i} 180", f"{t(1.0)} c{i} 200",
                 f"{t(1.02)} c{i} ACK"]
        th = 6.0
        end = th + hold + 10.0 if hold else th + 10.0
        down_end = th + hold + 2.0 if cut else end
        body.append(f"stream u{i} {host} -> pbx {t(1.04)}..{t(4.0 if mute else end)}")
        body.append(f"stream d{i} pbx -> {host} {t(1.05)}..{t(down_end)} latch=first")
        if hold:
            body += [f"{t(th)} c{i} INVITE by={host} hold=inactive", f"{t(th + 0.01)} c{i} 100",
                     f"{t(th + 0.05)} c{i} 200", f"{t(th + 0.07)} c{i} ACK",
                     f"{t(th)}..{t(th + hold)} u{i} pause", f"{t(th + 0.05)}..{t(th + hold + 0.05)} d{i} pause",
                     f"{t(th + hold)} c{i} INVITE by={host} hold=off", f"{t(th + hold + 0.01)} c{i} 100",
                     f"{t(th + hold + 0.05)} c{i} 200", f"{t(th + hold + 0.07)} c{i} ACK"]
        body += [f"{t(end + 0.1)} c{i} BYE by={host}", f"{t(end + 0.11)} c{i} 200"]
    return "\n".join(lines + [""] + body) + "\n"


CISCO = "Cisco SPA504G 7.6.2"
# 46 calls: A 14 (7 held 35-60 s), B 10, C 8, D 8, and 6 of another phone in B, C and D
NAT_MIX = ([("A", h, False) for h in (35, 40, 45, 50, 55, 60, 42)] +
           [("A", h, False) for h in (5, 10, 15, 20, 25, 0, 0)] +
           [("B", h, False) for h in (35, 40, 50, 60, 45, 38, 10, 20, 0, 0)] +
           [("C", h, False) for h in (40, 50, 60, 36, 0, 0, 0, 0)] +
           [("D", h, False) for h in (45, 55, 37, 0, 0, 0, 0, 0)] +
           # another phone model in three networks stops sending 3 s into the call (5 of its 6 calls)
           [(n, 0, False, CISCO, m) for n, m in (("B", True), ("B", False), ("C", True), ("C", True), ("D", True),
                                                   ("D", True))])
# the look-alike: one-way audio (the PBX's RTP stops 2 s after the unhold, or
# 8 s into a call never held) on 7 calls across every network, User-Agent and hold;
# no NAT forgets anything here
SPREAD_MIX = ([("A", h, c) for h, c in ((35, True), (10, False), (0, True), (20, False), (45, False), (0, False))] +
              [("B", h, c) for h, c in ((40, True), (15, False), (0, False), (50, False), (0, True), (25, False))] +
              [("C", h, c) for h, c in ((40, False), (12, True), (0, False), (60, False), (0, False), (0, False))] +
              [("D", h, c) for h, c in ((55, False), (0, True), (30, False), (0, False), (45, True), (0, False))] +
              [("A", 0, False)] * 4 + [("B", 0, False)] * 4 + [("C", 0, False)] * 4 + [("D", 0, False)] * 4)
SMALL_MIX = [("A", 45, False), ("A", 50, False)] + [("B", h, False) for h in (40, 0, 0, 10)] + [("C", 0, False)] * 4


def run(*args):
    p = subprocess.run([deadair, *args], capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def section(text):
    m = re.search(r"^patterns across calls: .*?\n\n", text, re.M | re.S)
    return m.group(0) if m else ""


def make(d, name, mix, nats=None):
    scn = os.path.join(d, name + ".scn")
    cap = os.path.join(d, name + ".pcap")
    with open(scn, "w") as f:
        f.write(scenario(name, mix, nats or {}))
    subprocess.run([sys.executable, scengen, scn, cap], check=True, timeout=600)
    return cap


cache = os.environ.get("DEADAIR_TEST_CACHE")
with tempfile.TemporaryDirectory() as tmp:
    d = tmp
    if cache:
        d = os.path.join(cache, "patterns")
        os.makedirs(d, exist_ok=True)

    # --- the NAT mixture ---
    cap = make(d, "nat_mix", NAT_MIX)
    rc, out, err = run(cap)
    sec = section(out)
    print(sec)
    check("nat: the section is there, after the call list and before the call reports",
          sec and out.index("calls with problems, in the order they started") < out.index("patterns across calls")
          < out.index("\ncall "), out[:3000])
    heads = re.findall(r"^  (\S.*) on (\d+) of (\d+) calls.*:$", sec, re.M)
    check("nat: two patterns", len(heads) == 2, heads)
    if heads:
        h = heads[0]
        check("nat: the one-way audio towards the caller on 7 of 46 calls",
              "ONE_WAY_AUDIO" in h[0] and "(callee -> caller)" in h[0] and h[1:] == ("7", "46"), h)
        check("nat: the NAT finding is in the same group", "NAT_PINHOLE_EXPIRY" in h[0], h)
    if len(heads) == 2:
        h = heads[1]
        check("nat: the one-way audio towards the callee on 5 of 46 calls",
              "ONE_WAY_AUDIO" in h[0] and "(caller -> callee)" in h[0] and h[1:] == ("5", "46"), h)
    check("nat: the other phone model is that group's trait, with its contrast",
          'all 5 with the caller\'s User-Agent "Cisco SPA504G 7.6.2"; none of the 40 calls with another caller '
          'User-Agent had it' in sec and "on 5 of 46 calls (5 of the 6 calls with the trait below):" in sec,
          sec)
    check("nat: all 7 after a hold of 35 to 60 s", "all 7 after a hold of 35 to 60 s" in sec, sec)
    check("nat: contrast: the calls of that network held 25 s or less or never were fine",
          re.search(r"none of the 7 calls with the caller at 203\.0\.113\.0/24 that were held at most 25 s or not at all "
                    r"had it", sec) is not None, sec)
    check("nat: all 7 from 203.0.113.0/24", "all 7 with the caller at 203.0.113.0/24" in sec, sec)
    check("nat: contrast: the other networks' long holds were fine",
          "none of the 13 calls with the caller elsewhere that were held 35 s or longer had it" in sec, sec)
    check("nat: the User-Agent is no trait (network B shares it and is fine), and said so",
          'all 7 with the caller\'s User-Agent "Yealink SIP-T46S 66.86.0.15" too, which does not set them apart: '
          '17 calls with it did not have it' in sec and sec.count("Yealink") == 1, sec)
    check("nat: the NAT's idle timeout bounded between 25 and 35 s",
          re.search(r"NAT in front of the caller at 203\.0\.113\.0/24: a mapping survived 25 s of silence \(call \d+\), "
                    r"one was gone after 35 s \(call \d+\): its UDP idle timeout lies between 25 and 35 s", sec)
          is not None, sec)
    # the capture's summary: each NAT's bounds its own, never a 120 s NAT's
    # survival combined with a 30 s NAT's expiry into one bogus interval (each
    # phone of the mixture is behind a NAT of its own: one overview line)
    nat_lines = re.findall(r"^  (NAT .*)$", out[:out.index("patterns across calls")], re.M)
    check("nat: the summary keeps the NATs apart: one overview line, no interval across NATs",
          len(nat_lines) == 1 and "NAT UDP idle timeouts of" in nat_lines[0] and "each its own" in nat_lines[0]
          and "between" not in nat_lines[0] and "did not survive was 35 s" in nat_lines[0], nat_lines)
    calls_line = re.search(r"^    calls: (.*)$", sec, re.M)  # the first pattern's
    check("nat: the calls listed, 7 of them", calls_line is not None and len(calls_line.group(1).split(", ")) == 7,
          sec)

    rc, js, err = run("-f", "json", cap)
    doc = json.loads(js)
    pats = doc.get("patterns")
    check("json: a top-level patterns array with two patterns", isinstance(pats, list) and len(pats) == 2, pats)
    if pats:
        p = pats[0]
        check("json: findings, direction, counts",
              "ONE_WAY_AUDIO" in p["findings"] and "NAT_PINHOLE_EXPIRY" in p["findings"]
              and p["direction"] == "callee->caller" and p["calls"] == 7 and p["of_calls"] == 46
              and p["capture_point"] == 1 and p["chance"] < 0.001, p)
        kinds = {t["kind"]: t for t in p["traits"]}
        check("json: traits network and hold only", sorted(kinds) == ["hold", "network"], list(kinds))
        shared = p.get("shared_not_distinguishing", [])
        check("json: the phone model shared but not distinguishing",
              len(shared) == 1 and shared[0]["value"] == "Yealink SIP-T46S 66.86.0.15"
              and shared[0]["party"] == "caller" and shared[0]["calls_without_problem"] == 17, shared)
        net, hold = kinds.get("network", {}), kinds.get("hold", {})
        check("json: the network", net.get("value") == "203.0.113.0/24" and net.get("party") == "caller"
              and net.get("contrast_calls") == 13, net)
        check("json: the NAT idle bounds of that network",
              (net.get("nat_idle") or {}).get("survived_s") == 25.0
              and (net.get("nat_idle") or {}).get("expired_within_s") == 35.0, net)
        check("json: the hold", hold.get("hold_min_s") == 35.0 and hold.get("hold_max_s") == 60.0
              and hold.get("contrast_calls") == 7 and hold.get("contrast_longest_hold_s") == 25.0, hold)
        one_way = {c["index"] for c in doc["captures"][0]["calls"]
                   if any(f["id"] == "ONE_WAY_AUDIO" and f["direction"] == "callee->caller" for f in c["findings"])}
        check("json: the calls listed are the calls with the finding", set(p["call_indexes"]) == one_way,
              (p["call_indexes"], one_way))
        pubs = {c["index"]: c for c in doc["captures"][0]["calls"]}
        check("json: those calls are the ones from 203.0.113.0/24 held 35 s or more",
              all(pubs[i]["streams"][0]["src"].startswith("203.0.113.") or
                  any(s["src"].startswith("203.0.113.") for s in pubs[i]["streams"]) for i in p["call_indexes"]), "")

    if pats and len(pats) == 2:
        q = pats[1]
        check("json: the phone model's group", q["direction"] == "caller->callee" and q["calls"] == 5
              and [t["kind"] for t in q["traits"]] == ["user_agent"] and q["traits"][0]["value"] == CISCO
              and q["calls_with_all_traits"] == 6 and q["traits"][0]["contrast_calls"] == 40, q)

    rc, html, err = run("-f", "html", cap)
    check("html: the section above the call table",
          '<div class="patterns">' in html and html.index('<div class="patterns">') < html.index('<table class="index">')
          and "all 7 with the caller at 203.0.113.0/24" in html, "")

    # filters leave calls out: no contrast to make
    rc, out, err = run("--finding", "ONE_WAY_AUDIO", cap)
    check("--finding: no patterns section (the healthy calls are left out)", "patterns across calls" not in out, "")
    rc, js, err = run("-f", "json", "--from", "1001", cap)
    check("json with a filter: patterns null", json.loads(js).get("patterns", 0) is None, "")

    # --- the look-alike ---
    cap = make(d, "spread_mix", SPREAD_MIX, {"A": 120})
    rc, out, err = run(cap)
    rc, js, err = run("-f", "json", cap)
    doc = json.loads(js)
    n_one_way = sum(1 for c in doc["captures"][0]["calls"] if any(f["id"] == "ONE_WAY_AUDIO" for f in c["findings"]))
    check("spread: one-way audio on 7 calls", n_one_way == 7, n_one_way)
    check("spread: no pattern", "patterns across calls" not in out and doc.get("patterns") == [],
          section(out) + json.dumps(doc.get("patterns"))[:2000])

    # --- too few ---
    cap = make(d, "small_mix", SMALL_MIX)
    rc, out, err = run(cap)
    rc, js, err = run("-f", "json", cap)
    doc = json.loads(js)
    n_one_way = sum(1 for c in doc["captures"][0]["calls"] if any(f["id"] == "ONE_WAY_AUDIO" for f in c["findings"]))
    check("small: two calls with one-way audio", n_one_way == 2, n_one_way)
    check("small: no claim on two calls", "patterns across calls" not in out and doc.get("patterns") == [], section(out))

# --- the public corpus: 771 healthy calls make no pattern (and no section) ---
big = os.path.join(public, "goffinet__sip_captures", "uac-uas-scenario-sipp.pcapng")
if not os.path.exists(big):
    print("skipped: the public corpus capture of 771 calls (../shared/captures/public) is not here")
else:
    rc, js, err = run("-f", "json", big)
    doc = json.loads(js)
    n = sum(cp["diagnosis"]["calls"] for cp in doc["captures"])
    check("corpus: 771 calls, an empty patterns array", n == 771 and doc.get("patterns") == [], (n, doc.get("patterns")))
    rc, out, err = run(big)
    check("corpus: no patterns section in text", "patterns across calls" not in out, section(out))

if failures:
    print("\n".join(failures))
    sys.exit(1)
