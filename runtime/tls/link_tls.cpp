// The link front door: TLS contexts from the certificate directory, the bounded acceptor, and
// the client's connect (see link_tls.hpp).
#include "runtime/tls/link_tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "runtime/address.hpp"
#include "runtime/link_frame.hpp"
#include "runtime/tls/cluster_ca.hpp"

namespace craton::tls {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr std::size_t kLoggedMax = 1024;  // distinct (source, reason) lines before going quiet
}  // namespace

Result<std::shared_ptr<asio::ssl::context>> make_link_context(const std::filesystem::path& dir,
                                                              const std::string& node) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls);
  const auto own = node_files(dir, node);
  const auto ca = ca_files(dir);
  try {
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    ctx->use_certificate_chain_file(own.cert.string());
    ctx->use_private_key_file(own.key.string(), asio::ssl::context::pem);
    ctx->load_verify_file(ca.cert.string());
    ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  } catch (const boost::system::system_error& e) {
    return Error{"tls", "cannot load the certificates of " + node + " from " + dir.string() + ": " +
                            e.what()};
  }
  return ctx;
}

Result<std::string> peer_node(TlsStream& stream) {
  X509* cert = SSL_get1_peer_certificate(stream.native_handle());
  if (cert == nullptr) return Error{"tls", "the peer presented no certificate"};
  char cn[256] = {};
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
  X509_free(cert);
  if (n <= 0) return Error{"tls", "the peer's certificate names no node"};
  return std::string(cn, std::size_t(n));
}

// ---- LinkAcceptor ----

struct LinkAcceptor::Pending {
  Pending(asio::ip::tcp::socket socket, asio::ssl::context& tls, std::size_t hello_max)
      : stream(std::make_unique<TlsStream>(std::move(socket), tls)),
        timer(stream->get_executor()),
        reader(hello_max) {}
  std::unique_ptr<TlsStream> stream;
  asio::steady_timer timer;
  FrameReader reader;
  std::array<std::uint8_t, 512> buffer{};
  std::string source;
  bool done = false;
};

LinkAcceptor::LinkAcceptor(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls,
                           LinkAcceptorOptions options, OnLink on_link, Log log)
    : acceptor_(io),
      tls_(std::move(tls)),
      options_(options),
      on_link_(std::move(on_link)),
      log_(std::move(log)) {}

Result<std::shared_ptr<LinkAcceptor>> LinkAcceptor::open(asio::io_context& io,
                                                         const asio::ip::tcp::endpoint& at,
                                                         std::shared_ptr<asio::ssl::context> tls,
                                                         LinkAcceptorOptions options,
                                                         OnLink on_link, Log log) {
  std::shared_ptr<LinkAcceptor> a(
      new LinkAcceptor(io, std::move(tls), options, std::move(on_link), std::move(log)));
  error_code ec;
  a->acceptor_.open(at.protocol(), ec);
  if (!ec) a->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a->acceptor_.bind(at, ec);
  if (!ec) a->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error{"unavailable", "cannot listen on " + at.address().to_string() + ":" +
                                    std::to_string(at.port()) + ": " + ec.message()};
  return a;
}

std::uint16_t LinkAcceptor::port() const {
  return acceptor_.local_endpoint().port();
}

void LinkAcceptor::start() {
  accept_next();
}

void LinkAcceptor::stop() {
  error_code ec;
  acceptor_.close(ec);
}

void LinkAcceptor::accept_next() {
  acceptor_.async_accept([self = shared_from_this()](error_code ec, asio::ip::tcp::socket s) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (!ec) self->admit(std::move(s));
    self->accept_next();
  });
}

void LinkAcceptor::log_once(const std::string& source, const std::string& reason) {
  if (!log_ || logged_.size() >= kLoggedMax) return;
  if (logged_.insert(source + " " + reason).second)
    log_("link from " + source + " refused: " + reason + " (logged once per source)");
}

