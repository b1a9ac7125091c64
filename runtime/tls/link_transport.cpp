// LinkTransport: the io thread, the acceptor and the connects behind a process's links.
#include "runtime/tls/link_transport.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

#include "runtime/address.hpp"

namespace craton::tls {

namespace asio = boost::asio;

namespace {

// A host as an address: a literal, else the first the resolver gives (blocking: for the
// listen address at start-up only).
Result<asio::ip::tcp::endpoint> resolve(asio::io_context& io, const Endpoint& at) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(at.host, ec);
  if (!ec) return asio::ip::tcp::endpoint(address, at.port);
  asio::ip::tcp::resolver resolver(io);
  auto results = resolver.resolve(at.host, std::to_string(at.port), ec);
  if (ec || results.empty())
    return Error{"unavailable", "cannot resolve " + at.host + ": " + ec.message()};
  return results.begin()->endpoint();
}

Status require_loopback(const asio::ip::tcp::endpoint& at, const std::string& what) {
  if (at.address().is_loopback()) return Ok{};
  return Error{"insecure", "plain TCP (--insecure-loopback) is for loopback only; " + what +
                               " is " + at.address().to_string() +
                               ": give --certs DIR for links between hosts"};
}

}  // namespace

LinkTransport::LinkTransport(LinkTransportOptions options, Callbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {}

LinkTransport::~LinkTransport() {
  stop();
}

Result<std::unique_ptr<LinkTransport>> LinkTransport::start(LinkTransportOptions options,
                                                            Callbacks callbacks) {
  if (auto s = validate_node_id(options.node_id); !s) return s.error();
  if (options.cert_name.empty()) options.cert_name = std::string(certified_name(options.node_id));
  std::unique_ptr<LinkTransport> t(new LinkTransport(std::move(options), std::move(callbacks)));
  auto& opts = t->options_;
  if (t->secure()) {
    auto ctx = make_link_context(opts.certs_dir, opts.cert_name);
    if (!ctx) return ctx.error();
    t->tls_ = std::move(*ctx);
  }
  if (!opts.listen.host.empty()) {
    auto at = resolve(t->io_, opts.listen);
    if (!at) return at.error();
    if (!t->secure())
      if (auto s = require_loopback(*at, "the listen address " + opts.listen.to_string()); !s)
        return s.error();
    auto* raw = t.get();
    auto acceptor = LinkAcceptor::open(
        t->io_, *at, t->tls_, opts.acceptor,
        [raw](std::string peer, std::unique_ptr<LinkStream> stream) {
          raw->start_session(std::move(stream), std::move(peer));
        },
        [raw](const std::string& line) {
          if (raw->callbacks_.log) raw->callbacks_.log(line);
        });
    if (!acceptor) return acceptor.error();
    t->acceptor_ = std::move(*acceptor);
    t->port_ = t->acceptor_->port();
    t->acceptor_->start();
  }
  t->thread_ = std::thread([io = &t->io_] {
    auto work = asio::make_work_guard(*io);
    io->run();
  });
  return t;
}

std::string LinkTransport::describe() const {
  std::string where = options_.listen.host.empty()
                          ? "listening nowhere"
                          : "listening on " + options_.listen.host + ":" + std::to_string(port_);
  if (secure())
    return "links: mutual TLS as " + options_.cert_name + " (certificates in " +
           options_.certs_dir.string() + "), " + where;
  return "links: plain TCP, loopback only (--insecure-loopback): peers are not authenticated, " +
         where;
}

std::shared_ptr<asio::ssl::context> LinkTransport::context() const {
  std::lock_guard lock(mutex_);
  return tls_;
}

std::shared_ptr<LinkSession> LinkTransport::start_session(
    std::unique_ptr<LinkStream> stream, std::string peer,
    std::function<void(LinkSession&, const Error&)> closed) {
  auto session = LinkSession::start(
      std::move(stream), std::move(peer), options_.session,
      [this](LinkSession& s, Frame frame) {
        if (callbacks_.on_frame) callbacks_.on_frame(s, std::move(frame));
      },
      [this, closed = std::move(closed)](LinkSession& s, const Error& why) {
        if (callbacks_.on_close) callbacks_.on_close(s, why);
        if (closed) closed(s, why);
      });
  std::lock_guard lock(mutex_);
  if (stopped_) {
    session->close();
    return session;
  }
  // Forget ended sessions now and then, so the list stays as long as the live ones.
  if (sessions_.size() >= 64 && sessions_.size() % 64 == 0)
    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
  sessions_.push_back(session);
  return session;
}

void LinkTransport::connect(const std::string& expected_peer, const Endpoint& at,
                            std::chrono::milliseconds timeout, OnConnected done,
                            std::function<void(LinkSession&, const Error&)> closed) {
  auto go = [this, expected_peer, at, timeout, done,
             closed](Result<asio::ip::tcp::endpoint> target) {
    if (target && !secure())
      if (auto s = require_loopback(*target, "peer " + at.to_string()); !s) target = s.error();
    if (!target) return done(target.error());
    async_connect_link(io_, *target, context(), options_.node_id, expected_peer, timeout,
                       [this, done, expected_peer, closed](Result<ConnectedLink> r) {
                         if (!r) return done(r.error());
                         // Plain TCP: nothing vouches for a peer reached by address only.
                         auto peer = secure() ? std::move(r->peer) : expected_peer;
                         done(start_session(std::move(r->stream), std::move(peer), closed));
                       });
  };
  // A literal address needs no lookup; a host name is resolved on the io thread without
  // blocking it (the caller is an actor: it must not wait on DNS).
  boost::system::error_code ec;
  auto address = asio::ip::make_address(at.host, ec);
  if (!ec) {
    asio::post(io_, [go, e = asio::ip::tcp::endpoint(address, at.port)] { go(e); });
    return;
  }
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(io_);
  resolver->async_resolve(
      at.host, std::to_string(at.port),
      [go, resolver, host = at.host](boost::system::error_code ec,
                                     asio::ip::tcp::resolver::results_type r) {
        if (ec || r.empty())
          return go(Error{"unavailable", "cannot resolve " + host + ": " + ec.message()});
        go(r.begin()->endpoint());
      });
}

Status LinkTransport::reload() {
  if (!secure()) return Error{"insecure", "plain TCP links have no certificates to reload"};
  auto ctx = make_link_context(options_.certs_dir, options_.cert_name);
  if (!ctx) return ctx.error();
  {
    std::lock_guard lock(mutex_);
    tls_ = *ctx;
  }
  if (acceptor_) asio::post(io_, [a = acceptor_, c = *ctx] { a->set_context(c); });
  return Ok{};
}

void LinkTransport::stop() {
  std::vector<std::weak_ptr<LinkSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    sessions.swap(sessions_);
  }
  if (acceptor_) asio::post(io_, [a = acceptor_] { a->stop(); });
  for (auto& w : sessions)
    if (auto s = w.lock()) s->close();
  // Let the closes run (each ends its session and calls on_close), then stop the thread.
  asio::post(io_, [this] { io_.stop(); });
  if (thread_.joinable()) thread_.join();
}

}  // namespace craton::tls
