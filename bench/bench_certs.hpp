// Certificates for a benchmark run: the benchmarks use mutual TLS like every role, so a run
// that was given no certificate directory makes a throwaway cluster CA in its own temp
// directory (removed with it) and issues the names it needs.
#pragma once

#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::bench {

/// Creates DIR/pki with a new CA and a certificate for each of `names`; returns DIR/pki.
Result<std::string> make_throwaway_certs(const std::string& dir,
                                         const std::vector<std::string>& names);

}  // namespace craton::bench
