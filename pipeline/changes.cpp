// Stage (sign --changes): this run's RRsets against the previous output's, merged in canonical
// order, one piece of the previous output at a time.
#include "pipeline/detail/changes.hpp"

#include <nlohmann/json.hpp>
#include <span>

#include "dns/atomic_file.hpp"
#include "dns/name.hpp"
#include "dns/rrtype.hpp"
#include "emit/rdata_print.hpp"

namespace zk::pipeline::detail {

namespace {

using nlohmann::json;

// Records that follow from the rest of the zone (and the ZONEMD digest of it).
bool derived_type(uint16_t t) {
  return t == rrtype::RRSIG || t == rrtype::NSEC || t == rrtype::NSEC3 || t == rrtype::ZONEMD;
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

std::string rrset_json(const Set& s) {
  return json{{"owner", name_to_string(s.owner->name())},
              {"type", type_to_string(s.type)},
              {"ttl", s.rrs[0].ttl},
              {"rdata", rdata_list(s)}}
      .dump();
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

json parse_all(const std::vector<std::string>& items) {
  json list = json::array();
  for (const std::string& s : items) list.push_back(json::parse(s));
  return list;
}

}  // namespace

void Changes::append(Changes&& o) {
  auto move_all = [](std::vector<std::string>& to, std::vector<std::string>& from) {
    if (to.empty()) {
      to = std::move(from);
      return;
    }
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  move_all(added, o.added);
  move_all(removed, o.removed);
  move_all(changed, o.changed);
}

void diff_rrsets(std::span<const RR> now_rrs, const PreviousZone* prev, Changes& out) {
  const std::vector<Set> now = sets_of(now_rrs);
  const std::vector<Set> old = prev ? sets_of(prev->store().rrs) : std::vector<Set>{};
  size_t i = 0, j = 0;
  while (i < now.size() || j < old.size()) {
    const int c = i == now.size() ? 1 : j == old.size() ? -1 : order(now[i], old[j]);
    if (c < 0) {
      out.added.push_back(rrset_json(now[i++]));
    } else if (c > 0) {
      out.removed.push_back(rrset_json(old[j++]));
    } else {
      if (!same(now[i], old[j])) {
        out.changed.push_back(
            json{{"owner", name_to_string(now[i].owner->name())},
                 {"type", type_to_string(now[i].type)},
                 {"old", {{"ttl", old[j].rrs[0].ttl}, {"rdata", rdata_list(old[j])}}},
                 {"new", {{"ttl", now[i].rrs[0].ttl}, {"rdata", rdata_list(now[i])}}}}
                .dump());
      }
      ++i;
      ++j;
    }
  }
}

Changes changes_from_file(const ZoneStore& store, const std::string& path, std::string* why) {
  Changes out;
  auto text = read_whole_file(path);
  if (!text) {
    if (why) *why = text.error().detail;
    return out;
  }
  const PreviousZone prev = PreviousZone::from_text(*text, store.origin.view(), path);
  if (prev.broken()) {
    if (why) *why = path + " does not parse as a zone";
    return out;
  }
  diff_rrsets(store.rrs, &prev, out);
  return out;
}

std::string changes_json(const Changes& changes, NameView zone, const std::string* previous,
                         uint32_t serial_old, uint32_t serial_new) {
  json j_out;
  j_out["zone"] = name_to_string(zone);
  j_out["previous"] = previous ? json(*previous) : json();
  j_out["serial"] = {{"old", serial_old}, {"new", serial_new}};
  j_out["counts"] = {{"added", changes.added.size()},
                     {"removed", changes.removed.size()},
                     {"changed", changes.changed.size()}};
  j_out["added"] = parse_all(changes.added);
  j_out["removed"] = parse_all(changes.removed);
  j_out["changed"] = parse_all(changes.changed);
  return j_out.dump(2) + "\n";
}

}  // namespace zk::pipeline::detail
