// The link front door: TLS contexts from the certificate directory, the bounded acceptor, and
// the client's connect (see link_tls.hpp).
#include "runtime/tls/link_tls.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
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

// DIR/ca.crl, if present: every certificate it lists is refused from now on (this context).
Status load_crl(asio::ssl::context& ctx, const std::filesystem::path& dir) {
  auto path = dir / "ca.crl";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Ok{};
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
  X509_CRL* crl = bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (crl == nullptr) return Error{"tls", "cannot read the revocation list " + path.string()};
  X509_STORE* store = SSL_CTX_get_cert_store(ctx.native_handle());
  int added = X509_STORE_add_crl(store, crl);
  X509_CRL_free(crl);
  if (added != 1) return Error{"tls", "cannot use the revocation list " + path.string()};
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  return Ok{};
}

// The hello frame naming `self`.
Result<std::vector<std::uint8_t>> hello_frame(const std::string& self) {
  return encode_frame(FrameKind::hello,
                      std::span(reinterpret_cast<const std::uint8_t*>(self.data()), self.size()));
}
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
  if (auto s = load_crl(*ctx, dir); !s) return s.error();
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

std::string verify_failure(TlsStream& stream) {
  long result = SSL_get_verify_result(stream.native_handle());
  if (result == X509_V_OK) return "";
  return X509_verify_cert_error_string(result);
}

// ---- LinkAcceptor ----

struct LinkAcceptor::Pending {
  Pending(asio::ip::tcp::socket socket, asio::ssl::context* tls, std::size_t hello_max)
      : stream(
            tls ? std::make_unique<LinkStream>(std::make_unique<TlsStream>(std::move(socket), *tls))
                : std::make_unique<LinkStream>(std::move(socket))),
        timer(stream->get_executor()),
        reader(hello_max) {}
  std::unique_ptr<LinkStream> stream;
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

void LinkAcceptor::count(Outcome outcome) {
  static constexpr const char* kNames[] = {"authenticated", "over_cap", "timed_out", "tls_failed",
                                           "hello_refused"};
  std::atomic<std::uint64_t>* counters[] = {&counts_.authenticated, &counts_.over_cap,
                                            &counts_.timed_out, &counts_.tls_failed,
                                            &counts_.hello_refused};
  auto i = static_cast<std::size_t>(outcome);
  ++*counters[i];
  if (options_.metrics)
    options_.metrics
        ->counter("craton_link_accepts_total",
                  "Connections to the link port, by how their handshake ended",
                  {{"node", options_.node}, {"outcome", kNames[i]}})
        .Increment();
}

void LinkAcceptor::log_once(const std::string& source, const std::string& reason) {
  if (!log_ || logged_.size() >= kLoggedMax) return;
  if (logged_.insert(source + " " + reason).second)
    log_("link from " + source + " refused: " + reason + " (logged once per source)");
}

void LinkAcceptor::admit(asio::ip::tcp::socket socket) {
  error_code ec;
  // Envelopes are small and latency-bound: Nagle's delay with the peer's delayed ACK held
  // 64-byte envelopes for up to 40 ms (craton bench link: 3,500 msgs/s instead of 35,000).
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  auto remote = socket.remote_endpoint(ec);
  std::string source = ec ? "unknown" : remote.address().to_string();
  if (!tls_ && (ec || !remote.address().is_loopback())) {
    count(Outcome::tls_failed);
    log_once(source, "plain TCP (--insecure-loopback) admits loopback peers only");
    socket.close(ec);
    return;
  }
  auto& from_source = pending_by_source_[source];
  if (pending_total_ >= options_.pending_max || from_source >= options_.pending_per_source_max) {
    count(Outcome::over_cap);
    log_once(source, "too many connections waiting for their handshake");
    socket.close(ec);
    if (from_source == 0) pending_by_source_.erase(source);
    return;
  }
  ++from_source;
  ++pending_total_;
  auto p = std::make_shared<Pending>(std::move(socket), tls_.get(), options_.hello_bytes_max);
  p->source = source;
  p->timer.expires_after(options_.handshake_timeout);
  p->timer.async_wait([self = shared_from_this(), p](error_code ec) {
    if (!ec) self->finish(p, Outcome::timed_out, "no TLS handshake and hello within the timeout");
  });
  if (!p->stream->secure()) return read_hello(p);
  p->stream->tls().async_handshake(
      asio::ssl::stream_base::server, [self = shared_from_this(), p](error_code ec) {
        if (!ec) return self->read_hello(p);
        auto why = verify_failure(p->stream->tls());
        self->finish(p, Outcome::tls_failed,
                     "TLS handshake failed: " + (why.empty() ? ec.message() : why));
      });
}

void LinkAcceptor::read_hello(std::shared_ptr<Pending> p) {
  p->stream->async_read_some(
      asio::buffer(p->buffer), [self = shared_from_this(), p](error_code ec, std::size_t n) {
        if (p->done) return;
        if (ec) return self->finish(p, Outcome::hello_refused, "closed before its hello");
        if (!p->reader.feed(std::span(p->buffer.data(), n)))
          return self->finish(p, Outcome::hello_refused, "malformed hello frame");
        auto frame = p->reader.next();
        if (!frame) return self->read_hello(p);
        std::string claimed(frame->payload.begin(), frame->payload.end());
        if (frame->kind != FrameKind::hello || !validate_node_id(claimed))
          return self->finish(p, Outcome::hello_refused, "malformed hello frame");
        if (p->stream->secure()) {
          auto named = peer_node(p->stream->tls());
          if (!named || *named != certified_name(claimed))
            return self->finish(p, Outcome::hello_refused,
                                "hello names " + claimed + ", not the node of its certificate (" +
                                    (named ? *named : named.error().message) + ")");
        }
        self->finish(p, Outcome::authenticated);
        self->on_link_(claimed, std::move(p->stream));
      });
}

void LinkAcceptor::finish(const std::shared_ptr<Pending>& p, Outcome outcome,
                          const std::string& why) {
  if (p->done) return;
  p->done = true;
  p->timer.cancel();
  if (--pending_by_source_[p->source] == 0) pending_by_source_.erase(p->source);
  --pending_total_;
  count(outcome);
  if (outcome == Outcome::authenticated) return;
  log_once(p->source, why);
  p->stream->close();
}

// ---- connect_link ----

namespace {

// One connect in flight: its stream, its deadline, and `done`, called once.
struct Connecting {
  Connecting(asio::io_context& io, asio::ssl::context* tls)
      : stream(tls ? std::make_unique<LinkStream>(std::make_unique<TlsStream>(io, *tls))
                   : std::make_unique<LinkStream>(asio::ip::tcp::socket(io))),
        timer(io) {}
  std::unique_ptr<LinkStream> stream;
  asio::steady_timer timer;
  std::vector<std::uint8_t> hello;
  std::string expected_peer;
  OnConnected done;
  bool finished = false;

