// Correlation ids of an actor's requests, unique across its node's incarnations.
//
// A client actor (the simulator's clients, the API actor) keeps its address ("n1/client1") across
// restarts of its node, and a replica may answer a request of the previous incarnation after the
// restart (a leader answers when the entry applies). If each incarnation counted from 1, that late
// answer would carry the id of the new incarnation's request in flight and be taken as its answer:
// a write never sent would be recorded as applied (found as a linearizability failure, store-remote
// seed 73 with disk faults). Each incarnation therefore counts in its own range.
//
// RecentRequests: what a server remembers of the requests it took (sender, correlation id), so
// that a copy of one (a link that delivered it twice) is not carried out twice. Only worth it
// where doing a request twice is not harmless: a create with generateName makes two objects.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <utility>

namespace craton {

/// The first correlation id of a client in its node's `incarnation` (2^40 ids per incarnation).
inline std::uint64_t first_correlation_id(std::uint64_t incarnation) {
  return (incarnation << 40) + 1;
}

/// The last `size_max` (sender, correlation) pairs seen, oldest forgotten first.
class RecentRequests {
 public:
  explicit RecentRequests(std::size_t size_max = 16384) : size_max_(size_max) {}
  /// True the first time the pair is seen (while remembered); false for a copy.
  bool first_time(const std::string& sender, std::uint64_t correlation) {
    auto key = std::make_pair(sender, correlation);
    if (!seen_.insert(key).second) return false;
    order_.push_back(std::move(key));
    if (order_.size() > size_max_) {
      seen_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

 private:
  std::size_t size_max_;
  std::set<std::pair<std::string, std::uint64_t>> seen_;
  std::deque<std::pair<std::string, std::uint64_t>> order_;
};

}  // namespace craton
