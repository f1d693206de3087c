#!/usr/bin/env python3
"""zonegen.py: zonekiln's deterministic bench zone generator.

usage: zonegen.py ORIGIN NAMES SEED > zonefile

Writes a master file shaped like a hosting or TLD-like zone, the same shape the project's
published bench figures were measured on (so sizes and timings stay comparable):

  apex      SOA (parenthesised over several lines), NS x2 (one in-zone with glue), MX x2,
            TXT (SPF and a long DKIM-like value)
  wildcards max(3, NAMES / 20000) of them: *.wcN with A, TXT and sometimes MX; every other
            wcN also holds an A itself (else it is an empty non-terminal)
  NAMES     names, each drawn as:
            5 %  a group of 2-5 hosts under grpN (some under sub.grpN): empty non-terminals
            of the rest:
              10 %  delegation: NS x2 (60 % in-zone with glue A, half of those glue AAAA too),
                    half of them signed (DS SHA-256, a quarter also DS SHA-384)
               8 %  CNAME alone (to www or to an outside name)
              82 %  hosts: A (85 %), AAAA (40 %), MX (20 %), TXT (25 %, some long), CAA (5 %),
                    SRV at _svc._proto.NAME (5 %), DKIM TXT at selN._domainkey.NAME (3 %)
  style     $ORIGIN and $TTL, relative owners (3 % written absolute), class IN on about half
            the lines, an explicit TTL on about 10 % of the RRsets (0.2 % above a week); the
            TTLs inside an RRset always agree; record lines come in shuffled order.

The output depends only on the arguments (random.Random(SEED)); a summary goes to stderr.
Only the Python 3 standard library is used.
"""
import random
import sys

B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
CONSONANTS = "bdfghjklmnprstvz"
VOWELS = "aeiou"
WORDS = ("amber", "birch", "cedar", "dune", "ember", "fjord", "grove", "harbor", "iris",
         "jade", "kestrel", "lagoon", "meadow", "nectar")
SERVICES = ("_sip._tcp", "_sip._udp", "_xmpp-client._tcp", "_imaps._tcp")


def base36(n):
    digits = ""
    while True:
        n, r = divmod(n, 36)
        digits = B36[r] + digits
        if n == 0:
            return digits


