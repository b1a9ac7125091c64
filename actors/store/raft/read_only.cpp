#include "actors/store/raft/read_only.hpp"

#include <charconv>

#include "runtime/assert.hpp"

namespace craton::raft {

std::uint64_t ReadOnlyQueue::add(std::uint64_t index, NodeId from, std::string context, NodeId self,
                                 std::uint64_t join_round) {
  CRATON_ASSERT(!full(), "raft: the caller checks full() before queueing a read");
  CRATON_ASSERT(join_round == 0 || join_round == next_round_ - 1,
                "raft: a read may only join the latest round");
  std::uint64_t round = join_round != 0 ? join_round : next_round_++;
  queue_.push_back(ReadRequest{round, index, from, std::move(context), {self}});
  return round;
}

std::uint64_t ReadOnlyQueue::ack(std::uint64_t round, NodeId from, std::size_t quorum) {
  std::uint64_t confirmed = 0;
  for (auto& req : queue_) {
    if (req.round > round) break;
    req.acks.insert(from);
    if (req.acks.size() >= quorum) confirmed = req.round;
  }
  return confirmed;
}

std::vector<ReadRequest> ReadOnlyQueue::release_through(std::uint64_t round) {
  std::vector<ReadRequest> out;
  while (!queue_.empty() && queue_.front().round <= round) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return out;
}

std::string ReadOnlyQueue::round_context(std::uint64_t round) {
  return "r" + std::to_string(round);
}

std::uint64_t ReadOnlyQueue::parse_round(const std::string& context) {
  if (context.size() < 2 || context.size() > 21 || context[0] != 'r') return 0;
  std::uint64_t round = 0;
  auto [ptr, ec] = std::from_chars(context.data() + 1, context.data() + context.size(), round);
  if (ec != std::errc() || ptr != context.data() + context.size()) return 0;
  return round;
}

}  // namespace craton::raft
