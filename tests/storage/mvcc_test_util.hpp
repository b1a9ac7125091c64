// Helpers for the MVCC suites: an environment in a temp dir and terse request builders.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>

#include "storage/mvcc_store.hpp"
#include "tests/storage/temp_dir.hpp"

namespace craton::storage::test {

inline Environment open_env(const std::string& path, std::size_t map_size = 256u << 20) {
  auto env = Environment::open(EnvOptions{path, map_size, 8, 126, false});
  BOOST_REQUIRE_MESSAGE(env.ok(), (env.ok() ? "" : env.error().message));
  return std::move(env).value();
}

inline MvccStore open_store(Environment& env, MvccOptions options = {}) {
  auto store = MvccStore::open(env, options);
  BOOST_REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error().message));
  return std::move(store).value();
}

template <class T>
T must(Result<T> r) {
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().code + ": " + r.error().message));
  return std::move(r).value();
}

template <class T>
std::string code_of(const Result<T>& r) {
  return r.ok() ? std::string("ok") : r.error().code;
}

inline PutRequest put_req(std::string key, std::string value, std::int64_t lease = 0) {
  PutRequest p;
  p.key = std::move(key);
  p.value = std::move(value);
  p.lease = lease;
  return p;
}

inline RangeRequest get_req(std::string key, std::string range_end = "", std::int64_t rev = 0) {
  RangeRequest r;
  r.key = std::move(key);
  r.range_end = std::move(range_end);
  r.revision = rev;
  return r;
}

inline DeleteRangeRequest del_req(std::string key, std::string range_end = "") {
  DeleteRangeRequest d;
  d.key = std::move(key);
  d.range_end = std::move(range_end);
  return d;
}

inline Compare cmp(std::string key, CompareTarget target, CompareResult result, std::int64_t number,
                   std::string value = "") {
  Compare c;
  c.key = std::move(key);
  c.target = target;
  c.result = result;
  c.number = number;
  c.value = std::move(value);
  return c;
}

/// "key=value" pairs of a range, in order, for compact assertions.
inline std::string dump(const RangeResponse& r) {
  std::string out;
  for (const auto& kv : r.kvs) out += kv.key + "=" + kv.value + ";";
  return out;
}

}  // namespace craton::storage::test
