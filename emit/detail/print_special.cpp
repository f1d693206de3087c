#include "emit/detail/print_special.hpp"

#include <cstring>

#include "dns/base64.hpp"
#include "dns/name.hpp"
#include "emit/detail/text_out.hpp"

namespace zk::emit::detail {

using zk::rdesc::Field;
using zk::rdesc::get16;
using zk::rdesc::get32;

namespace {

void put_name_at(std::string& out, const uint8_t* p, size_t n) {
  uint16_t len = 0;
  if (wire_name_length(p, n, &len)) name_to_text({p, len}, out);
}

// Gateway/relay of IPSECKEY and AMTRELAY; returns its length.
size_t put_gateway(std::string& out, unsigned kind, const uint8_t* p, size_t n) {
  switch (kind) {
    case 0:
      out.push_back('.');
      return 0;
    case 1:
      put_ipv4(out, p);
      return 4;
    case 2:
      put_ipv6(out, p);
      return 16;
    default: {
      uint16_t len = 0;
      wire_name_length(p, n, &len);
      name_to_text({p, len}, out);
      return len;
    }
  }
}

// RFC 1876 size: mantissa * 10^exponent centimetres, printed in metres as BIND does.
void put_loc_size(std::string& out, uint8_t v) {
  const uint32_t mant = v >> 4, exp = v & 0x0f;
  if (exp >= 2) {
    uint32_t m = mant;
    for (uint32_t i = 2; i < exp; ++i) m *= 10;
    put_u32(out, m);
  } else {
    out.append("0.");
    const uint32_t cm = exp == 1 ? mant * 10 : mant;
    out.push_back(static_cast<char>('0' + cm / 10));
    out.push_back(static_cast<char>('0' + cm % 10));
  }
  out.push_back('m');
}

void put_coord(std::string& out, uint32_t wire, char pos, char neg) {
  const int64_t v = static_cast<int64_t>(wire) - (int64_t{1} << 31);
  const char hemi = v < 0 ? neg : pos;
  uint64_t ms = static_cast<uint64_t>(v < 0 ? -v : v);
  put_u32(out, static_cast<uint32_t>(ms / 3600000));
  ms %= 3600000;
  out.push_back(' ');
  put_u32(out, static_cast<uint32_t>(ms / 60000));
  ms %= 60000;
  out.push_back(' ');
  put_u32(out, static_cast<uint32_t>(ms / 1000));
  out.push_back('.');
  const uint32_t frac = static_cast<uint32_t>(ms % 1000);
  out.push_back(static_cast<char>('0' + frac / 100));
  out.push_back(static_cast<char>('0' + frac / 10 % 10));
  out.push_back(static_cast<char>('0' + frac % 10));
  out.push_back(' ');
  out.push_back(hemi);
}

void put_key(std::string& out, uint16_t key) {
  if (const char* m = zk::rdesc::svc_key_mnemonic(key)) {
    out.append(m);
  } else {
    out.append("key");
    put_u32(out, key);
  }
}

// One alpn id inside a quoted value: RFC 9460 A.1 list escapes ("\," "\\") and then the
// character-string escapes on top, so ',' becomes \\, and '\' becomes \\\\.
void put_alpn_id(std::string& out, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const uint8_t c = p[i];
    if (c == ',') {
      out.append("\\\\,");
    } else if (c == '\\') {
      out.append("\\\\\\\\");
    } else {
      put_escaped(out, &c, 1);
    }
  }
}

}  // namespace

