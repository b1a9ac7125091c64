// Links inside one process: two NodeHosts (two actor systems, each with its own transport)
// talk over loopback with mutual TLS (a CA made for the test run). Checks delivery, peer
// status, drop counting while the peer is away, reconnection when the peer comes back on the
// same port, that a peer cannot speak for another node, and the plain TCP mode's limits.
// Waits are bounded (a test that cannot connect fails, it does not hang); nothing here
// asserts on timing.
#define BOOST_TEST_MODULE runtime_link
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>

#include "runtime/link.hpp"
#include "runtime/node_host.hpp"
#include "runtime/tls/cluster_ca.hpp"
#include "runtime/wire.hpp"
#include "tests/runtime/reserved_ports.hpp"

using namespace craton;
using namespace std::chrono_literals;

namespace {

// One cluster CA for the whole run, with certificates for nodes a, b and c.
struct Pki {
  std::string dir;
  Pki() {
    char pattern[] = "/tmp/craton-link-test.XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp");
    dir = std::string(pattern) + "/pki";
    if (!tls::init_ca(dir)) throw std::runtime_error("init_ca");
    for (auto n : {"a", "b", "c"})
      if (!tls::issue_node_cert(dir, n)) throw std::runtime_error("issue");
  }
  ~Pki() {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(dir).parent_path(), ec);
  }
};

const std::string& pki() {
  static Pki p;
  return p.dir;
}

NodeOptions options(const std::string& id, std::uint16_t port, std::vector<PeerSpec> peers) {
  NodeOptions o;
  o.node_id = id;
  o.listen = Endpoint{"127.0.0.1", port};
  o.peers = std::move(peers);
  o.backoff = BackoffPolicy{20, 200, 2.0, 0.2};  // quick retries keep the test short
  o.seed = 1;
  o.security.certs_dir = pki();
  return o;
}

std::unique_ptr<NodeHost> start(NodeOptions o) {
  auto host = NodeHost::start(o, std::make_shared<MemorySink>());
  BOOST_REQUIRE_MESSAGE(host.ok(), (host.ok() ? "" : host.error().message));
  return std::move(host).value();
}

std::unique_ptr<NodeHost> start(const std::string& id, std::uint16_t port,
                                std::vector<PeerSpec> peers) {
  return start(options(id, port, std::move(peers)));
}

WireEnvelope ping(const Address& from, const Address& to, std::uint64_t seq) {
  EnvelopeBuilder b(from, to, seq);
  b.body().initPing().setSeq(seq);
  return WireEnvelope{b.encode()};
}

/// Registers a blocking probe actor under `name` with the host's router.
struct Probe {
  Probe(NodeHost& host, const std::string& name) : self(host.system()) {
    self->send(host.context().router, register_atom::value, name,
               caf::actor_cast<caf::actor>(self));
  }
  /// The next envelope within `limit`, decoded; nullopt on timeout.
  std::optional<std::vector<std::uint8_t>> next(std::chrono::milliseconds limit) {
    std::optional<std::vector<std::uint8_t>> out;
    self->receive([&](WireEnvelope& w) { out = std::move(w.bytes); }, caf::after(limit) >> [] {});
    return out;
  }
  /// Waits for a PeerStatus with the given state for `node`, skipping anything else.
  bool peer_status(const std::string& node, bool up, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto bytes = next(100ms);
      if (!bytes) continue;
      auto d = decode_envelope(*bytes);
      if (!d || !d->root().getBody().isPeerStatus()) continue;
      auto s = d->root().getBody().getPeerStatus();
      if (s.getNode().cStr() == node && s.getUp() == up) return true;
    }
    return false;
  }
  caf::scoped_actor self;
};

/// Sends pings from a to b/probe until one arrives (the link may still be connecting).
bool delivered(NodeHost& a, Probe& probe, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::uint64_t seq = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    caf::anon_send(a.context().router, ping({"a", "test"}, {"b", "probe"}, ++seq));
    if (auto bytes = probe.next(100ms)) {
      auto d = decode_envelope(*bytes);
      return d.ok() && d->from().to_string() == "a/test" && d->root().getBody().isPing();
    }
  }
  return false;
}

double dropped(NodeHost& host, const std::string& peer) {
  return host.context().metrics->counter_value("craton_link_dropped_total",
                                               {{"node", host.context().node_id}, {"peer", peer}});
}

}  // namespace

BOOST_AUTO_TEST_CASE(envelopes_reach_the_peer_and_peer_status_is_reported) {
  auto ports = testing::ReservedPorts::reserve(1);  // below the ephemeral range
  auto port_b = ports.port(0);
  auto b = start("b", port_b, {});
  Probe probe(*b, "probe");
  auto a = start("a", 0, {PeerSpec{"b", Endpoint{"127.0.0.1", port_b}}});
  Probe watcher(*a, "watcher");
  caf::anon_send(a->context().router, subscribe_atom::value, std::string("watcher"));
  BOOST_TEST(delivered(*a, probe));
  BOOST_TEST(watcher.peer_status("b", true, 10s));
}