void LinkAcceptor::admit(asio::ip::tcp::socket socket) {
  error_code ec;
  auto remote = socket.remote_endpoint(ec);
  std::string source = ec ? "unknown" : remote.address().to_string();
  auto& from_source = pending_by_source_[source];
  if (pending_total_ >= options_.pending_max || from_source >= options_.pending_per_source_max) {
    ++counts_.over_cap;
    log_once(source, "too many connections waiting for their handshake");
    socket.close(ec);
    if (from_source == 0) pending_by_source_.erase(source);
    return;
  }
  ++from_source;
  ++pending_total_;
  auto p = std::make_shared<Pending>(std::move(socket), *tls_, options_.hello_bytes_max);
  p->source = source;
  p->timer.expires_after(options_.handshake_timeout);
  p->timer.async_wait([self = shared_from_this(), p](error_code ec) {
    if (!ec) self->finish(p, Outcome::timed_out, "no TLS handshake and hello within the timeout");
  });
  p->stream->async_handshake(
      asio::ssl::stream_base::server, [self = shared_from_this(), p](error_code ec) {
        if (ec) return self->finish(p, Outcome::tls_failed, "TLS handshake failed");
        self->read_hello(p);
      });
}

void LinkAcceptor::read_hello(std::shared_ptr<Pending> p) {
  p->stream->async_read_some(asio::buffer(p->buffer), [self = shared_from_this(), p](
                                                          error_code ec, std::size_t n) {
    if (p->done) return;
    if (ec) return self->finish(p, Outcome::hello_refused, "closed before its hello");
    if (!p->reader.feed(std::span(p->buffer.data(), n)))
      return self->finish(p, Outcome::hello_refused, "malformed hello frame");
    auto frame = p->reader.next();
    if (!frame) return self->read_hello(p);
    std::string claimed(frame->payload.begin(), frame->payload.end());
    auto named = peer_node(*p->stream);
    if (frame->kind != FrameKind::hello || !validate_name(claimed) || !named || *named != claimed)
      return self->finish(p, Outcome::hello_refused,
                          "hello does not name the node of its certificate");
    self->finish(p, Outcome::authenticated);
    self->on_link_(claimed, std::move(p->stream));
  });
}

void LinkAcceptor::finish(const std::shared_ptr<Pending>& p, Outcome outcome, const char* why) {
  if (p->done) return;
  p->done = true;
  p->timer.cancel();
  if (--pending_by_source_[p->source] == 0) pending_by_source_.erase(p->source);
  --pending_total_;
  switch (outcome) {
    case Outcome::authenticated:
      ++counts_.authenticated;
      return;
    case Outcome::timed_out:
      ++counts_.timed_out;
      break;
    case Outcome::tls_failed:
      ++counts_.tls_failed;
      break;
    case Outcome::hello_refused:
      ++counts_.hello_refused;
      break;
  }
  log_once(p->source, why);
  error_code ec;
  p->stream->lowest_layer().close(ec);
}

// ---- connect_link ----

Result<std::unique_ptr<TlsStream>> connect_link(asio::io_context& io,
                                                const asio::ip::tcp::endpoint& at,
                                                asio::ssl::context& tls, const std::string& self,
                                                const std::string& expected_peer,
                                                std::chrono::milliseconds timeout) {
  auto hello = encode_frame(
      FrameKind::hello, std::span(reinterpret_cast<const std::uint8_t*>(self.data()), self.size()));
  if (!hello) return hello.error();
  auto stream = std::make_unique<TlsStream>(io, tls);
  stream->set_verify_callback(asio::ssl::host_name_verification(expected_peer));
  std::optional<error_code> result;
  auto fail = [&](error_code ec) { result = ec; };
  stream->lowest_layer().async_connect(at, [&](error_code ec) {
    if (ec) return fail(ec);
    stream->async_handshake(asio::ssl::stream_base::client, [&](error_code ec) {
      if (ec) return fail(ec);
      asio::async_write(*stream, asio::buffer(*hello),
                        [&](error_code ec, std::size_t) { result = ec; });
    });
  });
  io.restart();
  io.run_for(timeout);
  if (!result) {
    error_code ec;
    stream->lowest_layer().close(ec);
    io.restart();
    io.run_for(std::chrono::milliseconds(100));  // let the cancelled handlers finish
    return Error{"timeout", "no link to " + expected_peer + " within " +
                                std::to_string(timeout.count()) + " ms"};
  }
  if (*result) return Error{"unavailable", "link to " + expected_peer + ": " + result->message()};
  return stream;
}

}  // namespace craton::tls
