#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A real Kamailio with siptrace sending HEP to `deadair watch --hep`, against
a capture of the same traffic. In a network namespace of this test's own
(loopback only: watch --hep on 127.0.0.1 port 960, bound as root before
it drops to nobody; the proxy on 127.0.0.1, a SIPp phone on 127.0.0.2, a SIPp far
end on 127.0.0.3), Kamailio (tests/watch/hep/kamailio-hep.cfg: hep_mode_on,
HEPv3, capture agent ID 2001, trace_on, sip_trace in transaction mode) relays
three calls: one answered with RTP both ways for 6 s (tests/lab's
phone-call.xml and far-answer.xml, media from tests/lab/mkmedia.py), one
refused 486 Busy, and one whose ACK the proxy loses (MISSING_ACK: the far end
waits for the ACK before it sends its audio, so the capture also shows one-way
audio, which HEP cannot).
tcpdump records the SIP and RTP on loopback, and, apart, the HEP packets;
the same watch also captures loopback itself (-i lo beside --hep), a second
capture point whose findings must be analyze's of tcpdump's capture.
Done over UDP, then with HEP over TCP (duplicate_uri ;transport=tcp).

Kamailio's siptrace mirrors SIP only: the RTP goes from phone to far end and
never through the proxy, and no agent sends it as HEP here. So the comparison
covers the calls (the same Call-IDs, states and final statuses), the findings
about signalling, and that no media finding rests on RTP that HEP cannot
carry; it cannot cover what the RTP would say (one-way audio, loss, jitter):
  - every SIP packet of the capture came as a HEP packet (counted);
  - the calls watch --hep reports equal those `deadair analyze` finds in the
    capture;
  - watch --hep's findings equal analyze's of the capture's SIP alone
    (tcpdump -r CAP udp port 5060): a HEP agent of SIP only is a capture
    without RTP, so its answered call gets CAPTURE_INCOMPLETE ("no RTP in
    the capture at all"), never NO_RTP;
  - the signalling findings (any id but the media ones and CAPTURE_INCOMPLETE)
    of the full capture are those of watch --hep;
  - `deadair analyze` of the recorded HEP packets (HEP inside a capture's
    UDP; analyze does not read HEP inside TCP streams) gives the calls and
    findings watch --hep gave.
Needs root, `ip netns`, kamailio, sip-tester and tcpdump; exits 77 without.
Takes about 40 s.

usage: test_watch_hep_lab.py DEADAIR"""
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(watchlib.ROOT, "tests", "lab")
MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules"
# below 1024: watch binds it as root, before it drops to nobody
HEP_PORT = 960
PROXY, PHONE, FAR, LOSER = "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"
# (what, far end's SIPp scenario, phone's, phone's address, a call with talk, the far end's SIPp succeeds)
CALLS = [
    ("an answered call", "far-answer.xml", "phone-call.xml", PHONE, True, True),
    ("a busy line", "far-busy.xml", "phone-busy.xml", PHONE, False, True),
    # the proxy loses this phone's ACK: the far end (SIPp) waits for it, so
    # never sends its audio, and gives up when the BYE comes instead
    ("an ACK lost at the proxy", "far-answer.xml", "phone-call.xml", LOSER, True, False),
]
MEDIA_IDS = {"NO_RTP", "ONE_WAY_AUDIO", "RTP_TIMEOUT", "NAT_PINHOLE_EXPIRY", "HOLD_WITHOUT_KEEPALIVE",
             "NON_SYMMETRIC_RTP", "ASYMMETRIC_PATH", "SDP_ADDRESS_MISMATCH", "CODEC_CHANGE_WITHOUT_REINVITE",
             "MEDIA_PATH_CHANGE", "PACKET_LOSS", "HIGH_JITTER", "POOR_QUALITY", "RTCP_REPORTED_PROBLEMS",
             "SILENT_MEDIA", "CAPTURE_INCOMPLETE"}


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=kw.pop("timeout", 60), **kw)


def analyze(deadair, path):
    out = run(deadair, "analyze", "-f", "json", path, timeout=120)
    doc = json.loads(out.stdout)
    calls = sorted((c["call_id"], c.get("state"), c.get("final_status")) for cap in doc["captures"] for c in cap["calls"])
    findings = sorted((c["call_id"], f["id"], f["severity"], f["direction"])
                      for cap in doc["captures"] for c in cap["calls"] for f in c["findings"])
    return calls, findings


def one_run(deadair, ns, tmp, transport, failures):
    """One pass over `transport` (udp or tcp); returns the number of checks."""
    checks = 0
    work = os.path.join(tmp, transport)
    os.makedirs(work)
    os.chmod(work, 0o755)
    for f in ("phone-call.xml", "far-answer.xml"):
        shutil.copy(os.path.join(LAB, "sipp", f), work)
    for f in ("phone-busy.xml", "far-busy.xml"):
        shutil.copy(os.path.join(HERE, "hep", f), work)
    for name, ssrc in (("media-phone.pcap", "0x11c0ffee"), ("media-far.pcap", "0x22c0ffee")):
        r = run(sys.executable, os.path.join(LAB, "mkmedia.py"), os.path.join(work, name), ssrc, "talk:6")
        if r.returncode != 0:
            failures.append(f"mkmedia: {r.stderr}")
            return checks
    cap, hep_cap = os.path.join(work, "cap.pcap"), os.path.join(work, "hep.pcap")
    nsx = ["ip", "netns", "exec", ns]
    procs = []
    w = None
    try:
        for path, flt in ((cap, f"not port {HEP_PORT}"), (hep_cap, f"port {HEP_PORT}")):
            procs.append(subprocess.Popen(nsx + ["tcpdump", "-i", "lo", "-U", "-s", "0", "-w", path, flt],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # HEP from Kamailio and, beside it, a live capture of the same loopback
        # (SIP and RTP, not the HEP): two capture points in one watch
        w = watchlib.Watch(nsx + [deadair, "watch", "--hep", f"{transport}:{PROXY}:{HEP_PORT}", "-i", "lo",
                                  "--status", "0", "--verbose", f"not port {HEP_PORT}"])
        hep_uri = f'"sip:{PROXY}:{HEP_PORT}' + (';transport=tcp"' if transport == "tcp" else '"')
        lose = f'"{LOSER}"'
        kargs = ["kamailio", "-DD", "-E", "-m", "32", "-M", "4", "-f", os.path.join(HERE, "hep", "kamailio-hep.cfg"),
                 "-L", MODULES, "-Y", work, "-A", f"LISTEN_IP={PROXY}", "-A", f"LOSE_ACKS_OF={lose}", "-A", f'FAR_URI="sip:{FAR}:5060"',
                 "-A", f"HEP_URI={hep_uri}"]
        if transport == "tcp":
            kargs += ["-A", "HEP_TCP"]
        kam_log = open(os.path.join(work, "kamailio.log"), "w")
        kam = subprocess.Popen(nsx + kargs, stdout=kam_log, stderr=kam_log)
        procs.append(kam)
        time.sleep(2.0)
        checks += 1
        try:
            uids = next(l for l in open(f"/proc/{w.p.pid}/status") if l.startswith("Uid:")).split()[1:]
        except (OSError, StopIteration):
            uids = []
        # w.p is `ip netns exec`, which execs deadair in place
        if uids != [str(pwd.getpwnam("nobody").pw_uid)] * 4:
            failures.append(f"{transport}: watch --hep runs with uids {uids}, not nobody's")
        if kam.poll() is not None:
            failures.append(f"kamailio did not start: {open(os.path.join(work, 'kamailio.log')).read()[-2000:]}")
            return checks
        sipp = ["sipp", "-nostdin", "-m", "1", "-trace_err"]
        talk = ["-key", "pub_ip", "{phone}", "-set", "talk", "6000", "-key", "bye_reason", "Q.850;cause=16"]
        for what, far_xml, phone_xml, phone, extra, far_ok in CALLS:
            far = subprocess.Popen(nsx + sipp + ["-sf", far_xml, "-i", FAR, "-p", "5060", "-mp", "6000"],
                                   cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            args = [x.replace("{phone}", phone) for x in (talk if extra else [])]
            ph = run(*nsx, *sipp, "-sf", phone_xml, f"{PROXY}:5060", "-i", phone, "-p", "5060", "-mp", "6000",
                     *args, cwd=work, timeout=60)
            try:
                far.wait(timeout=30)
            except subprocess.TimeoutExpired:
                far.kill()
                far.wait()
            checks += 1
            if ph.returncode != 0 or (far.returncode == 0) != far_ok:
                failures.append(f"{transport}: {what}: SIPp exit statuses phone {ph.returncode}, far end "
                                f"{far.returncode}")
        time.sleep(2.0)
        kam.send_signal(signal.SIGTERM)
        kam.wait(timeout=20)
        time.sleep(0.5)
        w.p.send_signal(signal.SIGINT)
        rc = w.wait(timeout=30)
        checks += 1
        if rc != 0:
            failures.append(f"{transport}: watch exit status {rc}: {w.stderr}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        if w and w.p.poll() is None:
            w.p.kill()
    end = [l for l in w.stderr.splitlines() if l.startswith("deadair watch: end:")]
    print(f"{transport}: {end[-1] if end else w.stderr}")

    sip_cap = os.path.join(work, "sip.pcap")
    run("tcpdump", "-r", cap, "-w", sip_cap, "udp port 5060")
    n_sip = len(watchlib.pcap_records(sip_cap)[1])
    checks += 1
    if not end or f"(2001: {n_sip})" not in end[-1]:
        failures.append(f"{transport}: {n_sip} SIP packets in the capture, not as many HEP packets from agent 2001")
    print(f"{transport}: {n_sip} SIP packets captured, HEP packets from Kamailio: {end[-1].split('(')[-1] if end else '?'}")
    cap_calls, cap_f = analyze(deadair, cap)
    sip_calls, sip_f = analyze(deadair, sip_cap)
    hep_calls, hep_f = analyze(deadair, hep_cap)
    hep_alerts = [(t, a) for t, a in w.alerts if a.get("point") == "hep agent 2001"]
    lo_alerts = [(t, a) for t, a in w.alerts if "point" not in a]
    w_calls = sorted((a["call_id"], a["state"], a.get("final_status")) for _, a in hep_alerts if a["type"] == "call_end")
    w_f = watchlib.watch_findings(hep_alerts)
    lo_calls = sorted((a["call_id"], a["state"], a.get("final_status")) for _, a in lo_alerts if a["type"] == "call_end")
    lo_f = watchlib.watch_findings(lo_alerts)
    checks += 1
    if len(hep_alerts) + len(lo_alerts) != len(w.alerts):
        failures.append(f"{transport}: alerts of points other than lo and Kamailio's agent 2001: "
                        f"{sorted({a.get('point', '') for _, a in w.alerts})}")
    checks += 1
    if lo_calls != cap_calls or lo_f != cap_f:
        failures.append(f"{transport}: watch -i lo beside --hep: {lo_calls} {lo_f}; analyze of tcpdump's capture "
                        f"{cap_calls} {cap_f}")
    checks += 1
    if len(cap_calls) != len(CALLS) or w_calls != cap_calls:
        failures.append(f"{transport}: watch --hep calls {w_calls}, the capture's {cap_calls}")
    checks += 1
    if w_f != sip_f:
        failures.append(f"{transport}: watch --hep findings {w_f}, analyze of the capture's SIP {sip_f}")
    checks += 1
    sig_cap = [f for f in cap_f if f[1] not in MEDIA_IDS]
    sig_w = [f for f in w_f if f[1] not in MEDIA_IDS]
    if sig_w != sig_cap or not sig_cap:
        failures.append(f"{transport}: signalling findings: watch --hep {sig_w}, the capture {sig_cap}")
    checks += 1
    bad = [f for f in w_f if f[1] in MEDIA_IDS - {"CAPTURE_INCOMPLETE"}]
    if bad:
        failures.append(f"{transport}: media findings from HEP that carries no RTP: {bad}")
    # analyze reads HEP inside a capture's UDP (not yet inside TCP streams)
    checks += transport == "udp"
    if transport == "udp" and (hep_f != w_f or hep_calls != w_calls):
        failures.append(f"{transport}: analyze of the recorded HEP: {hep_calls} {hep_f}; watch --hep {w_calls} {w_f}")
    print(f"{transport}: calls (capture = watch --hep): {[(c[1], c[2]) for c in cap_calls]}")
    print(f"{transport}: findings of the capture (SIP and RTP): {[f[1:] for f in cap_f]}")
    print(f"{transport}: findings of watch --hep (= the capture's SIP alone, = the HEP recorded): {[f[1:] for f in w_f]}")
    return checks


def main():
    deadair = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        print("SKIPPED: needs root for a network namespace")
        return 77
    for tool in ("kamailio", "sipp", "tcpdump"):
        if not shutil.which(tool):
            print(f"SKIPPED: {tool} is not installed")
            return 77
    if not os.path.exists(os.path.join(MODULES, "siptrace.so")):
        print("SKIPPED: Kamailio's siptrace module is not installed")
        return 77
    ns = f"dahep{os.getpid() % 100000}"
    if run("ip", "netns", "add", ns).returncode != 0:
        print("SKIPPED: ip netns add failed")
        return 77
    failures = []
    checks = 0
    try:
        run("ip", "-n", ns, "link", "set", "lo", "up")
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            for transport in ("udp", "tcp"):
                checks += one_run(deadair, ns, tmp, transport, failures)
            if os.environ.get("HEP_LAB_KEEP"):
                shutil.copytree(tmp, os.environ["HEP_LAB_KEEP"], dirs_exist_ok=True)
    finally:
        run("ip", "netns", "del", ns)
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