bool print_ok(Field f, const uint8_t* p, size_t n) noexcept {
  switch (f) {
    case Field::Hash32:
      return p[0] != 0;
    case Field::Loc:
      // A size with mantissa 0 and a non-zero exponent reads back as 0x00.
      for (int i = 1; i <= 3; ++i) {
        if ((p[i] >> 4) == 0 && (p[i] & 0x0f) != 0) return false;
      }
      return true;
    case Field::Wks:
      return n == 5 || p[n - 1] != 0;
    case Field::Ipseckey: {
      // RFC 4025 s2.4: algorithm 0 goes with no key, others need one (the reader insists).
      size_t g = 0;
      if (p[1] == 1) g = 4;
      if (p[1] == 2) g = 16;
      if (p[1] == 3) {
        uint16_t len = 0;
        wire_name_length(p + 3, n - 3, &len);
        g = len;
      }
      const bool has_key = 3 + g < n;
      return (p[2] == 0) != has_key;
    }
    case Field::SvcParams:
      // oots transports are printed bare between ':' and ','; anything else goes generic.
      for (size_t i = 0; i < n;) {
        const uint16_t key = get16(p + i), len = get16(p + i + 2);
        const uint8_t* v = p + i + 4;
        for (size_t k = 0; key == 12 && k < len; k += 2 + v[k]) {
          for (size_t j = 1; j <= v[k]; ++j) {
            const uint8_t c = v[k + j];
            if (c <= 0x20 || c >= 0x7f || c == ',' || c == ':' || c == '"' || c == '\\')
              return false;
          }
        }
        i += 4 + size_t{len};
      }
      return true;
    default:
      return true;
  }
}

void print_wks(std::string& out, const uint8_t* p, size_t n) {
  put_ipv4(out, p);
  out.push_back(' ');
  put_u32(out, p[4]);
  for (size_t i = 5; i < n; ++i) {
    for (unsigned b = 0; b < 8; ++b) {
      if (p[i] & (0x80 >> b)) {
        out.push_back(' ');
        put_u32(out, static_cast<uint32_t>((i - 5) * 8 + b));
      }
    }
  }
}

void print_loc(std::string& out, const uint8_t* p, size_t n) {
  put_coord(out, get32(p + 4), 'N', 'S');
  out.push_back(' ');
  put_coord(out, get32(p + 8), 'E', 'W');
  out.push_back(' ');
  const int64_t alt = static_cast<int64_t>(get32(p + 12)) - 10000000;
  const uint64_t a = static_cast<uint64_t>(alt < 0 ? -alt : alt);
  if (alt < 0) out.push_back('-');
  put_u32(out, static_cast<uint32_t>(a / 100));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + a % 100 / 10));
  out.push_back(static_cast<char>('0' + a % 10));
  out.push_back('m');
  for (int i = 1; i <= 3; ++i) {
    out.push_back(' ');
    put_loc_size(out, p[i]);
  }
}

void print_apl(std::string& out, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n;) {
    const uint16_t family = get16(p + i);
    const unsigned prefix = p[i + 2], afdlen = p[i + 3] & 0x7f;
    if (i != 0) out.push_back(' ');
    if (p[i + 3] & 0x80) out.push_back('!');
    put_u32(out, family);
    out.push_back(':');
    uint8_t addr[16] = {};
    std::memcpy(addr, p + i + 4, afdlen);
    if (family == 1) {
      put_ipv4(out, addr);
    } else {
      put_ipv6(out, addr);
    }
    out.push_back('/');
    put_u32(out, prefix);
    i += 4 + afdlen;
  }
}

void print_a6(std::string& out, const uint8_t* p, size_t n) {
  const unsigned prefix = p[0];
  const size_t suffix = (128 - prefix + 7) / 8;
  put_u32(out, prefix);
  if (suffix > 0) {
    uint8_t addr[16] = {};
    std::memcpy(addr + 16 - suffix, p + 1, suffix);
    out.push_back(' ');
    put_ipv6(out, addr);
  }
  if (prefix > 0) {
    out.push_back(' ');
    put_name_at(out, p + 1 + suffix, n - 1 - suffix);
  }
}

void print_ipseckey(std::string& out, const uint8_t* p, size_t n) {
  put_u32(out, p[0]);
  out.push_back(' ');
  put_u32(out, p[1]);
  out.push_back(' ');
  put_u32(out, p[2]);
  out.push_back(' ');
  const size_t g = put_gateway(out, p[1], p + 3, n - 3);
  if (3 + g < n) {
    out.push_back(' ');
    base64_append(out, p + 3 + g, n - 3 - g);
  }
}

