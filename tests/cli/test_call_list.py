#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The call list of the text report and the call filters, on four calls that
start in one order and end in another (tests/cli/calls_out_of_order.scn):
the list comes first, in start order, with the calls with problems only and
the number of healthy calls left out; their reports follow in the same order;
--all lists and reports every call; -q is unchanged by all this; --from, --to,
--since, --until, --finding and --min-severity each pick the right calls (and
not a look-alike) in text, JSON and HTML; mistakes in their values are
one-line usage errors."""
import json
import os
import re
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
scn = os.path.join(root, "tests", "cli", "calls_out_of_order.scn")
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {detail}")


def run(*args):
    p = subprocess.run([deadair, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def listed(out):
    """(call number, from -> to, worst finding) of each line of the call list."""
    rows = []
    for m in re.finditer(r"^ +(\d+)  2024-03-12 (\d\d:\d\d:\d\d\.\d{3}) +([\d.]+) s  (\S+ -> \S+) +(.*)$", out, re.M):
        rows.append((int(m.group(1)), m.group(2), m.group(4), m.group(5).strip()))
    return rows


def reported(out):
    """The Call-IDs' call numbers of the full reports, in order."""
    return [int(n) for n in re.findall(r"^call (\d+)  \S+  \[", out, re.M)]


with tempfile.TemporaryDirectory() as d:
    cap = os.path.join(d, "calls.pcap")
    subprocess.run([sys.executable, scengen, scn, cap], check=True, timeout=120)

    # what the calls are, from JSON (finish order, numbered as they finished)
    doc = json.loads(run("-f", "json", cap)[1])
    calls = doc["captures"][0]["calls"]
    check("four calls in the capture", len(calls) == 4, len(calls))

    rc, out, err = run(cap)
    rows = listed(out)
    check("the default report: exit 0, nothing on standard error", rc == 0 and err == "", f"{rc} {err}")
    check("the list holds the two calls with problems, in start order",
          [(r[1], r[2]) for r in rows] == [("09:00:00.000", "1001 -> 2002"), ("09:00:02.000", "1010 -> 2002")], rows)
    check("calls are numbered in start order, though the first one finished last",
          [r[0] for r in rows] == [1, 2], rows)
    check("each line names the worst finding and its direction",
          len(rows) == 2 and "PACKET_LOSS (callee -> caller)" in rows[0][3]
          and rows[1][3].endswith("critical ONE_WAY_AUDIO (callee -> caller)"), rows)
    check("the number of healthy calls not listed", "2 healthy calls not listed" in out, out[:1500])
    check("the reports of the calls with problems only, in the list's order",
          reported(out) == [r[0] for r in rows], (reported(out), rows))
    check("the list comes before the reports",
          out.index("calls with problems, in the order they started: 2 of 4") < out.index("\ncall "), out[:800])

    rc, out, err = run("--all", cap)
    rows = listed(out)
    check("--all lists every call in start order",
          [r[2] for r in rows] == ["1001 -> 2002", "1010 -> 2002", "4004 -> 1001", "5005 -> 2002"], rows)
    check("--all: the refused call's state and duration",
          len(rows) == 4 and rows[3][3].startswith("failed 486") and rows[3][3].endswith(" -"), rows)
    check("--all reports every call in that order", reported(out) == [r[0] for r in rows] and len(rows) == 4,
          reported(out))
    check("--all: no healthy calls left out", "healthy call" not in out)

    # -q: the summary as it was, no list and no reports
    rc, q, err = run("-q", cap)
    check("-q: no call list and no call report",
          rc == 0 and "in the order they started" not in q and not reported(q) and "calls 4" in q, q)
    rc, qall, err = run("-q", "--all", cap)
    check("-q --all: the same summary", qall == q)

    def pick(*args):
        rc, out, err = run("--all", *args, cap)
        return rc, sorted(r[2] for r in listed(out)), out, err

    cases = [
        (("--from", "1001"), ["1001 -> 2002"]),          # 1010 looks alike: not picked
        (("--from", "101"), ["1010 -> 2002"]),
        (("--to", "1001"), ["4004 -> 1001"]),
        (("--to", "2002", "--from", "5005"), ["5005 -> 2002"]),
        (("--from", "SIP:4004@"), ["4004 -> 1001"]),       # any case, a part of the URI
        (("--since", "+4"), ["4004 -> 1001", "5005 -> 2002"]),
        (("--since", "+4.001"), ["5005 -> 2002"]),
        (("--until", "+2"), ["1001 -> 2002", "1010 -> 2002"]),
        (("--until", "+1.999"), ["1001 -> 2002"]),
        (("--since", "2024-03-12 09:00:02", "--until", "2024-03-12T09:00:04.5Z"), ["1010 -> 2002", "4004 -> 1001"]),
        (("--since", "2024-03-12T10:00:05+01:00"), ["5005 -> 2002"]),
        (("--finding", "ONE_WAY_AUDIO"), ["1010 -> 2002"]),
        (("--finding", "one_way_audio,packet_loss"), ["1001 -> 2002", "1010 -> 2002"]),
        (("--finding", "NO_RTP", "--finding", "PACKET_LOSS"), ["1001 -> 2002"]),
        (("--finding", "RTP_TIMEOUT"), []),
        (("--min-severity", "critical"), ["1001 -> 2002", "1010 -> 2002"]),
        (("--min-severity", "info"), ["1001 -> 2002", "1010 -> 2002"]),
    ]
    for args, want in cases:
        rc, got, out, err = pick(*args)
        check(f"{' '.join(args)}: {want}", rc == 0 and got == want, (rc, got, err))
        m = re.search(r"^  calls 4 \((\d+) matching (.*)\)$", out, re.M)
        check(f"{' '.join(args)}: the summary names the filters and the calls left",
              m is not None and int(m.group(1)) == len(want) and f"--{args[0][2:]} '{args[1]}'" in m.group(2),
              out[-600:])
        if not want:
            check(f"{' '.join(args)}: a warning that nothing matched",
                  "matched none of the 4 calls read" in err and rc == 0, err)

    # without --all, the filters still leave out healthy calls
    rc, out, err = run("--from", "4004", cap)
    check("--from a healthy call without --all: counted, not listed",
          not listed(out) and "1 healthy call not listed" in out and "(1 matching --from '4004')" in out, out)

    # JSON and HTML: the same selection
    rc, out, err = run("-f", "json", "--from", "1001", cap)
    js = json.loads(out)["captures"][0]["calls"]
    check("JSON: --from picks the same call", len(js) == 1 and "1001@" in json.dumps(js[0])[:3000], len(js))
    rc, out, err = run("-f", "json", "--min-severity", "critical", cap)
    check("JSON: --min-severity critical", len(json.loads(out)["captures"][0]["calls"]) == 2)
    rc, out, err = run("-f", "html", "--finding", "ONE_WAY_AUDIO", cap)
    check("HTML: --finding leaves one row and says so",
          out.count("<tr data-start=") == 1 and "Calls chosen by --finding &#39;ONE_WAY_AUDIO&#39;: 1 call." in out,
          re.findall(r"<p class=\"selection\">[^<]*", out))
    rc, out, err = run("-f", "html", cap)
    starts = [float(x) for x in re.findall(r"<tr data-start=\"([\d.]+)\"", out)]
    check("HTML: every call in the table, in start order", len(starts) == 4 and starts == sorted(starts), starts)

    # mistakes: one line, exit 2
    for args, says in [
        (("--since", "yesterday"), "--since takes +SECONDS or a UTC time"),
        (("--until", "2024-02-30 10:00:00"), "--until takes +SECONDS or a UTC time"),
        (("--since", "+-3"), "--since takes"),
        (("--finding", "ONE_WAY"), "--finding takes a finding ID of the catalog"),
        (("--finding", "ONE_WAY_AUDIO,"), "--finding takes a finding ID"),
        (("--min-severity", "major"), "--min-severity takes info, warning or critical, not 'major'"),
        (("--from", ""), "--from needs a part of a URI"),
        (("--since", "+10", "--until", "+5"), "--since is after --until"),
    ]:
        rc, out, err = run(*args, cap)
        check(f"mistake {' '.join(args)!r}: one line, exit 2",
              rc == 2 and out == "" and err.count("\n") == 1 and says in err and err.endswith("; see deadair --help\n"),
              f"{rc} {err!r}")

if failures:
    print(f"\n{len(failures)} checks failed")
    for f in failures:
        print("  " + f)
    sys.exit(1)
