#include "dns/name.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dns/zone.hpp"

namespace {

zk::Name origin_of(const char* text) {
  zk::Name n;
  REQUIRE(zk::name_from_text(text, {}, n));
  return n;
}

std::string wire_hex(zk::NameView v) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (uint16_t i = 0; i < v.len; ++i) {
    s.push_back(d[v.data[i] >> 4]);
    s.push_back(d[v.data[i] & 15]);
  }
  return s;
}

int sign(int v) { return (v > 0) - (v < 0); }

}  // namespace

TEST_CASE("name_from_text reads escapes, origin and limits", "[dns]") {
  const zk::Name origin = origin_of("example.");
  struct Row {
    const char* text;
    const char* hex;  // nullptr = rejected
    zk::Errc code = zk::Errc::BadName;
  };
  const std::string l63(63, 'a'), l64(64, 'a');
  const std::string n255 = l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b') + ".";
  const std::string n256 = l63 + "." + l63 + "." + l63 + "." + std::string(62, 'b') + ".";
  // 3 * 64 + 1 + 53 octets, + 9 for "example." = 255
  const std::string rel255 = l63 + "." + l63 + "." + l63 + "." + std::string(53, 'b');
  const std::string rel256 = rel255 + "b";
  const Row rows[] = {
      {".", "00"},
      {"@", "076578616D706C6500"},
      {"www", "03777777076578616D706C6500"},
      {"WWW.Example.", "03575757074578616D706C6500"},
      {"a\\.b.", "03612E6200"},
      {"\\065.", "014100"},
      {"\\000\\001.", "02000100"},
      {"\\255.", "01FF00"},
      {"a\\ b.", "0361206200"},
      {"\\@.", "014000"},
      {"\\\\.", "015C00"},
      {"*.", "012A00"},
      {"_srv._tcp.", "045F737276045F74637000"},
      {"a/b-c.", "05612F622D6300"},
      {"a..", nullptr},
      {"..", nullptr},
      {".a.", nullptr},
      {"a\\", nullptr},
      {"\\1.", nullptr},
      {"\\12.", nullptr},
      {"\\256.", nullptr},
      {"", nullptr},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    zk::Name n;
    const auto r = zk::name_from_text(row.text, origin, n);
    if (row.hex == nullptr) {
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == row.code);
    } else {
      REQUIRE(r.has_value());
      CHECK(wire_hex(n) == row.hex);
    }
  }
  struct Limit {
    std::string text;
    bool ok;
    zk::Errc code;
  };
  const Limit limits[] = {
      {l63 + ".", true, {}}, {l64 + ".", false, zk::Errc::LabelTooLong},
      {n255, true, {}},      {n256, false, zk::Errc::NameTooLong},
      {rel255, true, {}},    {rel256, false, zk::Errc::NameTooLong},
  };
  for (const Limit& l : limits) {
    INFO(l.text.size());
    zk::Name n;
    const auto r = zk::name_from_text(l.text, origin, n);
    CHECK(r.has_value() == l.ok);
    if (!l.ok && !r.has_value()) CHECK(r.error().code == l.code);
    if (l.ok && r.has_value()) CHECK(n.size() <= zk::kMaxNameLen);
  }
  zk::Name n;
  CHECK_FALSE(zk::name_from_text("relative", {}, n).has_value());
  CHECK_FALSE(zk::name_from_text("@", {}, n).has_value());
}

