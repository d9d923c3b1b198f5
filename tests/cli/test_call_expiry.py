#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Calls whose end this point never sees, in a generated capture that goes on
for 11 minutes (tests/scengen): an answered call whose media passed here and
that went quiet without a BYE is given up after 4 minutes of nothing, and its
CAPTURE_INCOMPLETE says so ("nothing of it for 240 s, and deadair stopped
waiting for it"), not "still up when the capture ended". Its look-alikes are
not given up: a call on hold with no RTP for 10 minutes, and an answered call
whose media never passes here, both hung up with a BYE at the end; and an
answered call still sending RTP when the capture ends is still up then."""
import datetime
import json
import os
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENGEN = os.path.join(ROOT, "tests", "scengen", "scengen.py")

SCENARIO = """
host alice 10.0.0.10 rtp=40000 ua="Yealink SIP-T46S 66.86.0.15"
host bob   10.0.0.20 rtp=20000 ua="Asterisk PBX 18.20.0"
host carol 10.0.0.30 rtp=30000 ua="Asterisk PBX 18.20.0"
host dave  10.0.0.40 rtp=50000 ua="Asterisk PBX 18.20.0"

call quiet alice -> bob codecs=PCMU
call held alice -> carol codecs=PCMU
call elsewhere alice -> dave codecs=PCMU
call upatend bob -> carol codecs=PCMU

0.000   quiet INVITE
0.010   quiet 100
1.000   quiet 200
1.020   quiet ACK
stream q1 alice -> bob 1.040..20.040 call=quiet
stream q2 bob -> alice 1.030..20.030 call=quiet

0.500   held INVITE
0.510   held 100
1.500   held 200
1.520   held ACK
stream h1 alice -> carol 1.540..620.000 call=held
stream h2 carol -> alice 1.530..620.000 call=held
10.000  held INVITE by=alice hold=sendonly
10.010  held 100
10.050  held 200
10.070  held ACK
10.000..610.000  h1 pause
10.050..610.050  h2 pause
610.000 held INVITE by=alice hold=off
610.010 held 100
610.050 held 200
610.070 held ACK
620.100 held BYE by=alice
620.110 held 200

2.000   elsewhere INVITE
2.010   elsewhere 100
3.000   elsewhere 200
3.020   elsewhere ACK
621.000 elsewhere BYE by=alice
621.010 elsewhere 200

600.000 upatend INVITE
600.010 upatend 100
601.000 upatend 200
601.020 upatend ACK
stream u1 bob -> carol 601.040..660.000 call=upatend
stream u2 carol -> bob 601.030..660.000 call=upatend
"""


def parse_time(text):
    """Seconds since the epoch of an RFC 3339 UTC time ("...Z")."""
    d = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def main():
    failures = []

    def check(what, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(f"{what}: {detail}")

    with tempfile.TemporaryDirectory() as tmp:
        scn = os.path.join(tmp, "expiry.scn")
        open(scn, "w").write(SCENARIO)
        cap = os.path.join(tmp, "expiry.pcap")
        subprocess.run([sys.executable, SCENGEN, scn, cap], check=True, capture_output=True, timeout=300)
        p = subprocess.run([deadair, "analyze", "-f", "json", cap], capture_output=True, timeout=300)
        doc = json.loads(p.stdout)
        def incomplete(c):
            return [f["title"] for f in c["findings"] if f["id"] == "CAPTURE_INCOMPLETE"]

        every = [c for cap_ in doc["captures"] for c in cap_["calls"]]
        quiet = next(c for c in every if "bob" in c["callee"]["uri"])
        held = next(c for c in every if "carol" in c["callee"]["uri"] and "alice" in c["caller"]["uri"])
        elsewhere = next(c for c in every if "dave" in c["callee"]["uri"])
        upatend = next(c for c in every if "bob" in c["caller"]["uri"])
        t = incomplete(quiet)
        check("the quiet call is given up after 240 s of nothing",
              any("nothing of it for 240 s, and deadair stopped waiting for it" in x for x in t), t)
        check("the quiet call is not said to be still up at the capture's end", not any("still up" in x for x in t), t)
        check("the quiet call is still answered, not ended", quiet["state"] == "answered", quiet["state"])
        for name, c in (("held 10 minutes", held), ("media elsewhere", elsewhere)):
            check(f"the call {name} ended with its BYE", c["state"] == "ended", c["state"])
            check(f"the call {name} is not given up", not any("stopped waiting" in x for x in incomplete(c)),
                  incomplete(c))
        t = incomplete(upatend)
        check("the call with RTP to the end is still up when the capture ended",
              any("still up when the capture ended" in x for x in t) and not any("stopped waiting" in x for x in t), t)
        # deadair watch -r: the same finding, written when the call is given up:
        # at the first packet after 240 s of its nothing (capture time moves
        # with the packets: 600 s here), before the input's end (660 s)
        w = subprocess.run([deadair, "watch", "-r", cap, "--status", "0"], capture_output=True, timeout=300)
        alerts = [json.loads(line) for line in w.stdout.decode().splitlines() if line.strip()]
        given_up = [a for a in alerts if a.get("type") == "finding" and a.get("call_id") == quiet["call_id"]
                    and a.get("id") == "CAPTURE_INCOMPLETE" and "stopped waiting" in a.get("title", "")]
        check("watch -r writes the quiet call's finding", len(given_up) == 1, [a.get("title") for a in alerts])
        if given_up:
            t = parse_time(given_up[0]["t"]) - parse_time(quiet["start"])
            check("watch -r gives the quiet call up before the input's end", 260 <= t < 660,
                  (t, given_up[0]["t"], quiet["start"]))
        # the order of the calls in the report: the order they began, as before
        starts = [c["start"] for c in every]
        check("calls in the order they began", starts == sorted(starts), starts)
    for f in failures:
        print("  ", f)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
