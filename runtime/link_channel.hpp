// LinkChannel: what the router needs from a link to another process, and nothing more: the
// authenticated peer at the other end, and a bounded, non-blocking send. LinkSession
// (runtime/tls/link_session.hpp) is the real one; the router stays free of sockets and TLS,
// so the simulator runs the same router.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace craton {

class LinkChannel {
 public:
  virtual ~LinkChannel() = default;
  /// The node at the other end as authenticated: its certificate's name (or the session of
  /// it that its hello named); "" if nothing vouches for it (plain TCP, a link by address).
  virtual const std::string& peer() const = 0;
  /// Queues one encoded envelope; false (nothing queued) if the link is closed or its send
  /// queue full. Any thread; never blocks.
  virtual bool send(std::vector<std::uint8_t> envelope) = 0;
  /// Ends the link once what is queued has been written (bounded: the session's idle
  /// timeout); later sends are refused. A replica that removes a member still tells it the
  /// commit that removed it this way.
  virtual void close_after_sending() = 0;
};

using ChannelPtr = std::shared_ptr<LinkChannel>;

}  // namespace craton
