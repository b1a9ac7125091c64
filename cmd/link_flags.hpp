// The flags that say how a process's links are secured, taken the same way by every role and
// tool that opens links (craton node, store, kv, lease, store status/member, bench link and
// bench store): docs/tls.md.
//
//   --certs DIR            mutual TLS with the cluster's certificates (default: $CRATON_CERTS)
//   --cert-name NAME       which certificate of DIR is this process's (roles: their node id;
//                          tools: admin)
//   --insecure-loopback    plain TCP, loopback addresses only, peers unauthenticated
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "runtime/node_host.hpp"

namespace craton::cmd {

struct LinkFlags {
  std::string certs;
  std::string cert_name;
  bool insecure_loopback = false;
};

/// Adds the three flags to `sub`; `cert_name_default` is said in the help.
void add_link_flags(CLI::App* sub, LinkFlags& flags, const std::string& cert_name_default);

/// The flags as a LinkSecurity, checked: exactly one mode ("bad_flag" otherwise).
Result<LinkSecurity> link_security(const LinkFlags& flags);

}  // namespace craton::cmd
