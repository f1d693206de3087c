// Stage: canonical sort and duplicate removal.
#include <oneapi/tbb/parallel_sort.h>

#include <algorithm>
#include <string>

#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

size_t sort_zone(ZoneStore& store) {
  auto& rrs = store.rrs;
  // A lambda (not the function pointer) lets the compiler inline the comparison.
  tbb::parallel_sort(rrs.begin(), rrs.end(),
                     [](const RR& a, const RR& b) { return rr_less(a, b); });
  if (rrs.empty()) return 0;
  // Duplicates are equal under the total order; they may differ only in TTL. Keeping the
  // lowest makes the survivor independent of how the unstable sort placed them.
  size_t out = 0;
  for (size_t i = 1; i < rrs.size(); ++i) {
    if (rr_compare(rrs[out], rrs[i]) == 0) {
      rrs[out].ttl = std::min(rrs[out].ttl, rrs[i].ttl);
      continue;
    }
    rrs[++out] = rrs[i];
  }
  const size_t removed = rrs.size() - (out + 1);
  rrs.resize(out + 1);
  return removed;
}

void merge_added(ZoneStore& store, size_t sorted_prefix) {
  auto& rrs = store.rrs;
  auto mid = rrs.begin() + static_cast<std::ptrdiff_t>(sorted_prefix);
  std::sort(mid, rrs.end(), rr_less);
  std::inplace_merge(rrs.begin(), mid, rrs.end(), rr_less);
}

size_t drop_out_of_zone(ZoneStore& store, Diagnostics& diag) {
  const NameView origin = store.origin.view();
  size_t removed = 0;
  const Owner* last_reported = nullptr;
  auto keep = std::remove_if(store.rrs.begin(), store.rrs.end(), [&](const RR& rr) {
    if (is_subdomain(rr.owner->name(), origin)) return false;
    ++removed;
    if (rr.owner != last_reported) {
      last_reported = rr.owner;
      diag.warning(make_error(
          Errc::OutOfZone, "ignoring out-of-zone data (" + name_to_string(rr.owner->name()) + ")"));
    }
    return true;
  });
  store.rrs.erase(keep, store.rrs.end());
  return removed;
}

}  // namespace zk::pipeline
