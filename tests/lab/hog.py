#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The lab's second LAN host. Every mode is bounded in packets and time and
sends only to the address it is given (a lab namespace's). Payloads are not
RTP (first byte 0: RTP version 0), so they are cross traffic, not media.

  hog.py occupy SRC_PORT DST_IP DST_PORT COUNT LINGER_S
      sends COUNT datagrams from SRC_PORT, one a second, then keeps the socket
      (reading and discarding what comes) for LINGER_S: another device on the
      LAN that takes a NAT mapping the phone had.
  hog.py flood DST_IP DST_PORT KBIT_S SECONDS ON_MS OFF_MS
      1200-byte datagrams at KBIT_S while "on", nothing while "off", for SECONDS.
  hog.py burst DST_IP DST_PORT COUNT EVERY_MS SECONDS
      COUNT 1200-byte datagrams back to back, then quiet until EVERY_MS has
      passed (never catching up after a stall), for SECONDS: each burst fills
      a shaped uplink's queue at once and it drains until the next."""
import socket
import sys
import time


def occupy(sport, dst, dport, count, linger):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", sport))
    for i in range(count):
        s.sendto(b"\x00lab-hog\x00" * 8, (dst, dport))
        time.sleep(1.0)
    s.settimeout(0.5)
    end = time.monotonic() + linger
    while time.monotonic() < end:
        try:
            s.recv(4096)
        except socket.timeout:
            pass


def flood(dst, dport, kbit, secs, on_ms, off_ms):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"\x00" * 1200
    gap = len(payload) * 8 / (kbit * 1000.0)
    start = time.monotonic()
    end = start + secs
    sent = 0
    while time.monotonic() < end and sent < 1000000:
        period_t = ((time.monotonic() - start) * 1000) % (on_ms + off_ms)
        if period_t < on_ms:
            s.sendto(payload, (dst, dport))
            sent += 1
            time.sleep(gap)
        else:
            time.sleep((on_ms + off_ms - period_t) / 1000.0)
    print(f"hog: {sent} datagrams")


def burst(dst, dport, count, every_ms, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"\x00" * 1200
    end = time.monotonic() + secs
    sent = 0
    while time.monotonic() < end and sent < 1000000:
        t0 = time.monotonic()
        for _ in range(count):
            s.sendto(payload, (dst, dport))
            sent += 1
        time.sleep(max(0.0, every_ms / 1000.0 - (time.monotonic() - t0)))
    print(f"hog: {sent} datagrams")


def main():
    a = sys.argv[1:]
    if a and a[0] == "occupy" and len(a) == 6:
        occupy(int(a[1]), a[2], int(a[3]), int(a[4]), float(a[5]))
    elif a and a[0] == "burst" and len(a) == 6:
        burst(a[1], int(a[2]), int(a[3]), float(a[4]), float(a[5]))
    elif a and a[0] == "flood" and len(a) == 7:
        flood(a[1], int(a[2]), float(a[3]), float(a[4]), float(a[5]), float(a[6]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