TEST_CASE("names hold every octet but the delimiters unescaped and Strict is Knot's rule",
          "[dns]") {
  const zk::Name origin = origin_of("example.");
  for (const char* t : {"#", "%", "&", "^", "[", "]", "?", "test#%&^[]?", "a,b", "a@b", "@a", "a=b",
                        "c!d", "h\xC3\xA9llo", "\xFF", "t\x01u", "\x7F"}) {
    INFO(t);
    zk::Name n;
    CHECK_FALSE(zk::name_from_text(t, origin, n, zk::NameSyntax::Strict).has_value());
    CHECK(zk::name_from_text(t, origin, n, zk::NameSyntax::Lenient).has_value());
    zk::Name d;
    REQUIRE(zk::name_from_text(t, origin, d).has_value());  // the default is Lenient
    CHECK(wire_hex(d) == wire_hex(n));
    // The printed form reads back under the strict syntax too.
    zk::Name back;
    REQUIRE(zk::name_from_text(zk::name_to_string(n), {}, back, zk::NameSyntax::Strict));
    CHECK(wire_hex(back) == wire_hex(n));
  }
  zk::Name n;
  CHECK_FALSE(zk::name_from_text("a\"b", origin, n, zk::NameSyntax::Lenient).has_value());
  CHECK_FALSE(zk::name_from_text("a(b", origin, n, zk::NameSyntax::Lenient).has_value());
  CHECK_FALSE(zk::name_from_text("a;b", origin, n, zk::NameSyntax::Lenient).has_value());
  CHECK_FALSE(zk::name_from_text("a b", origin, n, zk::NameSyntax::Lenient).has_value());
  CHECK_FALSE(zk::name_from_text(std::string_view("a\0b", 3), origin, n).has_value());
  // Only a name that is exactly "@" is the origin.
  REQUIRE(zk::name_from_text("@", origin, n));
  CHECK(wire_hex(n) == wire_hex(origin));
  REQUIRE(zk::name_from_text("a@b", origin, n));
  CHECK(wire_hex(n) == "03614062076578616D706C6500");
  // Printing: \X for printable specials (reads back in Knot too), \DDD for the rest.
  CHECK(zk::name_to_string(n) == "a\\@b.example.");
  REQUIRE(zk::name_from_text("a=b.h\xC3\xA9.", {}, n));
  CHECK(zk::name_to_string(n) == "a\\=b.h\\195\\169.");
}

TEST_CASE("name_to_text escapes and round-trips every octet", "[dns]") {
  for (unsigned c = 0; c < 256; ++c) {
    uint8_t wire[] = {1, static_cast<uint8_t>(c), 0};
    const std::string text = zk::name_to_string({wire, 3});
    INFO(c << " -> " << text);
    zk::Name back;
    REQUIRE(zk::name_from_text(text, {}, back).has_value());
    CHECK(back.size() == 3);
    CHECK(back.data()[1] == c);
  }
  const zk::Name n = origin_of("A\\.b\\000c.\\\"q.");
  CHECK(zk::name_to_string(n) == "A\\.b\\000c.\\\"q.");
  CHECK(zk::name_to_string(origin_of(".")) == ".");
}

TEST_CASE("NameView helpers", "[dns]") {
  const zk::Name n = origin_of("*.www.Example.");
  CHECK(n.view().label_count() == 3);
  CHECK(n.view().is_wildcard());
  CHECK(zk::name_to_string(n.view().parent()) == "www.Example.");
  CHECK(zk::name_to_string(n.view().suffix(1)) == "Example.");
  CHECK(zk::name_to_string(n.view().suffix(0)) == ".");
  CHECK(origin_of(".").view().parent().is_root());
  CHECK(zk::name_equal(origin_of("WWW.example."), origin_of("www.EXAMPLE.")));
  CHECK_FALSE(zk::name_equal(origin_of("www.example."), origin_of("ww.example.")));
  CHECK(zk::is_subdomain(origin_of("a.b.Example."), origin_of("example.")));
  CHECK(zk::is_subdomain(origin_of("example."), origin_of("example.")));
  CHECK(zk::is_subdomain(origin_of("example."), origin_of(".")));
  CHECK_FALSE(zk::is_subdomain(origin_of("aexample."), origin_of("example.")));
  CHECK_FALSE(zk::is_subdomain(origin_of("example."), origin_of("a.example.")));
  zk::Name lower = origin_of("WwW.ExAmPle.");
  lower.to_lower();
  CHECK(zk::name_to_string(lower) == "www.example.");
  uint16_t len = 0;
  const uint8_t ok[] = {1, 'a', 0, 0xAA};
  CHECK(zk::wire_name_length(ok, sizeof ok, &len));
  CHECK(len == 3);
  const uint8_t ptr[] = {0xC0, 0x0C};
  CHECK_FALSE(zk::wire_name_length(ptr, sizeof ptr, &len));
  const uint8_t cut[] = {3, 'a', 'b'};
  CHECK_FALSE(zk::wire_name_length(cut, sizeof cut, &len));
}

TEST_CASE("canonical order: RFC 4034 s6.1 example", "[dns]") {
  const char* ordered[] = {"example.",         "a.example.",      "yljkjljk.a.example.",
                           "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
                           "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    INFO(ordered[i] << " < " << ordered[i + 1]);
    CHECK(zk::canonical_compare(origin_of(ordered[i]), origin_of(ordered[i + 1])) < 0);
    CHECK(zk::canonical_compare(origin_of(ordered[i + 1]), origin_of(ordered[i])) > 0);
  }
  CHECK(zk::canonical_compare(origin_of("A.example."), origin_of("a.EXAMPLE.")) == 0);
}

