#include "storage/mvcc_key_index.hpp"

#include <algorithm>

namespace craton::storage {

namespace {

bool is_all_keys_end(std::string_view range_end) {
  return range_end.size() == 1 && range_end[0] == '\0';
}

}  // namespace

std::optional<Revision> KeyHistory::visible_at(std::int64_t rev) const {
  auto it = std::upper_bound(marks.begin(), marks.end(), rev,
                             [](std::int64_t r, const Mark& m) { return r < m.rev.main; });
  if (it == marks.begin()) return std::nullopt;
  --it;
  if (it->tombstone) return std::nullopt;
  return it->rev;
}

std::optional<Revision> KeyHistory::put_before(Revision rev) const {
  auto it = std::lower_bound(marks.begin(), marks.end(), rev,
                             [](const Mark& m, Revision r) { return m.rev < r; });
  if (it == marks.begin()) return std::nullopt;
  --it;
  if (it->tombstone) return std::nullopt;
  return it->rev;
}

bool in_range(std::string_view key, std::string_view range_key, std::string_view range_end) {
  if (range_end.empty()) return key == range_key;
  if (is_all_keys_end(range_end)) return key >= range_key;
  return key >= range_key && key < range_end;
}

void KeyIndex::put(const std::string& key, Revision rev, std::int64_t create_revision,
                   std::int64_t version, std::int64_t lease) {
  auto& h = keys_[key];
  h.marks.push_back({rev, false});
  h.create_revision = create_revision;
  h.version = version;
  h.lease = lease;
}

void KeyIndex::tombstone(const std::string& key, Revision rev) {
  auto& h = keys_[key];
  h.marks.push_back({rev, true});
  h.create_revision = 0;
  h.version = 0;
  h.lease = 0;
}

const KeyHistory* KeyIndex::find(std::string_view key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

void KeyIndex::for_each(
    std::string_view key, std::string_view range_end,
    const std::function<bool(const std::string&, const KeyHistory&)>& fn) const {
  if (range_end.empty()) {
    auto it = keys_.find(key);
    if (it != keys_.end()) fn(it->first, it->second);
    return;
  }
  bool to_end = is_all_keys_end(range_end);
  for (auto it = keys_.lower_bound(key); it != keys_.end(); ++it) {
    if (!to_end && it->first >= range_end) return;
    if (!fn(it->first, it->second)) return;
  }
}

std::vector<Revision> KeyIndex::compact(std::int64_t rev) {
  std::vector<Revision> dropped;
  for (auto it = keys_.begin(); it != keys_.end();) {
    auto& marks = it->second.marks;
    auto keep =
        std::upper_bound(marks.begin(), marks.end(), rev,
                         [](std::int64_t r, const KeyHistory::Mark& m) { return r < m.rev.main; });
    if (keep != marks.begin()) {
      --keep;  // the latest mark at or below rev stays, unless it is a tombstone
      if (keep->tombstone) ++keep;
      for (auto m = marks.begin(); m != keep; ++m) dropped.push_back(m->rev);
      marks.erase(marks.begin(), keep);
    }
    if (marks.empty()) {
      it = keys_.erase(it);
    } else {
      ++it;
    }
  }
  return dropped;
}

}  // namespace craton::storage
