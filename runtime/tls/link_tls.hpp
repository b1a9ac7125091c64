// The front door of our own link transport (docs/tls.md): mutual TLS with the cluster's
// certificates, then a `hello` frame naming the peer node, which must be the node its
// certificate names. Nothing a stranger sends reaches anything else, and every stranger is
// bounded: a connection that has not finished TLS and its hello within handshake_timeout_ms
// is closed; at most pending_per_source_max unauthenticated connections per source address
// and pending_max in all are held, the rest closed at once; a hello frame is read with the
// FrameReader's limit (hello_bytes_max), so its header is checked before a byte is kept. Each
// refusal is counted, and logged once per source address and reason.
//
// LinkAcceptor runs on an asio::io_context (its thread is the caller's); authenticated
// connections are handed to on_link together with the peer's node id. async_connect_link()
// is the client side (bounded by a timeout), used by the transport (link_transport.hpp);
// connect_link() is its blocking form for tests.
//
// Names: a peer speaks as the node its certificate names, or as a session of it (NODE@hex,
// address.hpp: clients sharing one certificate). Without a TLS context (nullptr: plain TCP,
// --insecure-loopback) nothing is verified: the hello's name is taken as said, and the
// acceptor admits loopback sources only.
//
// Certificates are checked by OpenSSL against the cluster CA: expired ones, and, when the
// directory holds `ca.crl`, revoked ones are refused, and the log line says which.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "runtime/metrics.hpp"
#include "runtime/result.hpp"
#include "runtime/tls/link_stream.hpp"

namespace craton::tls {

/// A TLS context for node `node` from a certificate directory (cluster_ca.hpp): its own
/// certificate and key, the cluster CA as the only trust anchor, TLS 1.2 at least, and the
/// peer's certificate demanded and verified (both directions); with DIR/ca.crl present,
/// certificates it revokes are refused too. Read at call time: a new context per reload.
Result<std::shared_ptr<boost::asio::ssl::context>> make_link_context(
    const std::filesystem::path& certs_dir, const std::string& node);

/// The node id a verified peer certificate names (its CN), or an error.
Result<std::string> peer_node(TlsStream& stream);

/// Why OpenSSL refused the peer's certificate on `stream` ("certificate has expired", ...),
/// or "" if it did not.
std::string verify_failure(TlsStream& stream);

struct LinkAcceptorOptions {
  std::chrono::milliseconds handshake_timeout{5000};  ///< TLS plus hello
  std::size_t pending_per_source_max = 16;
  /// Each pending connection holds an OpenSSL session and Asio's TLS buffers, about 90 KB
  /// (measured: 256 pending took a replica's RSS up by 22 MiB), so 128 bound what strangers
  /// can make a process hold to about 11 MiB (issue 10's bound: 16 MiB).
  std::size_t pending_max = 128;
  std::size_t hello_bytes_max = 256;
  /// Where the outcomes are counted as craton_link_accepts_total{node, outcome}; optional.
  std::shared_ptr<Metrics> metrics;
  std::string node;  ///< the label
};

/// What the acceptor refused and accepted (monotonic; read from any thread).
struct LinkAcceptorCounts {
  std::atomic<std::uint64_t> authenticated{0};
  std::atomic<std::uint64_t> over_cap{0};       ///< closed at once: too many pending
  std::atomic<std::uint64_t> timed_out{0};      ///< no TLS and hello within the timeout
  std::atomic<std::uint64_t> tls_failed{0};     ///< handshake failed (no/bad certificate)
  std::atomic<std::uint64_t> hello_refused{0};  ///< bad frame, or a name not the certificate's
};

class LinkAcceptor : public std::enable_shared_from_this<LinkAcceptor> {
 public:
  using OnLink = std::function<void(std::string peer, std::unique_ptr<LinkStream> stream)>;
  using Log = std::function<void(const std::string& line)>;

  /// Listens on `at` (port 0: any); call start() to accept. `tls` null: plain TCP (see top).
  static Result<std::shared_ptr<LinkAcceptor>> open(boost::asio::io_context& io,
                                                    const boost::asio::ip::tcp::endpoint& at,
                                                    std::shared_ptr<boost::asio::ssl::context> tls,
                                                    LinkAcceptorOptions options, OnLink on_link,
                                                    Log log = {});
  void start();
  void stop();
  /// The context for connections accepted from now on (a certificate reload). io thread.
  void set_context(std::shared_ptr<boost::asio::ssl::context> tls) { tls_ = std::move(tls); }
  std::uint16_t port() const;
  const LinkAcceptorCounts& counts() const { return counts_; }
  std::size_t pending() const { return pending_total_; }

 private:
  struct Pending;
  LinkAcceptor(boost::asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls,
               LinkAcceptorOptions options, OnLink on_link, Log log);
  void accept_next();
  void admit(boost::asio::ip::tcp::socket socket);
  void read_hello(std::shared_ptr<Pending> p);
  /// How a pending connection ends; each refusal has its counter.
  enum class Outcome { authenticated, over_cap, timed_out, tls_failed, hello_refused };
  void count(Outcome outcome);
  void finish(const std::shared_ptr<Pending>& p, Outcome outcome, const std::string& why = "");
  void log_once(const std::string& source, const std::string& reason);

  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  LinkAcceptorOptions options_;
  OnLink on_link_;
  Log log_;
  LinkAcceptorCounts counts_;
  std::map<std::string, std::size_t> pending_by_source_;
  std::size_t pending_total_ = 0;
  std::set<std::string> logged_;  ///< "source reason", bounded by log_sources_max
};

struct ConnectedLink {
  std::unique_ptr<LinkStream> stream;
  std::string peer;  ///< as its certificate names it (plain TCP: expected_peer, as told)
};
using OnConnected = std::function<void(Result<ConnectedLink>)>;

/// Connects to `at` as node `self`: TCP, TLS (the server's certificate must name
/// `expected_peer`, or any node of the cluster if it is empty), then the hello frame.
/// `tls` null: plain TCP and the hello. `done` is called once, on the io_context's thread,
/// within about `timeout`.
void async_connect_link(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& at,
                        std::shared_ptr<boost::asio::ssl::context> tls, const std::string& self,
                        const std::string& expected_peer, std::chrono::milliseconds timeout,
                        OnConnected done);

/// The blocking form, for tests: runs `io` itself until the connect ends.
Result<std::unique_ptr<LinkStream>> connect_link(boost::asio::io_context& io,
                                                 const boost::asio::ip::tcp::endpoint& at,
                                                 std::shared_ptr<boost::asio::ssl::context> tls,
                                                 const std::string& self,
                                                 const std::string& expected_peer,
                                                 std::chrono::milliseconds timeout);

}  // namespace craton::tls
