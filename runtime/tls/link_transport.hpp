// LinkTransport: one process's links to other processes (docs/tls.md): an io thread, the
// acceptor on the node's listen address, outgoing connects, and the sessions they start.
// Mutual TLS with the cluster's certificates by default; plain TCP only when asked for
// (--insecure-loopback), and then only on loopback addresses, both ways.
//
// What arrives goes to the callbacks, on the io thread: every envelope frame of every
// session (in and out), and every session's end. NodeHost turns those into messages to the
// router and the links (runtime/node_host.hpp); this class knows nothing of actors.
//
// Lifetime: stop() closes the acceptor and every session and joins the io thread; after it
// returns no callback runs. Sessions others still hold stay valid objects (send() refuses).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/peer_list.hpp"
#include "runtime/result.hpp"
#include "runtime/tls/link_session.hpp"
#include "runtime/tls/link_tls.hpp"

namespace craton::tls {

struct LinkTransportOptions {
  std::string
      node_id;  ///< what this process says in its hello (a certificate's name, or a session of it)
  Endpoint listen;  ///< port 0: any; host empty: listen nowhere (a client)
  /// The cluster's certificate directory (cluster_ca.hpp); empty: plain TCP on loopback.
  std::filesystem::path certs_dir;
  /// Which certificate in certs_dir is ours; empty: certified_name(node_id).
  std::string cert_name;
  LinkAcceptorOptions acceptor;
  LinkSessionOptions session;
};

class LinkTransport {
 public:
  struct Callbacks {
    std::function<void(LinkSession&, Frame)> on_frame;         ///< envelope frames
    std::function<void(LinkSession&, const Error&)> on_close;  ///< every session, once
    std::function<void(const std::string& line)> log;          ///< refusals, reloads
  };
  using OnConnected = std::function<void(Result<std::shared_ptr<LinkSession>>)>;

  /// Loads the certificates, binds the listen address, starts the io thread. Clear errors:
  /// missing or unreadable certificates, a non-loopback address without TLS, a busy port.
  static Result<std::unique_ptr<LinkTransport>> start(LinkTransportOptions options,
                                                      Callbacks callbacks);
  ~LinkTransport();
  LinkTransport(const LinkTransport&) = delete;
  LinkTransport& operator=(const LinkTransport&) = delete;

  bool secure() const { return !options_.certs_dir.empty(); }
  /// One line for the start-up log: which mode, as which node, listening where.
  std::string describe() const;
  std::uint16_t listen_port() const { return port_; }

  /// Connects to the node `expected_peer` (empty: whichever cluster node answers) at `at`;
  /// `done` gets the started session, or why not, on the io thread; `closed` is called when
  /// that session ends (after the callbacks' on_close). Any thread.
  void connect(const std::string& expected_peer, const Endpoint& at,
               std::chrono::milliseconds timeout, OnConnected done,
               std::function<void(LinkSession&, const Error&)> closed);

  /// Reads the certificate, key, CA and CRL again; new connections use them, existing ones
  /// keep theirs. On error nothing changes. Any thread.
  Status reload();

  void stop();

 private:
  explicit LinkTransport(LinkTransportOptions options, Callbacks callbacks);
  std::shared_ptr<boost::asio::ssl::context> context() const;
  std::shared_ptr<LinkSession> start_session(
      std::unique_ptr<LinkStream> stream, std::string peer,
      std::function<void(LinkSession&, const Error&)> closed = {});

  LinkTransportOptions options_;
  Callbacks callbacks_;
  boost::asio::io_context io_;
  std::shared_ptr<LinkAcceptor> acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;  ///< guards tls_, sessions_, stopped_
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::vector<std::weak_ptr<LinkSession>> sessions_;
  bool stopped_ = false;
};

}  // namespace craton::tls
