// LinkSession: frames in and out of one authenticated link, bounded, kept alive.
#include "runtime/tls/link_session.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace craton::tls {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
// Frames gathered into one write. Asio's TLS stream encrypts one buffer per record and
// writes each record with its own syscall, so queued frames are copied into one buffer of up
// to kWriteBatchBytes first: under load many small envelopes go out in a few full records.
constexpr std::size_t kWriteBatchFrames = 256;
constexpr std::size_t kWriteBatchBytes = 64 * 1024;
}  // namespace

LinkSession::LinkSession(std::unique_ptr<LinkStream> stream, std::string peer,
                         LinkSessionOptions options, OnFrame on_frame, OnClose on_close)
    : stream_(std::move(stream)),
      strand_(asio::make_strand(stream_->get_executor())),
      peer_(std::move(peer)),
      options_(options),
      on_frame_(std::move(on_frame)),
      on_close_(std::move(on_close)),
      reader_(options.frame_bytes_max),
      keepalive_(strand_),
      idle_(strand_) {}

std::shared_ptr<LinkSession> LinkSession::start(std::unique_ptr<LinkStream> stream,
                                                std::string peer, LinkSessionOptions options,
                                                OnFrame on_frame, OnClose on_close) {
  std::shared_ptr<LinkSession> s(new LinkSession(std::move(stream), std::move(peer), options,
                                                 std::move(on_frame), std::move(on_close)));
  asio::post(s->strand_, [s] {
    s->arm_idle();
    s->arm_keepalive();
    s->read();
  });
  return s;
}

std::size_t LinkSession::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_bytes_;
}

bool LinkSession::send(std::vector<std::uint8_t> envelope) {
  auto frame = encode_frame(FrameKind::envelope, envelope, options_.frame_bytes_max);
  if (!frame) return false;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || draining_ || queued_bytes_ + frame->size() > options_.send_queue_bytes_max)
      return false;
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(*frame));
  }
  asio::post(strand_, [self = shared_from_this()] { self->write_next(); });
  return true;
}

void LinkSession::close() {
  asio::post(strand_, [self = shared_from_this()] { self->end(Error{"closed", "closed"}); });
}

void LinkSession::close_after_sending() {
  asio::post(strand_, [self = shared_from_this()] {
    {
      std::lock_guard lock(self->mutex_);
      if (self->closed_ || self->draining_) return;
      self->draining_ = true;
      if (self->queue_.empty() && self->writing_ == 0) {
        self->draining_ = false;  // nothing to wait for
      }
    }
    if (!self->draining_) return self->end(Error{"closed", "closed"});
    // The keepalive timer becomes the drain's deadline: no keepalives while draining.
    self->keepalive_.expires_after(self->options_.idle_timeout);
    self->keepalive_.async_wait([self](error_code ec) {
      if (!ec) self->end(Error{"timeout", "could not write what was queued before closing"});
    });
  });
}

void LinkSession::write_next() {
  if (writing_ > 0) return;
  asio::const_buffer out;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || queue_.empty()) return;
    // One frame (or a large first one) is written in place; a deque's elements stay put while
    // others are pushed behind them.
    std::size_t frames = 1;
    out = asio::buffer(queue_.front());
    if (queue_.size() > 1 && queue_.front().size() < kWriteBatchBytes) {
      batch_.clear();
      frames = 0;
      for (const auto& frame : queue_) {
        if (frames == kWriteBatchFrames || batch_.size() + frame.size() > kWriteBatchBytes) break;
        batch_.insert(batch_.end(), frame.begin(), frame.end());
        ++frames;
      }
      out = asio::buffer(batch_);
    }
    writing_ = frames;
  }
  if (!draining_) keepalive_.cancel();  // something goes out: no keepalive needed for now
  stream_->async_write(
      out, asio::bind_executor(strand_, [self = shared_from_this()](error_code ec, std::size_t) {
        auto written = self->writing_;
        self->writing_ = 0;
        if (ec) return self->end(Error{"io", "write failed: " + ec.message()});
        bool drained = false;
        {
          std::lock_guard lock(self->mutex_);
          for (std::size_t i = 0; i < written; ++i) {
            self->queued_bytes_ -= self->queue_.front().size();
            self->queue_.pop_front();
          }
          drained = self->draining_ && self->queue_.empty();
        }
        if (drained) return self->end(Error{"closed", "closed"});
        if (!self->draining_) self->arm_keepalive();
        self->write_next();
      }));
}

void LinkSession::arm_keepalive() {
  keepalive_.expires_after(options_.keepalive_interval);
  keepalive_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec) return;  // cancelled: something else went out, or the link closed
    auto frame = encode_frame(FrameKind::keepalive, {});
    {
      std::lock_guard lock(self->mutex_);
      if (self->closed_) return;
      self->queued_bytes_ += frame->size();
      self->queue_.push_back(std::move(*frame));  // not counted against the caller's bound
    }
    self->write_next();
  });
}

void LinkSession::arm_idle() {
  idle_.expires_after(options_.idle_timeout);
  idle_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec) return;
    self->end(Error{"timeout", "nothing received from " + self->peer_ + " for " +
                                   std::to_string(self->options_.idle_timeout.count()) + " ms"});
  });
}

void LinkSession::read() {
  stream_->async_read_some(
      asio::buffer(buffer_),
      asio::bind_executor(strand_, [self = shared_from_this()](error_code ec, std::size_t n) {
        {
          std::lock_guard lock(self->mutex_);
          if (self->closed_) return;
        }
        if (ec) return self->end(Error{"io", "read failed: " + ec.message()});
        self->arm_idle();
        if (auto s = self->reader_.feed(std::span(self->buffer_.data(), n)); !s)
          return self->end(s.error());
        while (auto frame = self->reader_.next()) {
          if (frame->kind == FrameKind::hello)
            return self->end(Error{"bad_frame", "a hello after the handshake"});
          if (frame->kind == FrameKind::envelope) self->on_frame_(*self, std::move(*frame));
          std::lock_guard lock(self->mutex_);
          if (self->closed_) return;  // on_frame may have closed it
        }
        self->read();
      }));
}

void LinkSession::end(Error why) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;  // the queue goes with the session: a write in flight may still use it
  }
  keepalive_.cancel();
  idle_.cancel();
  stream_->close();
  on_close_(*this, why);
}

}  // namespace craton::tls
