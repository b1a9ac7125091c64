// LinkSession: one authenticated link (link_tls.hpp) carrying frames both ways: envelope
// frames as the router sends them, keepalive frames when there is nothing to say.
//
// Promises:
// - Bounded: inbound frames are read with a FrameReader (frame_bytes_max, checked before a
//   payload is kept); outbound frames wait in a queue of at most send_queue_bytes_max bytes:
//   send() refuses (returns false, queues nothing) beyond it, so a peer that stops reading
//   costs the sender a bounded amount of memory.
// - Alive or closed: a keepalive goes out after keepalive_interval without anything sent; a
//   link that receives nothing (not even a keepalive) for idle_timeout is closed. A malformed
//   frame, a hello after the handshake, or any I/O error closes it too. on_close is called
//   exactly once, with the reason; on_frame never after it.
// - In order: frames are delivered, and written, in the order they were received and sent.
//   Frames queued while a write is in flight go out together in the next one (one TLS
//   record run and one syscall for many envelopes under load).
// send() and close() may be called from any thread; the callbacks run on the io_context's
// thread(s), serialised by the session's strand.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/link_channel.hpp"
#include "runtime/link_frame.hpp"
#include "runtime/result.hpp"
#include "runtime/tls/link_tls.hpp"

namespace craton::tls {

struct LinkSessionOptions {
  std::size_t frame_bytes_max = kFrameBytesMaxDefault;
  std::size_t send_queue_bytes_max = std::size_t{64} << 20;
  std::chrono::milliseconds keepalive_interval{1000};
  std::chrono::milliseconds idle_timeout{5000};
};

class LinkSession : public LinkChannel, public std::enable_shared_from_this<LinkSession> {
 public:
  using OnFrame = std::function<void(LinkSession& session, Frame frame)>;
  using OnClose = std::function<void(LinkSession& session, const Error& why)>;

  /// Starts reading and keeping the link alive. `stream` must be authenticated (its hello
  /// exchanged); `peer` is the node it is with.
  static std::shared_ptr<LinkSession> start(std::unique_ptr<LinkStream> stream, std::string peer,
                                            LinkSessionOptions options, OnFrame on_frame,
                                            OnClose on_close);

  /// Queues one envelope frame; false if the queue is full, the payload over the frame limit,
  /// or the link closed (then nothing is queued).
  bool send(std::vector<std::uint8_t> envelope) override;
  /// Closes the link now, dropping what is queued (on_close gets "closed").
  void close();
  void close_after_sending() override;

  const std::string& peer() const override { return peer_; }
  bool secure() const { return stream_->secure(); }
  std::size_t queued_bytes() const;

 private:
  LinkSession(std::unique_ptr<LinkStream> stream, std::string peer, LinkSessionOptions options,
              OnFrame on_frame, OnClose on_close);
  void read();
  void write_next();
  void arm_keepalive();
  void arm_idle();
  void end(Error why);

  std::unique_ptr<LinkStream> stream_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::string peer_;
  LinkSessionOptions options_;
  OnFrame on_frame_;
  OnClose on_close_;
  FrameReader reader_;
  std::array<std::uint8_t, 64 * 1024> buffer_{};
  boost::asio::steady_timer keepalive_;
  boost::asio::steady_timer idle_;

  mutable std::mutex mutex_;  ///< guards queue_, queued_bytes_, closed_
  std::deque<std::vector<std::uint8_t>> queue_;
  std::size_t queued_bytes_ = 0;
  bool closed_ = false;
  bool draining_ = false;    ///< close_after_sending: refuse sends, end when the queue is empty
  std::size_t writing_ = 0;  ///< frames at the queue's front being written; strand only
  std::vector<std::uint8_t> batch_;  ///< several frames copied into one write; strand only
};

}  // namespace craton::tls
