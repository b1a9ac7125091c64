// The agent's log endpoint over real HTTP, against a driver that keeps logs in memory: the
// paths and queries kube-apiserver forwards, the kubelet's errors, previous attempts, follow
// until the container exits, limitBytes, and the bound on concurrent requests.
#define BOOST_TEST_MODULE agent_container_log_server
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "actors/agent/logs/container_log_server.hpp"

using namespace craton;
using namespace craton::agent;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// Logs in memory: per (container, attempt) a text; an attempt is finished when `exited`.
// read_log returns from `from_offset` at most limit_bytes, honouring tail_lines by itself.
class MemoryLogDriver : public PodDriver {
 public:
  struct Attempt {
    std::string text;
    bool exited = false;
  };
  std::mutex mutex;
  std::map<std::pair<std::string, int>, Attempt> logs;  // (container, attempt)
  std::atomic<int> reads_blocked{0};
  std::atomic<bool> block_reads{false};
  LogQuery last_query;

  void append(const std::string& container, int attempt, const std::string& text) {
    std::lock_guard lock(mutex);
    logs[{container, attempt}].text += text;
  }
  void exit(const std::string& container, int attempt) {
    std::lock_guard lock(mutex);
    logs[{container, attempt}].exited = true;
  }

  std::vector<PodRecord> list() override {
    std::lock_guard lock(mutex);
    PodRecord pod;
    pod.sandbox.pod_uid = "uid-1";
    pod.pod_namespace = "default";
    pod.pod_name = "web";
    for (const auto& [key, attempt] : logs) {
      ContainerStatus c;
      c.name = key.first;
      c.attempt = key.second;
      c.state = attempt.exited ? ContainerState::exited : ContainerState::running;
      pod.containers.push_back(c);
    }
    return {pod};
  }
  Result<LogChunk> read_log(const std::string& uid, const std::string& name,
                            const LogQuery& query) override {
    if (block_reads) {
      ++reads_blocked;
      while (block_reads) std::this_thread::sleep_for(10ms);
      --reads_blocked;
    }
    std::lock_guard lock(mutex);
    last_query = query;
    auto it = logs.find({name, query.attempt});
    if (uid != "uid-1" || it == logs.end()) return Error{driver_error::no_container, "no " + name};
    std::string text = it->second.text;
    std::int64_t from = query.from_offset;
    if (query.tail_lines) {  // the last N lines, as the Linux driver does it from the files
      std::vector<std::int64_t> starts{0};
      for (std::size_t i = 0; i + 1 < text.size(); ++i)
        if (text[i] == '\n') starts.push_back(std::int64_t(i + 1));
      auto n = std::size_t(*query.tail_lines);
      from = starts.size() > n ? starts[starts.size() - n] : 0;
    }
    LogChunk chunk;
    chunk.data = text.substr(std::size_t(from), std::size_t(query.limit_bytes));
    chunk.next_offset = from + std::int64_t(chunk.data.size());
    chunk.finished = it->second.exited && chunk.next_offset == std::int64_t(text.size());
    return chunk;
  }

  // Not used by the log server.
  Result<SandboxStatus> start_sandbox(const SandboxSpec&) override { return Error{"x", "unused"}; }
  Status remove_sandbox(const std::string&) override { return Ok{}; }
  Result<ContainerStatus> start_container(const std::string&, const ContainerSpec&, int) override {
    return Error{"x", "unused"};
  }
  Status signal_container(const std::string&, const std::string&, int) override { return Ok{}; }
  Status remove_container(const std::string&, const std::string&, int) override { return Ok{}; }
  Result<ExecResult> exec(const std::string&, const std::string&, const std::vector<std::string>&,
                          std::int64_t) override {
    return Error{"x", "unused"};
  }
  ProbeOutcome probe_http(const HttpProbe&) override { return ProbeOutcome::failure; }
  ProbeOutcome probe_tcp(const TcpProbe&) override { return ProbeOutcome::failure; }
};

struct Reply {
  int status = 0;
  std::string body;
};

Reply get(std::uint16_t port, const std::string& target) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  return {int(response.result_int()), response.body()};
}