class Zone:
    """Collects record lines; every draw comes from one seeded generator."""

    def __init__(self, origin, seed):
        self.origin = origin
        self.rng = random.Random(seed)
        self.lines = []
        self.owners = set()
        self.records = 0
        self.count = {"delegations": 0, "ds": 0, "cname": 0, "groups": 0, "wildcards": 0}

    # --- values ------------------------------------------------------------------------------
    def chance(self, p):
        return self.rng.random() < p

    def ipv4(self):
        r = self.rng
        return "%d.%d.%d.%d" % (r.choice((192, 198, 203, 100, 45, 185)), r.randrange(256),
                                r.randrange(256), r.randint(1, 254))

    def ipv6(self):
        r = self.rng
        return "2001:db8:%x:%x::%x" % (r.randrange(0x10000), r.randrange(0x10000),
                                       r.randint(1, 0xffff))

    def hex_digest(self, octets):
        return "".join("%02X" % self.rng.randrange(256) for _ in range(octets))

    def label(self, index):
        """A pronounceable prefix and the name's unique number: never repeats."""
        syllables = self.rng.randint(1, 3)
        prefix = "".join(self.rng.choice(CONSONANTS) + self.rng.choice(VOWELS)
                         for _ in range(syllables))
        return prefix + "-" + base36(index)

    def short_txt(self):
        r = self.rng.random()
        if r < 0.4:
            return '"v=spf1 ip4:%s include:_spf.hoster%d.net ~all"' % (
                self.ipv4(), self.rng.randint(1, 9))
        if r < 0.7:
            token = "".join(self.rng.choice(B64[:62]) for _ in range(43))
            return '"google-site-verification=%s"' % token
        words = (self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 8)))
        return '"%s"' % " ".join(words)

    def long_txt(self):
        """A DKIM-like key: 2-3 character-strings, the first 255 octets long."""
        key = "".join(self.rng.choice(B64) for _ in range(self.rng.choice((300, 392, 600))))
        text = "v=DKIM1; k=rsa; p=" + key
        return " ".join('"%s"' % text[i:i + 255] for i in range(0, len(text), 255))

    def rrset_ttl(self):
        """None (the $TTL default) for about 90 % of the RRsets."""
        r = self.rng.random()
        if r < 0.002:
            return self.rng.choice((864000, 1209600, 2419200))
        if r < 0.10:
            return self.rng.choice((60, 300, 900, 7200, 86400))
        return None

    # --- records -----------------------------------------------------------------------------
    def rrset(self, owner, rtype, rdata, ttl=None):
        """One RRset (one TTL), one line per RDATA, owner relative to the origin."""
        self.owners.add(owner)
        written = owner
        if owner != "@" and self.chance(0.03):
            written = owner + "." + self.origin
        klass = " IN" if self.chance(0.5) else ""
        ttl_text = "" if ttl is None else " %d" % ttl
        for value in rdata:
            self.lines.append("%s%s%s %s %s\n" % (written, ttl_text, klass, rtype, value))
        self.records += len(rdata)

    def apex(self):
        self.owners.add("@")
        self.records += 1  # the SOA, written in the header
        self.rrset("@", "NS", ["ns1", "ns2.hoster-dns.net."], 86400)
        self.rrset("ns1", "A", ["192.0.2.53"])
        self.rrset("ns1", "AAAA", ["2001:db8::53"])
        self.rrset("@", "MX", ["10 mail", "20 mx2.hoster-mail.net."])
        self.rrset("mail", "A", ["192.0.2.25"])
        self.rrset("@", "TXT", ['"v=spf1 mx -all"', self.long_txt()])

    def wildcards(self, names):
        n = max(3, names // 20000)
        self.count["wildcards"] = n
        for k in range(n):
            node = "wc%d" % k
            self.rrset("*." + node, "A", [self.ipv4()])
            self.rrset("*." + node, "TXT", ['"wildcard %d"' % k])
            if self.chance(0.5):
                self.rrset("*." + node, "MX", ["10 mail"])
            if k % 2 == 0:
                self.rrset(node, "A", [self.ipv4()])

    def group(self, size):
        """Hosts below grpN (and sub.grpN): grpN and sub.grpN hold no data themselves."""
        parent = "grp%d" % self.count["groups"]
        self.count["groups"] += 1
        for j in range(size):
            host = ("h%d.sub.%s" if self.chance(0.3) else "h%d.%s") % (j, parent)
            self.rrset(host, "A", [self.ipv4()], self.rrset_ttl())
            if self.chance(0.3):
                self.rrset(host, "AAAA", [self.ipv6()], self.rrset_ttl())

    def delegation(self, name):
        self.count["delegations"] += 1
        ttl = self.rrset_ttl()
        if self.chance(0.6):
            servers = ["ns1." + name, "ns2." + name]
            self.rrset(name, "NS", servers, ttl)
            for server in servers:  # glue
                self.rrset(server, "A", [self.ipv4()])
                if self.chance(0.5):
                    self.rrset(server, "AAAA", [self.ipv6()])
        else:
            provider = self.rng.randint(1, 50)
            self.rrset(name, "NS", ["ns1.dns%d.hoster.net." % provider,
                                    "ns2.dns%d.hoster.net." % provider], ttl)
        if self.chance(0.5):
            self.count["ds"] += 1
            tag = self.rng.randint(1, 65535)
            ds = ["%d 13 2 %s" % (tag, self.hex_digest(32))]
            if self.chance(0.25):
                ds.append("%d 13 4 %s" % (tag, self.hex_digest(48)))
            self.rrset(name, "DS", ds, ttl)

    def alias(self, name):
        self.count["cname"] += 1
        if self.chance(0.5):
            target = "lb%d.cdn-provider.net." % self.rng.randint(1, 999)
        else:
            target = "www"
        self.rrset(name, "CNAME", [target], self.rrset_ttl())

    def host(self, name):
        wrote = False
        if self.chance(0.85):
            self.rrset(name, "A", [self.ipv4() for _ in range(self.rng.choice((1, 1, 1, 2, 3)))],
                       self.rrset_ttl())
            wrote = True
        if self.chance(0.40):
            self.rrset(name, "AAAA", [self.ipv6() for _ in range(self.rng.choice((1, 1, 2)))],
                       self.rrset_ttl())
            wrote = True
        if self.chance(0.20):
            if self.chance(0.5):
                mx = ["10 mx%d.hoster-mail.net." % self.rng.randint(1, 20),
                      "20 mx%d.hoster-mail.net." % self.rng.randint(1, 20)]
            else:
                mx = ["10 mail"]
            self.rrset(name, "MX", mx, self.rrset_ttl())
            wrote = True
        if self.chance(0.25):
            txt = [self.short_txt()]
            if self.chance(0.2):
                txt.append(self.long_txt())
            self.rrset(name, "TXT", txt, self.rrset_ttl())
            wrote = True
        if self.chance(0.05):
            domain = self.origin.rstrip(".")
            self.rrset(name, "CAA", ['0 issue "letsencrypt.org"', '0 iodef "mailto:sec@%s"' % domain],
                       self.rrset_ttl())
            wrote = True
        if self.chance(0.05):
            service = self.rng.choice(SERVICES)
            r = self.rng
            srv = "%d %d %d %s" % (r.randint(0, 20), r.randint(0, 100), r.randint(1, 65535), name)
            self.rrset("%s.%s" % (service, name), "SRV", [srv], self.rrset_ttl())
        if self.chance(0.03):
            selector = "sel%d._domainkey.%s" % (self.rng.randint(1, 3), name)
            self.rrset(selector, "TXT", [self.long_txt()], self.rrset_ttl())
        if not wrote:
            self.rrset(name, "A", [self.ipv4()], self.rrset_ttl())

    def names(self, total):
        made = 0
        while made < total:
            if self.chance(0.05):
                size = min(self.rng.randint(2, 5), total - made)
                self.group(size)
                made += size
                continue
            name = self.label(made)
            made += 1
            kind = self.rng.random()
            if kind < 0.10:
                self.delegation(name)
            elif kind < 0.18:
                self.alias(name)
            else:
                self.host(name)
        self.rrset("www", "A", ["192.0.2.80"])

    # --- output ------------------------------------------------------------------------------
    def header(self, names, seed):
        o = self.origin
        return ("; zonekiln bench zone: bench/zonegen.py %s %d %d\n" % (o, names, seed) +
                "$ORIGIN %s\n$TTL 3600\n" % o +
                "@ 86400 IN SOA ns1.%s hostmaster.%s (\n" % (o, o) +
                "\t\t2024010101 ; serial\n\t\t7200 ; refresh\n\t\t3600 ; retry\n"
                "\t\t1209600 ; expire\n\t\t3600 ) ; minimum\n")

    def write(self, out, names, seed):
        self.rng.shuffle(self.lines)
        out.write(self.header(names, seed))
        out.writelines(self.lines)
        out.flush()

    def summary(self, names, seed):
        c = self.count
        return ("zonegen: origin=%s names=%d seed=%d rr=%d owners=%d delegations=%d ds=%d "
                "cname=%d wildcards=%d groups=%d\n" %
                (self.origin, names, seed, self.records, len(self.owners), c["delegations"],
                 c["ds"], c["cname"], c["wildcards"], c["groups"]))


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    try:
        names, seed = int(argv[2]), int(argv[3])
    except ValueError:
        sys.stderr.write("zonegen: NAMES and SEED must be integers\n")
        return 2
    if names < 0:
        sys.stderr.write("zonegen: NAMES must not be negative\n")
        return 2
    origin = argv[1] if argv[1].endswith(".") else argv[1] + "."
    zone = Zone(origin, seed)
    zone.apex()
    zone.wildcards(names)
    zone.names(names)
    zone.write(sys.stdout, names, seed)
    sys.stderr.write(zone.summary(names, seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