// Without being told, a late subscriber (a client actor spawned after its links came up) would
// hear of the peer only at its next change.
BOOST_AUTO_TEST_CASE(a_late_subscriber_is_told_of_peers_already_up) {
  auto ports = testing::ReservedPorts::reserve(1);  // below the ephemeral range
  auto port_b = ports.port(0);
  auto b = start("b", port_b, {});
  Probe probe(*b, "probe");
  auto a = start("a", 0, {PeerSpec{"b", Endpoint{"127.0.0.1", port_b}}});
  BOOST_REQUIRE(delivered(*a, probe));  // the link is up
  Probe watcher(*a, "watcher");
  caf::anon_send(a->context().router, subscribe_atom::value, std::string("watcher"));
  BOOST_TEST(watcher.peer_status("b", true, 10s));
}

BOOST_AUTO_TEST_CASE(envelopes_for_an_unreachable_peer_are_dropped_and_counted) {
  // Below the ephemeral range: a connect attempt can never connect to itself there.
  auto ports = testing::ReservedPorts::reserve(1);
  auto nobody = ports.port(0);
  auto a = start("a", 0, {PeerSpec{"b", Endpoint{"127.0.0.1", nobody}}});
  constexpr int kSent = 1000;
  for (int i = 0; i < kSent; ++i)
    caf::anon_send(a->context().router, ping({"a", "test"}, {"b", "x"}, std::uint64_t(i)));
  // At most pending_max (64) may wait for a connect attempt; once it fails they are dropped
  // too. So eventually every envelope is counted, and never more.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (dropped(*a, "b") < kSent && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  BOOST_TEST(dropped(*a, "b") == double(kSent));
}

BOOST_AUTO_TEST_CASE(link_reconnects_when_the_peer_returns_on_the_same_port) {
  auto ports = testing::ReservedPorts::reserve(1);  // below the ephemeral range
  auto port_b = ports.port(0);
  auto b = start("b", port_b, {});
  auto a = start("a", 0, {PeerSpec{"b", Endpoint{"127.0.0.1", port_b}}});
  Probe watcher(*a, "watcher");
  caf::anon_send(a->context().router, subscribe_atom::value, std::string("watcher"));
  {
    Probe probe(*b, "probe");
    BOOST_REQUIRE(delivered(*a, probe));
  }
  BOOST_REQUIRE(watcher.peer_status("b", true, 10s));
  b.reset();  // the peer's whole actor system goes away: its proxies in a die
  BOOST_REQUIRE(watcher.peer_status("b", false, 10s));
  auto before = dropped(*a, "b");
  for (int i = 0; i < 10; ++i)
    caf::anon_send(a->context().router, ping({"a", "test"}, {"b", "probe"}, 1));
  b = start("b", port_b, {});
  Probe probe(*b, "probe");
  BOOST_TEST(delivered(*a, probe));
  BOOST_TEST(watcher.peer_status("b", true, 10s));
  BOOST_TEST(dropped(*a, "b") > before);  // sent while b was away: counted, not queued
}

BOOST_AUTO_TEST_CASE(a_via_node_reaches_whichever_node_listens_there) {
  auto ports = testing::ReservedPorts::reserve(1);  // below the ephemeral range
  auto port_b = ports.port(0);
  auto b = start("b", port_b, {});
  Probe probe(*b, "probe");
  // a knows only b's address: its link is named "via-0", and b delivers to itself.
  auto a = start("a", 0, {PeerSpec{"via-0", Endpoint{"127.0.0.1", port_b}}});
  auto deadline = std::chrono::steady_clock::now() + 10s;
  bool arrived = false;
  for (std::uint64_t seq = 1; !arrived && std::chrono::steady_clock::now() < deadline; ++seq) {
    caf::anon_send(a->context().router, ping({"a", "test"}, {"via-0", "probe"}, seq));
    if (auto bytes = probe.next(100ms)) arrived = decode_envelope(*bytes).ok();
  }
  BOOST_TEST(arrived);
  // A local envelope to a via node is not delivered locally: it has no route in b.
  Probe local(*b, "local");
  caf::anon_send(b->context().router, ping({"b", "test"}, {"via-0", "local"}, 1));
  BOOST_TEST(!local.next(300ms).has_value());
}

