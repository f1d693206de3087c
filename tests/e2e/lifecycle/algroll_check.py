#!/usr/bin/env python3
"""Summarises the DNSSEC records of one signed zone for the algorithm rollover e2e test.

Usage: algroll_check.py ZONE ORIGIN. Reads zonekiln's one-record-per-line output (owner TTL
class type rdata) and prints one line of space-separated key=value fields:

  dnskey=8,13        algorithms in the apex DNSKEY RRset
  ksk=TAG/ALG,...    its KSKs (flags 257), by algorithm then tag (likewise below)
  dnskey_sig=8,13    algorithms of the RRSIGs over the DNSKEY RRset (and CDS, CDNSKEY: the same
                     set for the three, else "mixed:" and the smallest and largest sets)
  data_sig=8,13      algorithms every other authoritative RRset is signed with (likewise)
  cds=TAG/ALG,...    keys the CDS RRset names (none: -)
  cdnskey=TAG/ALG,.. keys the CDNSKEY RRset holds (none: -)

and exits 1, naming the record, when a CDS or CDNSKEY names a key that is not in the DNSKEY
RRset (RFC 7344 s4.1), or when an RRset carries no RRSIG at all.
"""
import base64
import sys
from collections import defaultdict


# The apex key RRsets, signed by the KSKs (RFC 7344 s4.1: CDS/CDNSKEY like the DNSKEY RRset).
KEY_TYPES = ("DNSKEY", "CDS", "CDNSKEY")


def key_tag(rdata: bytes) -> int:
    # RFC 4034 Appendix B.
    acc = 0
    for i, b in enumerate(rdata):
        acc += b if i & 1 else b << 8
    acc += (acc >> 16) & 0xFFFF
    return acc & 0xFFFF


def dnskey_rdata(fields):
    flags, proto, alg = int(fields[0]), int(fields[1]), int(fields[2])
    key = base64.b64decode("".join(fields[3:]))
    return flags, alg, bytes([flags >> 8, flags & 0xFF, proto, alg]) + key


def main() -> int:
    path, origin = sys.argv[1], sys.argv[2].lower()
    rrsets = set()  # (owner, type) of authoritative data
    sigs = defaultdict(set)  # (owner, covered type) -> algorithms
    delegations = set()
    keys = {}  # (tag, alg) -> flags
    cds, cdnskey = [], []
    records = []
    for line in open(path, encoding="ascii"):
        f = line.split()
        if len(f) < 5 or line.startswith(";"):
            continue
        records.append(f)
        owner, rtype = f[0].lower(), f[3]
        if rtype == "NS" and owner != origin:
            delegations.add(owner)
    for f in records:
        owner, rtype, rd = f[0].lower(), f[3], f[4:]
        if rtype == "RRSIG":
            sigs[(owner, rd[0])].add(int(rd[1]))
            continue
        if owner == origin and rtype == "DNSKEY":
            flags, alg, wire = dnskey_rdata(rd)
            keys[(key_tag(wire), alg)] = flags
        elif owner == origin and rtype == "CDS":
            cds.append((int(rd[0]), int(rd[1])))
        elif owner == origin and rtype == "CDNSKEY":
            if rd[0] == "0":
                cdnskey.append((0, 0))
            else:
                _, alg, wire = dnskey_rdata(rd)
                cdnskey.append((key_tag(wire), alg))
        # A delegation's NS and its glue are not signed (RFC 4035 s2.2); DS and NSEC are.
        below_cut = any(owner == d or owner.endswith("." + d) for d in delegations)
        if below_cut and rtype not in ("DS", "NSEC", "NSEC3"):
            continue
        rrsets.add((owner, rtype))
    bad = []
    for tag, alg in cds + cdnskey:
        if (tag, alg) != (0, 0) and (tag, alg) not in keys:
            bad.append(f"CDS/CDNSKEY names key {tag}/{alg}, which the DNSKEY RRset does not hold")
    data_sets, key_sets = set(), set()
    for owner, rtype in sorted(rrsets):
        algs = frozenset(sigs.get((owner, rtype), ()))
        if not algs:
            bad.append(f"{owner} {rtype} has no RRSIG")
        if owner == origin and rtype in KEY_TYPES:
            key_sets.add(algs)
        else:
            data_sets.add(algs)

    def algs_text(s):
        return ",".join(str(a) for a in sorted(s)) or "-"

    def keys_text(ks):
        return ",".join(f"{t}/{a}" for t, a in sorted(set(ks), key=lambda k: (k[1], k[0]))) or "-"

    def sets_text(sets):
        if len(sets) == 1:
            return algs_text(next(iter(sets)))
        ordered = sorted(sets, key=len)
        return "mixed:" + algs_text(ordered[0]) + "/" + algs_text(ordered[-1])

    print(
        " ".join(
            [
                "dnskey=" + algs_text({a for _, a in keys}),
                "ksk=" + keys_text([k for k, fl in keys.items() if fl & 1]),
                "dnskey_sig=" + sets_text(key_sets),
                "data_sig=" + sets_text(data_sets),
                "cds=" + keys_text(cds),
                "cdnskey=" + keys_text(cdnskey),
            ]
        )
    )
    for b in bad:
        print("ERROR: " + b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
