#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair diff BEFORE AFTER: generated captures before and after a fix (20
calls each: before, half the calls of one network hear nothing from the PBX;
after, that network is fine and three calls of another network carry no RTP at
all), the same as JSON reports, mixed, identical inputs, the rates and their
verdicts on reports with known counts (resolved, new, clearly worse, not
clearly worse, better), several capture points and the comparison across them
counting a call once, --fail-on, the exit statuses, and hostile JSON (deep
nesting, huge strings, wrong types, terminal escapes) read without a crash."""
import json
import os
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
homer = os.path.join(root, "tests", "traces", "samples", "homer7-transaction.json")
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {str(detail)[:3000]}")


def run(*args, stdin=None):
    p = subprocess.run([deadair, *args], capture_output=True, timeout=300, input=stdin)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def scenario(calls):
    """A scenario of calls to one PBX, one a second: each (network, User-Agent,
    kind), kind ok (audio both ways), oneway (nothing from the PBX), nortp."""
    lines = ['host pbx 192.0.2.10 rtp=20000 user=100 ua="Asterisk PBX 18"']
    events = []
    for i, (net, ua, kind) in enumerate(calls):
        h = f"h{i}"
        lines.append(f'host {h} {net}.{10 + i} rtp={30000 + 2 * i} user={1000 + i} ua="{ua}"')
        lines.append(f"call c{i} {h} -> pbx codecs=PCMU callee-rtp={20000 + 2 * i}")
        t = float(i)
        events += [f"{t:.3f} c{i} INVITE", f"{t + 0.01:.3f} c{i} 100", f"{t + 0.5:.3f} c{i} 200",
                   f"{t + 0.52:.3f} c{i} ACK"]
        if kind != "nortp":
            events.append(f"stream s{i}a {h} -> pbx {t + 0.54:.3f}..{t + 12.54:.3f}")
        if kind == "ok":
            events.append(f"stream s{i}b pbx -> {h} {t + 0.53:.3f}..{t + 12.53:.3f}")
        events += [f"{t + 12.6:.3f} c{i} BYE by={h}", f"{t + 12.61:.3f} c{i} 200"]
    return "\n".join(lines + [""] + events) + "\n"


def kinds(doc):
    return {(k["id"], k["direction"]): k for k in doc["kinds"]}


def report(calls, captures=1, across=None, complete=True):
    """A minimal JSON report with the fields diff reads: calls as (call_id,
    [(finding id, severity, direction)], caller network prefix, caller UA)."""
    caps = []
    for p in range(captures):
        cl = []
        for cid, fs, net, ua in calls:
            cl.append({"call_id": cid,
                       "caller": {"signalling": f"{net}:5060", "user_agent": ua},
                       "callee": {"signalling": "192.0.2.10:5060", "user_agent": "PBX"},
                       "findings": [{"id": i, "severity": s, "direction": d} for i, s, d in fs]})
        caps.append({"point": p + 1, "complete": complete, "calls": cl})
    doc = {"deadair": {"version": "0.1.0", "schema": 1}, "captures": caps, "across_points": across}
    return json.dumps(doc)


def mixture(n, k, fid="ONE_WAY_AUDIO", sev="critical", d="callee->caller", prefix="c", net="203.0.113.5",
            ua="Yealink"):
    return [(f"{prefix}{i}", [(fid, sev, d)] if i < k else [], net, ua) for i in range(n)]


with tempfile.TemporaryDirectory() as tmp:
    def path(name):
        return os.path.join(tmp, name)

    def write(name, text, mode="w"):
        with open(path(name), mode) as f:
            f.write(text)
        return path(name)

    before = [("203.0.113", "Yealink T46S", "oneway" if i % 2 == 0 else "ok") for i in range(10)] + \
             [("198.51.100", "Grandstream GXP", "ok") for i in range(10)]
    after = [("203.0.113", "Yealink T46S", "ok") for i in range(10)] + \
            [("198.51.100", "Grandstream GXP", "nortp" if i < 3 else "ok") for i in range(10)]
    for name, calls in (("before", before), ("after", after)):
        write(name + ".scn", scenario(calls))
        subprocess.run([sys.executable, scengen, path(name + ".scn"), path(name + ".pcap")], check=True,
                       timeout=300)
    bp, ap = path("before.pcap"), path("after.pcap")

    # captures
    rc, out, err = run("diff", bp, ap)
    check("captures: exit 1, something new", rc == 1, (rc, err))
    check("captures: the one-way audio resolved, with its counts and rates",
          "ONE_WAY_AUDIO callee->caller (critical): 5 of 20 calls (25.0%) before, 0 of 20 calls (0.0%) after: resolved"
          in out, out)
    check("captures: NO_RTP new", "NO_RTP (critical): 0 of 20 calls (0.0%) before, 3 of 20 calls (15.0%) after: new"
          in out, out)
    check("captures: the pattern of the network that had it",
          "ONE_WAY_AUDIO callee->caller, caller network 203.0.113.0/24: 5 of 10 calls (50.0%) before, "
          "0 of 10 calls (0.0%) after: resolved" in out, out)
    check("captures: the pattern of the User-Agent that has the new one",
          "NO_RTP, caller User-Agent Grandstream GXP: 0 of 10 calls (0.0%) before, 3 of 10 calls (30.0%) after: new"
          in out, out)
    check("captures: the callee network every call shares is no pattern", "callee network" not in out, out)
    check("captures: the verdict line", out.rstrip().endswith("1 new, 0 worse, 0 still present, 1 resolved: "
                                                              "something new or worse"), out[-300:])
    check("captures: nothing on standard error", err == "", err)

    rc, jout, err = run("diff", "-f", "json", bp, ap)
    doc = json.loads(jout)
    k = kinds(doc)
    check("json: exit 1 and both sides described",
          rc == 1 and doc["before"]["kind"] == "capture" and doc["before"]["calls"] == 20
          and doc["after"]["calls_with_problems"] == 3, (rc, doc.get("before"), doc.get("after")))
    ow = k.get(("ONE_WAY_AUDIO", "callee->caller"), {})
    check("json: the one-way audio resolved, rate 0.25 -> 0",
          ow.get("status") == "resolved" and ow["before"] == {"calls": 5, "of": 20, "rate": 0.25}
          and ow["after"]["calls"] == 0, ow)
    check("json: NO_RTP new, not beyond chance with 3 of 20",
          k.get(("NO_RTP", None), {}).get("status") == "new" and k[("NO_RTP", None)]["beyond_chance"] is False,
          k.get(("NO_RTP", None)))
    pats = {(p["id"], p["shared"], p["value"]): p for p in doc["patterns"]}
    check("json: patterns by network and User-Agent",
          pats.get(("ONE_WAY_AUDIO", "caller_network", "203.0.113.0/24"), {}).get("status") == "resolved"
          and pats.get(("NO_RTP", "caller_user_agent", "Grandstream GXP"), {}).get("after")
          == {"calls": 3, "of": 10, "rate": 0.3}, doc["patterns"])
    check("json: the summary", doc["summary"] == {"new": 1, "worse": 0, "still_present": 0, "resolved": 1}
          and doc["new_or_worse"] is True, doc.get("summary"))

    # the same as JSON reports, and mixed
    for name in ("before", "after"):
        rc, out, err = run("-f", "json", path(name + ".pcap"))
        write(name + ".json", out)
    bj, aj = path("before.json"), path("after.json")
    rc2, jout2, err = run("diff", "-f", "json", bj, aj)
    doc2 = json.loads(jout2)
    check("reports: the same kinds and patterns as the captures give",
          rc2 == 1 and doc2["kinds"] == doc["kinds"] and doc2["patterns"] == doc["patterns"]
          and doc2["before"]["kind"] == "report", (rc2, err))
    rc3, jout3, err = run("diff", "-f", "json", bj, ap)
    doc3 = json.loads(jout3)
    check("mixed report and capture: the same again",
          rc3 == 1 and doc3["kinds"] == doc["kinds"] and doc3["after"]["kind"] == "capture", (rc3, err))
    rc, out, err = run("diff", "-", ap, stdin=open(bj, "rb").read())
    check("a report on standard input", rc == 1 and "before  standard input (JSON report): 20 calls" in out,
          (rc, out[:300], err))

    # identical inputs, and a capture against its own report
    for a, b in ((bp, bp), (bj, bj), (bp, bj), (ap, aj)):
        rc, out, err = run("diff", a, b)
        check(f"identical: {os.path.basename(a)} {os.path.basename(b)}: exit 0, nothing new",
              rc == 0 and "0 new, 0 worse" in out and "resolved (" not in out and "nothing new or worse" in out,
              (rc, out, err))
    rc, out, err = run("diff", bp, bp)
    check("identical: the kind still present, unchanged", "5 of 20 calls (25.0%) after: unchanged" in out, out)

    # the other way round: what was resolved is new
    rc, out, err = run("diff", ap, bp)
    check("reversed: ONE_WAY_AUDIO new, NO_RTP resolved, exit 1",
          rc == 1 and "after: new" in out and "NO_RTP (critical): 3 of 20 calls (15.0%) before, 0 of 20 calls"
          in out, out)

    # rates and verdicts on reports with known counts
    def verdict(b_calls, a_calls, *opts):
        write("rb.json", report(b_calls))
        write("ra.json", report(a_calls))
        rc, out, err = run("diff", "-f", "json", *opts, path("rb.json"), path("ra.json"))
        try:
            d = json.loads(out)
        except ValueError:
            return rc, None, err
        return rc, d, err

    rc, d, err = verdict(mixture(200, 14), mixture(180, 0))
    k = kinds(d)[("ONE_WAY_AUDIO", "callee->caller")]
    check("14 of 200 before, 0 of 180 after: resolved beyond chance, exit 0",
          rc == 0 and k["status"] == "resolved" and k["beyond_chance"] and k["before"]["rate"] == 0.07
          and k["after"]["of"] == 180, (rc, k, err))
    rc, d, err = verdict(mixture(200, 10), mixture(180, 30))
    k = kinds(d)[("ONE_WAY_AUDIO", "callee->caller")]
    check("10 of 200 before, 30 of 180 after: clearly worse, exit 1",
          rc == 1 and k["status"] == "worse" and k["z"] > 2.58, (rc, k))
    rc, d, err = verdict(mixture(200, 10), mixture(180, 12))
    k = kinds(d)[("ONE_WAY_AUDIO", "callee->caller")]
    check("10 of 200 before, 12 of 180 after: unchanged, exit 0", rc == 0 and k["status"] == "unchanged", (rc, k))
    rc, d, err = verdict(mixture(10, 1), mixture(10, 3))
    k = kinds(d)[("ONE_WAY_AUDIO", "callee->caller")]
    check("1 of 10 before, 3 of 10 after: three times the rate, but not clearly: unchanged",
          rc == 0 and k["status"] == "unchanged", (rc, k))
    rc, d, err = verdict(mixture(200, 40), mixture(200, 5))
    k = kinds(d)[("ONE_WAY_AUDIO", "callee->caller")]
    check("40 of 200 before, 5 of 200 after: better, exit 0", rc == 0 and k["status"] == "better", (rc, k))
    rc, d, err = verdict(mixture(100, 0), mixture(100, 2, fid="HOLD_WITHOUT_KEEPALIVE", sev="info", d=None))
    check("a new info finding: exit 0 by default", rc == 0 and d["summary"]["new"] == 1, (rc, d and d["summary"]))
    rc, d, err = verdict(mixture(100, 0), mixture(100, 2, fid="HOLD_WITHOUT_KEEPALIVE", sev="info", d=None),
                         "--fail-on", "info")
    check("a new info finding with --fail-on info: exit 1", rc == 1, rc)
    rc, d, err = verdict(mixture(100, 0), mixture(100, 2, sev="warning"), "--fail-on", "critical")
    check("a new warning with --fail-on critical: exit 0", rc == 0, rc)
    # the same kind, each direction on its own
    rc, d, err = verdict(mixture(50, 5), mixture(50, 5, d="caller->callee"))
    ks = kinds(d)
    check("directions are kinds of their own",
          ks[("ONE_WAY_AUDIO", "callee->caller")]["status"] == "resolved"
          and ks[("ONE_WAY_AUDIO", "caller->callee")]["status"] == "new" and rc == 1, (rc, ks))
    # a pattern: one network new within an unchanged kind
    b_calls = mixture(40, 8, net="203.0.113.5") + mixture(40, 0, prefix="d", net="198.51.100.5", ua="Snom")
    a_calls = mixture(40, 0, net="203.0.113.5") + mixture(40, 8, prefix="d", net="198.51.100.5", ua="Snom")
    rc, d, err = verdict(b_calls, a_calls)
    pats = {(p["shared"], p["value"]): p for p in d["patterns"]}
    check("moved to another network: the kind unchanged, that network's pattern new (exit 1), the other resolved",
          rc == 1 and kinds(d)[("ONE_WAY_AUDIO", "callee->caller")]["status"] == "unchanged"
          and pats[("caller_network", "198.51.100.0/24")]["status"] == "new"
          and pats[("caller_network", "198.51.100.0/24")]["beyond_chance"]
          and pats[("caller_network", "203.0.113.0/24")]["status"] == "resolved", (rc, d["patterns"]))

    # several capture points: a call counts once; findings across points count
    calls = mixture(10, 2)
    across = {"calls": [{"call_id": "c5", "findings": [{"id": "SIP_LOST_BETWEEN_POINTS", "severity": "critical",
                                                        "direction": None}]},
                        {"call_id": "nosuchcall", "findings": [{"id": "MEDIA_LOST_BETWEEN_POINTS",
                                                                "severity": "critical", "direction": None}]}]}
    write("mp.json", report(calls, captures=3, across=across))
    write("one.json", report(calls))
    rc, out, err = run("diff", "-f", "json", path("one.json"), path("mp.json"))
    d = json.loads(out)
    k = kinds(d)
    check("three points of the same 10 calls: 10 calls, 2 with the finding",
          d["after"]["calls"] == 10 and d["after"]["capture_points"] == 3
          and k[("ONE_WAY_AUDIO", "callee->caller")]["after"]["calls"] == 2, (d["after"], k))
    check("a finding across points is the call's; one of an unknown call counts nowhere",
          k[("SIP_LOST_BETWEEN_POINTS", None)]["after"] == {"calls": 1, "of": 10, "rate": 0.1}
          and ("MEDIA_LOST_BETWEEN_POINTS", None) not in k and rc == 1, k)

    # exit statuses
    for args, what in (((), "no inputs"), ((bp,), "one input"), ((bp, ap, ap), "three inputs"),
                       (("-f", "html", bp, ap), "an unknown format"), (("--fail-on", "bad", bp, ap), "a bad severity"),
                       (("--rtp-timeout", "0", bp, ap), "a bad --rtp-timeout"), (("--nope", bp, ap), "an unknown option"),
                       (("-", "-"), "standard input twice")):
        rc, out, err = run("diff", *args)
        check(f"usage error, exit 2: {what}", rc == 2 and err.startswith("deadair diff: ") and out == "", (rc, err))
    rc, out, err = run("diff", "--help")
    check("--help: exit 0 and the exit statuses", rc == 0 and "exit status:" in out and "BEFORE AFTER" in out, rc)
    rc, out, err = run("diff", path("missing.pcap"), ap)
    check("a missing input: exit 3", rc == 3 and "missing.pcap" in err, (rc, err))
    rc, out, err = run("diff", bp, tmp)
    check("a directory: exit 3", rc == 3, (rc, err))
    write("text.txt", "just some words, no SIP here\n")
    rc, out, err = run("diff", bp, path("text.txt"))
    check("neither capture, trace nor report: exit 3", rc == 3 and out == "", (rc, out, err))
    with open(bj) as f:
        whole = f.read()
    write("cut.json", whole[: len(whole) // 2])
    rc, out, err = run("diff", path("cut.json"), ap)
    check("a report cut short: exit 3, said so", rc == 3 and "damaged JSON report" in err, (rc, err))
    rc, out, err = run("diff", homer, homer)
    check("a Homer JSON trace is read as a trace, not a report: exit 0",
          rc == 0 and "homer7-transaction.json (trace): 2 calls" in out, (rc, out, err))
    with open(bp, "rb") as f:
        cap = f.read()
    write("short.pcap", cap[: len(cap) * 2 // 3 + 7], "wb")
    rc, out, err = run("diff", path("short.pcap"), ap)
    check("a capture cut short: the comparison made, exit 4",
          rc == 4 and "read only in part" in out and "NO_RTP" in out, (rc, out[-400:], err))
    write("incomplete.json", report(mixture(10, 0), complete=False))
    rc, out, err = run("diff", path("incomplete.json"), path("incomplete.json"))
    check("a report of a capture read in part: exit 4", rc == 4, (rc, out, err))
    rc, fj, err = run("-f", "json", bp)
    one = json.loads(fj)["captures"][0]["calls"][0]["call_id"]
    rc, fj, err = run("-f", "json", "--call", one, bp)
    write("filtered.json", fj)
    rc, out, err = run("diff", path("filtered.json"), bp)
    check("a report made with --call: said so, its rates of the one call it lists",
          "(JSON report): 1 call," in out and "held 19 more calls that the report does not list" in out
          and " of 1 call (" in out, out[:600])
    rc, out, err = run("diff", "-f", "json", path("filtered.json"), bp)
    d = json.loads(out)
    check("json: calls_not_listed", d["before"]["calls_not_listed"] == 19 and d["before"]["calls"] == 1
          and d["after"]["calls_not_listed"] == 0, d["before"])
    rc, out, err = run("diff", "-o", os.path.join(tmp, "nodir", "x"), bp, bp)
    check("an output that cannot be written: exit 2", rc == 2, (rc, err))
    rc, out, err = run("diff", "-o", path("out.json"), "-f", "json", bp, ap)
    with open(path("out.json")) as f:
        check("-o writes the file", rc == 1 and json.load(f)["summary"]["new"] == 1 and out == "", rc)

    # hostile JSON: each handled without a crash, with exit 3 or a comparison
    head = '{"deadair":{"schema":1},"captures":'
    hostile = {
        "deep nesting": head + "[" * 200000 + "]" * 200000 + "}",
        "deep nesting in a finding": head + '[{"calls":[{"call_id":"x","findings":[' + "[" * 100000,
        "not an object": "{" * 3 + "}",
        "schema 2": '{"deadair":{"schema":2},"captures":[]}',
        "schema a string": '{"deadair":{"schema":"1"},"captures":[]}',
        "captures an object": head + "{}}",
        "calls a string": head + '[{"calls":"x"}]}',
        "call_id a number": head + '[{"calls":[{"call_id":5,"findings":[]}]}]}',
        "findings an object": head + '[{"calls":[{"call_id":"a","findings":{}}]}]}',
        "finding id with a space": head + '[{"calls":[{"call_id":"a","findings":[{"id":"A B","severity":"info"}]}]}]}',
        "finding id huge": head + '[{"calls":[{"call_id":"a","findings":[{"id":"' + "A" * 5_000_000
        + '","severity":"info"}]}]}]}',
        "severity a number": head + '[{"calls":[{"call_id":"a","findings":[{"id":"X","severity":2}]}]}]}',
        "a NUL in a string": head + '[{"calls":[{"call_id":"a\\u0000b","findings":[]}]}]}',
    }
    for name, text in hostile.items():
        write("h.json", text)
        rc, out, err = run("diff", path("h.json"), bj)
        check(f"hostile JSON, {name}: exit 3 with one line", rc == 3 and out == "" and err.count("\n") == 1,
              (rc, out[:200], err[:300]))
    # accepted, though odd: wrong types of optional fields are ignored
    evil = "\\u001b[31mEvil\\u202e" + "U" * 2_000_000
    odd = head + ('[{"calls":[{"call_id":"' + "C" * 3_000_000 + '","caller":[1,2],"callee":{"signalling":7,'
                  '"user_agent":"' + evil + '"},"findings":[{"id":"NO_RTP","severity":"critical","direction":42}]},'
                  '{"call_id":"b","callee":{"signalling":"[2001:db8:1:2::5]:5060","user_agent":"' + evil + '"},'
                  '"findings":[{"id":"NO_RTP","severity":"critical"}]},'
                  '{"call_id":"c","callee":{"signalling":"[2001:db8:1:ffff::9]:5070","user_agent":"Other"},'
                  '"findings":[{"id":"NO_RTP","severity":"critical"}]}]}], "across_points":[1]}')
    write("odd.json", odd)
    rc, out, err = run("diff", path("odd.json"), path("odd.json"))
    check("huge strings and wrong optional types: compared, exit 0", rc == 0 and "NO_RTP (critical): 3 of 3" in out,
          (rc, out[:600], err[:300]))
    check("a User-Agent's escapes never reach the terminal, and it is cut",
          "\x1b" not in out and "\u202e" not in out and "\\x1b" in out and len(out) < 4000, out[:1500])
    rc, out, err = run("diff", "-f", "json", path("odd.json"), path("odd.json"))
    d = json.loads(out)
    vals = {p["value"] for p in d["patterns"]}
    check("json: the IPv6 /48 and the cut User-Agent",
          "2001:db8:1::/48" in vals and all(len(v.encode()) < 100 for v in vals), vals)

if failures:
    print("\n".join(failures))
    sys.exit(1)
