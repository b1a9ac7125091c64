#include "actors/store/lease/lease_keeper.hpp"
#include "runtime/assert.hpp"

#include <algorithm>

namespace craton::store {

namespace {

Error not_leader() {
  return Error{"not_leader", "lease: this replica is not the leader; ask the leader"};
}

Error not_found(std::int64_t id, const char* why) {
  return Error{"lease_not_found", "lease: " + storage::format_lease_id(id) + " " + why};
}

}  // namespace

std::int64_t min_ttl_for_election_timeout(std::int64_t election_timeout_ms) {
  std::int64_t ms = (3 * std::max<std::int64_t>(election_timeout_ms, 0)) / 2;
  return std::max<std::int64_t>(1, (ms + 999) / 1000);
}

LeaseKeeper::LeaseKeeper(LeaseKeeperOptions options) : options_(options) {
  CRATON_ASSERT(options_.ttl_min_s > 0 && options_.ttl_min_s <= options_.ttl_max_s,
                "0 < ttl_min_s <= ttl_max_s");
  CRATON_ASSERT(options_.revokes_per_call_max > 0 && options_.revokes_per_second > 0,
                "revoke rate limits are positive");
}

std::int64_t LeaseKeeper::ttl_ms(std::int64_t ttl_s) {
  return ttl_s * 1000;
}

void LeaseKeeper::set_expiry(std::int64_t id, Lease& lease, std::int64_t expiry_ms) {
  by_expiry_.erase({lease.expiry_ms, id});
  lease.expiry_ms = expiry_ms;
  by_expiry_.insert({expiry_ms, id});
}

// ---------------------------------------------------------------- proposal and apply

Result<std::int64_t> LeaseKeeper::check_grant(std::int64_t id, std::int64_t ttl_s) const {
  if (!leader_) return not_leader();
  if (id <= 0) return Error{"invalid", "lease: id must be positive"};
  if (ttl_s < 0) return Error{"invalid", "lease: ttl must not be negative"};
  if (ttl_s > options_.ttl_max_s) {
    return Error{"ttl_too_large", "lease: ttl " + std::to_string(ttl_s) + " s exceeds " +
                                      std::to_string(options_.ttl_max_s) + " s"};
  }
  if (leases_.contains(id)) {
    return Error{"lease_exists", "lease: " + storage::format_lease_id(id) + " already exists"};
  }
  if (leases_.size() >= options_.leases_max) {
    return Error{"too_many_leases", "lease: the limit of " + std::to_string(options_.leases_max) +
                                        " leases is reached"};
  }
  return std::max(ttl_s, options_.ttl_min_s);
}

void LeaseKeeper::on_granted(std::int64_t id, std::int64_t ttl_s, std::int64_t now_ms) {
  // Mirrors the store, which already accepted the grant: never refuse here.
  Lease& lease = leases_[id];
  lease.ttl_s = ttl_s;
  lease.revoking = false;
  set_expiry(id, lease, now_ms + ttl_ms(ttl_s));
}

void LeaseKeeper::on_revoked(std::int64_t id) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return;
  by_expiry_.erase({it->second.expiry_ms, id});
  leases_.erase(it);
}

void LeaseKeeper::recover(const storage::MvccStore& store, std::int64_t now_ms) {
  leases_.clear();
  by_expiry_.clear();
  for (const auto& info : store.leases()) on_granted(info.id, info.ttl_s, now_ms);
  if (leader_) spread_expiries();
}

// ---------------------------------------------------------------- leadership

void LeaseKeeper::promote(std::int64_t now_ms, std::int64_t extend_ms) {
  leader_ = true;
  by_expiry_.clear();
  for (auto& [id, lease] : leases_) {
    lease.revoking = false;
    lease.expiry_ms = now_ms + extend_ms + ttl_ms(lease.ttl_s);
    by_expiry_.insert({lease.expiry_ms, id});
  }
  spread_expiries();
}

// etcd's Promote: walking leases by expiry in one-second windows, at most 3/4 of the revoke
// rate may expire per window; the rest are pushed back proportionally.
void LeaseKeeper::spread_expiries() {
  std::size_t target = std::max<std::size_t>(1, (3 * options_.revokes_per_second) / 4);
  if (leases_.size() <= target) return;
  std::vector<std::pair<std::int64_t, std::int64_t>> order(by_expiry_.begin(), by_expiry_.end());
  std::int64_t window_start = order.front().first;
  std::size_t in_window = 0;
  for (const auto& [expiry, id] : order) {
    if (expiry > window_start + 1000) {
      window_start = expiry;
      in_window = 1;
      continue;
    }
    ++in_window;
    if (in_window <= target) continue;
    auto delay_ms = static_cast<std::int64_t>((1000 * in_window) / target);
    set_expiry(id, leases_.at(id), window_start + delay_ms);
  }
}

void LeaseKeeper::demote() {
  leader_ = false;
}

// ---------------------------------------------------------------- leader requests

Result<std::int64_t> LeaseKeeper::keep_alive(std::int64_t id, std::int64_t now_ms) {
  if (!leader_) return not_leader();
  auto it = leases_.find(id);
  if (it == leases_.end()) return not_found(id, "not found");
  Lease& lease = it->second;
  if (lease.revoking || lease.expiry_ms <= now_ms) return not_found(id, "expired");
  set_expiry(id, lease, now_ms + ttl_ms(lease.ttl_s));
  return lease.ttl_s;
}

Result<LeaseTtl> LeaseKeeper::time_to_live(std::int64_t id, std::int64_t now_ms,
                                           const storage::MvccStore& store) const {
  if (!leader_) return not_leader();
  auto it = leases_.find(id);
  auto info = store.lease(id);
  if (it == leases_.end() || !info) return not_found(id, "not found");
  std::int64_t left_ms = std::max<std::int64_t>(0, it->second.expiry_ms - now_ms);
  if (it->second.revoking) left_ms = 0;
  return LeaseTtl{id, info->ttl_s, (left_ms + 999) / 1000, std::move(info->keys)};
}

std::vector<std::int64_t> LeaseKeeper::expired(std::int64_t now_ms) {
  std::vector<std::int64_t> out;
  if (!leader_) return out;
  while (!by_expiry_.empty() && out.size() < options_.revokes_per_call_max) {
    auto [expiry, id] = *by_expiry_.begin();
    if (expiry > now_ms) break;
    Lease& lease = leases_.at(id);
    lease.revoking = true;
    set_expiry(id, lease, now_ms + options_.revoke_retry_ms);  // offered again if lost
    out.push_back(id);
  }
  return out;
}

std::optional<std::int64_t> LeaseKeeper::expiry_ms(std::int64_t id) const {
  auto it = leases_.find(id);
  if (it == leases_.end()) return std::nullopt;
  return it->second.expiry_ms;
}

}  // namespace craton::store
