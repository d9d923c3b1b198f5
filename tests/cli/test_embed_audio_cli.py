#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The player of the HTML report (--embed-audio) plays the audio deadair
decoded: on a generated capture of two calls with known audio (a 400 Hz tone
from the callee, a synthetic talker from the caller), the WAV in each call's
data: URI is byte for byte the stereo mix `--write-audio DIR --mix` writes of
the same capture, its left channel the caller's file and its right channel the
callee's, sample for sample. The page's Content-Security-Policy allows
`media-src data:` only when some audio is embedded; a call whose mix would pass
--embed-audio-max gets a note and no <audio>; the private temporary directory
is gone after the run; usage errors are checked."""
import base64
import glob
import io
import os
import re
import subprocess
import sys
import tempfile
import wave

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
failures = []

SCENARIO = """
host alice 10.0.0.10 rtp=40000 ua="Yealink SIP-T46S 66.86.0.15"
host bob   10.0.0.20 rtp=20000 ua="Polycom VVX 411 6.4.3"
host carol 10.0.0.30 rtp=30000 ua="Grandstream GXP2170 1.0.11.23"

call c1 alice -> bob codecs=PCMU caller-rtp=40000
call c2 alice -> carol codecs=PCMA caller-rtp=40002

0.000   c1 INVITE
0.010   c1 200
0.020   c1 ACK
stream a1 alice -> bob 0.040..4.040 call=c1 audio=speech
stream b1 bob -> alice 0.030..4.030 call=c1 audio=tone:400
4.100   c1 BYE by=alice
4.110   c1 200

10.000  c2 INVITE
10.010  c2 200
10.020  c2 ACK
stream a2 alice -> carol 10.040..16.040 call=c2 audio=speech
stream b2 carol -> alice 10.030..16.030 call=c2 audio=silence
16.100  c2 BYE by=carol
16.110  c2 200

