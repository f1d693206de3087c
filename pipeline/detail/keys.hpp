// Internal: choosing keys and adding DNSKEY/CDS/CDNSKEY/NSEC3PARAM records to the zone.
#pragma once

#include "pipeline/detail/writer.hpp"

namespace zk::pipeline::detail {

/// Loads the key directory and decides which keys publish and sign (BIND timing metadata:
/// published when Publish <= now < Delete, signing when Activate <= now < Inactive).
/// Creates and saves a ZSK (the KSK's algorithm) when a KSK has none, unless options.csk.
/// Errc::KeyActionNeeded, with instructions, when there is no usable KSK.
Result<KeyPlan> prepare_keys(const SignOptions& options, NameView origin, Diagnostics& diag,
                             Stats& stats);

/// Adds our DNSKEYs, CDS (SHA-256) and CDNSKEY for the signing KSKs (when cds), and
/// NSEC3PARAM (when nsec3 is enabled) at the apex; sets every apex DNSKEY's TTL to
/// keys.dnskey_ttl. Records are appended: merge them into order afterwards (merge_added).
/// apex is the apex owner of the store. Errc::Crypto from DS digests.
Result<void> add_key_records(ZoneStore& store, const Owner* apex, const KeyPlan& keys, bool cds,
                             const Nsec3Options& nsec3, uint32_t chain_ttl);

/// The DS RRset text ("origin TTL IN DS ...") for the signing KSKs, digest SHA-256.
Result<std::string> ds_text(const ZoneStore& store, const KeyPlan& keys);

}  // namespace zk::pipeline::detail
