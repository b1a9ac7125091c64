// LinkSession (runtime/tls/link_session.hpp) over real mutual-TLS links on loopback: 10,000
// envelopes each way arrive whole and in order; a peer that goes silent is closed after the
// idle timeout while keepalives hold a quiet but live link open; a peer that stops reading
// costs at most the send queue's bound; a malformed frame or a second hello closes the link.
#define BOOST_TEST_MODULE runtime_link_session
#include <boost/test/unit_test.hpp>

#include <boost/asio/write.hpp>
#include <thread>

#include "runtime/rng.hpp"
#include "runtime/tls/cluster_ca.hpp"
#include "runtime/tls/link_session.hpp"
#include "runtime/tls/link_tls.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

namespace {

// n1 accepts on one io thread and starts a LinkSession per link; the test's end (n2) runs on
// another. Received envelopes and close reasons are recorded under a mutex.
struct Pair {
  storage::test::TempDir tmp;
  std::filesystem::path pki = tmp.sub("pki");
  asio::io_context server_io, client_io;
  std::shared_ptr<tls::LinkAcceptor> acceptor;
  tls::LinkSessionOptions server_options;
  std::mutex mutex;
  std::vector<Bytes> server_got, client_got;
  std::vector<std::string> server_closed, client_closed;
  std::vector<std::shared_ptr<tls::LinkSession>> server_sessions;
  std::thread server_thread, client_thread;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> server_work,
      client_work;

  explicit Pair(tls::LinkSessionOptions options = {}) : server_options(options) {
    BOOST_REQUIRE(tls::init_ca(pki).ok());
    for (auto n : {"n1", "n2"}) BOOST_REQUIRE(tls::issue_node_cert(pki, n).ok());
    auto ctx = tls::make_link_context(pki, "n1");
    BOOST_REQUIRE(ctx.ok());
    auto a = tls::LinkAcceptor::open(server_io, {asio::ip::make_address("127.0.0.1"), 0}, *ctx, {},
                                     [this](std::string peer, std::unique_ptr<tls::LinkStream> s) {
                                       auto session = tls::LinkSession::start(
                                           std::move(s), peer, server_options,
                                           [this](tls::LinkSession&, Frame f) {
                                             std::lock_guard lock(mutex);
                                             server_got.push_back(std::move(f.payload));
                                           },
                                           [this](tls::LinkSession&, const Error& why) {
                                             std::lock_guard lock(mutex);
                                             server_closed.push_back(why.code + ": " + why.message);
                                           });
                                       std::lock_guard lock(mutex);
                                       server_sessions.push_back(session);
                                     });
    BOOST_REQUIRE(a.ok());
    acceptor = *a;
    acceptor->start();
    server_work.emplace(server_io.get_executor());
    server_thread = std::thread([this] { server_io.run(); });
  }
  ~Pair() {
    for (auto& s : server_sessions) s->close();
    server_work.reset();
    asio::post(server_io, [this] { acceptor->stop(); });
    std::this_thread::sleep_for(50ms);
    server_io.stop();
    server_thread.join();
    if (client_thread.joinable()) {
      client_work.reset();
      client_io.stop();
      client_thread.join();
    }
  }

  // n2's raw authenticated stream (the hello sent), on client_io (not yet running).
  std::unique_ptr<tls::LinkStream> raw_link() {
    auto ctx = tls::make_link_context(pki, "n2");
    BOOST_REQUIRE(ctx.ok());
    client_ctx = *ctx;
    auto link =
        tls::connect_link(client_io, {asio::ip::make_address("127.0.0.1"), acceptor->port()},
                          client_ctx, "n2", "n1", 3000ms);
    BOOST_REQUIRE_MESSAGE(link.ok(), (link ? "" : link.error().message));
    return std::move(*link);
  }

  // n2 as a LinkSession, its io thread running.
  std::shared_ptr<tls::LinkSession> session_link(tls::LinkSessionOptions options = {}) {
    auto stream = raw_link();
    auto s = tls::LinkSession::start(
        std::move(stream), "n1", options,
        [this](tls::LinkSession&, Frame f) {
          std::lock_guard lock(mutex);
          client_got.push_back(std::move(f.payload));
        },
        [this](tls::LinkSession&, const Error& why) {
          std::lock_guard lock(mutex);
          client_closed.push_back(why.code);
        });
    client_work.emplace(client_io.get_executor());
    client_io.restart();
    client_thread = std::thread([this] { client_io.run(); });
    return s;
  }

