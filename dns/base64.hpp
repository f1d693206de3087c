#pragma once
// Base64 (RFC 4648 s4, the alphabet DNS presentation format uses: RFC 4034 s2.2, s3.2): the one
// encoder and the one decoder of the project. The zone reader, the key files, the state file and
// the text writer all use these.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/result.hpp"

namespace zk {

/// Appends the base64 text of n octets at p to out (padded with '=').
void base64_append(std::string& out, const uint8_t* p, size_t n);

/// The base64 text of data.
std::string base64_encode(std::span<const uint8_t> data);

/// Base64 given as one or more tokens (zone files split it over lines of any length: BIND and
/// PowerDNS do). A token may not start with '=' (so Knot's "AA ==" stays an error) and nothing may
/// follow the padding. Call feed() per token, then finish(). Errors: Errc::BadBase64 saying what
/// is wrong, Errc::RdataTooLong when cap is exceeded.
class Base64Stream {
 public:
  /// Decodes one token into out (room for cap) and returns the octets written.
  Result<size_t> feed(std::string_view t, uint8_t* out, size_t cap);
  /// Fails when the data does not end on a 4-character boundary.
  Result<void> finish() const;

 private:
  uint32_t acc_ = 0;
  unsigned have_ = 0;  // characters of the current quartet
  unsigned pad_ = 0;
  bool done_ = false;  // padding seen: no more data
};

/// Decodes text whose tokens are separated by blanks or line breaks (key files, the state file)
/// and appends the octets to out. The buffer is reserved once, so no partial copy of a secret is
/// left behind by a reallocation. false when the text is not base64.
bool base64_decode(std::string_view text, std::vector<uint8_t>& out);

/// The same, as a value: nullopt when the text is not base64.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);

}  // namespace zk
