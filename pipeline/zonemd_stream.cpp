// ZONEMD digest made while the zone is written (see pipeline/detail/zonemd_stream.hpp).
#include "pipeline/detail/zonemd_stream.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <string>

#include "dns/zone.hpp"
#include "pipeline/detail/openssl_util.hpp"
#include "pipeline/zonemd.hpp"

namespace zk::pipeline::detail {

namespace {

// One RR inside a block's wire: its type and RDATA, for sorting.
struct WireRR {
  const uint8_t* begin;
  uint32_t len;
  uint16_t type;
  std::span<const uint8_t> rdata;
};

bool wire_less(const WireRR& a, const WireRR& b) noexcept {
  if (a.type != b.type) return a.type < b.type;
  return key_compare(a.rdata.data(), a.rdata.size(), b.rdata.data(), b.rdata.size()) < 0;
}

// The RRs of a block (all with the block's owner of name_len octets).
void split_block(const DigestRun& run, const DigestRun::Block& b, std::vector<WireRR>& out) {
  const uint8_t* p = run.wire.data() + b.begin;
  const uint8_t* end = run.wire.data() + b.end;
  while (p < end) {
    const uint8_t* f = p + b.name_len;
    const uint16_t type = static_cast<uint16_t>((f[0] << 8) | f[1]);
    const uint16_t rdlen = static_cast<uint16_t>((f[8] << 8) | f[9]);
    const uint32_t len = b.name_len + 10u + rdlen;
    out.push_back({p, len, type, {f + 10, rdlen}});
    p += len;
  }
}

constexpr size_t kFlushAt = 256 * 1024;  // one OpenSSL update per RR costs more than hashing

}  // namespace

struct ZonemdDigester::Ctx {
  MdCtxPtr md;
};

void OwnerDigest::add(uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata) {
  entries_.push_back(
      {static_cast<uint32_t>(bytes_.size()), ttl, type, static_cast<uint16_t>(rdata.size())});
  bytes_.insert(bytes_.end(), rdata.begin(), rdata.end());
}

void OwnerDigest::flush(NameView owner, uint16_t rclass, DigestRun& run) {
  if (entries_.empty()) return;
  const uint8_t* base = bytes_.data();
  std::sort(entries_.begin(), entries_.end(), [base](const Entry& a, const Entry& b) {
    if (a.type != b.type) return a.type < b.type;
    return key_compare(base + a.offset, a.len, base + b.offset, b.len) < 0;
  });
  auto& w = run.wire;
  const uint32_t begin = static_cast<uint32_t>(w.size());
  for (const Entry& e : entries_) {
    w.insert(w.end(), owner.data, owner.data + owner.len);
    put16(w, e.type);
    put16(w, rclass);
    put32(w, e.ttl);
    put16(w, e.len);
    w.insert(w.end(), base + e.offset, base + e.offset + e.len);
  }
  run.blocks.push_back({begin, static_cast<uint32_t>(w.size()), owner.len});
  entries_.clear();
  bytes_.clear();
}

ZonemdDigester::~ZonemdDigester() = default;

Result<std::unique_ptr<ZonemdDigester>> ZonemdDigester::start(uint8_t hash, unsigned streams) {
  const EVP_MD* md = hash == zonemd::kSha384   ? EVP_sha384()
                     : hash == zonemd::kSha512 ? EVP_sha512()
                                               : nullptr;
  if (md == nullptr) {
    return fail(Errc::Usage, "unsupported ZONEMD hash algorithm " + std::to_string(hash));
  }
  std::unique_ptr<ZonemdDigester> d(new ZonemdDigester());
  d->ctx_ = std::make_unique<Ctx>();
  d->ctx_->md.reset(EVP_MD_CTX_new());
  if (!d->ctx_->md || EVP_DigestInit_ex(d->ctx_->md.get(), md, nullptr) != 1) {
    return crypto_error("cannot start the ZONEMD digest");
  }
  d->hash_ = hash;
  for (unsigned s = streams; s < 2; ++s) d->streams_[s].closed = true;
  d->buf_.reserve(kFlushAt + 70000);
  return d;
}

Result<void> ZonemdDigester::feed(std::span<const uint8_t> bytes) {
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  if (buf_.size() < kFlushAt) return ok();
  if (EVP_DigestUpdate(ctx_->md.get(), buf_.data(), buf_.size()) != 1) {
    return crypto_error("ZONEMD digest failed");
  }
  buf_.clear();
  return ok();
}

Result<void> ZonemdDigester::add(unsigned stream, DigestRun&& run) {
  if (run.blocks.empty()) return ok();
  streams_[stream].runs.push_back(std::move(run));
  return drain();
}

int ZonemdDigester::waiting() const noexcept {
  for (int s = 0; s < 2; ++s) {
    if (!streams_[s].closed && streams_[s].runs.empty()) return s;
  }
  // Every open stream has runs queued: drain() has stopped only because both are closed.
  for (int s = 0; s < 2; ++s) {
    if (!streams_[s].closed) return s;
  }
  return -1;
}

Result<void> ZonemdDigester::close(unsigned stream) {
  streams_[stream].closed = true;
  return drain();
}

Result<void> ZonemdDigester::merge_blocks(const DigestRun& a, const DigestRun::Block& ab,
                                          const DigestRun& b, const DigestRun::Block& bb) {
  std::vector<WireRR> rrs;
  split_block(a, ab, rrs);
  split_block(b, bb, rrs);
  std::sort(rrs.begin(), rrs.end(), wire_less);
  for (const WireRR& r : rrs) {
    if (auto f = feed({r.begin, r.len}); !f) return f;
  }
  return ok();
}

Result<void> ZonemdDigester::drain() {
  for (;;) {
    Stream* ready[2] = {nullptr, nullptr};
    for (unsigned s = 0; s < 2; ++s) {
      Stream& st = streams_[s];
      if (!st.runs.empty()) {
        ready[s] = &st;
      } else if (!st.closed) {
        return ok();  // the next owner may come from this stream: wait for it
      }
    }
    if (ready[0] == nullptr && ready[1] == nullptr) return ok();
    auto front = [](Stream& st) -> const DigestRun::Block& {
      return st.runs.front().blocks[st.next];
    };
    int pick = ready[0] == nullptr ? 1 : ready[1] == nullptr ? 0 : -1;
    if (pick < 0) {
      const int c = canonical_compare(ready[0]->runs.front().owner(front(*ready[0])),
                                      ready[1]->runs.front().owner(front(*ready[1])));
      if (c == 0) {
        if (auto m = merge_blocks(ready[0]->runs.front(), front(*ready[0]), ready[1]->runs.front(),
                                  front(*ready[1]));
            !m) {
          return m;
        }
      }
      pick = c < 0 ? 0 : c > 0 ? 1 : 2;
    }
    for (unsigned s = 0; s < 2; ++s) {
      if (pick != 2 && static_cast<unsigned>(pick) != s) continue;
      Stream& st = streams_[s];
      const DigestRun& run = st.runs.front();
      const DigestRun::Block& b = run.blocks[st.next];
      if (pick != 2) {
        if (auto r = feed({run.wire.data() + b.begin, b.end - b.begin}); !r) return r;
      }
      if (++st.next == run.blocks.size()) {
        st.runs.pop_front();
        st.next = 0;
      }
    }
  }
}

Result<std::vector<uint8_t>> ZonemdDigester::finish() {
  for (const Stream& st : streams_) {
    if (!st.closed || !st.runs.empty()) {
      return fail(Errc::Internal, "ZONEMD digest finished with records left over");
    }
  }
  if (!buf_.empty() && EVP_DigestUpdate(ctx_->md.get(), buf_.data(), buf_.size()) != 1) {
    return crypto_error("ZONEMD digest failed");
  }
  buf_.clear();
  std::vector<uint8_t> out(zonemd_digest_len(hash_));
  unsigned len = 0;
  if (EVP_DigestFinal_ex(ctx_->md.get(), out.data(), &len) != 1 || len != out.size()) {
    return crypto_error("ZONEMD digest failed");
  }
  return out;
}

}  // namespace zk::pipeline::detail
