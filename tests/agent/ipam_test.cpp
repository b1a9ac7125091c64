// The pod IPAM (actors/agent/podnet/ipam.hpp): allocation order after the gateway, idempotence
// per pod, persistence across a restart, exhaustion, release without immediate reuse, a CIDR
// change refused while pods hold addresses, and bad input or a failed write changing nothing.
// Pure: files in a temporary directory, no root.
#define BOOST_TEST_MODULE agent_ipam
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "actors/agent/podnet/ipam.hpp"

using craton::agent::Ipam;
namespace ipam_error = craton::agent::ipam_error;
namespace fs = std::filesystem;

namespace {

// A fresh directory removed when the test ends, passed or failed.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "craton-ipam-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Ipam open_ok(const std::string& cidr, const fs::path& dir) {
  auto ipam = Ipam::open(cidr, dir);
  BOOST_REQUIRE_MESSAGE(ipam.ok(), (ipam.ok() ? "" : ipam.error().message));
  return std::move(ipam.value());
}

std::string allocate_ok(Ipam& ipam, const std::string& uid) {
  auto ip = ipam.allocate(uid);
  BOOST_REQUIRE_MESSAGE(ip.ok(), (ip.ok() ? "" : ip.error().message));
  return ip.value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(addresses_start_after_the_gateway_in_order) {
  TempDir dir;
  Ipam ipam = open_ok("10.244.1.0/24", dir.path);
  BOOST_TEST(ipam.gateway() == "10.244.1.1");
  BOOST_TEST(ipam.prefix_length() == 24);
  BOOST_TEST(ipam.capacity() == 253u);
  BOOST_TEST(allocate_ok(ipam, "pod-a") == "10.244.1.2");
  BOOST_TEST(allocate_ok(ipam, "pod-b") == "10.244.1.3");
  BOOST_TEST(allocate_ok(ipam, "pod-c") == "10.244.1.4");
}

BOOST_AUTO_TEST_CASE(a_pod_asking_again_gets_the_same_address) {
  TempDir dir;
  Ipam ipam = open_ok("10.244.1.0/24", dir.path);
  std::string first = allocate_ok(ipam, "pod-a");
  allocate_ok(ipam, "pod-b");
  BOOST_TEST(allocate_ok(ipam, "pod-a") == first);
  BOOST_TEST(ipam.allocations().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_restart_finds_every_address_and_continues_after_the_last) {
  TempDir dir;
  {
    Ipam ipam = open_ok("10.244.1.0/24", dir.path);
    allocate_ok(ipam, "pod-a");
    allocate_ok(ipam, "pod-b");
    BOOST_REQUIRE(ipam.release("pod-a").ok());
  }
  Ipam reopened = open_ok("10.244.1.0/24", dir.path);
  BOOST_TEST(reopened.allocations().size() == 1u);
  BOOST_TEST(reopened.address_of("pod-b").value_or("") == "10.244.1.3");
  BOOST_TEST(!reopened.address_of("pod-a").has_value());
  BOOST_TEST(allocate_ok(reopened, "pod-c") == "10.244.1.4");
  BOOST_TEST(!fs::exists(dir.path / "ipam.json.tmp"));
}

BOOST_AUTO_TEST_CASE(a_released_address_is_reused_only_after_wrapping_around) {
  TempDir dir;
  Ipam ipam = open_ok("10.0.0.0/29", dir.path);  // .2 to .6 for pods
  BOOST_TEST(ipam.capacity() == 5u);
  allocate_ok(ipam, "a");  // .2
  allocate_ok(ipam, "b");  // .3
  BOOST_REQUIRE(ipam.release("a").ok());
  BOOST_TEST(allocate_ok(ipam, "c") == "10.0.0.4");
  BOOST_TEST(allocate_ok(ipam, "d") == "10.0.0.5");
  BOOST_TEST(allocate_ok(ipam, "e") == "10.0.0.6");
  BOOST_TEST(allocate_ok(ipam, "f") == "10.0.0.2");  // wrapped: .1 is the gateway
}

BOOST_AUTO_TEST_CASE(exhaustion_is_a_clear_error_and_release_makes_room) {
  TempDir dir;
  Ipam ipam = open_ok("10.0.0.0/30", dir.path);  // one pod address: .2
  BOOST_TEST(allocate_ok(ipam, "a") == "10.0.0.2");
  auto full = ipam.allocate("b");
  BOOST_REQUIRE(!full.ok());
  BOOST_TEST(full.error().code == ipam_error::exhausted);
  BOOST_TEST(full.error().message.find("10.0.0.0/30") != std::string::npos);
  BOOST_REQUIRE(ipam.release("a").ok());
  BOOST_TEST(allocate_ok(ipam, "b") == "10.0.0.2");
}

BOOST_AUTO_TEST_CASE(releasing_a_pod_without_an_address_succeeds) {
  TempDir dir;
  Ipam ipam = open_ok("10.244.1.0/24", dir.path);
  BOOST_TEST(ipam.release("never-allocated").ok());
  allocate_ok(ipam, "a");
  BOOST_TEST(ipam.release("a").ok());
  BOOST_TEST(ipam.release("a").ok());
  BOOST_TEST(ipam.allocations().empty());
}

BOOST_AUTO_TEST_CASE(bad_cidrs_and_pod_uids_are_refused) {
  TempDir dir;
  for (const char* cidr : {"", "10.244.1.0", "10.244.1.0/31", "10.244.1.0/33", "300.1.1.0/24",
                           "10.244.1.0/x", "fe80::/64"}) {
    auto ipam = Ipam::open(cidr, dir.path);
    BOOST_TEST(!ipam.ok(), cidr);
    if (!ipam.ok()) BOOST_TEST(ipam.error().code == ipam_error::invalid);
  }
  Ipam ipam = open_ok("10.244.1.0/24", dir.path);
  BOOST_TEST(!ipam.allocate("").ok());
  BOOST_TEST(!ipam.allocate(std::string(Ipam::pod_uid_bytes_max + 1, 'x')).ok());
  BOOST_TEST(ipam.allocations().empty());
}

BOOST_AUTO_TEST_CASE(a_changed_cidr_is_refused_while_pods_hold_addresses) {
  TempDir dir;
  {
    Ipam ipam = open_ok("10.244.1.0/24", dir.path);
    allocate_ok(ipam, "a");
  }
  auto changed = Ipam::open("10.244.2.0/24", dir.path);
  BOOST_REQUIRE(!changed.ok());
  BOOST_TEST(changed.error().code == ipam_error::cidr_changed);
  {
    Ipam ipam = open_ok("10.244.1.0/24", dir.path);  // the old CIDR still opens, untouched
    BOOST_TEST(ipam.address_of("a").value_or("") == "10.244.1.2");
    BOOST_REQUIRE(ipam.release("a").ok());
  }
  Ipam moved = open_ok("10.244.2.0/24", dir.path);
  BOOST_TEST(allocate_ok(moved, "b") == "10.244.2.2");
}

BOOST_AUTO_TEST_CASE(a_corrupt_state_file_is_refused) {
  TempDir dir;
  std::ofstream(dir.path / Ipam::state_file_name) << "{ not json";
  auto ipam = Ipam::open("10.244.1.0/24", dir.path);
  BOOST_REQUIRE(!ipam.ok());
  BOOST_TEST(ipam.error().code == ipam_error::corrupt_state);

  std::ofstream(dir.path / Ipam::state_file_name, std::ios::trunc)
      << R"({"version":1,"cidr":"10.244.1.0/24","pods":{"a":"10.244.1.1"}})";  // the gateway
  auto gateway_held = Ipam::open("10.244.1.0/24", dir.path);
  BOOST_REQUIRE(!gateway_held.ok());
  BOOST_TEST(gateway_held.error().code == ipam_error::corrupt_state);
}

BOOST_AUTO_TEST_CASE(a_change_that_cannot_be_persisted_is_undone) {
  TempDir dir;
  Ipam ipam = open_ok("10.244.1.0/24", dir.path);
  allocate_ok(ipam, "a");
  fs::create_directory(dir.path / "ipam.json.tmp");  // the temporary file cannot be created
  auto failed = ipam.allocate("b");
  BOOST_REQUIRE(!failed.ok());
  BOOST_TEST(failed.error().code == ipam_error::io);
  BOOST_TEST(!ipam.address_of("b").has_value());
  BOOST_TEST(!ipam.release("a").ok());
  BOOST_TEST(ipam.address_of("a").value_or("") == "10.244.1.2");
  fs::remove(dir.path / "ipam.json.tmp");
  BOOST_TEST(allocate_ok(ipam, "b") == "10.244.1.3");  // as if the failed call never happened
}
