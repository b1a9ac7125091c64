// WatchRoutes: how the store actor addresses watch responses (no CAF, no I/O).
//
// A watch stream is one client address. The replica core names streams by StreamId and tags
// each watch response with the request id of the watch's create request (WatchDelivery);
// this table turns a client address into its StreamId and a create request id into the
// client's address and the create's correlation id. The scheme the client relies on:
// - every response of a watch carries the correlation id of the storeRequest that created it;
// - a stream-wide progress response (watch id -1) carries correlation id 0 and is meant for
//   every watch of that client on this replica.
// Entries live as long as the watch (erased on its `canceled` response) or the stream (erased
// when the replica closes it), so the table is bounded by the replica's stream/watch bounds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "actors/store/watch/watch_types.hpp"
#include "runtime/address.hpp"

namespace craton::store {

struct WatchRoute {
  Address address;
  std::uint64_t correlation_id = 0;
};

class WatchRoutes {
 public:
  /// The stream of a client address, if it has one.
  std::optional<StreamId> find(const Address& client) const {
    auto it = by_address_.find(client);
    if (it == by_address_.end()) return std::nullopt;
    return it->second;
  }
  /// The stream of a client address, created on first use.
  StreamId stream_for(const Address& client) {
    if (auto s = find(client)) return *s;
    auto id = next_stream_++;
    by_address_[client] = id;
    addresses_[id] = client;
    return id;
  }
  /// Remembers where the responses of the watch created by `request_id` go.
  void add_watch(std::uint64_t request_id, StreamId stream, std::uint64_t correlation_id) {
    watches_[request_id] = {stream, correlation_id};
  }
  /// Forgets a create request that was refused (answered with an error).
  std::optional<WatchRoute> take_refused(std::uint64_t request_id) {
    auto it = watches_.find(request_id);
    if (it == watches_.end()) return std::nullopt;
    auto route = route_of(it->second);
    watches_.erase(it);
    return route;
  }
  /// Where one response goes; `last` (a canceled response) forgets the watch.
  std::optional<WatchRoute> route(StreamId stream, std::uint64_t request_id, bool last) {
    if (request_id == 0) {
      auto a = addresses_.find(stream);
      if (a == addresses_.end()) return std::nullopt;
      return WatchRoute{a->second, 0};
    }
    auto it = watches_.find(request_id);
    if (it == watches_.end()) return std::nullopt;
    auto route = route_of(it->second);
    if (last) watches_.erase(it);
    return route;
  }
  /// Drops a stream and its watches.
  void close(StreamId stream) {
    std::erase_if(watches_, [stream](const auto& w) { return w.second.stream == stream; });
    if (auto a = addresses_.find(stream); a != addresses_.end()) {
      by_address_.erase(a->second);
      addresses_.erase(a);
    }
  }
  std::size_t streams() const { return addresses_.size(); }
  std::size_t watches() const { return watches_.size(); }

 private:
  struct Watch {
    StreamId stream = 0;
    std::uint64_t correlation_id = 0;
  };
  std::optional<WatchRoute> route_of(const Watch& w) const {
    auto a = addresses_.find(w.stream);
    if (a == addresses_.end()) return std::nullopt;
    return WatchRoute{a->second, w.correlation_id};
  }

  std::map<Address, StreamId> by_address_;
  std::map<StreamId, Address> addresses_;
  std::map<std::uint64_t, Watch> watches_;  ///< by create request id
  StreamId next_stream_ = 1;
};

}  // namespace craton::store