void print_hip(std::string& out, const uint8_t* p, size_t n) {
  const size_t hit = p[0], pk = get16(p + 2);
  put_u32(out, p[1]);
  out.push_back(' ');
  put_hex(out, p + 4, hit);
  out.push_back(' ');
  base64_append(out, p + 4 + hit, pk);
  for (size_t i = 4 + hit + pk; i < n;) {
    uint16_t len = 0;
    wire_name_length(p + i, n - i, &len);
    out.push_back(' ');
    name_to_text({p + i, len}, out);
    i += len;
  }
}

void print_caa(std::string& out, const uint8_t* p, size_t n) {
  put_u32(out, p[0]);
  out.push_back(' ');
  const size_t tag = p[1];
  if (tag == 0) {
    out.append("\"\"");
  } else {
    out.append(reinterpret_cast<const char*>(p + 2), tag);
  }
  out.push_back(' ');
  put_quoted(out, p + 2 + tag, n - 2 - tag);
}

void print_amtrelay(std::string& out, const uint8_t* p, size_t n) {
  put_u32(out, p[0]);
  out.push_back(' ');
  out.push_back(p[1] & 0x80 ? '1' : '0');
  out.push_back(' ');
  put_u32(out, p[1] & 0x7f);
  out.push_back(' ');
  put_gateway(out, p[1] & 0x7f, p + 2, n - 2);
}

void print_atma(std::string& out, const uint8_t* p, size_t n) {
  if (p[0] == 1) {
    out.push_back('+');
    out.append(reinterpret_cast<const char*>(p + 1), n - 1);
  } else {
    put_hex_lower(out, p + 1, n - 1);
  }
}

void print_svc_params(std::string& out, const uint8_t* p, size_t n) {
  bool first = true;
  for (size_t i = 0; i < n;) {
    const uint16_t key = get16(p + i), len = get16(p + i + 2);
    const uint8_t* v = p + i + 4;
    i += 4 + size_t{len};
    if (!first) out.push_back(' ');
    first = false;
    if (key == 7 && len == 0) {
      out.append("key7");  // "dohpath" alone does not read back
      continue;
    }
    put_key(out, key);
    switch (key) {
      case 0:
        out.push_back('=');
        for (size_t k = 0; k < len; k += 2) {
          if (k) out.push_back(',');
          put_key(out, get16(v + k));
        }
        break;
      case 10:
        if (len == 0) break;
        [[fallthrough]];
      case 1:
        out.append("=\"");
        for (size_t k = 0; k < len; k += 1 + size_t{v[k]}) {
          if (k) out.push_back(',');
          put_alpn_id(out, v + k + 1, v[k]);
        }
        out.push_back('"');
        break;
      case 2:
      case 8:
      case 11:
        break;
      case 9:
        out.push_back('=');
        for (size_t k = 0; k < len; k += 2) {
          if (k) out.push_back(',');
          put_u32(out, get16(v + k));
        }
        break;
      case 12:
        out.append("=\"");
        for (size_t k = 0; k < len; k += 2 + size_t{v[k]}) {
          if (k) out.push_back(',');
          out.append(reinterpret_cast<const char*>(v + k + 1), v[k]);
          out.push_back(':');
          put_u32(out, v[k + 1 + v[k]]);
        }
        out.push_back('"');
        break;
      case 3:
        out.push_back('=');
        put_u32(out, get16(v));
        break;
      case 4:
        out.push_back('=');
        for (size_t k = 0; k < len; k += 4) {
          if (k) out.push_back(',');
          put_ipv4(out, v + k);
        }
        break;
      case 5:
        if (len == 0) break;
        out.push_back('=');
        base64_append(out, v, len);
        break;
      case 6:
        out.push_back('=');
        for (size_t k = 0; k < len; k += 16) {
          if (k) out.push_back(',');
          put_ipv6(out, v + k);
        }
        break;
      default:
        if (len > 0) {
          out.push_back('=');
          put_quoted(out, v, len);
        }
        break;
    }
  }
}

}  // namespace zk::emit::detail