BOOST_AUTO_TEST_CASE(a_closed_link_takes_its_route_out_of_the_router) {
  auto ports = testing::ReservedPorts::reserve(1);  // below the ephemeral range
  auto port_b = ports.port(0);
  auto b = start("b", port_b, {});
  Probe probe(*b, "probe");
  auto a = start("a", 0, {});
  // Opened at run time, as a store replica does.
  auto link = a->context().open_link("b", "127.0.0.1", port_b);
  BOOST_REQUIRE(delivered(*a, probe));
  caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
  auto unroutable = [&] {
    return a->context().metrics->counter_value("craton_router_unroutable_total", {{"node", "a"}});
  };
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (unroutable() == 0 && std::chrono::steady_clock::now() < deadline) {
    caf::anon_send(a->context().router, ping({"a", "test"}, {"b", "probe"}, 7));
    std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(unroutable() > 0);
  while (probe.next(200ms)) {
  }
  caf::anon_send(a->context().router, ping({"a", "test"}, {"b", "probe"}, 8));
  BOOST_TEST(!probe.next(300ms).has_value());
}

// a's certificate names a: an envelope it sends claiming to come from c is dropped by b's
// router and counted, while a's own envelopes still arrive.
BOOST_AUTO_TEST_CASE(a_peer_cannot_speak_for_another_node) {
  auto ports = testing::ReservedPorts::reserve(1);
  auto port_b = ports.port(0);
  auto b = start("b", port_b, {});
  Probe probe(*b, "probe");
  auto a = start("a", 0, {PeerSpec{"b", Endpoint{"127.0.0.1", port_b}}});
  BOOST_REQUIRE(delivered(*a, probe));
  for (std::uint64_t i = 0; i < 5; ++i)
    caf::anon_send(a->context().router, ping({"c", "test"}, {"b", "probe"}, i));
  auto impostors = [&] {
    return b->context().metrics->counter_value("craton_router_impostor_total", {{"node", "b"}});
  };
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (impostors() < 5 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  BOOST_TEST(impostors() == 5.0);
  BOOST_TEST(!probe.next(200ms).has_value());
  BOOST_TEST(delivered(*a, probe));
}

// A node whose certificate is not the one its id names cannot reach a peer: b refuses the
// handshake's hello, so the link never comes up and the envelopes are dropped.
BOOST_AUTO_TEST_CASE(a_node_posing_as_another_is_refused) {
  auto ports = testing::ReservedPorts::reserve(1);
  auto port_b = ports.port(0);
  auto b = start("b", port_b, {});
  Probe probe(*b, "probe");
  auto o = options("a", 0, {PeerSpec{"b", Endpoint{"127.0.0.1", port_b}}});
  o.security.cert_name = "c";  // says a, holds c's certificate
  auto a = start(o);
  BOOST_TEST(!delivered(*a, probe, 2s));
  BOOST_TEST(b->context().metrics->counter_value(
                 "craton_link_accepts_total", {{"node", "b"}, {"outcome", "hello_refused"}}) > 0);
}

BOOST_AUTO_TEST_CASE(plain_tcp_is_for_loopback_only_and_must_be_asked_for) {
  auto ports = testing::ReservedPorts::reserve(1);
  auto port_b = ports.port(0);
  auto plain = [&](const std::string& id, const std::string& host, std::uint16_t port,
                   std::vector<PeerSpec> peers) {
    auto o = options(id, port, std::move(peers));
    o.listen.host = host;
    o.security = LinkSecurity{"", "", true};
    return o;
  };
  // Works on loopback, both ways.
  auto b = start(plain("b", "127.0.0.1", port_b, {}));
  Probe probe(*b, "probe");
  auto a = start(plain("a", "127.0.0.1", 0, {PeerSpec{"b", Endpoint{"127.0.0.1", port_b}}}));
  BOOST_TEST(delivered(*a, probe));
  BOOST_TEST(a->link_mode().find("plain TCP") != std::string::npos);
  // Refused on any other address, and with no mode chosen.
  auto wide = NodeHost::start(plain("c", "0.0.0.0", 0, {}), std::make_shared<MemorySink>());
  BOOST_REQUIRE(!wide.ok());
  BOOST_TEST(wide.error().message.find("loopback only") != std::string::npos);
  auto none = options("c", 0, {});
  none.security = LinkSecurity{};
  auto unsure = NodeHost::start(none, std::make_shared<MemorySink>());
  BOOST_REQUIRE(!unsure.ok());
  BOOST_TEST(unsure.error().message.find("--insecure-loopback") != std::string::npos);
}

// A peer named by host name is resolved on the transport's io thread (no actor waits on DNS).
BOOST_AUTO_TEST_CASE(a_peer_named_by_host_name_is_reached) {
  auto ports = testing::ReservedPorts::reserve(1);
  auto port_b = ports.port(0);
  auto b = start("b", port_b, {});
  Probe probe(*b, "probe");
  auto a = start("a", 0, {PeerSpec{"b", Endpoint{"localhost", port_b}}});
  BOOST_TEST(delivered(*a, probe));
}
