// The controllers' expectations of their own changes (see expectations.hpp).
#include "actors/controllers/expectations.hpp"

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
  if (it != records_.end() && it->second.adds > 0) --it->second.adds;
}

void Expectations::observed_delete(const std::string& key, const std::string& deleted) {
  auto it = records_.find(key);
  if (it != records_.end()) it->second.deletes.erase(deleted);
}

bool Expectations::satisfied(const std::string& key, std::int64_t now_ms) const {
  auto it = records_.find(key);
  if (it == records_.end()) return true;
  const auto& r = it->second;
  return (r.adds <= 0 && r.deletes.empty()) || now_ms - r.at_ms > ttl_ms_;
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
