#!/usr/bin/env python3
"""Checks a signed zone file: every RRSIG is made by a key of the apex DNSKEY RRset.

Usage: check_zone.py ZONE ORIGIN. Prints the DNSKEY tags and exits 1 on an RRSIG by a key tag
not in the DNSKEY RRset (zonekiln writes one record per line: owner TTL class type rdata).
"""
import base64
import sys


def key_tag(rdata: bytes) -> int:
    # RFC 4034 Appendix B.
    acc = 0
    for i, b in enumerate(rdata):
        acc += b if i & 1 else b << 8
    acc += (acc >> 16) & 0xFFFF
    return acc & 0xFFFF


def main() -> int:
    path, origin = sys.argv[1], sys.argv[2].lower()
    tags, sig_tags = set(), set()
    for line in open(path, encoding="ascii"):
        f = line.split()
        if len(f) < 5 or line.startswith(";"):
            continue
        owner, rtype = f[0].lower(), f[3]
        if rtype == "DNSKEY" and owner == origin:
            flags, proto, alg = int(f[4]), int(f[5]), int(f[6])
            key = base64.b64decode("".join(f[7:]))
            tags.add((key_tag(bytes([flags >> 8, flags & 255, proto, alg]) + key), alg))
        elif rtype == "RRSIG":
            sig_tags.add((int(f[10]), int(f[5])))
    print("dnskey", sorted(tags), "rrsig", sorted(sig_tags))
    stray = sig_tags - tags
    if stray:
        print("RRSIG by keys not in the DNSKEY RRset:", sorted(stray))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