struct Served {
  MemoryLogDriver driver;
  std::unique_ptr<ContainerLogServer> server;
  explicit Served(ContainerLogServerOptions options = {}) {
    options.now_ms = [] { return std::int64_t(1'700'000'000'000); };
    options.follow_poll = 20ms;
    auto started =
        ContainerLogServer::start({asio::ip::make_address("127.0.0.1"), 0}, driver, options);
    BOOST_REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error().message));
    server = std::move(*started);
  }
  Reply get(const std::string& target) { return ::get(server->port(), target); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(query_parameters_are_read_as_the_kubelet_reads_them) {
  api::HttpRequest r;
  r.path = "/containerLogs/ns1/web/app";
  r.query = {{"follow", "true"},
             {"tailLines", "5"},
             {"sinceSeconds", "10"},
             {"timestamps", "true"},
             {"limitBytes", "100"}};
  auto parsed = parse_log_request(r, 50'000);
  BOOST_REQUIRE(parsed.ok());
  BOOST_TEST(parsed->pod_namespace == "ns1");
  BOOST_TEST(parsed->pod_name == "web");
  BOOST_TEST(parsed->container == "app");
  BOOST_TEST(parsed->follow);
  BOOST_TEST(*parsed->query.tail_lines == 5);
  BOOST_TEST(*parsed->query.since_ms == 40'000);
  BOOST_TEST(parsed->query.timestamps);
  BOOST_TEST(*parsed->limit_bytes == 100);

  r.query = {{"sinceTime", "2026-12-05T07:00:00Z"}};
  BOOST_TEST(*parse_log_request(r, 0)->query.since_ms == 1796454000000);

  for (auto bad : std::vector<std::map<std::string, std::string>>{
           {{"tailLines", "-1"}},
           {{"tailLines", "x"}},
           {{"limitBytes", "0"}},
           {{"sinceSeconds", "0"}},
           {{"sinceSeconds", "5"}, {"sinceTime", "2026-12-05T07:00:00Z"}},
           {{"sinceTime", "yesterday"}},
           {{"follow", "maybe"}},
           {{"follow", "true"}, {"previous", "true"}}}) {
    r.query = bad;
    auto refused = parse_log_request(r, 0);
    BOOST_TEST(!refused.ok());
    if (!refused.ok()) BOOST_TEST(refused.error().code == "bad_request");
  }
  for (auto path : {"/containerLogs/ns/web", "/containerLogs/ns/web/app/x", "/logs/ns/web/app",
                    "/containerLogs//web/app"}) {
    r.path = path;
    r.query.clear();
    BOOST_TEST(parse_log_request(r, 0).error().code == "not_found", path);
  }
}

BOOST_AUTO_TEST_CASE(logs_previous_attempts_and_the_kubelets_errors) {
  Served s;
  s.driver.append("app", 0, "first run\n");
  s.driver.exit("app", 0);
  s.driver.append("app", 1, "one\ntwo\nthree\n");

  auto all = s.get("/containerLogs/default/web/app");
  BOOST_TEST(all.status == 200);
  BOOST_TEST(all.body == "one\ntwo\nthree\n");
  BOOST_TEST(s.driver.last_query.attempt == 1);

  BOOST_TEST(s.get("/containerLogs/default/web/app?tailLines=2").body == "two\nthree\n");
  BOOST_TEST(s.get("/containerLogs/default/web/app?previous=true").body == "first run\n");
  BOOST_TEST(s.get("/containerLogs/default/web/app?limitBytes=5").body == "one\nt");

  auto other_pod = s.get("/containerLogs/default/db/app");
  BOOST_TEST(other_pod.status == 404);
  BOOST_TEST(other_pod.body.find("is not running on this node") != std::string::npos);
  auto waiting = s.get("/containerLogs/default/web/sidecar");
  BOOST_TEST(waiting.status == 400);
  BOOST_TEST(waiting.body.find("container \\\"sidecar\\\" in pod \\\"web\\\" is waiting to "
                               "start: ContainerCreating") != std::string::npos,
             waiting.body);
  s.driver.logs.erase({"app", 0});
  auto no_previous = s.get("/containerLogs/default/web/app?previous=true");
  BOOST_TEST(no_previous.status == 400);
  BOOST_TEST(no_previous.body.find("previous terminated container") != std::string::npos);
  BOOST_TEST(s.get("/containerLogs/default/web/app?tailLines=x").status == 400);
  BOOST_TEST(s.get("/nothing").status == 404);
}

BOOST_AUTO_TEST_CASE(a_log_larger_than_one_read_arrives_whole) {
  Served s;
  std::string big;
  for (int i = 0; i < 60'000; ++i) big += "line " + std::to_string(i) + "\n";  // ~650 KiB
  big += big;  // ~1.3 MiB: more than one 1 MiB read
  s.driver.append("app", 0, big);
  auto reply = s.get("/containerLogs/default/web/app");
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body.size() == big.size());
  BOOST_TEST((reply.body == big));
}

BOOST_AUTO_TEST_CASE(follow_streams_until_the_container_exits) {
  Served s;
  s.driver.append("app", 0, "a\n");
  Reply reply;
  std::thread client([&] { reply = s.get("/containerLogs/default/web/app?follow=true"); });
  std::this_thread::sleep_for(100ms);
  s.driver.append("app", 0, "b\n");
  std::this_thread::sleep_for(100ms);
  s.driver.append("app", 0, "c\n");
  s.driver.exit("app", 0);
  client.join();  // returns only because the attempt exited
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body == "a\nb\nc\n");

  // limitBytes ends a follow too.
  s.driver.append("app", 1, "0123456789");
  auto limited = s.get("/containerLogs/default/web/app?follow=true&limitBytes=4");
  BOOST_TEST(limited.body == "0123");
}

BOOST_AUTO_TEST_CASE(requests_beyond_the_bound_are_refused_not_queued) {
  ContainerLogServerOptions options;
  options.requests_max = 2;
  Served s(options);
  s.driver.append("app", 0, "x\n");
  s.driver.block_reads = true;
  std::vector<std::thread> held;
  std::vector<Reply> replies(2);
  for (int i = 0; i < 2; ++i)
    held.emplace_back([&, i] { replies[i] = s.get("/containerLogs/default/web/app"); });
  for (int i = 0; i < 500 && s.driver.reads_blocked < 2; ++i) std::this_thread::sleep_for(10ms);
  BOOST_REQUIRE(s.driver.reads_blocked == 2);
  BOOST_TEST(s.get("/containerLogs/default/web/app").status == 429);
  s.driver.block_reads = false;
  for (auto& t : held) t.join();
  for (const auto& r : replies) BOOST_TEST(r.body == "x\n");
  BOOST_TEST(s.get("/containerLogs/default/web/app").status == 200);  // room again
}
