#include "actors/store/raft/raft_event.hpp"

#include <charconv>
#include <cstdio>
#include <string_view>
#include <tuple>

#include "runtime/stable_hash.hpp"

namespace craton::store {
namespace {

struct KindName {
  RaftEventKind kind;
  const char* name;
};

constexpr KindName kKinds[] = {
    {RaftEventKind::opened, "opened"},       {RaftEventKind::leader, "leader"},
    {RaftEventKind::persisted, "persisted"}, {RaftEventKind::committed, "committed"},
    {RaftEventKind::applied, "applied"},     {RaftEventKind::snapshot, "snapshot"},
};

const char* kind_name(RaftEventKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.name;
  return "?";
}

// How many numbers follow the kind, before any digests.
std::size_t numbers_of(RaftEventKind kind) {
  switch (kind) {
    case RaftEventKind::opened:
      return 5;
    case RaftEventKind::leader:
      return 1;
    case RaftEventKind::persisted:
    case RaftEventKind::applied:
      return 1;
    case RaftEventKind::committed:
    case RaftEventKind::snapshot:
      return 2;
  }
  return 0;
}

bool has_entries(RaftEventKind kind) {
  return kind == RaftEventKind::persisted || kind == RaftEventKind::applied;
}

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto space = s.find(' ');
    out.push_back(s.substr(0, space));
    if (space == std::string_view::npos) break;
    s.remove_prefix(space + 1);
  }
  return out;
}

bool read_u64(std::string_view s, std::uint64_t& out, int base = 10) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc{} && end == s.data() + s.size();
}

// "<term>:<16 hex digits>"
bool read_digest(std::string_view s, EntryDigest& out) {
  auto colon = s.find(':');
  return colon != std::string_view::npos && s.size() - colon - 1 == 16 &&
         read_u64(s.substr(0, colon), out.term) && read_u64(s.substr(colon + 1), out.hash, 16);
}

Error malformed(const std::string& text, const std::string& why) {
  return Error{"malformed", "raft event '" + text.substr(0, 80) + "': " + why};
}

}  // namespace

EntryDigest digest(const raft::Entry& entry) {
  StableHash h;
  h.add_u64(static_cast<std::uint64_t>(entry.type));
  h.add(entry.data);
  return EntryDigest{entry.term, h.value()};
}

std::vector<EntryDigest> digests(const std::vector<raft::Entry>& entries) {
  std::vector<EntryDigest> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(digest(e));
  return out;
}

std::string format_raft_event(const RaftEvent& e) {
  std::string out = std::string("raft ") + kind_name(e.kind);
  auto number = [&out](std::uint64_t v) { out += " " + std::to_string(v); };
  switch (e.kind) {
    case RaftEventKind::opened:
      for (auto v : {e.index, e.term, e.commit, e.applied, e.snapshot_index}) number(v);
      break;
    case RaftEventKind::leader:
      number(e.term);
      break;
    case RaftEventKind::persisted:
    case RaftEventKind::applied:
      number(e.index);
      break;
    case RaftEventKind::committed:
    case RaftEventKind::snapshot:
      number(e.index);
      number(e.term);
      break;
  }
  if (!has_entries(e.kind)) return out;
  char hash[17];
  for (const auto& d : e.entries) {
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(d.hash));
    out += " " + std::to_string(d.term) + ":" + hash;
  }
  return out;
}

Result<RaftEvent> parse_raft_event(const std::string& text) {
  auto t = tokens(text);
  if (t.size() < 2 || t[0] != "raft") return malformed(text, "does not start with 'raft <kind>'");
  RaftEvent e;
  bool known = false;
  for (const auto& k : kKinds)
    if (t[1] == k.name) std::tie(e.kind, known) = std::make_pair(k.kind, true);
  if (!known) return malformed(text, "unknown kind");
  auto numbers = numbers_of(e.kind);
  if (t.size() < 2 + numbers || (!has_entries(e.kind) && t.size() != 2 + numbers))
    return malformed(text, "expected " + std::to_string(numbers) + " numbers");
  if (t.size() - 2 - numbers > kRaftEventEntriesMax) return malformed(text, "too many entries");
  std::uint64_t n[5] = {};
  for (std::size_t i = 0; i < numbers; ++i)
    if (!read_u64(t[2 + i], n[i])) return malformed(text, "not a number: " + std::string(t[2 + i]));
  switch (e.kind) {
    case RaftEventKind::opened:
      std::tie(e.index, e.term, e.commit, e.applied, e.snapshot_index) =
          std::make_tuple(n[0], n[1], n[2], n[3], n[4]);
      break;
    case RaftEventKind::leader:
      e.term = n[0];
      break;
    default:
      e.index = n[0];
      e.term = n[1];
  }
  for (std::size_t i = 2 + numbers; i < t.size(); ++i) {
    EntryDigest d;
    if (!read_digest(t[i], d)) return malformed(text, "bad entry digest: " + std::string(t[i]));
    e.entries.push_back(d);
  }
  if (has_entries(e.kind) && (e.index == 0 || e.entries.empty()))
    return malformed(text, "needs a first index above 0 and at least one entry");
  return e;
}

}  // namespace craton::store
