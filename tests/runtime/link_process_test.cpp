// Two real `craton node` processes on loopback talk through links; one is SIGKILLed and
// restarted with the same arguments, and traffic resumes without restarting the other.
// Every wait is bounded and every child is killed at the end, so the suite never hangs.
// The craton binary's path comes from CMake (CRATON_BINARY).
#define BOOST_TEST_MODULE link_two_process
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "runtime/tls/cluster_ca.hpp"
#include "tests/runtime/reserved_ports.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto kWaitMax = 20s;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = kWaitMax) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

/// One child process running the craton binary with stdout and stderr going to `log`.
class Child {
 public:
  Child(std::vector<std::string> args, fs::path log) : log_(std::move(log)) {
    pid_ = ::fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) exec_child(args);
  }
  ~Child() { kill_and_reap(SIGKILL); }

  const fs::path& log() const { return log_; }
  std::string output() const { return read_file(log_); }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;
    exit_status_ = status;
    return false;
  }
  /// Sends `signal` and waits (bounded) for the exit; returns the wait status, -1 on timeout.
  int kill_and_reap(int signal, std::chrono::milliseconds limit = 10s) {
    if (pid_ <= 0) return exit_status_;
    ::kill(pid_, signal);
    if (!wait_until([this] { return !running(); }, limit)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
      return -1;
    }
    return exit_status_;
  }

 private:
  [[noreturn]] void exec_child(const std::vector<std::string>& args) {
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    std::string binary = CRATON_BINARY;
    argv.push_back(binary.data());
    for (auto& a : const_cast<std::vector<std::string>&>(args)) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }

  fs::path log_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "craton-link-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

// The cluster CA and the certificates of a and b, in `dir`/pki: the nodes link with mutual TLS.
fs::path make_pki(const fs::path& dir) {
  auto pki = dir / "pki";
  BOOST_REQUIRE(craton::tls::init_ca(pki).ok());
  for (auto n : {"a", "b"}) BOOST_REQUIRE(craton::tls::issue_node_cert(pki, n).ok());
  return pki;
}

std::vector<std::string> node_args(const std::string& id, std::uint16_t port,
                                   const std::string& peer, std::uint16_t peer_port,
                                   const fs::path& pki) {
  return {"node",
          "--certs",
          pki.string(),
          "--id",
          id,
          "--listen",
          "127.0.0.1:" + std::to_string(port),
          "--peers",
          peer + "=127.0.0.1:" + std::to_string(peer_port),
          "--ping-interval-ms",
          "100"};
}

}  // namespace

BOOST_AUTO_TEST_CASE(traffic_resumes_after_a_peer_is_killed_and_restarted) {
  TempDir dir;
  // Below the ephemeral range, so nothing else takes b's port while b is down.
  auto ports = craton::testing::ReservedPorts::reserve(2);
  auto port_a = ports.port(0);
  auto port_b = ports.port(1);
  auto pki = make_pki(dir.path);
  Child a(node_args("a", port_a, "b", port_b, pki), dir.path / "a.log");
  auto b = std::make_unique<Child>(node_args("b", port_b, "a", port_a, pki), dir.path / "b1.log");

  bool talking = wait_until([&] {
    return a.output().find("pong from b") != std::string::npos &&
           b->output().find("pong from a") != std::string::npos;
  });
  BOOST_REQUIRE_MESSAGE(talking, "no pongs both ways within 20 s\n--- a:\n" + a.output() +
                                     "\n--- b:\n" + b->output());

  BOOST_REQUIRE(b->kill_and_reap(SIGKILL) != -1);
  b.reset();
  bool noticed = wait_until([&] { return a.output().find("peer b down") != std::string::npos; });
  BOOST_REQUIRE_MESSAGE(noticed, "a never reported b down\n" + a.output());
  auto pongs_before = count(a.output(), "pong from b");

  b = std::make_unique<Child>(node_args("b", port_b, "a", port_a, pki), dir.path / "b2.log");
  bool resumed = wait_until([&] {
    return count(a.output(), "pong from b") > pongs_before &&
           b->output().find("pong from a") != std::string::npos;
  });
  BOOST_CHECK_MESSAGE(resumed, "traffic did not resume within 20 s\n--- a:\n" + a.output() +
                                   "\n--- b (restarted):\n" + b->output());
  BOOST_CHECK_MESSAGE(a.running(), "the surviving node a exited");
  BOOST_TEST(count(a.output(), "peer b up") >= 2u);  // once per life of b

  // Both shut down cleanly on SIGTERM.
  int status_b = b->kill_and_reap(SIGTERM);
  int status_a = a.kill_and_reap(SIGTERM);
  BOOST_TEST((status_a != -1 && WIFEXITED(status_a) && WEXITSTATUS(status_a) == 0));
  BOOST_TEST((status_b != -1 && WIFEXITED(status_b) && WEXITSTATUS(status_b) == 0));
}

BOOST_AUTO_TEST_CASE(bad_flags_give_one_error_line_and_exit_code_2) {
  TempDir dir;
  std::vector<std::vector<std::string>> cases = {
      {"node", "--id", "a", "--peers", "b=127.0.0.1"},
      {"node", "--peers", "b=127.0.0.1:7000"},
      {"node", "--id", "a b", "--listen", "127.0.0.1:7000"},
      {"node", "--id", "a", "--listen", "127.0.0.1:99999"},
      {"node", "--id", "a", "--peers", "b=127.0.0.1:7000"},  // no listen address for a
      {"node", "--id", "a", "--listen", "127.0.0.1:7000", "--bogus"},
  };
  int i = 0;
  for (const auto& args : cases) {
    Child c(args, dir.path / ("bad" + std::to_string(i++) + ".log"));
    int status = c.kill_and_reap(0, 10s);  // signal 0: just wait for it
    auto out = c.output();
    BOOST_TEST_INFO("args: " << args[1] << " ... output: " << out);
    BOOST_TEST((status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 2));
    BOOST_TEST(count(out, "\n") == 1u);
  }
}
