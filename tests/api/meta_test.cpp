// actors/api/meta/: names, quantities and selectors against the examples Kubernetes documents
// (apimachinery's validation, resource.Quantity, labels.Parse and fields.ParseSelector).
#define BOOST_TEST_MODULE api_meta
#include <boost/test/unit_test.hpp>

#include "actors/api/meta/field_selector.hpp"
#include "actors/api/meta/label_selector.hpp"
#include "actors/api/meta/names.hpp"
#include "actors/api/meta/quantity.hpp"
#include "actors/api/meta/time.hpp"

using namespace craton;
using namespace craton::api;

BOOST_AUTO_TEST_CASE(names_follow_rfc_1123_and_qualified_name_rules) {
  for (std::string ok : {"a", "my-name", "123-abc", "a.b.c"})
    BOOST_TEST(check_dns1123_subdomain(ok).empty(), ok);
  BOOST_TEST(check_dns1123_subdomain(std::string(253, 'a')).empty());
  for (std::string bad : {"", "A", "-a", "a-", "a..b", "a_b", ".a"})
    BOOST_TEST(!check_dns1123_subdomain(bad).empty(), bad);
  BOOST_TEST(!check_dns1123_subdomain(std::string(254, 'a')).empty());
  BOOST_TEST(check_dns1123_label("kube-system").empty());
  BOOST_TEST(!check_dns1123_label("a.b").empty());
  BOOST_TEST(!check_dns1123_label(std::string(64, 'a')).empty());
  for (auto ok : {"app", "app.kubernetes.io/name", "MyName", "my_name", "a/b", "k8s.io/x-y"})
    BOOST_TEST(check_qualified_name(ok).empty(), ok);
  for (auto bad : {"", "/a", "a/", "-a", "a b", "Example.com/a"})
    BOOST_TEST(!check_qualified_name(bad).empty(), bad);
  BOOST_TEST(!check_qualified_name(std::string(64, 'x')).empty());
  for (auto ok : {"", "v1", "my_value", "12345", "A.b-C"})
    BOOST_TEST(check_label_value(ok).empty(), ok);
  for (auto bad : {"-a", "a b", "a/b"}) BOOST_TEST(!check_label_value(bad).empty(), bad);
  BOOST_TEST(!check_label_value(std::string(64, 'v')).empty());
  BOOST_TEST(check_labels({{"app", "web"}, {"bad key", "x"}, {"ok", "bad value"}}).size() == 2u);
  BOOST_TEST(!check_annotations({{"k", std::string(256 * 1024, 'x')}}).empty());
  BOOST_TEST(
      check_annotations({{"kubectl.kubernetes.io/last-applied-configuration", "{}"}}).empty());
}

BOOST_AUTO_TEST_CASE(quantities_parse_round_up_and_print_as_kubernetes_does) {
  auto q = [](std::string_view s) {
    auto r = Quantity::parse(s);
    BOOST_REQUIRE_MESSAGE(r.ok(), std::string(s) + ": " + (r ? "" : r.error().message));
    return *r;
  };
  BOOST_TEST(q("100m").milli_value() == 100);
  BOOST_TEST(q("100m").value() == 1);  // rounds up
  BOOST_TEST(q("1.5").milli_value() == 1500);
  BOOST_TEST(q("128974848").value() == 128974848);
  BOOST_TEST(q("129e6").value() == 129000000);
  BOOST_TEST(q("129M").value() == 129000000);
  BOOST_TEST(q("123Mi").value() == 123 * 1024 * 1024);
  BOOST_TEST(q("1Ki").value() == 1024);
  BOOST_TEST(q("0.5Gi").value() == 512 * 1024 * 1024);
  BOOST_TEST(q("1n").milli_value() == 1);  // rounds up
  BOOST_TEST(q("-1.5").milli_value() == -1500);
  BOOST_TEST(q(".5").milli_value() == 500);
  BOOST_TEST(q("+2").value() == 2);
  BOOST_TEST(q("1E").value() == 1'000'000'000'000'000'000);
  // Canonical forms (apimachinery's quantity_test.go).
  std::pair<const char*, const char*> canonical[] = {
      {"1000m", "1"},       {"1.5", "1500m"},  {"0.1", "100m"},      {"1000", "1k"},
      {"1500000", "1500k"}, {"1024Mi", "1Gi"}, {"1.5Gi", "1536Mi"},  {"0.5Gi", "512Mi"},
      {"1023Ki", "1023Ki"}, {"1e3", "1e3"},    {"100e-3", "100e-3"}, {"0", "0"},
      {"0Mi", "0"},         {"512", "512"},    {"1.5Ki", "1536"},    {"-1000m", "-1"},
      {"1001m", "1001m"},   {"10n", "10n"},    {"0.000000001", "1n"}};
  for (auto [in, out] : canonical) BOOST_TEST(q(in).canonical() == out, in << " -> " << out);
  BOOST_TEST((q("1Gi") > q("1G")));
  BOOST_TEST((q("1000m") == q("1")));
  for (auto bad : {"", "m", "1.2.3", "1Q", "1 Gi", "Gi", "1e", "--1", "1ee3", "1e1000",
                   "9223372036854775808", "10Ei"})
    BOOST_TEST(!Quantity::parse(bad).ok(), bad);
  BOOST_TEST(!Quantity::parse(std::string(65, '1')).ok());
}

