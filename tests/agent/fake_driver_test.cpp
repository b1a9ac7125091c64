// The simulator's FakeDriver (actors/agent/fake/fake_driver.hpp): behaviour by command line
// under a manual clock, signals, idempotent calls, and the script (probes, starts, images,
// OOM kills) tests and simulations use.
#define BOOST_TEST_MODULE agent_fake_driver
#include <boost/test/unit_test.hpp>

#include <csignal>

#include "actors/agent/fake/fake_driver.hpp"

using namespace craton::agent;

namespace {

struct Host {
  std::int64_t now = 1'000'000;
  FakeDriver driver{[this] { return now; }};
  std::string ip;

  Host() {
    auto sandbox = driver.start_sandbox(SandboxSpec{"u1", "default", "p", "p", false});
    BOOST_REQUIRE(sandbox.ok());
    ip = sandbox->pod_ip;
  }
  craton::Result<ContainerStatus> start(const std::string& name, std::vector<std::string> args,
                                        int attempt = 0) {
    ContainerSpec spec;
    spec.name = name;
    spec.image = "busybox";
    spec.args = std::move(args);
    return driver.start_container("u1", spec, attempt);
  }
  ContainerStatus status(const std::string& name) {
    for (const auto& r : driver.list())
      for (const auto& c : r.containers)
        if (c.name == name) return c;  // the attempts come oldest first
    BOOST_FAIL("no container " + name);
    return {};
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(sleep_exits_zero_after_its_seconds_and_exit_exits_at_once) {
  Host host;
  BOOST_REQUIRE(host.start("sleeper", {"sleep", "30"}).ok());
  BOOST_REQUIRE(host.start("quitter", {"exit", "3"}).ok());
  BOOST_TEST((host.status("sleeper").state == ContainerState::running));
  BOOST_TEST((host.status("quitter").state == ContainerState::exited));
  BOOST_TEST(host.status("quitter").exit_code == 3);
  BOOST_TEST(host.status("quitter").reason == "Error");
  host.now += 29'999;
  BOOST_TEST((host.status("sleeper").state == ContainerState::running));
  host.now += 1;
  ContainerStatus done = host.status("sleeper");
  BOOST_TEST((done.state == ContainerState::exited));
  BOOST_TEST(done.exit_code == 0);
  BOOST_TEST(done.reason == "Completed");
  BOOST_TEST(done.finished_at_ms == 1'000'000 + 30'000);
}

BOOST_AUTO_TEST_CASE(sleep_takes_fractional_seconds_to_the_millisecond) {
  Host host;
  BOOST_REQUIRE(host.start("short", {"sleep", "2.5"}).ok());
  BOOST_REQUIRE(host.start("exact", {"sleep", "0.007"}).ok());
  BOOST_REQUIRE(host.start("fine", {"sleep", "1.0001"}).ok());  // below a ms: rounded up
  BOOST_REQUIRE(host.start("odd", {"sleep", "1.x"}).ok());      // not a duration: runs on
  host.now += 7;
  BOOST_TEST((host.status("exact").state == ContainerState::exited));
  host.now += 1'000 - 7;
  BOOST_TEST((host.status("fine").state == ContainerState::running));
  host.now += 1;
  BOOST_TEST((host.status("fine").state == ContainerState::exited));
  host.now += 1'498;
  BOOST_TEST((host.status("short").state == ContainerState::running));
  host.now += 1;
  BOOST_TEST((host.status("short").state == ContainerState::exited));
  BOOST_TEST(host.status("short").finished_at_ms == 1'000'000 + 2'500);
  host.now += 1'000'000;
  BOOST_TEST((host.status("odd").state == ContainerState::running));
}

BOOST_AUTO_TEST_CASE(crash_fails_the_start_and_hang_survives_sigterm_but_not_sigkill) {
  Host host;
  auto crash = host.start("c", {"crash"});
  BOOST_REQUIRE(!crash.ok());
  BOOST_TEST(crash.error().code == driver_error::start_failed);
  BOOST_REQUIRE(host.start("h", {"hang"}).ok());
  BOOST_REQUIRE(host.start("n", {}).ok());
  BOOST_TEST(host.driver.signal_container("u1", "h", SIGTERM).ok());
  BOOST_TEST(host.driver.signal_container("u1", "n", SIGTERM).ok());
  BOOST_TEST((host.status("h").state == ContainerState::running));
  BOOST_TEST(host.status("n").exit_code == 143);
  BOOST_TEST(host.driver.signal_container("u1", "h", SIGKILL).ok());
  BOOST_TEST(host.status("h").exit_code == 137);
}

BOOST_AUTO_TEST_CASE(starts_and_sandboxes_are_idempotent_and_removal_leaves_nothing) {
  Host host;
  auto first = host.start("a", {});
  auto again = host.start("a", {});
  BOOST_REQUIRE(first.ok());
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(first->container_id == again->container_id);
  BOOST_TEST(host.driver.starts() == 1);
  auto sandbox = host.driver.start_sandbox(SandboxSpec{"u1", "default", "p", "p", false});
  BOOST_TEST(sandbox->pod_ip == host.ip);
  BOOST_TEST(!host.driver.start_container("nope", ContainerSpec{}, 0).ok());
  BOOST_TEST(host.driver.remove_sandbox("u1").ok());
  BOOST_TEST(host.driver.remove_sandbox("u1").ok());
  BOOST_TEST(host.driver.list().empty());
}

BOOST_AUTO_TEST_CASE(the_script_fails_probes_starts_and_images_and_kills_as_oom) {
  Host host;
  BOOST_REQUIRE(host.start("a", {}).ok());
  BOOST_TEST((host.driver.probe_tcp(TcpProbe{host.ip, 80}) == ProbeOutcome::success));
  host.driver.script_port("u1", 80, ProbeOutcome::failure);
  BOOST_TEST((host.driver.probe_http(HttpProbe{host.ip, 80}) == ProbeOutcome::failure));
  BOOST_TEST((host.driver.probe_tcp(TcpProbe{"10.255.0.1", 80}) == ProbeOutcome::failure));

  BOOST_TEST(host.driver.exec("u1", "a", {"true"}, 1000)->exit_code == 0);
  host.driver.script_exec_exit_code("u1", "a", 1);
  BOOST_TEST(host.driver.exec("u1", "a", {"check"}, 1000)->exit_code == 1);
  BOOST_TEST(host.driver.exec_log().size() == 2u);

  host.driver.script_image_missing("busybox");
  auto missing = host.start("b", {});
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.error().code == driver_error::image_not_found);
  host.driver.script_image_missing("busybox", false);
  host.driver.script_start_failure("u1", "b", craton::Error{driver_error::create_failed, "x"});
  BOOST_TEST(host.start("b", {}).error().code == driver_error::create_failed);
  host.driver.script_start_failure("u1", "b", craton::Error{});
  BOOST_TEST(host.start("b", {}).ok());

  host.driver.script_exit("u1", "a", 137, "OOMKilled");
  BOOST_TEST(host.status("a").reason == "OOMKilled");
  BOOST_TEST(host.status("a").exit_code == 137);
  BOOST_TEST(!host.driver.exec("u1", "a", {"x"}, 1000).ok());  // not running any more
}
