#include "actors/store/replica/write_quota.hpp"

#include <algorithm>
#include <string>

#include "storage/mvcc_record.hpp"

namespace craton::store {
namespace {

// What MvccStore charges for one lease record (its kLeaseRecordBytes).
constexpr std::int64_t kLeaseRecordBytes = 16;

std::int64_t branch_cost_bytes(const std::vector<storage::RequestOp>& ops) {
  std::int64_t cost = 0;
  for (const auto& op : ops)
    if (auto* put = std::get_if<storage::PutRequest>(&op))
      cost += storage::record_bytes(put->key.size(), put->value.size());
  return cost;
}

}  // namespace

std::int64_t quota_ceiling_bytes(std::size_t map_size_bytes) {
  return static_cast<std::int64_t>(map_size_bytes / 2);
}

Result<std::int64_t> quota_from_flag(std::uint64_t flag_bytes, std::size_t map_size_bytes) {
  auto ceiling = quota_ceiling_bytes(map_size_bytes);
  if (flag_bytes == 0) return std::min(kDefaultQuotaBytes, ceiling);
  if (flag_bytes > static_cast<std::uint64_t>(ceiling)) {
    return Error{"bad_flag",
                 "--quota-backend-bytes " + std::to_string(flag_bytes) + " is above " +
                     std::to_string(ceiling) + ", half the LMDB map size of " +
                     std::to_string(map_size_bytes) +
                     " bytes (the rest is room for pages, free pages and the Raft log)"};
  }
  return static_cast<std::int64_t>(flag_bytes);
}

std::int64_t write_cost_bytes(const storage::WriteRequest& write) {
  if (auto* put = std::get_if<storage::PutRequest>(&write))
    return storage::record_bytes(put->key.size(), put->value.size());
  if (auto* txn = std::get_if<storage::TxnRequest>(&write))
    return std::max(branch_cost_bytes(txn->success), branch_cost_bytes(txn->failure));
  if (std::holds_alternative<storage::LeaseGrantRequest>(write)) return kLeaseRecordBytes;
  return 0;  // deletes, compactions, lease revokes: how space is recovered
}

Status admit_write(const storage::WriteRequest& write, std::int64_t data_bytes,
                   std::int64_t quota_bytes) {
  auto cost = write_cost_bytes(write);
  if (cost == 0 || data_bytes + cost <= quota_bytes) return Ok{};
  return Error{"no_space", "database space exceeded: no space for " + std::to_string(cost) +
                               " more bytes (" + std::to_string(data_bytes) + " of " +
                               std::to_string(quota_bytes) +
                               " quota bytes used; delete keys and compact to free space)"};
}

}  // namespace craton::store
