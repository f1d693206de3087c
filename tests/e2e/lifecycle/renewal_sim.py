#!/usr/bin/env python3
"""Helpers for renewal_spread.sh (and bench/renewal_bench.sh): the zone, its nightly changes,
and checks of a signed output's RRSIG expirations.

  renewal_sim.py gen ZONE NAMES          write a zone of NAMES names under sim.example.
  renewal_sim.py change ZONE NIGHT SHARE change SHARE of the hosts' addresses (at least one),
                                         add one host and remove one (NSEC3 chain churn);
                                         prints the number of records changed
  renewal_sim.py night DIR NOW NIGHT SKIP CHANGES BOUNDED [RECORD]
                                         checks one night's run (DIR holds out, stats.json,
                                         metrics, keys/zonekiln-state.json; see below)
  renewal_sim.py outage OUT AT NEED      every RRSIG is still valid NEED seconds after AT (a
                                         night was skipped: AT is the next run)

The night checks: every RRSIG has at least the refresh window left at NOW (publication); every
RRSIG is made by a key of the apex DNSKEY RRset; the metrics report the early renewals and the
expected share; what the run made is within the changes' reach of what the previous night
forecast (DIR/forecast keeps it); and, when BOUNDED is 1 and the night is past the first cycle,
the run re-signed at most 1.5/N of the RRsets (N = (validity - refresh) / run interval; twice
that on the night after the skipped one). Prints one line about the night (and appends it as
TSV to RECORD); exits 1 after printing what failed.

zonekiln writes one record per line (owner TTL class type rdata); that is all this reads.
Deterministic: the same arguments give the same files.
"""
import base64
import calendar
import json
import math
import os
import random
import sys

ORIGIN = "sim.example."


def gen(path: str, names: int) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(f"$ORIGIN {ORIGIN}\n$TTL 3600\n")
        f.write("@ IN SOA ns1.sim.example. hostmaster.sim.example. 1 7200 3600 1209600 300\n")
        f.write("@ 172800 IN NS ns1.sim.example.\n@ 172800 IN NS ns2.sim.example.\n")
        f.write("ns1 IN A 192.0.2.1\nns2 IN A 192.0.2.2\n")
        # A week's TTL somewhere, as the zone in issue 18 had: the refresh window follows the
        # largest TTL (clamped to a week), which makes the cycle about five nights.
        f.write("@ 604800 IN TXT \"v=sim\"\n")
        for i in range(names):
            if i % 10 == 9:
                # An insecure delegation (opt-out skips it), every 50th a secure one.
                f.write(f"d{i} IN NS ns.d{i}\nns.d{i} IN A 198.51.100.{i % 250 + 1}\n")
                if i % 50 == 49:
                    f.write(f"d{i} IN DS {i % 65535} 13 2 {'%064x' % (i * 7919)}\n")
            else:
                f.write(f"h{i} IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")


def change(path: str, night: int, share: float) -> None:
    lines = open(path, encoding="ascii").read().split("\n")
    hosts = [k for k, l in enumerate(lines) if l.startswith("h") and " IN A " in l]
    rng = random.Random(night)
    n = max(1, round(len(hosts) * share))
    changed = 0
    for k in rng.sample(hosts, n):
        owner = lines[k].split()[0]
        lines[k] = f"{owner} IN A 172.16.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        changed += 1
    # Churn: one host goes, one comes (their NSEC3 neighbours change too).
    gone = rng.choice(hosts)
    del lines[gone]
    lines.insert(len(lines) - 1, f"new{night} IN A 203.0.113.{night % 250 + 1}")
    open(path, "w", encoding="ascii").write("\n".join(lines))
    print(changed + 2)


def rrsigs(path: str):
    for line in open(path, encoding="ascii"):
        f = line.split()
        if len(f) > 12 and f[3] == "RRSIG":
            yield f[0], f[4], int(f[10]), to_unix(f[8])


def to_unix(t: str) -> int:
    if len(t) != 14:
        return int(t)
    return calendar.timegm((int(t[0:4]), int(t[4:6]), int(t[6:8]), int(t[8:10]), int(t[10:12]),
                            int(t[12:14])))


def key_tag(rdata: bytes) -> int:
    # RFC 4034 Appendix B.
    acc = 0
    for i, b in enumerate(rdata):
        acc += b if i & 1 else b << 8
    acc += (acc >> 16) & 0xFFFF
    return acc & 0xFFFF


