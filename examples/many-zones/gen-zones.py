#!/usr/bin/env python3
"""Writes N small zones and the zonekiln.toml that lists them (deterministic: same arguments,
same bytes). Used by the many-zones example, its end-to-end tests and bench/many_zones.sh.

  gen-zones.py --zones 300 --names 10 --out DIR [--policy-file EXTRA.toml]

DIR/zones/zNNNNN.example.zone  one zone each: SOA, NS, MX at the apex, then address records,
                               CNAMEs, TXT, and one delegation with glue per 25 names
DIR/zonekiln.toml              [policy.default] and one [[zone]] table per zone
"""
import argparse
import os


def zone_text(origin, names):
    lines = [
        f"$ORIGIN {origin}",
        "$TTL 3600",
        "@ IN SOA ns1 hostmaster 2026010101 7200 3600 1209600 3600",
        "@ IN NS ns1",
        "@ IN NS ns2",
        "@ IN MX 10 mail",
        "ns1 IN A 192.0.2.1",
        "ns2 IN AAAA 2001:db8::2",
        "mail IN A 192.0.2.25",
    ]
    for i in range(max(0, names - 4)):
        kind = i % 5
        if kind == 0:
            lines.append(f"host{i} IN A 198.51.100.{i % 250 + 1}")
        elif kind == 1:
            lines.append(f"host{i} IN AAAA 2001:db8:1::{i:x}")
        elif kind == 2:
            lines.append(f"www{i} IN CNAME host{i - 2}")
        elif kind == 3:
            lines.append(f'txt{i} IN TXT "v=spf1 -all" "record {i}"')
        else:
            if i % 25 == 4:
                lines.append(f"sub{i} IN NS ns.sub{i}")
                lines.append(f"ns.sub{i} IN A 203.0.113.{i % 250 + 1}")
            else:
                lines.append(f"srv{i} IN A 198.51.100.{(i * 7) % 250 + 1}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zones", type=int, required=True)
    ap.add_argument("--names", type=int, default=10)
    ap.add_argument("--out", required=True)
    ap.add_argument("--policy-file", help="TOML text to use instead of the default policy")
    a = ap.parse_args()
    for d in ("zones", "signed", "ds"):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    if a.policy_file:
        with open(a.policy_file) as f:
            policy = f.read()
    else:
        policy = (
            "# One policy for every zone below (a zone may name another with policy = \"...\").\n"
            "[policy.default]\n"
            "sig-validity = \"14d\"\n"
            "max-ttl = 86400\n"
            "serial = \"increment\"\n"
        )
    toml = [policy]
    for n in range(a.zones):
        label = f"z{n:05d}.example"
        with open(os.path.join(a.out, "zones", label + ".zone"), "w") as f:
            f.write(zone_text(label + ".", a.names))
        toml.append(
            "\n[[zone]]\n"
            f'origin = "{label}."\n'
            f'file = "zones/{label}.zone"\n'
            f'keys = "keys/{label}"\n'
            f'output = "signed/{label}.zone"\n'
            f'ds-output = "ds/dsset-{label}."\n'
        )
    with open(os.path.join(a.out, "zonekiln.toml"), "w") as f:
        f.write("".join(toml))


if __name__ == "__main__":
    main()
