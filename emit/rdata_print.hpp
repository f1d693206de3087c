// Wire RDATA -> presentation format.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace zk::emit {

/// Appends the presentation form of valid wire RDATA of the type: the type's own format for
/// known types (names absolute with trailing dot, base64 unbroken, TXT strings quoted with
/// escapes), RFC 3597 "\# len hex" for unknown types or RDATA that does not parse as its type.
/// The output reads back (parser/) to the same wire RDATA.
void rdata_to_text(uint16_t type, std::span<const uint8_t> rdata, std::string& out);
/// The same for a record of class rclass: the formats of that class (rdesc::rdata_desc(type,
/// rclass)), so an IN-specific type in another class prints in generic form.
void rdata_to_text(uint16_t type, std::span<const uint8_t> rdata, std::string& out,
                   uint16_t rclass);

}  // namespace zk::emit
