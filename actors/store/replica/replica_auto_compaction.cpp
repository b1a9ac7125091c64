// Replica::auto_compact: the replica's side of automatic compaction (auto_compactor.hpp).
#include "actors/store/codec/store_codec.hpp"
#include "actors/store/replica/replica.hpp"

namespace craton::store {

std::optional<std::int64_t> Replica::auto_compact(std::int64_t now_ms) {
  if (failed()) return std::nullopt;
  bool leader = raft_->role() == raft::Role::leader;
  auto revision = auto_compactor_.decide(now_ms, leader, mvcc_->current_revision(),
                                         mvcc_->compacted_revision());
  if (!revision) return std::nullopt;
  // No pending entry: the answer goes nowhere. A refusal (lost leadership, full queue) is
  // retried by the compactor's next decision.
  auto index = raft_->propose(encode_write_request(storage::CompactionRequest{*revision}));
  if (!index) return std::nullopt;
  return revision;
}

}  // namespace craton::store
