#include "bench/bench_certs.hpp"

#include "runtime/tls/cluster_ca.hpp"

namespace craton::bench {

Result<std::string> make_throwaway_certs(const std::string& dir,
                                         const std::vector<std::string>& names) {
  std::string pki = dir + "/pki";
  tls::CaOptions ca;
  ca.common_name = "craton-bench-ca";
  if (auto s = tls::init_ca(pki, ca); !s) return s.error();
  for (const auto& name : names)
    if (auto s = tls::issue_node_cert(pki, name); !s) return s.error();
  return pki;
}

}  // namespace craton::bench
