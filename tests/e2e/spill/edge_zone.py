#!/usr/bin/env python3
"""A zone that puts the spilled compile's slicing on trial: usage: edge_zone.py SEED ERRORS

Writes example.com. in random line order (absolute owners, explicit TTL and class), so the
records of one name, of one RRset and their duplicates fall into different waves and runs:
names deep under empty non-terminals, delegations with in-bailiwick glue, sibling glue in
another subtree, occluded data below cuts, DNAMEs with subtrees, wildcards, out-of-zone names
before and after the zone in canonical order, RRsets whose TTLs differ, duplicates. With
ERRORS=1 also NS targets without addresses (settled across slices) and CNAME-and-other-data.
"""
import random
import sys

seed = int(sys.argv[1])
errors = sys.argv[2] == '1'
r = random.Random(seed)
O = 'example.com.'
lines = []


def add(owner, ttl, rtype, rdata):
    lines.append(f"{owner} {ttl} IN {rtype} {rdata}")


add(O, 3600, 'SOA', 'ns1.example.com. host.example.com. 1 3600 600 86400 300')
add(O, 3600, 'NS', 'ns1.example.com.')
add(O, 3600, 'NS', 'ns.other.net.')
add('ns1.' + O, 3600, 'A', '192.0.2.1')
for i in range(3000):
    k = r.random()
    n = f"h{i}.{O}" if r.random() < 0.6 else f"h{i}.sub{r.randrange(30)}.d{r.randrange(5)}.{O}"
    if k < 0.5:
        add(n, r.choice([300, 300, 600]), 'A', f"192.0.2.{r.randrange(256)}")
        if r.random() < 0.2:  # a second address, or a duplicate
            add(n, 300, 'A', f"192.0.2.{r.randrange(256)}")
    elif k < 0.6:
        add(n, 300, 'TXT', f'"t{r.randrange(5)}"')
    elif k < 0.75:
        # A delegation: in-bailiwick glue, and maybe sibling glue, a target without
        # addresses, or one outside the zone; maybe DS and occluded data below it.
        add(n, 3600, 'NS', f"ns.{n}")
        add(f"ns.{n}", 3600, 'A', '198.51.100.1')
        c = r.random()
        if c < 0.3:
            add(n, 3600, 'NS', f"ns{r.randrange(50)}.glue.{O}")
        elif c < 0.4 and errors:
            add(n, 3600, 'NS', f"nx{r.randrange(50)}.missing.{O}")
        elif c < 0.5:
            add(n, 3600, 'NS', 'ns.elsewhere.org.')
        if r.random() < 0.3:
            add(n, 3600, 'DS', '12345 13 2 ' + 'ab' * 32)
        if r.random() < 0.2:
            for j in range(r.randrange(1, 40)):
                add(f"x{j}.y.{n}", 300, 'TXT', '"occluded"')
    elif k < 0.8:
        add(n, 300, 'CNAME', 'target.example.net.')
        if errors and r.random() < 0.05:
            add(n, 300, 'A', '192.0.2.9')
    elif k < 0.85:
        add(f"*.w{i}.{O}", 300, 'A', '192.0.2.7')
    elif k < 0.9:
        add(n, 300, 'DNAME', 'elsewhere.example.')
        for j in range(r.randrange(1, 60)):
            add(f"o{j}.{n}", 300, 'A', '192.0.2.8')
    elif k < 0.95:
        add(f"a.b.c.d.e{i}.{O}", 300, 'A', '192.0.2.3')
    else:  # out of zone, sorting before and after it
        add(f"x{i}.example.org.", 300, 'A', '192.0.2.4')
        add(f"x{i}.com.", 300, 'A', '192.0.2.4')
for j in range(50):
    add(f"ns{j}.glue.{O}", 3600, 'A', f"203.0.113.{j}")
    if r.random() < 0.2:
        add(f"ns{j}.glue.{O}", 3600, 'A', f"203.0.113.{j}")  # a duplicate
# One RRset's TTLs differ.
for j in range(100):
    add(f"tt{j}.{O}", 100 + j % 3, 'A', f"10.0.0.{j % 7}")
shuffled = lines[:]
r.shuffle(shuffled)
if errors:
    shuffled.append(f"h1.{O} 300 IN CNAME a.example.net.")
print("\n".join(shuffled))
