// `craton certs`: the cluster's certificate authority and node certificates for mutual TLS
// between processes (runtime/tls/cluster_ca.hpp; docs/tls.md).
//
//   craton certs init  --dir DIR [--days 3650] [--name craton-ca]   # DIR/ca.crt, DIR/ca.key
//   craton certs issue --dir DIR --name NODE [--days 365]          # DIR/NODE.crt, NODE.key
//   craton certs show  FILE.crt                                     # subject, issuer, SAN
//   craton certs verify --dir DIR FILE.crt                          # chain to DIR/ca.crt
//   craton certs revoke --dir DIR --name NODE                       # add to DIR/ca.crl
//
// Nothing is overwritten: an existing CA or certificate is an error (exit 1) that changes
// nothing. Bad flags exit 2. A revocation rewrites DIR/ca.crl (temp file, rename); running
// roles read it on SIGHUP.
#include <charconv>
#include <ctime>
#include <iostream>
#include <memory>

#include "cmd/commands.hpp"
#include "runtime/tls/cluster_ca.hpp"

namespace craton::cmd {
namespace {

struct CertsFlags {
  std::string dir;
  std::string name;
  std::string days;
  std::string file;
};

Result<std::int64_t> parse_days(const std::string& text, std::int64_t fallback) {
  if (text.empty()) return fallback;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < 1 || v > tls::kValidityDaysMax)
    return Error{"bad_flag", "--days must be a number in 1.." +
                                 std::to_string(tls::kValidityDaysMax) + ": '" + text + "'"};
  return v;
}

int report(const Status& s, const std::string& done) {
  if (!s) {
    std::cerr << "craton certs: " << s.error().message << "\n";
    return 1;
  }
  std::cout << done << "\n";
  return 0;
}

int run_init(const CertsFlags& f) {
  auto days = parse_days(f.days, tls::CaOptions{}.validity_days);
  if (!days) {
    std::cerr << "craton certs init: " << days.error().message << "\n";
    return 2;
  }
  tls::CaOptions options;
  options.validity_days = *days;
  if (!f.name.empty()) options.common_name = f.name;
  auto files = tls::ca_files(f.dir);
  return report(tls::init_ca(f.dir, options),
                "CA created: " + files.cert.string() + " (key " + files.key.string() + ", 0600)");
}

int run_issue(const CertsFlags& f) {
  auto days = parse_days(f.days, tls::NodeCertOptions{}.validity_days);
  if (!days) {
    std::cerr << "craton certs issue: " << days.error().message << "\n";
    return 2;
  }
  auto files = tls::node_files(f.dir, f.name);
  return report(tls::issue_node_cert(f.dir, f.name, {*days}), "certificate for " + f.name + ": " +
                                                                  files.cert.string() + " (key " +
                                                                  files.key.string() + ", 0600)");
}

int run_show(const CertsFlags& f) {
  auto info = tls::read_cert_info(f.file);
  if (!info) {
    std::cerr << "craton certs: " << info.error().message << "\n";
    return 1;
  }
  char until[32] = {};
  std::time_t t = info->not_after_unix;
  std::strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  std::cout << "subject: " << info->subject_cn << "\nissuer: " << info->issuer_cn
            << "\ndns: " << info->dns_name << "\nca: " << (info->is_ca ? "yes" : "no")
            << "\nnot after: " << until << "\n";
  return 0;
}

int run_verify(const CertsFlags& f) {
  return report(tls::verify_cert(tls::ca_files(f.dir).cert, f.file), f.file + ": OK");
}

int run_revoke(const CertsFlags& f) {
  return report(tls::revoke_node_cert(f.dir, f.name),
                "revoked " + f.name + " in " + tls::crl_file(f.dir).string() +
                    " (send running roles SIGHUP to apply it)");
}

}  // namespace

void add_certs_command(CLI::App& app, int& exit_code) {
  auto* certs = app.add_subcommand("certs", "Cluster CA and node certificates for mutual TLS");
  certs->require_subcommand(1);
  auto flags = std::make_shared<CertsFlags>();
  auto* init = certs->add_subcommand("init", "Create the cluster CA in --dir");
  init->add_option("--dir", flags->dir, "Certificate directory")->required();
  init->add_option("--days", flags->days, "Validity in days (default 3650)");
  init->add_option("--name", flags->name, "The CA's common name (default craton-ca)");
  init->callback([flags, &exit_code] { exit_code = run_init(*flags); });
  auto* issue = certs->add_subcommand("issue", "Issue a node certificate signed by the CA");
  issue->add_option("--dir", flags->dir, "Certificate directory (holds the CA)")->required();
  issue->add_option("--name", flags->name, "Node id the certificate names")->required();
  issue->add_option("--days", flags->days, "Validity in days (default 365)");
  issue->callback([flags, &exit_code] { exit_code = run_issue(*flags); });
  auto* show = certs->add_subcommand("show", "Print what a certificate says");
  show->add_option("file", flags->file, "Certificate (PEM)")->required();
  show->callback([flags, &exit_code] { exit_code = run_show(*flags); });
  auto* verify = certs->add_subcommand("verify", "Check a certificate against the CA in --dir");
  verify->add_option("--dir", flags->dir, "Certificate directory (holds ca.crt)")->required();
  verify->add_option("file", flags->file, "Certificate (PEM)")->required();
  verify->callback([flags, &exit_code] { exit_code = run_verify(*flags); });
  auto* revoke = certs->add_subcommand("revoke", "Revoke a node's certificate (DIR/ca.crl)");
  revoke->add_option("--dir", flags->dir, "Certificate directory (holds the CA)")->required();
  revoke->add_option("--name", flags->name, "Node whose certificate to revoke")->required();
  revoke->callback([flags, &exit_code] { exit_code = run_revoke(*flags); });
}

}  // namespace craton::cmd
