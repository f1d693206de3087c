#!/usr/bin/env python3
"""Writes the deliberately broken zones of testdata/broken/ from good zones signed by zonekiln.

Usage: make_broken.py GOOD_NSEC GOOD_NSEC3 SHORT_LIVED_NSEC OUTDIR

GOOD_NSEC / GOOD_NSEC3: testdata/zones/example.com.zone signed with the same keys,
inception 20261101000000, expiration 20360101000000 (NSEC; NSEC3 with no salt, 0 iterations).
SHORT_LIVED_NSEC: the same NSEC signing but with expiration 20261127000000.
Each output differs from its input in exactly the way its name says (see CASES.tsv); the
edits are textual, so an edited record keeps its old RRSIG (which then fails as well).
"""
import sys

good_nsec, good_nsec3, short_nsec, out = sys.argv[1:5]


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def write(name, ls):
    with open(f"{out}/{name}", "w") as f:
        f.write("\n".join(ls) + "\n")


def fields(line):
    return line.split()


def find(ls, owner, rtype, covered=None):
    for i, l in enumerate(ls):
        f = fields(l)
        if len(f) > 4 and f[0] == owner and f[3] == rtype and (covered is None or f[4] == covered):
            return i
    raise SystemExit(f"no {owner} {rtype} {covered}")


B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
nsec, nsec3, short = lines(good_nsec), lines(good_nsec3), lines(short_nsec)

# 1. One bit of one signature flipped (mail A).
ls = list(nsec)
i = find(ls, "mail.example.com.", "RRSIG", "A")
f = fields(ls[i])
sig = f[-1]
c = sig[20]
f[-1] = sig[:20] + B32[B32.index(c) ^ 1] + sig[21:]
ls[i] = "\t".join(f[:5]) + " " + " ".join(f[5:])
write("flipped-signature-bit.zone", ls)

# 2. The NSEC of sip.example.com. (and its RRSIG) removed.
ls = [l for l in nsec if not (fields(l)[:1] == ["sip.example.com."] and
                              (fields(l)[3] == "NSEC" or fields(l)[3:5] == ["RRSIG", "NSEC"]))]
write("missing-nsec.zone", ls)

# 3. One RRSIG (mail A) taken from the short-lived signing: expired at the case's now.
ls = list(nsec)
ls[find(ls, "mail.example.com.", "RRSIG", "A")] = short[find(short, "mail.example.com.", "RRSIG", "A")]
write("expired-rrsig.zone", ls)

# 4. mail's NSEC bitmap claims an AAAA RRset that does not exist.
ls = list(nsec)
i = find(ls, "mail.example.com.", "NSEC")
ls[i] = ls[i].replace(" A RRSIG NSEC", " A AAAA RRSIG NSEC")
write("wrong-nsec-bitmap.zone", ls)

# 5. The good zone, checked against a DS of a key that is not in it (CASES.tsv gives the DS file).
write("ds-mismatch.zone", nsec)

# 6. An RRSIG over glue: sip's A RRSIG copied to the glue name ns.secure.example.com.
ls = list(nsec)
i = find(ls, "sip.example.com.", "RRSIG", "A")
glue = find(ls, "ns.secure.example.com.", "A")
ls.insert(glue + 1, ls[i].replace("sip.example.com.", "ns.secure.example.com.", 1))
write("signed-glue.zone", ls)

# 7. NSEC3 chain broken: the first NSEC3 skips its successor (next hashed owner = the one after).
ls = list(nsec3)
idx = [i for i, l in enumerate(ls) if len(fields(l)) > 3 and fields(l)[3] == "NSEC3"]
owners = sorted((fields(ls[i])[0].split(".")[0].upper(), i) for i in idx)
first = owners[0][1]
f = fields(ls[first])
f[8] = owners[2][0]
ls[first] = "\t".join(f[:4]) + " " + " ".join(f[4:])
write("broken-nsec3-chain.zone", ls)

# 8. NSEC3PARAM says 1 iteration; every NSEC3 was made with 0.
ls = list(nsec3)
i = find(ls, "example.com.", "NSEC3PARAM")
f = fields(ls[i])
f[6] = "1"
ls[i] = "\t".join(f[:4]) + " " + " ".join(f[4:])
write("wrong-nsec3param.zone", ls)

# 9. One NSEC3 (the last in hash order) and its RRSIG removed.
ls = list(nsec3)
gone = fields(ls[owners[-1][1]])[0]
ls = [l for l in ls if fields(l)[:1] != [gone]]
write("missing-nsec3.zone", ls)
