// The link front door (runtime/tls/link_tls.hpp) on loopback with real certificates: a node
// of the cluster gets in and is named by its certificate; a stranger's certificate, no
// certificate, a hello naming another node and an oversize hello are refused; idle and
// stalled connections are closed after the handshake timeout; connections beyond the pending
// caps are closed at once. Each refusal is counted.
#define BOOST_TEST_MODULE runtime_link_tls
#include <boost/test/unit_test.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "runtime/link_frame.hpp"
#include "runtime/tls/cluster_ca.hpp"
#include "runtime/tls/link_tls.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A CA with nodes n1..n3, a stranger CA with its own n2, and n1 accepting links on loopback
// from a thread of its own.
struct Cluster {
  storage::test::TempDir tmp;
  std::filesystem::path pki = tmp.sub("pki"), other = tmp.sub("other");
  asio::io_context io;
  asio::io_context client_io;  ///< for the test's own ends; outlives every stream it made
  std::shared_ptr<tls::LinkAcceptor> acceptor;
  std::mutex mutex;
  std::vector<std::string> linked;
  std::vector<std::unique_ptr<tls::LinkStream>> streams;
  std::vector<std::string> log;
  std::thread thread;

  explicit Cluster(tls::LinkAcceptorOptions options = {}) {
    BOOST_REQUIRE(tls::init_ca(pki).ok());
    BOOST_REQUIRE(tls::init_ca(other).ok());
    for (auto n : {"n1", "n2", "n3"}) BOOST_REQUIRE(tls::issue_node_cert(pki, n).ok());
    BOOST_REQUIRE(tls::issue_node_cert(other, "n2").ok());
    auto ctx = tls::make_link_context(pki, "n1");
    BOOST_REQUIRE(ctx.ok());
    auto a = tls::LinkAcceptor::open(
        io, {asio::ip::make_address("127.0.0.1"), 0}, *ctx, options,
        [this](std::string peer, std::unique_ptr<tls::LinkStream> s) {
          std::lock_guard lock(mutex);
          linked.push_back(peer);
          streams.push_back(std::move(s));
        },
        [this](const std::string& line) {
          std::lock_guard lock(mutex);
          log.push_back(line);
        });
    BOOST_REQUIRE(a.ok());
    acceptor = *a;
    acceptor->start();
    thread = std::thread([this] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
  }
  ~Cluster() {
    asio::post(io, [this] {
      acceptor->stop();
      streams.clear();
      io.stop();
    });
    thread.join();
  }
  asio::ip::tcp::endpoint at() const {
    return {asio::ip::make_address("127.0.0.1"), acceptor->port()};
  }

  Result<std::unique_ptr<tls::LinkStream>> connect(const std::filesystem::path& dir,
                                                   const std::string& cert_of,
                                                   const std::string& says) {
    auto ctx = tls::make_link_context(dir, cert_of);
    BOOST_REQUIRE(ctx.ok());
    return tls::connect_link(client_io, at(), *ctx, says, "n1", 3000ms);
  }

  // Polls (bounded) until `done` holds.
  template <class F>
  bool eventually(F done) {  // generous: CI machines are shared and slow
    for (int i = 0; i < 2000; ++i) {
      {
        std::lock_guard lock(mutex);
        if (done()) return true;
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_cluster_node_gets_in_named_by_its_certificate) {
  Cluster c;
  auto link = c.connect(c.pki, "n2", "n2");
  BOOST_REQUIRE_MESSAGE(link.ok(), (link ? "" : link.error().message));
  BOOST_TEST(c.eventually([&] { return c.linked.size() == 1; }));
  BOOST_TEST(c.linked.at(0) == "n2");
  BOOST_TEST(c.acceptor->counts().authenticated == 1u);
  auto peer = tls::peer_node((*link)->tls());  // and the client knows it reached n1
  BOOST_REQUIRE(peer.ok());
  BOOST_TEST(*peer == "n1");
}

// A tool speaks as a session of its certificate (NAME@hex): admitted for NAME's certificate
// only, and a session part that is not 1..16 hex digits is refused.
BOOST_AUTO_TEST_CASE(a_session_of_a_certificate_gets_in_and_only_of_its_own) {
  Cluster c;
  auto link = c.connect(c.pki, "n2", "n2@00ab12");
  BOOST_REQUIRE_MESSAGE(link.ok(), (link ? "" : link.error().message));
  BOOST_TEST(c.eventually([&] { return c.linked.size() == 1; }));
  BOOST_TEST(c.linked.at(0) == "n2@00ab12");
  auto other = c.connect(c.pki, "n2", "n3@00ab12");  // n2's certificate, a session of n3
  BOOST_TEST(c.eventually([&] { return c.acceptor->counts().hello_refused >= 1; }));
  auto bad = c.connect(c.pki, "n2", "n2@xyz");  // not hex
  BOOST_TEST(c.eventually([&] { return c.acceptor->counts().hello_refused >= 2; }));
  BOOST_TEST(c.linked.size() == 1u);
}

BOOST_AUTO_TEST_CASE(strangers_and_impostors_are_refused_and_counted) {
  Cluster c;
  BOOST_TEST(!c.connect(c.other, "n2", "n2").ok());  // another CA
  BOOST_TEST(c.eventually([&] { return c.acceptor->counts().tls_failed >= 1; }));
  auto impostor = c.connect(c.pki, "n2", "n3");  // n2's certificate, claims to be n3
  BOOST_TEST(c.eventually([&] { return c.acceptor->counts().hello_refused >= 1; }));
  // No certificate at all: a plain TLS client.
  asio::io_context client;
  asio::ssl::context bare(asio::ssl::context::tls);
  bare.set_verify_mode(asio::ssl::verify_none);
  tls::TlsStream s(client, bare);
  boost::system::error_code ec;
  s.lowest_layer().connect(c.at(), ec);
  BOOST_REQUIRE(!ec);
  s.handshake(asio::ssl::stream_base::client, ec);
  std::array<char, 1> one{};
  if (!ec) s.read_some(asio::buffer(one), ec);  // TLS 1.3 reports the refusal on first read
  BOOST_TEST(ec);
  BOOST_TEST(c.eventually([&] { return c.acceptor->counts().tls_failed >= 2; }));
  BOOST_TEST(c.linked.empty());
  BOOST_TEST(c.eventually([&] { return c.acceptor->pending() == 0; }));
  BOOST_TEST(c.eventually([&] { return c.log.size() >= 2; }));  // said why
}

BOOST_AUTO_TEST_CASE(an_oversize_hello_claim_is_refused) {
  Cluster c;
  auto ctx = tls::make_link_context(c.pki, "n2");
  BOOST_REQUIRE(ctx.ok());
  asio::io_context client;
  tls::TlsStream s(client, **ctx);
  s.lowest_layer().connect(c.at());
  s.handshake(asio::ssl::stream_base::client);
  std::vector<std::uint8_t> header{'C', 'R', 'T', 1, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  asio::write(s, asio::buffer(header));
  BOOST_TEST(c.eventually([&] { return c.acceptor->counts().hello_refused == 1; }));
  BOOST_TEST(c.linked.empty());
}

// 300 connections that never speak: the first pending_max wait and are closed after the
// timeout, the rest closed at once; nothing is left pending.
BOOST_AUTO_TEST_CASE(idle_connections_are_closed_and_capped) {
  tls::LinkAcceptorOptions options;
  // Long enough that all 300 connect before the first wait ends, even on a loaded machine
  // (300 ms let early ones time out and free their slots while later ones still arrived).
  options.handshake_timeout = 4s;
  options.pending_per_source_max = 100;
  options.pending_max = 150;
  Cluster c(options);
  asio::io_context client;
  std::vector<asio::ip::tcp::socket> idle;
  for (int i = 0; i < 300; ++i) {
    idle.emplace_back(client);
    idle.back().connect(c.at());
  }
  BOOST_TEST(c.eventually([&] {
    const auto& n = c.acceptor->counts();
    return n.over_cap + n.timed_out == 300u;
  }));
  BOOST_TEST(c.acceptor->counts().over_cap == 200u);  // per source: 100 of one address
  BOOST_TEST(c.acceptor->counts().timed_out == 100u);
  BOOST_TEST(c.acceptor->pending() == 0u);
  // Every idle socket sees its end.
  std::size_t closed = 0;
  for (auto& s : idle) {
    std::array<char, 1> b{};
    boost::system::error_code ec;
    s.read_some(asio::buffer(b), ec);
    closed += ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  BOOST_TEST(closed == 300u);
  // And the door still opens for a node of the cluster.
  BOOST_TEST(c.connect(c.pki, "n3", "n3").ok());
  BOOST_TEST(c.eventually([&] { return c.linked.size() == 1; }));
}