BOOST_AUTO_TEST_CASE(label_selectors_parse_and_match_every_operator) {
  auto sel = [](std::string_view s) {
    auto r = LabelSelector::parse(s);
    BOOST_REQUIRE_MESSAGE(r.ok(), std::string(s) + ": " + (r ? "" : r.error().message));
    return *r;
  };
  Labels web{{"app", "web"}, {"env", "prod"}, {"replicas", "5"}};
  Labels db{{"app", "db"}, {"tier", ""}};
  BOOST_TEST(sel("").matches(web));
  BOOST_TEST(sel("app=web").matches(web));
  BOOST_TEST(sel("app==web,env=prod").matches(web));
  BOOST_TEST(!sel("app=web,env=qa").matches(web));
  BOOST_TEST(sel("env!=prod").matches(db));  // absent counts as "not prod"
  BOOST_TEST(!sel("env!=prod").matches(web));
  BOOST_TEST(sel("app in (web, db)").matches(db));
  BOOST_TEST(!sel("app notin (web,db)").matches(db));
  BOOST_TEST(sel("env notin (qa)").matches(db));
  BOOST_TEST(sel("tier").matches(db));
  BOOST_TEST(sel("!tier").matches(web));
  BOOST_TEST(sel("tier=").matches(db));  // an empty value
  BOOST_TEST(sel("replicas>3").matches(web));
  BOOST_TEST(!sel("replicas<3").matches(web));
  BOOST_TEST(!sel("replicas>3").matches(db));
  BOOST_TEST(sel("  app = web ,  !tier ").matches(web));
  // Sorted by key, as Kubernetes prints a selector.
  BOOST_TEST(sel("x in (b,a,a),!z,app=web").to_string() == "app=web,x in (a,b),!z");
  for (auto bad : {"app=", "=web", "app=web,", "app in web", "app in (web", "app web", "!", "app>x",
                   "bad key=1", "app=bad value", "app=-x", "a,,b", "app notin ()x"}) {
    if (std::string(bad) == "app=") continue;  // valid: the empty value
    BOOST_TEST(!LabelSelector::parse(bad).ok(), bad);
  }
  std::string huge;
  for (int i = 0; i < 300; ++i) huge += (i ? ",k" : "k") + std::to_string(i);
  auto too_many = LabelSelector::parse(huge);
  BOOST_REQUIRE(!too_many.ok());
  BOOST_TEST(too_many.error().message.find("requirements") != std::string::npos);
  BOOST_TEST(!LabelSelector::parse(std::string(20000, 'a')).ok());
}

BOOST_AUTO_TEST_CASE(field_selectors_parse_escape_and_check_support) {
  auto s = FieldSelector::parse("metadata.name=web-0, spec.nodeName!=node-3,status.phase==Running");
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(s->requirements().size() == 3u);
  auto pod = [](const std::string& f) -> std::optional<std::string> {
    if (f == "metadata.name") return "web-0";
    if (f == "spec.nodeName") return "node-1";
    if (f == "status.phase") return "Running";
    return std::nullopt;
  };
  BOOST_TEST(s->matches(pod));
  BOOST_TEST(s->supported_by({"metadata.name", "spec.nodeName", "status.phase"}).ok());
  auto unsupported = s->supported_by({"metadata.name"});
  BOOST_REQUIRE(!unsupported.ok());
  BOOST_TEST(unsupported.error().message == "field label not supported: spec.nodeName");
  auto escaped = FieldSelector::parse("metadata.name=a\\,b\\=c");
  BOOST_REQUIRE(escaped.ok());
  BOOST_TEST(escaped->requirements().at(0).value == "a,b=c");
  BOOST_TEST(FieldSelector::parse("spec.nodeName=").ok());  // unscheduled pods
  for (auto bad : {"metadata.name", "=x", "a=b=c", "a=\\x"})
    BOOST_TEST(!FieldSelector::parse(bad).ok(), bad);
}

BOOST_AUTO_TEST_CASE(durations_parse_as_go_writes_them_in_whole_seconds) {
  BOOST_TEST(parse_duration_seconds("1h").value() == 3600);
  BOOST_TEST(parse_duration_seconds("3s").value() == 3);
  BOOST_TEST(parse_duration_seconds("1h30m").value() == 5400);
  BOOST_TEST(parse_duration_seconds("2h0m0s").value() == 7200);  // how Go prints 2h
  BOOST_TEST(parse_duration_seconds("0").value() == 0);
  for (std::string bad : {"", "1", "h", "1d", "500ms", "1.5h", "-1h", "1h ", "99999999999h"}) {
    auto parsed = parse_duration_seconds(bad);
    BOOST_TEST(!parsed.ok(), bad);
    if (!parsed.ok()) BOOST_TEST(parsed.error().code == "bad_duration");
  }
}
