// The simulated workers' internal IPs (sim/cluster/worker_ip.hpp): distinct and well-formed for
// every worker of the largest run (10,000 nodes). The cluster scenario's old "10.0.<index + 1>.1"
// was malformed past the 255th worker, and the API refused every pod status naming it.
#define BOOST_TEST_MODULE sim_worker_ip
#include <arpa/inet.h>

#include <boost/test/unit_test.hpp>
#include <set>

#include "sim/cluster/worker_ip.hpp"

BOOST_AUTO_TEST_CASE(every_worker_of_ten_thousand_nodes_has_its_own_well_formed_ip) {
  std::set<std::string> seen;
  for (std::size_t index = 0; index < 10'000; ++index) {
    auto ip = craton::sim::worker_internal_ip(index);
    in_addr parsed{};
    BOOST_REQUIRE_MESSAGE(inet_pton(AF_INET, ip.c_str(), &parsed) == 1, index << ": " << ip);
    BOOST_REQUIRE_MESSAGE(seen.insert(ip).second, index << ": " << ip << " twice");
  }
  BOOST_TEST(craton::sim::worker_internal_ip(255) == "10.1.0.255");
  BOOST_TEST(craton::sim::worker_internal_ip(256) == "10.1.1.0");
}
