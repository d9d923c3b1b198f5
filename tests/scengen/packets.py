# SPDX-License-Identifier: MIT
"""Wire builders for scengen: link layers (Ethernet, 802.1Q, Linux SLL), IPv4
(RFC 791, with fragmentation), IPv6 (RFC 8200, with the Fragment header), UDP
(RFC 768) and TCP (RFC 9293) with correct lengths and checksums, and a classic
pcap writer (microsecond or nanosecond time stamps).

Everything here is a pure function of its arguments: no clocks, no randomness.
"""
import hashlib
import ipaddress
import struct

LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113

IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_ICMPV6 = 58
IPPROTO_FRAGMENT = 44

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_VLAN = 0x8100


def ip(addr):
    """Parse an IPv4 or IPv6 address string (or pass an address object through)."""
    if isinstance(addr, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return addr
    return ipaddress.ip_address(addr)


def inet_checksum(data):
    """The Internet checksum (RFC 1071) of data, as an int."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _pseudo_header(src, dst, proto, length):
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!BBH", 0, proto, length)
    return src.packed + dst.packed + struct.pack("!I3xB", length, proto)


def udp_datagram(src, dst, sport, dport, payload):
    """A UDP header plus payload, checksum computed over the IPv4/IPv6 pseudo-header."""
    src, dst = ip(src), ip(dst)
    length = 8 + len(payload)
    if length > 0xFFFF:
        raise ValueError("UDP datagram too large (%d bytes)" % length)
    header = struct.pack("!HHHH", sport, dport, length, 0)
    csum = inet_checksum(_pseudo_header(src, dst, IPPROTO_UDP, length) + header + payload)
    return struct.pack("!HHHH", sport, dport, length, csum or 0xFFFF) + payload


def icmp_error(src, dst, icmp_type, code, quoted):
    """An ICMP (RFC 792) or ICMPv6 (RFC 4443) error message quoting the start of a packet.

    IPv4 errors keep as much of the offending packet as fits in 576 bytes (RFC 1812
    4.3.2.3), IPv6 ones as fits in 1280 (RFC 4443 2.4), as Linux does."""
    src, dst = ip(src), ip(dst)
    if src.version == 4:
        body = quoted[:576 - 20 - 8]
        msg = struct.pack("!BBHI", icmp_type, code, 0, 0) + body
        return msg[:2] + struct.pack("!H", inet_checksum(msg)) + msg[4:]
    body = quoted[:1280 - 40 - 8]
    msg = struct.pack("!BBHI", icmp_type, code, 0, 0) + body
    csum = inet_checksum(_pseudo_header(src, dst, IPPROTO_ICMPV6, len(msg)) + msg)
    return msg[:2] + struct.pack("!H", csum) + msg[4:]


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload=b"", window=64240, options=b""):
    """A TCP header (with options padded to 32 bits) plus payload, checksum included."""
    src, dst = ip(src), ip(dst)
    options += b"\x01" * (-len(options) % 4)  # NOP padding
    offset = (20 + len(options)) // 4
    ack_field = ack if flags & TCP_ACK else 0

    def pack(csum):
        return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack_field & 0xFFFFFFFF,
                           offset << 4, flags, window, csum, 0) + options

    segment = pack(0) + payload
    csum = inet_checksum(_pseudo_header(src, dst, IPPROTO_TCP, len(segment)) + segment)
    return pack(csum) + payload


def tcp_mss_option(mss):
    """The TCP MSS option (kind 2) followed by SACK-permitted (kind 4)."""
    return struct.pack("!BBH", 2, 4, mss) + b"\x04\x02"


def ipv4_packets(src, dst, proto, payload, ttl=64, ident=0, tos=0, dont_fragment=False, mtu=1500):
    """IPv4 packet(s) carrying payload; more than one if it exceeds the MTU (RFC 791 fragments)."""
    src, dst = ip(src), ip(dst)

    def header(length, frag_field):
        def pack(csum):
            return struct.pack("!BBHHHBBH4s4s", 0x45, tos, length, ident & 0xFFFF, frag_field,
                               ttl, proto, csum, src.packed, dst.packed)
        return pack(inet_checksum(pack(0)))

    df = 0x4000 if dont_fragment else 0
    if 20 + len(payload) <= mtu:
        return [header(20 + len(payload), df) + payload]
    if dont_fragment:
        raise ValueError("packet of %d bytes exceeds the MTU with DF set" % (20 + len(payload)))
    step = (mtu - 20) // 8 * 8
    packets = []
    for off in range(0, len(payload), step):
        chunk = payload[off:off + step]
        more = 0x2000 if off + step < len(payload) else 0
        packets.append(header(20 + len(chunk), more | (off // 8)) + chunk)
    return packets


def ipv6_packets(src, dst, next_header, payload, hop_limit=64, ident=0, traffic_class=0, mtu=1500):
    """IPv6 packet(s) carrying payload; fragmented with a Fragment header (RFC 8200 4.5) if needed."""
    src, dst = ip(src), ip(dst)

    def header(length, nh):
        return struct.pack("!IHBB16s16s", (6 << 28) | (traffic_class << 20), length, nh, hop_limit,
                           src.packed, dst.packed)

    if 40 + len(payload) <= mtu:
        return [header(len(payload), next_header) + payload]
    step = (mtu - 48) // 8 * 8
    packets = []
    for off in range(0, len(payload), step):
        chunk = payload[off:off + step]
        more = 1 if off + step < len(payload) else 0
        frag = struct.pack("!BBHI", next_header, 0, off | more, ident & 0xFFFFFFFF)
        packets.append(header(8 + len(chunk), IPPROTO_FRAGMENT) + frag + chunk)
    return packets


def ip_packets(src, dst, proto, payload, ttl=64, ident=0, tos=0, dont_fragment=False, mtu=1500):
    """IPv4 or IPv6 packet(s), by the family of src (which must match dst)."""
    src, dst = ip(src), ip(dst)
    if src.version != dst.version:
        raise ValueError("address families differ: %s -> %s" % (src, dst))
    if src.version == 4:
        return ipv4_packets(src, dst, proto, payload, ttl, ident, tos, dont_fragment, mtu)
    return ipv6_packets(src, dst, proto, payload, ttl, ident, tos, mtu)


def mac_for(addr):
    """A stable, locally administered MAC address derived from an IP address."""
    digest = hashlib.sha256(ip(addr).packed).digest()
    return b"\x02" + digest[:5]


class LinkLayer:
    """Frames IP packets for one pcap link type: Ethernet (optionally one 802.1Q tag) or Linux SLL."""

    def __init__(self, kind="ethernet", vlan=None):
        if kind not in ("ethernet", "vlan", "sll"):
            raise ValueError("unknown link type %r (ethernet, vlan, sll)" % kind)
        if kind == "vlan" and vlan is None:
            vlan = 100
        self.kind = kind
        self.vlan = vlan if kind == "vlan" else None
        self.linktype = LINKTYPE_LINUX_SLL if kind == "sll" else LINKTYPE_ETHERNET

    def frame(self, packet, src_mac, dst_mac, outgoing=False):
        """Wrap one IP packet. outgoing selects the SLL packet type (4 = sent by us, 0 = to us)."""
        ethertype = ETHERTYPE_IPV6 if packet[0] >> 4 == 6 else ETHERTYPE_IPV4
        if self.kind == "sll":
            return struct.pack("!HHH8sH", 4 if outgoing else 0, 1, 6, src_mac + b"\0\0",
                               ethertype) + packet
        if self.vlan is not None:
            return dst_mac + src_mac + struct.pack("!HHH", ETHERTYPE_VLAN, self.vlan & 0x0FFF,
                                                   ethertype) + packet
        return dst_mac + src_mac + struct.pack("!H", ethertype) + packet


class PcapWriter:
    """Writes a classic libpcap file (not pcapng) with micro- or nanosecond time stamps."""

    MAGIC_USEC = 0xA1B2C3D4
    MAGIC_NSEC = 0xA1B23C4D

    def __init__(self, linktype, nanosecond=False, snaplen=262144):
        self.nanosecond = nanosecond
        self.snaplen = snaplen
        magic = self.MAGIC_NSEC if nanosecond else self.MAGIC_USEC
        self.chunks = [struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]

    def write(self, time_ns, frame):
        """Append one record; time_ns is nanoseconds since the Unix epoch."""
        sec, frac = divmod(time_ns, 1_000_000_000)
        if not self.nanosecond:
            frac //= 1000
        captured = frame[:self.snaplen]
        self.chunks.append(struct.pack("<IIII", sec, frac, len(captured), len(frame)) + captured)

    def getvalue(self):
        """The whole file as bytes."""
        return b"".join(self.chunks)