expect sip INVITE=2 200=4 ACK=2 BYE=2
expect streams 4
"""


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {str(detail)[:400]}")


def wav_of(data):
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())


def samples(raw):
    import array
    a = array.array("h")
    a.frombytes(raw)
    if sys.byteorder == "big":
        a.byteswap()
    return a


def csp_of(html):
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    return m.group(1) if m else ""


def players(html):
    """[(call article id, WAV bytes or None, the listen section)] in page order."""
    out = []
    for art in re.findall(r'<article class="call" id="([^"]+)">(.*?)</article>', html, re.S):
        sec = re.search(r'<section class="listen">(.*?)</section>', art[1], re.S)
        m = re.search(r'<audio controls preload="metadata" src="data:audio/wav;base64,([A-Za-z0-9+/=]*)"></audio>',
                      art[1])
        out.append((art[0], base64.b64decode(m.group(1), validate=True) if m else None, sec.group(1) if sec else None))
    return out


with tempfile.TemporaryDirectory() as tmp:
    scn = os.path.join(tmp, "two.scn")
    open(scn, "w").write(SCENARIO)
    pcap = os.path.join(tmp, "two.pcap")
    subprocess.run([sys.executable, scengen, scn, pcap], check=True, capture_output=True, timeout=300)
    wavdir = os.path.join(tmp, "wav")
    os.mkdir(wavdir)
    p = subprocess.run([deadair, "analyze", "-f", "json", "--write-audio", wavdir, "--mix", pcap],
                       capture_output=True, timeout=120)
    check("--write-audio --mix exits 0", p.returncode == 0, p.stderr)
    mixes = sorted(glob.glob(os.path.join(wavdir, "*-mix.wav")))
    check("two mixes written", len(mixes) == 2, mixes)

    # the report's own temporary directory, watched through TMPDIR
    tmpenv = os.path.join(tmp, "tmpdir")
    os.mkdir(tmpenv)
    env = dict(os.environ, TMPDIR=tmpenv)
    out = os.path.join(tmp, "r.html")
    p = subprocess.run([deadair, "analyze", "-f", "html", "--all", "--embed-audio", "-o", out, pcap],
                       capture_output=True, timeout=120, env=env)
    check("-f html --embed-audio exits 0", p.returncode == 0, p.stderr)
    check("nothing left in TMPDIR after the run", os.listdir(tmpenv) == [], os.listdir(tmpenv))
    html = open(out, encoding="utf-8").read()
    pl = players(html)
    check("a player in each of the two calls", len(pl) == 2 and all(w for _, w, _ in pl), [(a, w and len(w)) for a, w, _ in pl])
    csp = csp_of(html)
    check("the policy allows media-src data: and nothing more for media", " media-src data:;" in csp
          and csp.count("media-src") == 1 and "blob:" not in csp and "default-src 'none'" in csp, csp)

    # each embedded WAV is the mix --write-audio --mix wrote: same bytes, same samples
    by_call = {}
    for f in mixes:
        by_call[open(f, "rb").read()] = f
    for art, data, sec in pl:
        if not data:
            continue
        match = by_call.get(data)
        check(f"{art}: the embedded WAV is byte for byte a --mix file", match is not None, len(data))
        if not match:
            continue
        rate, ch, raw = wav_of(data)
        st = samples(raw)
        stem = os.path.basename(match)[:-len("-mix.wav")]
        caller = glob.glob(os.path.join(wavdir, stem + "-caller-0x*.wav"))
        callee = glob.glob(os.path.join(wavdir, stem + "-callee-0x*.wav"))
        check(f"{art}: stereo at 8000 Hz", rate == 8000 and ch == 2, (rate, ch))
        if len(caller) == 1 and len(callee) == 1:
            a = samples(wav_of(open(caller[0], "rb").read())[2])
            b = samples(wav_of(open(callee[0], "rb").read())[2])
            n = len(st) // 2
            left, right = st[0::2], st[1::2]
            check(f"{art}: left is the caller's WAV, right the callee's, sample for sample ({n} frames)",
                  list(left[:len(a)]) == list(a) and list(right[:len(b)]) == list(b)
                  and not any(left[len(a):]) and not any(right[len(b):]) and n == max(len(a), len(b)),
                  (n, len(a), len(b)))
            check(f"{art}: the caller talks (speech is not silence)", max(abs(v) for v in a) > 1000)
        else:
            check(f"{art}: one file per direction", False, (caller, callee))
        m = re.search(r'data-seconds="([0-9.]+)"', sec or "")
        check(f"{art}: the player states the mix's length", m and abs(float(m.group(1)) - len(st) / 2 / 8000) < 0.001,
              m and m.group(1))
        check(f"{art}: the note says which side is which", "caller on the left" in (sec or ""), sec)
    # the tone call: the callee's side is the 400 Hz tone (zero crossings: 800 per second)
    found_tone = False
    for w in (w for _, w, _ in pl if w):
        right = samples(wav_of(w)[2])[1::2]
        seg = right[8000:16000]
        if max(abs(v) for v in seg) > 1000:
            crossings = sum(1 for i in range(1, len(seg)) if (seg[i - 1] < 0) != (seg[i] < 0))
            found_tone = found_tone or abs(crossings - 800) <= 4
    check("one call's right channel is the callee's 400 Hz tone", found_tone)

    # --embed-audio with --write-audio --mix: the same file is embedded
    wavdir2 = os.path.join(tmp, "wav2")
    os.mkdir(wavdir2)
    p = subprocess.run([deadair, "analyze", "-f", "html", "--embed-audio", "--write-audio", wavdir2, "--mix", pcap],
                       capture_output=True, timeout=120)
    pl2 = players(p.stdout.decode())
    check("with --write-audio --mix as well: the same WAVs embedded",
          sorted(w for _, w, _ in pl2 if w) == sorted(by_call), [len(w or b"") for _, w, _ in pl2])

    # a limit that holds the first call to finish but not the second
    sizes = sorted(len(k) for k in by_call)
    limit = sizes[0] + 1000
    p = subprocess.run([deadair, "analyze", "-f", "html", "--embed-audio-max", str(limit), pcap],
                       capture_output=True, timeout=120, env=env)
    html = p.stdout.decode()
    pl = players(html)
    embedded = [w for _, w, _ in pl if w]
    notes = [s for _, w, s in pl if not w]
    check(f"--embed-audio-max {limit}: one call embedded, the other a note", len(embedded) == 1 and len(notes) == 1,
          [(a, w and len(w)) for a, w, _ in pl])
    check("the note names the limit and has no <audio>", notes and "not embedded" in notes[0]
          and "--embed-audio-max" in notes[0] and "<audio" not in notes[0], notes)
    check("the policy still allows data: media (one call embedded)", "media-src data:" in csp_of(html), csp_of(html))
    check("what is embedded stays within the limit", sum(len(w) for w in embedded) <= limit, len(embedded[0]))

    # two calls at the same time share the limit while they are read: what is
    # embedded, and what waits on disk, stays within it
    over = os.path.join(tmp, "overlap.scn")
    open(over, "w").write(SCENARIO.replace("10.000  c2 INVITE", "1.000   c2 INVITE").replace(
        "10.010  c2 200", "1.010   c2 200").replace("10.020  c2 ACK", "1.020   c2 ACK").replace(
        "10.040..16.040", "1.040..7.040").replace("10.030..16.030", "1.030..7.030").replace(
        "16.100  c2 BYE", "7.100   c2 BYE").replace("16.110  c2 200", "7.110   c2 200"))
    opcap = os.path.join(tmp, "overlap.pcap")
    subprocess.run([sys.executable, scengen, over, opcap], check=True, capture_output=True, timeout=300)
    p = subprocess.run([deadair, "analyze", "-f", "html", "--embed-audio-max", str(limit), opcap],
                       capture_output=True, timeout=120, env=env)
    pl = players(p.stdout.decode())
    embedded = [w for _, w, _ in pl if w]
    notes = [s for _, w, s in pl if not w]
    check(f"overlapping calls, --embed-audio-max {limit}: each call a player or a note, within the limit",
          len(pl) == 2 and len(embedded) + len(notes) == 2 and sum(len(w) for w in embedded) <= limit
          and all("not embedded" in s for s in notes), [(a, w and len(w), s and s[:160]) for a, w, s in pl])
    check("overlapping calls: nothing left in TMPDIR", os.listdir(tmpenv) == [], os.listdir(tmpenv))

    # over the limit for every call: notes, no <audio>, no media-src
    p = subprocess.run([deadair, "analyze", "-f", "html", "--embed-audio-max", "50K", pcap],
                       capture_output=True, timeout=120, env=env)
    html = p.stdout.decode()
    check("--embed-audio-max 50K: exits 0", p.returncode == 0, p.stderr)
    check("every call over the limit: a note each, no <audio> in the page",
          "<audio" not in html and html.count("is not embedded") == 2, html.count("is not embedded"))
    check("nothing embedded: the policy has no media-src", "media-src" not in csp_of(html) and csp_of(html),
          csp_of(html))
    check("nothing left in TMPDIR after the runs", os.listdir(tmpenv) == [], os.listdir(tmpenv))

    # without --embed-audio: no player, no media-src
    p = subprocess.run([deadair, "analyze", "-f", "html", pcap], capture_output=True, timeout=120)
    html = p.stdout.decode()
    check("without --embed-audio: no player, no media-src", "<audio" not in html and 'class="listen"' not in html
          and "media-src" not in csp_of(html), csp_of(html))

    # usage errors
    for args, word in ((["-f", "json", "--embed-audio"], b"-f html"), (["--embed-audio"], b"-f html"),
                       (["-f", "html", "--embed-audio-max", "lots"], b"--embed-audio-max"),
                       (["-f", "html", "--embed-audio", "--no-audio"], b"--no-audio")):
        p = subprocess.run([deadair, "analyze", *args, pcap], capture_output=True, timeout=60)
        check(f"usage error: {' '.join(args)}", p.returncode == 2 and word in p.stderr, p.stderr)

for f in failures:
    print("FAIL:", f)
print(f"{'FAILED' if failures else 'ok'}: audio embedded in the HTML report")
sys.exit(1 if failures else 0)