  void finish(Result<ConnectedLink> result) {
    if (finished) return;
    finished = true;
    timer.cancel();
    done(std::move(result));
  }
  void fail(const std::string& why) {
    if (finished) return;
    stream->close();
    finish(Error{"unavailable",
                 "link to " + (expected_peer.empty() ? "a node" : expected_peer) + ": " + why});
  }
};

}  // namespace

void async_connect_link(asio::io_context& io, const asio::ip::tcp::endpoint& at,
                        std::shared_ptr<asio::ssl::context> tls, const std::string& self,
                        const std::string& expected_peer, std::chrono::milliseconds timeout,
                        OnConnected done) {
  auto c = std::make_shared<Connecting>(io, tls.get());
  c->expected_peer = expected_peer;
  c->done = std::move(done);
  auto hello = hello_frame(self);
  if (!hello) {
    asio::post(io, [c, e = hello.error()] { c->finish(e); });
    return;
  }
  c->hello = std::move(*hello);
  c->timer.expires_after(timeout);
  c->timer.async_wait([c, timeout, tls](error_code ec) {
    if (!ec) c->fail("no link within " + std::to_string(timeout.count()) + " ms");
  });
  auto send_hello = [c] {
    c->stream->async_write(asio::buffer(c->hello), [c](error_code ec, std::size_t) {
      if (ec) return c->fail(ec.message());
      std::string peer = c->expected_peer;
      if (c->stream->secure()) {
        auto named = peer_node(c->stream->tls());
        if (!named) return c->fail(named.error().message);
        peer = *named;
      }
      c->finish(ConnectedLink{std::move(c->stream), std::move(peer)});
    });
  };
  if (c->stream->secure() && !expected_peer.empty())
    c->stream->tls().set_verify_callback(asio::ssl::host_name_verification(expected_peer));
  c->stream->socket().async_connect(at, [c, send_hello, tls](error_code ec) {
    if (ec) return c->fail(ec.message());
    c->stream->socket().set_option(asio::ip::tcp::no_delay(true), ec);  // see admit()
    if (!c->stream->secure()) return send_hello();
    c->stream->tls().async_handshake(
        asio::ssl::stream_base::client, [c, send_hello, tls](error_code ec) {
          if (!ec) return send_hello();
          auto why = verify_failure(c->stream->tls());
          c->fail("TLS handshake failed: " + (why.empty() ? ec.message() : why));
        });
  });
}

Result<std::unique_ptr<LinkStream>> connect_link(asio::io_context& io,
                                                 const asio::ip::tcp::endpoint& at,
                                                 std::shared_ptr<asio::ssl::context> tls,
                                                 const std::string& self,
                                                 const std::string& expected_peer,
                                                 std::chrono::milliseconds timeout) {
  std::optional<Result<ConnectedLink>> result;
  async_connect_link(io, at, std::move(tls), self, expected_peer, timeout,
                     [&](Result<ConnectedLink> r) { result.emplace(std::move(r)); });
  io.restart();
  while (!result && io.run_one() > 0) {
  }
  if (!result) return Error{"unavailable", "the io_context stopped before the connect ended"};
  if (!*result) return result->error();
  return std::move(result->value().stream);
}

}  // namespace craton::tls
