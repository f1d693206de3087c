# Sourced by the bench scripts: the Knot configuration kzonesign signs a bench zone with, the
# same algorithm as zonekiln's default (ECDSAP256SHA256), NSEC, signatures valid long enough that
# none is refreshed during a run.
#   knot_conf STORAGE ORIGIN > knot.conf   (the zone file is STORAGE/ORIGIN.zone, without the dot)
knot_conf() {
  cat <<CONF
database:
  storage: "$1"
policy:
  - id: bench
    algorithm: ecdsap256sha256
    nsec3: off
    rrsig-lifetime: 180d
    rrsig-refresh: 90d
template:
  - id: default
    storage: "$1"
    file: "%s.zone"
    dnssec-signing: on
    dnssec-policy: bench
zone:
  - domain: $2
CONF
}
