#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch on generated scenarios replayed at 20 times their recorded pace
(`watch -r X --realtime --speed 20`): each scenario's warning arrives before the
call's BYE, both by its capture time `t` and by the wall clock (before the
replay reaches the BYE); the look-alikes (a clean call, holds, silence
suppression) give no warning; the findings of each finished call are those of
`deadair analyze -f json` on the same capture (ids, severities, directions).

usage: test_watch_replay.py DEADAIR"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402

SPEED = 20
# scenario -> the warnings it must raise before its BYE: (id, direction)
WARN = {
    "one_way_from_start": [("ONE_WAY_AUDIO", "callee->caller")],
    "media_stops_midcall": [("ONE_WAY_AUDIO", "caller->callee")],
    "missing_ack": [("MISSING_ACK", "callee->caller")],
    "no_rtp": [("NO_RTP", None)],
    # a 60 s hold with nothing sent either way, behind a 30 s NAT
    "nat_pinhole_expiry": [("HOLD_WITHOUT_KEEPALIVE", None)],
    # look-alikes: healthy calls, or silences a party asked for
    "clean_call": [],
    "hold_sendonly": [],
    "hold_with_keepalive": [],              # the same hold, with RTP keep-alives every 15 s
    "short_normal_call": [],
    "media_features": [],                   # a 15 s pause with STUN keep-alives
    "normal_hangup_after_pause": [],        # both quiet 5 s (nobody speaks), then BYE
    "media_elsewhere_after_transfer": [],   # no RTP here: the media is between two other hosts
}


def main():
    deadair = sys.argv[1]
    failures = []
    checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, want in WARN.items():
            cap = watchlib.generate(name, tmp)
            first, bye = watchlib.first_and_bye(cap)
            w = watchlib.Watch([deadair, "watch", "-r", cap, "--realtime", "--speed", str(SPEED), "--status", "0"])
            rc = w.wait(timeout=120)
            if rc != 0 or w.bad_lines:
                failures.append(f"{name}: exit {rc}, lines that are not JSON: {w.bad_lines[:2]}; {w.stderr}")
                continue
            warnings = [(at, a) for at, a in w.alerts if a["type"] == "warning"]
            got = sorted({(a["id"], a["direction"]) for _, a in warnings}, key=str)
            checks += 1
            if got != sorted(want, key=str):
                failures.append(f"{name}: warnings {got}, expected {sorted(want, key=str)}: "
                                + "; ".join(a["title"] for _, a in warnings))
            for at, a in warnings:
                for k in ("type", "call_id", "from", "to", "id", "severity", "direction", "t", "title", "evidence", "fix"):
                    if k not in a:
                        failures.append(f"{name}: a warning without {k!r}")
                t = watchlib.parse_time(a["t"])
                checks += 2
                if bye is not None and t >= bye:
                    failures.append(f"{name}: {a['id']} at capture time {(t - first) / 1e9:.3f} s, "
                                    f"not before the BYE at {(bye - first) / 1e9:.3f} s")
                # the replay cannot have reached the BYE before this wall time
                bye_wall = w.started + (bye - first) / 1e9 / SPEED
                if bye is not None and at >= bye_wall:
                    failures.append(f"{name}: {a['id']} arrived {at - w.started:.3f} s after the start, the replay "
                                    f"reached the BYE by {bye_wall - w.started:.3f} s")
            # the same warning is raised once per call
            keys = [(a["call_id"], a["id"], a["direction"]) for _, a in warnings]
            checks += 1
            if len(keys) != len(set(keys)):
                failures.append(f"{name}: a warning raised twice: {keys}")
            expect = watchlib.analyze_findings(deadair, cap)
            got_f = watchlib.watch_findings(w.alerts)
            checks += 1
            if got_f != expect:
                failures.append(f"{name}: end-of-call findings {got_f}, analyze gives {expect}")
            print(f"{name}: {len(warnings)} warnings, {len(got_f)} findings")

        # a watchdog learned from a finished call: the PBX's 30 s, shown by the
        # first call, warns on the second call through it, before its BYE;
        # not on the first call, nor on a call through another PBX
        name = "learned_watchdog"
        cap = watchlib.generate(name, tmp)
        w = watchlib.Watch([deadair, "watch", "-r", cap, "--realtime", "--speed", str(SPEED), "--status", "0"])
        rc = w.wait(timeout=120)
        alerts = [a for _, a in w.alerts]
        byes = {}
        for a in alerts:
            if a["type"] == "finding" and a["id"] == "RTP_TIMEOUT":
                byes[a["call_id"]] = a
        calls = []
        for a in alerts:
            if a["call_id"] not in calls:
                calls.append(a["call_id"])
        wd = [a for a in alerts if a["type"] == "warning" and a["id"] == "RTP_TIMEOUT"]
        checks += 3
        if rc != 0 or len(calls) != 3:
            failures.append(f"{name}: exit {rc}, calls {calls}")
        elif [a["call_id"] for a in wd] != [calls[1]] or "learned from an earlier call" not in wd[0]["title"]:
            failures.append(f"{name}: watchdog warnings {[(a['call_id'], a['title']) for a in wd]}, expected one "
                            f"on the second call, learned")
        else:
            t = watchlib.parse_time(wd[0]["t"])
            first, _ = watchlib.first_and_bye(cap)
            if not 70e9 <= t - first < 90e9:
                failures.append(f"{name}: the learned warning at {(t - first) / 1e9:.1f} s, expected 75 s "
                                f"(before the BYE at 90 s)")
            if "10.0.0.5 hung up call" not in " ".join([wd[0]["explanation"]]):
                failures.append(f"{name}: the warning does not say where it was learned: {wd[0]['explanation']}")
        print(f"{name}: {len(wd)} learned watchdog warning(s)")
        # a phone that suppresses its silence without comfort noise (12 s without
        # packets while it listens) looks like one-way audio until it talks again:
        # --silence longer than its pauses keeps such a phone quiet (docs/watch.md)
        cap = watchlib.generate("silence_suppression", tmp)
        for silence, want in (("15", []), ("5", [("ONE_WAY_AUDIO", "caller->callee")])):
            w = watchlib.Watch([deadair, "watch", "-r", cap, "--silence", silence, "--status", "0"])
            checks += 1
            got = sorted({(a["id"], a["direction"]) for _, a in w.alerts if a["type"] == "warning"}) \
                if w.wait(timeout=60) == 0 else None
            if got != want:
                failures.append(f"silence_suppression --silence {silence}: warnings {got}, expected {want}")
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