  template <class F>
  bool eventually(F done, int tries = 500) {
    for (int i = 0; i < tries; ++i) {
      {
        std::lock_guard lock(mutex);
        if (done()) return true;
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  std::shared_ptr<asio::ssl::context> client_ctx;
};

}  // namespace

BOOST_AUTO_TEST_CASE(ten_thousand_envelopes_each_way_arrive_whole_and_in_order) {
  Pair p;
  auto n2 = p.session_link();
  BOOST_REQUIRE(p.eventually([&] { return p.server_sessions.size() == 1; }));
  Rng rng(7);
  std::vector<Bytes> up, down;
  for (int i = 0; i < 10000; ++i) {
    Bytes b(rng.uniform(0, 10000));
    for (auto& x : b) x = std::uint8_t(rng.uniform(0, 255));
    up.push_back(b);
    std::reverse(b.begin(), b.end());
    down.push_back(b);
  }
  auto n1 = p.server_sessions.at(0);
  for (int i = 0; i < 10000; ++i) {
    while (!n2->send(up[i])) std::this_thread::sleep_for(1ms);  // the queue's bound: wait
    while (!n1->send(down[i])) std::this_thread::sleep_for(1ms);
  }
  BOOST_TEST(p.eventually(
      [&] { return p.server_got.size() == 10000 && p.client_got.size() == 10000; }, 3000));
  std::lock_guard lock(p.mutex);
  BOOST_TEST((p.server_got == up));
  BOOST_TEST((p.client_got == down));
  BOOST_TEST(p.server_closed.empty());
}

BOOST_AUTO_TEST_CASE(a_silent_peer_is_closed_a_quiet_live_one_is_not) {
  tls::LinkSessionOptions fast;
  fast.keepalive_interval = 100ms;
  fast.idle_timeout = 400ms;
  {
    Pair p(fast);
    auto n2 = p.session_link(fast);  // sends nothing but keepalives
    std::this_thread::sleep_for(1500ms);
    std::lock_guard lock(p.mutex);
    BOOST_TEST(p.server_closed.empty());
    BOOST_TEST(p.client_closed.empty());
  }
  Pair p(fast);
  auto raw = p.raw_link();  // authenticated, then silent: no keepalives
  BOOST_TEST(p.eventually([&] { return p.server_closed.size() == 1; }));
  BOOST_TEST(p.server_closed.at(0).rfind("timeout", 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_peer_that_stops_reading_costs_at_most_the_queue_bound) {
  Pair p;
  auto raw = p.raw_link();  // n2 never reads
  BOOST_REQUIRE(p.eventually([&] { return p.server_sessions.size() == 1; }));
  const tls::LinkSessionOptions defaults;  // what the server's session runs with
  auto n1 = p.server_sessions.at(0);
  std::size_t accepted = 0;
  for (int i = 0; i < 2000 && n1->send(Bytes(1 << 20, 1)); ++i) ++accepted;
  BOOST_TEST(accepted < 2000u);  // refused at some point
  // The bound, plus at most a keepalive frame queued by the session itself.
  BOOST_TEST(n1->queued_bytes() <= defaults.send_queue_bytes_max + kFrameHeaderBytes);
}

BOOST_AUTO_TEST_CASE(a_malformed_frame_or_a_second_hello_closes_the_link) {
  for (bool hello : {false, true}) {
    Pair p;
    auto raw = p.raw_link();
    BOOST_REQUIRE(p.eventually([&] { return p.server_sessions.size() == 1; }));
    Bytes bytes{'C', 'R', 'T', 1, 9, 0, 0, 0, 0, 0, 0, 0};  // kind 9
    if (hello) bytes = encode_frame(FrameKind::hello, Bytes{'n', '2'}).value();
    asio::write(raw->tls(), asio::buffer(bytes));
    BOOST_TEST(p.eventually([&] { return p.server_closed.size() == 1; }));
    BOOST_TEST(p.server_closed.at(0).rfind("bad_frame", 0) == 0, p.server_closed.at(0));
  }
}
