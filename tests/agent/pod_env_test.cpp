// resolve_env() (actors/agent/core/pod_env.hpp): envFrom then env with overrides, prefixes,
// optional sources and keys, the pod's and host's addresses, and kube's messages for what is
// missing (CreateContainerConfigError).
#define BOOST_TEST_MODULE agent_pod_env
#include <boost/test/unit_test.hpp>

#include "actors/agent/core/pod_env.hpp"

using namespace craton;
using namespace craton::agent;

namespace {

EnvSource entry(EnvSource::Kind kind, std::string name, std::string source = {},
                std::string key = {}, bool optional = false) {
  EnvSource e;
  e.kind = kind;
  e.name = std::move(name);
  e.source_name = std::move(source);
  e.key = std::move(key);
  e.optional = optional;
  if (kind == EnvSource::Kind::value) e.value = e.source_name;
  return e;
}

MapVolumeSources sources() {
  MapVolumeSources s;
  s.put_config_map("default", "base",
                   SourceObject{{{"LEVEL", "info"}, {"1BAD", "x"}, {"A", "cm"}}, {}});
  s.put_secret("default", "db", SourceObject{{{"password", "s3cr3t"}}, {}});
  return s;
}

EnvContext context(const VolumeSources* s) {
  return EnvContext{"default", "10.88.0.5", "192.168.1.10", s};
}

}  // namespace

BOOST_AUTO_TEST_CASE(env_from_comes_first_and_env_overrides_it) {
  auto s = sources();
  std::vector<EnvSource> in{entry(EnvSource::Kind::config_map_all, ""),
                            entry(EnvSource::Kind::config_map_all, "CFG_"),
                            entry(EnvSource::Kind::value, "A", "literal"),
                            entry(EnvSource::Kind::secret_key, "PW", "db", "password"),
                            entry(EnvSource::Kind::pod_ip, "IP"),
                            entry(EnvSource::Kind::host_ip, "HOST")};
  in[0].source_name = "base";
  in[1].source_name = "base";
  auto env = resolve_env(in, context(&s));
  BOOST_REQUIRE_MESSAGE(env.ok(), (env.ok() ? "" : env.error().message));
  std::map<std::string, std::string> m(env->begin(), env->end());
  BOOST_TEST(m.size() == env->size());  // no duplicates
  BOOST_TEST(m.at("A") == "literal");   // env overrides envFrom
  BOOST_TEST(m.at("LEVEL") == "info");
  BOOST_TEST(m.at("CFG_LEVEL") == "info");
  BOOST_TEST(m.at("CFG_1BAD") == "x");  // valid once prefixed
  BOOST_TEST(!m.count("1BAD"));         // not a variable name: skipped, as kube does
  BOOST_TEST(m.at("PW") == "s3cr3t");
  BOOST_TEST(m.at("IP") == "10.88.0.5");
  BOOST_TEST(m.at("HOST") == "192.168.1.10");
}

BOOST_AUTO_TEST_CASE(missing_required_sources_are_kube_errors_optional_ones_nothing) {
  auto s = sources();
  auto error = [&](EnvSource e) {
    auto env = resolve_env({e}, context(&s));
    BOOST_REQUIRE(!env.ok());
    BOOST_TEST(env.error().code == "CreateContainerConfigError");
    return env.error().message;
  };
  BOOST_TEST(error(entry(EnvSource::Kind::config_map_key, "X", "x", "k")) ==
             "configmap \"x\" not found");
  BOOST_TEST(error(entry(EnvSource::Kind::secret_key, "X", "x", "k")) == "secret \"x\" not found");
  BOOST_TEST(error(entry(EnvSource::Kind::config_map_key, "X", "base", "k")) ==
             "couldn't find key k in ConfigMap default/base");
  BOOST_TEST(error(entry(EnvSource::Kind::secret_key, "X", "db", "user")) ==
             "couldn't find key user in Secret default/db");
  EnvSource all = entry(EnvSource::Kind::secret_all, "");
  all.source_name = "nope";
  BOOST_TEST(error(all) == "secret \"nope\" not found");

  all.optional = true;
  std::vector<EnvSource> optional{all, entry(EnvSource::Kind::config_map_key, "X", "x", "k", true),
                                  entry(EnvSource::Kind::config_map_key, "Y", "base", "k", true)};
  auto env = resolve_env(optional, context(&s));
  BOOST_REQUIRE(env.ok());
  BOOST_TEST(env->empty());
  // Without any sources, a required reference is still an error, never a crash.
  BOOST_TEST(
      !resolve_env({entry(EnvSource::Kind::config_map_key, "X", "base", "A")}, context(nullptr))
           .ok());
}

BOOST_AUTO_TEST_CASE(references_expand_as_kube_does) {
  EnvList env{{"A", "one"}, {"B", "two"}};
  BOOST_TEST(expand_references("$(A)-$(B)", env) == "one-two");
  BOOST_TEST(expand_references("$$(A)", env) == "$(A)");  // escaped
  BOOST_TEST(expand_references("$(NOPE) $(A", env) == "$(NOPE) $(A");
  BOOST_TEST(expand_references("cost $5 $", env) == "cost $5 $");

  auto s = sources();
  std::vector<EnvSource> in{entry(EnvSource::Kind::value, "FIRST", "x"),
                            entry(EnvSource::Kind::value, "SECOND", "$(FIRST)-$(LATER)"),
                            entry(EnvSource::Kind::value, "LATER", "z"),
                            entry(EnvSource::Kind::pod_ip, "IP")};
  for (auto& e : in) e.expand = e.kind == EnvSource::Kind::value;
  auto resolved = resolve_env(in, context(&s));
  BOOST_REQUIRE(resolved.ok());
  // Only what is defined before a value expands in it.
  BOOST_TEST(resolved->at(1).second == "x-$(LATER)");

  ContainerSpec spec;
  spec.env = *resolved;
  spec.command = {"echo", "$(IP)"};
  spec.args = {"$(LATER)", "$$(IP)"};
  expand_command(spec);
  BOOST_TEST(spec.command[1] == "10.88.0.5");
  BOOST_TEST(spec.args[0] == "z");
  BOOST_TEST(spec.args[1] == "$(IP)");
}