TEST_CASE("canonical_key orders exactly like canonical_compare", "[dns]") {
  // Deterministic names built from a small alphabet that stresses the key's escaping:
  // 0x00, 0x01, 0x02, case pairs, high octets; short labels so prefixes collide often.
  const uint8_t alphabet[] = {0x00, 0x01, 0x02, 'A', 'a', 'B', 'b', '-', 0x7F, 0x80, 0xFF};
  std::mt19937 rng(20240101);
  std::vector<zk::Name> names;
  for (int i = 0; i < 600; ++i) {
    uint8_t buf[zk::kMaxNameLen];
    size_t o = 0;
    const int labels = static_cast<int>(rng() % 4);
    for (int l = 0; l < labels; ++l) {
      const int len = 1 + static_cast<int>(rng() % 3);
      buf[o++] = static_cast<uint8_t>(len);
      for (int k = 0; k < len; ++k) buf[o++] = alphabet[rng() % std::size(alphabet)];
    }
    buf[o++] = 0;
    names.emplace_back(zk::NameView{buf, static_cast<uint16_t>(o)});
  }
  // Long names near the limits too.
  uint8_t big[zk::kMaxNameLen];
  size_t o = 0;
  while (o + 64 < zk::kMaxNameLen) {
    big[o++] = 63;
    for (int k = 0; k < 63; ++k) big[o++] = static_cast<uint8_t>(k % 3);
  }
  big[o++] = 0;
  names.emplace_back(zk::NameView{big, static_cast<uint16_t>(o)});

  uint8_t ka[zk::kMaxCanonicalKeyLen], kb[zk::kMaxCanonicalKeyLen];
  for (size_t i = 0; i < names.size(); ++i) {
    const size_t la = zk::canonical_key(names[i], ka);
    REQUIRE(la <= zk::kMaxCanonicalKeyLen);
    for (size_t j = 0; j < names.size(); ++j) {
      const size_t lb = zk::canonical_key(names[j], kb);
      const int by_compare = sign(zk::canonical_compare(names[i], names[j]));
      const int by_key = sign(zk::key_compare(ka, la, kb, lb));
      if (by_compare != by_key) {
        FAIL("order differs for " << zk::name_to_string(names[i]) << " and "
                                  << zk::name_to_string(names[j]));
      }
    }
  }
  SUCCEED();
}

namespace {

// name_from_text as it was before it read runs of plain bytes at once (byte by byte): the
// reference the run-based reader is checked against, error code for error code.
zk::Result<void> reference_name_from_text(std::string_view text, zk::NameView origin, zk::Name& out,
                                          zk::NameSyntax syntax) {
  using zk::Errc;
  using zk::fail;
  auto plain = [](uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '/' || c == '*';
  };
  auto lenient = [](uint8_t c) {
    return c != 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '"' && c != '(' &&
           c != ')' && c != ';';
  };
  if (text.empty()) return fail(Errc::BadName, "");
  if (text == "@") {
    if (origin.len == 0) return fail(Errc::BadName, "");
    out.assign(origin);
    return zk::ok();
  }
  if (text == ".") {
    out.set_root();
    return zk::ok();
  }
  uint8_t* buf = out.data();
  size_t o = 1, label_start = 0;
  buf[0] = 0;
  bool absolute = false;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = static_cast<uint8_t>(text[i]);
    if (c == '.') {
      const size_t llen = o - label_start - 1;
      if (llen == 0) return fail(Errc::BadName, "");
      buf[label_start] = static_cast<uint8_t>(llen);
      if (i + 1 == n) {
        absolute = true;
        break;
      }
      label_start = o;
      if (o >= zk::kMaxNameLen) return fail(Errc::NameTooLong, "");
      buf[o++] = 0;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= n) return fail(Errc::BadName, "");
      const char d0 = text[i + 1];
      if (d0 >= '0' && d0 <= '9') {
        if (i + 3 >= n || !(text[i + 2] >= '0' && text[i + 2] <= '9') ||
            !(text[i + 3] >= '0' && text[i + 3] <= '9')) {
          return fail(Errc::BadName, "");
        }
        const unsigned v = (d0 - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return fail(Errc::BadName, "");
        c = static_cast<uint8_t>(v);
        i += 3;
      } else {
        c = static_cast<uint8_t>(d0);
        i += 1;
      }
    } else if (!plain(c) && (syntax == zk::NameSyntax::Strict || !lenient(c))) {
      return fail(Errc::BadName, "");
    }
    if (o - label_start > zk::kMaxLabelLen) return fail(Errc::LabelTooLong, "");
    if (o >= zk::kMaxNameLen) return fail(Errc::NameTooLong, "");
    buf[o++] = c;
  }
  if (!absolute) {
    const size_t llen = o - label_start - 1;
    if (llen == 0) return fail(Errc::BadName, "");
    buf[label_start] = static_cast<uint8_t>(llen);
    if (origin.len == 0) return fail(Errc::BadName, "");
    if (o + origin.len > zk::kMaxNameLen) return fail(Errc::NameTooLong, "");
    std::memcpy(buf + o, origin.data, origin.len);
    o += origin.len;
  } else {
    if (o + 1 > zk::kMaxNameLen) return fail(Errc::NameTooLong, "");
    buf[o++] = 0;
  }
  out.set_size(static_cast<uint16_t>(o));
  return zk::ok();
}

}  // namespace

