#include "cmd/link_flags.hpp"

namespace craton::cmd {

void add_link_flags(CLI::App* sub, LinkFlags& flags, const std::string& cert_name_default) {
  sub->add_option("--certs", flags.certs,
                  "Certificate directory (craton certs init): mutual TLS on every link")
      ->envname("CRATON_CERTS");
  sub->add_option("--cert-name", flags.cert_name,
                  "This process's certificate in --certs (default: " + cert_name_default + ")");
  sub->add_flag("--insecure-loopback", flags.insecure_loopback,
                "Plain TCP on loopback addresses only, peers unauthenticated (development)");
}

Result<LinkSecurity> link_security(const LinkFlags& flags) {
  LinkSecurity security;
  // --insecure-loopback wins over a certificate directory that only came from the
  // environment, so a test or a developer can say it once on the command line.
  security.insecure_loopback = flags.insecure_loopback;
  if (!flags.insecure_loopback) security.certs_dir = flags.certs;
  security.cert_name = flags.cert_name;
  if (auto s = validate_link_security(security); !s) return Error{"bad_flag", s.error().message};
  if (security.insecure_loopback && !security.cert_name.empty())
    return Error{"bad_flag", "--cert-name needs --certs, not --insecure-loopback"};
  return security;
}

}  // namespace craton::cmd