def night(d: str, now: int, n_night: int, skip: int, changes: int, bounded: bool,
          record: str) -> int:
    fails = []
    stats = json.load(open(f"{d}/stats.json"))
    policy = json.load(open(f"{d}/keys/zonekiln-state.json"))["zones"][0]["policy"]
    refresh, validity, interval = (policy["sig_refresh"], policy["sig_validity"],
                                   policy["run_interval"])
    dnskey_tags, per_tag = set(), {}
    worst = None
    for line in open(f"{d}/out", encoding="ascii"):
        f = line.split()
        if len(f) < 5:
            continue
        if f[3] == "DNSKEY" and f[0] == ORIGIN:
            flags, proto, alg = int(f[4]), int(f[5]), int(f[6])
            key = base64.b64decode("".join(f[7:]))
            dnskey_tags.add(key_tag(bytes([flags >> 8, flags & 255, proto, alg]) + key))
        elif f[3] == "RRSIG":
            tag = int(f[10])
            per_tag[tag] = per_tag.get(tag, 0) + 1
            margin = to_unix(f[8]) - now - refresh
            if worst is None or margin < worst[0]:
                worst = (margin, f[0], f[4])
    if worst is None or worst[0] < 0:
        fails.append(f"an RRSIG has less than the refresh window left at publication: {worst}")
    stray = set(per_tag) - dnskey_tags
    if stray:
        fails.append(f"RRSIGs by keys outside the DNSKEY RRset: {sorted(stray)}")
    metrics = open(f"{d}/metrics", encoding="ascii").read()
    early = stats["rrsets_renewed_early"]
    if f'zonekiln_rrsets_renewed_early{{zone="{ORIGIN}"}} {early}\n' not in metrics:
        fails.append("the metrics do not report the early renewals")
    if f'zonekiln_renewal_expected_share{{zone="{ORIGIN}"}} 0.' not in metrics:
        fails.append("the metrics do not report the expected share")

    # The RRsets that carry RRSIGs (not NS at a cut, not glue): the share is of these.
    signed = stats["rrsets_signed"]
    rrsets = signed + stats["rrsets_reused"]
    made = stats["signatures"] - stats["signatures_reused"]
    n = (validity - refresh) / interval
    bound = 1.5 / n * (2 if n_night == skip + 1 else 1)
    share = signed / rrsets
    first_cycle = n_night <= math.ceil(n)
    if bounded and not first_cycle and share > bound:
        fails.append(f"re-signed {signed} of {rrsets} RRsets ({share:.4f}), more than "
                     f"1.5/N = {bound:.4f} (N = {n:.3f})")
    # The previous night's forecast for this one, within what the changes (a record, its NSEC3
    # neighbours, the SOA) can add or take away.
    memo = f"{d}/forecast"
    forecast = "-"
    if os.path.exists(memo):
        prev_night, prev_forecast = map(int, open(memo).read().split())
        if prev_night == n_night - 1:
            forecast = str(prev_forecast)
            if abs(made - prev_forecast) > 4 * changes + 10:
                fails.append(f"made {made} RRSIGs, the previous night forecast {prev_forecast} "
                             f"({changes} records changed)")
    open(memo, "w").write(f"{n_night} {stats['renewal']['forecast'][0]}")
    seconds = round(sum(stats["seconds"].values()), 3)
    tags = " ".join(f"{t}:{c}" for t, c in sorted(per_tag.items()))
    print(f"night {n_night}: {signed}/{rrsets} RRsets re-signed ({share:.4f}, bound {bound:.4f}, "
          f"N {n:.3f}{', first cycle' if first_cycle else ''}), {early} early, {made} RRSIGs "
          f"made (forecast {forecast}), RRSIGs per key {tags}, {seconds}s")
    if record:
        with open(record, "a", encoding="ascii") as r:
            r.write(f"{n_night}\t{rrsets}\t{signed}\t{early}\t{made}\t{seconds}\t"
                    f"{len(per_tag)}\n")
    for msg in fails:
        print(f"FAIL night {n_night}: {msg}")
    return 1 if fails else 0


def outage(path: str, at: int, need: int) -> int:
    earliest = min((exp, owner, covered) for owner, covered, _, exp in rrsigs(path))
    print(f"earliest expiration {earliest[0]} ({earliest[1]} {earliest[2]}), "
          f"{earliest[0] - at - need} s to spare")
    return 0 if earliest[0] >= at + need else 1


def main() -> int:
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
        return 0
    if cmd == "change":
        change(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return 0
    if cmd == "night":
        return night(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
                     int(sys.argv[6]), sys.argv[7] == "1", sys.argv[8] if len(sys.argv) > 8 else "")
    if cmd == "outage":
        return outage(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
