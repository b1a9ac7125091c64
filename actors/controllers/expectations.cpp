// The controllers' expectations of their own changes (see expectations.hpp).
#include "actors/controllers/expectations.hpp"

#include <algorithm>

#include "runtime/assert.hpp"

namespace craton::controllers {

void Expectations::expect(const std::string& key, std::int64_t adds,
                          const std::vector<std::string>& deletes, std::int64_t now_ms) {
  CRATON_ASSERT(adds >= 0, "negative expected creations");
  Record record;
  record.adds = adds;
  record.deletes.insert(deletes.begin(), deletes.end());
  record.at_ms = now_ms;
  records_[key] = std::move(record);
}

void Expectations::observed_add(const std::string& key) {
  auto it = records_.find(key);
  if (it == records_.end()) return;
  if (it->second.adds > 0)
    --it->second.adds;
  else if (it->second.uncertain > 0)
    --it->second.uncertain;  // an uncertain creation did happen
}

void Expectations::uncertain_add(const std::string& key, std::int64_t now_ms) {
  auto it = records_.find(key);
  if (it == records_.end() || it->second.adds <= 0) return;
  --it->second.adds;
  ++it->second.uncertain;
  it->second.uncertain_until_ms = now_ms + uncertain_ms_;
}

void Expectations::observed_delete(const std::string& key, const std::string& deleted) {
  auto it = records_.find(key);
  if (it != records_.end()) it->second.deletes.erase(deleted);
}

bool Expectations::satisfied(const std::string& key, std::int64_t now_ms) const {
  auto it = records_.find(key);
  if (it == records_.end()) return true;
  const auto& r = it->second;
  bool settled =
      r.adds <= 0 && r.deletes.empty() && (r.uncertain <= 0 || now_ms >= r.uncertain_until_ms);
  return settled || now_ms - r.at_ms > ttl_ms_;
}

std::optional<std::int64_t> Expectations::due_ms(const std::string& key) const {
  auto it = records_.find(key);
  if (it == records_.end()) return std::nullopt;
  const auto& r = it->second;
  auto ttl = r.at_ms + ttl_ms_ + 1;
  if (r.adds <= 0 && r.deletes.empty() && r.uncertain > 0)
    return std::min(ttl, r.uncertain_until_ms);
  return ttl;
}

std::int64_t Expectations::pending_adds(const std::string& key) const {
  auto it = records_.find(key);
  return it == records_.end() ? 0 : it->second.adds;
}

std::size_t Expectations::pending_deletes(const std::string& key) const {
  auto it = records_.find(key);
  return it == records_.end() ? 0 : it->second.deletes.size();
}

}  // namespace craton::controllers
