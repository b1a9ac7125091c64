// LinkStream: the byte stream under one link, mutual TLS (the default) or plain TCP (only
// with --insecure-loopback, only between loopback addresses; docs/tls.md). The acceptor, the
// connect and LinkSession read and write through it and never ask which one it is, except to
// say so in logs.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <memory>
#include <optional>
#include <utility>

namespace craton::tls {

using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

class LinkStream {
 public:
  explicit LinkStream(std::unique_ptr<TlsStream> tls) : tls_(std::move(tls)) {}
  explicit LinkStream(boost::asio::ip::tcp::socket plain) : plain_(std::move(plain)) {}

  bool secure() const { return tls_ != nullptr; }
  /// The TLS stream; only when secure().
  TlsStream& tls() { return *tls_; }
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  boost::asio::any_io_executor get_executor() { return socket().get_executor(); }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    else
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }

  /// Writes all of `buffers` (asio::async_write).
  template <class Buffers, class Handler>
  void async_write(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      boost::asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
    else
      boost::asio::async_write(*plain_, buffers, std::forward<Handler>(handler));
  }

  void close() {
    boost::system::error_code ec;
    socket().close(ec);
  }

 private:
  std::unique_ptr<TlsStream> tls_;
  std::optional<boost::asio::ip::tcp::socket> plain_;
};

}  // namespace craton::tls