TEST_CASE("name_from_text agrees with the byte-by-byte reader on random names", "[dns]") {
  const zk::Name origin = origin_of("example.test.");
  std::mt19937_64 rng(20261207);
  const std::vector<std::string> pieces = {"a",
                                           "www",
                                           "Mail-1",
                                           "_tcp",
                                           "*",
                                           "/",
                                           ".",
                                           ".",
                                           "..",
                                           "\\.",
                                           "\\065",
                                           "\\256",
                                           "\\06",
                                           "\\",
                                           " ",
                                           "(",
                                           "\"",
                                           ";",
                                           "\xc3\xa9",
                                           "\x80",
                                           std::string(1, '\0'),
                                           "@",
                                           "!",
                                           "=",
                                           std::string(20, 'x'),
                                           std::string(40, 'y'),
                                           std::string(63, 'z'),
                                           std::string(64, 'q')};
  size_t good = 0, too_long = 0;
  for (int round = 0; round < 30000; ++round) {
    std::string text;
    const size_t parts = 1 + rng() % 16;
    for (size_t i = 0; i < parts; ++i) text += pieces[rng() % pieces.size()];
    for (auto syntax : {zk::NameSyntax::Lenient, zk::NameSyntax::Strict}) {
      for (const zk::NameView o : {origin.view(), zk::NameView{}}) {
        zk::Name a, b;
        const auto ra = zk::name_from_text(text, o, a, syntax);
        const auto rb = reference_name_from_text(text, o, b, syntax);
        INFO("name: [" << text << "]");
        REQUIRE(bool(ra) == bool(rb));
        if (ra) {
          ++good;
          REQUIRE(a.view().len == b.view().len);
          CHECK(std::memcmp(a.view().data, b.view().data, a.view().len) == 0);
        } else {
          CHECK(ra.error().code == rb.error().code);
          too_long +=
              ra.error().code == zk::Errc::LabelTooLong || ra.error().code == zk::Errc::NameTooLong;
        }
      }
    }
  }
  CHECK(good > 5000);
  CHECK(too_long > 1000);
}

TEST_CASE("make_owner: lowercased wire name and canonical key, escaped octets too", "[dns]") {
  std::mt19937_64 rng(7);
  zk::Arena arena;
  for (int round = 0; round < 5000; ++round) {
    uint8_t wire[zk::kMaxNameLen];
    size_t len = 0;
    const size_t labels = rng() % 6;
    for (size_t l = 0; l < labels; ++l) {
      const size_t ll = 1 + rng() % 12;
      wire[len++] = static_cast<uint8_t>(ll);
      for (size_t k = 0; k < ll; ++k) {
        const uint8_t pick[] = {0, 1, 2, 'A', 'z', 'Q', '-', 0x80, 0xff, '0'};
        wire[len++] = pick[rng() % sizeof pick];
      }
    }
    wire[len++] = 0;
    const zk::NameView name{wire, static_cast<uint16_t>(len)};
    const zk::Owner* o = zk::make_owner(arena, name);
    uint8_t key[zk::kMaxCanonicalKeyLen];
    const size_t key_len = zk::canonical_key(name, key);
    REQUIRE(o->key_len == key_len);
    CHECK(std::memcmp(o->key(), key, key_len) == 0);
    REQUIRE(o->wire_len == len);
    for (size_t i = 0; i < len; ++i) CHECK(o->wire()[i] == zk::ascii_lower(wire[i]));
  }
}
