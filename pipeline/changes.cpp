// Stage (sign --changes): this run's RRsets against the previous output's, merged in canonical
// order.
#include "pipeline/detail/changes.hpp"

#include <nlohmann/json.hpp>
#include <span>

#include "dns/name.hpp"
#include "dns/rrtype.hpp"
#include "emit/rdata_print.hpp"

namespace zk::pipeline::detail {

namespace {

using nlohmann::json;

bool derived_type(uint16_t t) {
  return t == rrtype::RRSIG || t == rrtype::NSEC || t == rrtype::NSEC3;
}

// One RRset of either side: its records (RDATA in canonical order) share owner, type and TTL.
struct Set {
  const Owner* owner = nullptr;
  uint16_t type = 0;
  std::span<const RR> rrs;
};

std::vector<Set> sets_of(std::span<const RR> rrs) {
  std::vector<Set> out;
  for (size_t b = 0; b < rrs.size();) {
    size_t e = b + 1;
    while (e < rrs.size() && rrs[e].type == rrs[b].type &&
           owner_compare(rrs[e].owner, rrs[b].owner) == 0) {
      ++e;
    }
    if (!derived_type(rrs[b].type))
      out.push_back({rrs[b].owner, rrs[b].type, rrs.subspan(b, e - b)});
    b = e;
  }
  return out;
}

json rdata_list(const Set& s) {
  json list = json::array();
  for (const RR& rr : s.rrs) {
    std::string text;
    emit::rdata_to_text(rr.type, rr.rdata_span(), text);
    list.push_back(text);
  }
  return list;
}

json rrset_json(const Set& s) {
  return {{"owner", name_to_string(s.owner->name())},
          {"type", type_to_string(s.type)},
          {"ttl", s.rrs[0].ttl},
          {"rdata", rdata_list(s)}};
}

bool same(const Set& a, const Set& b) {
  if (a.rrs.size() != b.rrs.size() || a.rrs[0].ttl != b.rrs[0].ttl) return false;
  for (size_t i = 0; i < a.rrs.size(); ++i) {
    if (rdata_compare(a.rrs[i], b.rrs[i]) != 0) return false;
  }
  return true;
}

int order(const Set& a, const Set& b) {
  if (int c = owner_compare(a.owner, b.owner)) return c;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

}  // namespace

std::string changes_json(const ZoneStore& store, const PreviousZone* prev,
                         const std::string& prev_path, uint32_t serial_old, uint32_t serial_new) {
  const std::vector<Set> now = sets_of(store.rrs);
  const std::vector<Set> old = prev ? sets_of(prev->store().rrs) : std::vector<Set>{};
  json added = json::array(), removed = json::array(), changed = json::array();
  size_t i = 0, j = 0;
  while (i < now.size() || j < old.size()) {
    const int c = i == now.size() ? 1 : j == old.size() ? -1 : order(now[i], old[j]);
    if (c < 0) {
      added.push_back(rrset_json(now[i++]));
    } else if (c > 0) {
      removed.push_back(rrset_json(old[j++]));
    } else {
      if (!same(now[i], old[j])) {
        changed.push_back({{"owner", name_to_string(now[i].owner->name())},
                           {"type", type_to_string(now[i].type)},
                           {"old", {{"ttl", old[j].rrs[0].ttl}, {"rdata", rdata_list(old[j])}}},
                           {"new", {{"ttl", now[i].rrs[0].ttl}, {"rdata", rdata_list(now[i])}}}});
      }
      ++i;
      ++j;
    }
  }
  json j_out;
  j_out["zone"] = name_to_string(store.origin.view());
  j_out["previous"] = prev ? json(prev_path) : json();
  j_out["serial"] = {{"old", serial_old}, {"new", serial_new}};
  j_out["counts"] = {
      {"added", added.size()}, {"removed", removed.size()}, {"changed", changed.size()}};
  j_out["added"] = std::move(added);
  j_out["removed"] = std::move(removed);
  j_out["changed"] = std::move(changed);
  return j_out.dump(2) + "\n";
}

}  // namespace zk::pipeline::detail
