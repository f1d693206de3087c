#include "signer/lifecycle/renewal.hpp"

#include <algorithm>

namespace zk::signer {

namespace {

// Remainder in [0, m) for any sign of a (m > 0).
int64_t mod(int64_t a, int64_t m) noexcept {
  const int64_t r = a % m;
  return r < 0 ? r + m : r;
}

int64_t phase_of(const RenewalSchedule& s, uint64_t hash) noexcept {
  return static_cast<int64_t>(hash % static_cast<uint64_t>(s.spread));
}

}  // namespace

RenewalSchedule renewal_schedule(const Policy& p) noexcept {
  return RenewalSchedule{p.sig_validity, p.sig_refresh, resolved_spread(p), p.run_interval};
}

uint64_t renewal_hash(NameView owner, uint16_t type) noexcept {
  uint64_t h = 1469598103934665603ull;
  for (uint16_t i = 0; i < owner.len; ++i) h = (h ^ owner.data[i]) * 1099511628211ull;
  h = (h ^ (type >> 8)) * 1099511628211ull;
  h = (h ^ (type & 0xff)) * 1099511628211ull;
  // FNV-1a's low bits follow the last octets closely (names differing in one digit would get
  // neighbouring phases); the MurmurHash3 finaliser spreads every input bit over the word.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

int64_t renewal_expiration(const RenewalSchedule& s, int64_t now, uint64_t hash) noexcept {
  const int64_t latest = now + s.validity;
  if (s.spread <= 0) return latest;
  return latest - mod(latest - phase_of(s, hash), s.spread);
}

bool renews_early(const RenewalSchedule& s) noexcept {
  return s.spread > 0 && s.run_interval > 0 && s.spread >= 2 * s.run_interval;
}

Renewal renewal_of(const RenewalSchedule& s, int64_t now, uint64_t hash,
                   int64_t expiration) noexcept {
  if (expiration - now < s.refresh) return Renewal::Due;
  if (!renews_early(s)) return Renewal::Keep;
  const int64_t phase = phase_of(s, hash);
  if (mod(expiration - phase, s.spread) == 0) return Renewal::Keep;  // on phase: wait until due
  // The RRset's renewal points are phase - refresh + k * spread; one passed since the previous
  // run (now - run_interval, now]: this is the run that renews it.
  return mod(now + s.refresh - phase, s.spread) < s.run_interval ? Renewal::Early : Renewal::Keep;
}

int64_t next_renewal(const RenewalSchedule& s, int64_t now, uint64_t hash,
                     int64_t expiration) noexcept {
  // Due once expiration - t < refresh.
  int64_t next = expiration - s.refresh + 1;
  if (renews_early(s)) {
    const int64_t phase = phase_of(s, hash);
    if (mod(expiration - phase, s.spread) != 0) {
      // Early while mod(t + refresh - phase, spread) < run_interval: from the next t where it
      // is 0 (a run at now keeps it, so it is at least run_interval now).
      const int64_t r = mod(now + s.refresh - phase, s.spread);
      next = std::min(next, now + (r == 0 ? 0 : s.spread - r));
    }
  }
  return next;
}

int64_t renewal_cycle(const RenewalSchedule& s) noexcept {
  const int64_t window = s.validity - s.refresh;
  if (window <= 0) return 0;
  if (s.spread <= 0 || s.spread > window) return window;
  return s.spread * (window / s.spread);
}

double expected_share(const RenewalSchedule& s) noexcept {
  const int64_t cycle = renewal_cycle(s);
  if (cycle <= s.run_interval) return 1.0;
  return static_cast<double>(s.run_interval) / static_cast<double>(cycle);
}

size_t forecast_runs(const RenewalSchedule& s) noexcept {
  if (s.run_interval <= 0) return 1;
  const int64_t cycle = renewal_cycle(s);
  const int64_t runs = (cycle + s.run_interval - 1) / s.run_interval;
  return static_cast<size_t>(std::clamp<int64_t>(runs, 1, kMaxForecastRuns));
}

void add_to_forecast(const RenewalSchedule& s, int64_t now, uint64_t hash, int64_t expiration,
                     std::span<uint64_t> runs) noexcept {
  for (size_t k = 0; k < runs.size(); ++k) {
    const int64_t t = now + static_cast<int64_t>(k + 1) * s.run_interval;
    if (renewal_of(s, t, hash, expiration) == Renewal::Keep) continue;
    ++runs[k];
    expiration = renewal_expiration(s, t, hash);
  }
}

std::vector<uint64_t> forecast_renewals(const RenewalSchedule& s, int64_t now,
                                        std::span<const SignatureTiming> sigs) {
  std::vector<uint64_t> runs(forecast_runs(s), 0);
  for (const SignatureTiming& sig : sigs) add_to_forecast(s, now, sig.hash, sig.expiration, runs);
  return runs;
}

}  // namespace zk::signer
