#define BOOST_TEST_MODULE storage_mvcc
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/mvcc_record.hpp"
#include "tests/storage/mvcc_test_util.hpp"

using namespace craton;
using namespace craton::storage;
using namespace craton::storage::test;

namespace {

struct Fixture {
  TempDir dir;
  Environment env = open_env(dir.sub("env"));
  MvccStore store = open_store(env);

  KeyValue get(const std::string& key, std::int64_t rev = 0) {
    auto r = must(store.range(get_req(key, "", rev)));
    BOOST_REQUIRE_EQUAL(r.kvs.size(), 1u);
    return r.kvs[0];
  }
  bool exists(const std::string& key, std::int64_t rev = 0) {
    return must(store.range(get_req(key, "", rev))).count == 1;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(revisions_and_versions_as_etcd_assigns_them, Fixture) {
  BOOST_CHECK_EQUAL(store.current_revision(), 1);  // an empty etcd is at revision 1
  BOOST_CHECK_EQUAL(must(store.put(put_req("a", "1"))).header_revision, 2);
  KeyValue a = get("a");
  BOOST_CHECK_EQUAL(a.create_revision, 2);
  BOOST_CHECK_EQUAL(a.mod_revision, 2);
  BOOST_CHECK_EQUAL(a.version, 1);
  BOOST_CHECK_EQUAL(must(store.put(put_req("a", "2"))).header_revision, 3);
  a = get("a");
  BOOST_CHECK_EQUAL(a.create_revision, 2);
  BOOST_CHECK_EQUAL(a.mod_revision, 3);
  BOOST_CHECK_EQUAL(a.version, 2);
  BOOST_CHECK_EQUAL(a.value, "2");
  must(store.put(put_req("b", "x")));  // rev 4
  auto del = must(store.delete_range(del_req("a")));
  BOOST_CHECK_EQUAL(del.header_revision, 5);
  BOOST_CHECK_EQUAL(del.deleted, 1);
  BOOST_CHECK(!exists("a"));
  // Deleting nothing creates no revision.
  auto none = must(store.delete_range(del_req("a")));
  BOOST_CHECK_EQUAL(none.deleted, 0);
  BOOST_CHECK_EQUAL(none.header_revision, 5);
  BOOST_CHECK_EQUAL(store.current_revision(), 5);
  // Re-creating after a delete starts a new generation.
  must(store.put(put_req("a", "3")));
  a = get("a");
  BOOST_CHECK_EQUAL(a.create_revision, 6);
  BOOST_CHECK_EQUAL(a.mod_revision, 6);
  BOOST_CHECK_EQUAL(a.version, 1);
  // Every key shows the range's header revision.
  BOOST_CHECK_EQUAL(must(store.range(get_req("b"))).header_revision, 6);
}

BOOST_FIXTURE_TEST_CASE(put_and_delete_return_previous_values, Fixture) {
  PutRequest p = put_req("k", "v1");
  p.prev_kv = true;
  BOOST_CHECK(!must(store.put(p)).prev_kv);
  p.value = "v2";
  auto second = must(store.put(p));
  BOOST_REQUIRE(second.prev_kv);
  BOOST_CHECK_EQUAL(second.prev_kv->value, "v1");
  BOOST_CHECK_EQUAL(second.prev_kv->version, 1);
  must(store.put(put_req("k2", "w")));
  DeleteRangeRequest d = del_req("k", "k3");
  d.prev_kv = true;
  auto del = must(store.delete_range(d));
  BOOST_CHECK_EQUAL(del.deleted, 2);
  BOOST_REQUIRE_EQUAL(del.prev_kvs.size(), 2u);
  BOOST_CHECK_EQUAL(del.prev_kvs[0].value, "v2");
  BOOST_CHECK_EQUAL(del.prev_kvs[1].key, "k2");
  // Both deletions share one revision.
  BOOST_CHECK_EQUAL(del.header_revision, 5);
}

BOOST_FIXTURE_TEST_CASE(range_forms_limit_count_and_keys_only, Fixture) {
  for (std::string k : {"a", "b/1", "b/2", "b/3", "c"}) must(store.put(put_req(k, "v" + k)));
  BOOST_CHECK_EQUAL(dump(must(store.range(get_req("b/2")))), "b/2=vb/2;");
  BOOST_CHECK_EQUAL(dump(must(store.range(get_req("b", "b/3")))), "b/1=vb/1;b/2=vb/2;");
  BOOST_CHECK_EQUAL(dump(must(store.range(get_req("b/", prefix_end("b/"))))),
                    "b/1=vb/1;b/2=vb/2;b/3=vb/3;");
  BOOST_CHECK_EQUAL(must(store.range(get_req("b/3", std::string(1, '\0')))).count, 2);
  BOOST_CHECK_EQUAL(must(store.range(get_req("\x01", std::string(1, '\0')))).count, 5);
  BOOST_CHECK_EQUAL(must(store.range(get_req("zz"))).count, 0);

  RangeRequest lim = get_req("a", std::string(1, '\0'));
  lim.limit = 2;
  auto page = must(store.range(lim));
  BOOST_CHECK_EQUAL(dump(page), "a=va;b/1=vb/1;");
  BOOST_CHECK(page.more);
  BOOST_CHECK_EQUAL(page.count, 5);
  lim.limit = 5;
  BOOST_CHECK(!must(store.range(lim)).more);

  RangeRequest count = get_req("b/", prefix_end("b/"));
  count.count_only = true;
  auto counted = must(store.range(count));
  BOOST_CHECK_EQUAL(counted.count, 3);
  BOOST_CHECK(counted.kvs.empty());
  BOOST_CHECK(!counted.more);

  RangeRequest keys = get_req("b/", prefix_end("b/"));
  keys.keys_only = true;
  auto ko = must(store.range(keys));
  BOOST_REQUIRE_EQUAL(ko.kvs.size(), 3u);
  BOOST_CHECK(ko.kvs[0].value.empty());
  BOOST_CHECK_EQUAL(ko.kvs[0].mod_revision, 3);

  BOOST_CHECK_EQUAL(code_of(store.range(get_req(""))), "invalid");
  RangeRequest negative = get_req("a");
  negative.limit = -1;
  BOOST_CHECK_EQUAL(code_of(store.range(negative)), "invalid");
}

BOOST_FIXTURE_TEST_CASE(kubernetes_list_with_limit_and_continuation, Fixture) {
  for (int i = 0; i < 25; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/registry/pods/ns/p%03d", i);
    must(store.put(put_req(name, "pod")));
  }
  must(store.put(put_req("/registry/services/x", "svc")));
  const std::string prefix = "/registry/pods/";
  std::int64_t list_rev = store.current_revision();
  must(store.put(put_req("/registry/pods/ns/p999", "late")));  // after the list began
  std::vector<std::string> seen;
  RangeRequest page = get_req(prefix, prefix_end(prefix), list_rev);
  page.limit = 10;
  for (int pages = 0; pages < 10; ++pages) {
    auto r = must(store.range(page));
    for (const auto& kv : r.kvs) seen.push_back(kv.key);
    if (!r.more) break;
    page.key = r.kvs.back().key + std::string(1, '\0');  // continue after the last key
  }
  BOOST_REQUIRE_EQUAL(seen.size(), 25u);  // the consistent snapshot at list_rev
  BOOST_CHECK(std::is_sorted(seen.begin(), seen.end()));
  BOOST_CHECK_EQUAL(seen.back(), "/registry/pods/ns/p024");
}

BOOST_FIXTURE_TEST_CASE(reads_at_past_revisions, Fixture) {
  must(store.put(put_req("k", "1")));      // 2
  must(store.put(put_req("k", "2")));      // 3
  must(store.delete_range(del_req("k")));  // 4
  must(store.put(put_req("k", "3")));      // 5
  BOOST_CHECK(!exists("k", 1));
  BOOST_CHECK_EQUAL(get("k", 2).value, "1");
  BOOST_CHECK_EQUAL(get("k", 3).value, "2");
  BOOST_CHECK_EQUAL(get("k", 3).version, 2);
  BOOST_CHECK(!exists("k", 4));
  BOOST_CHECK_EQUAL(get("k", 5).value, "3");
  BOOST_CHECK_EQUAL(get("k", 5).create_revision, 5);
  auto future = store.range(get_req("k", "", 6));
  BOOST_CHECK_EQUAL(code_of(future), "future_revision");
  BOOST_CHECK(future.error().message.find("future revision") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(compaction_keeps_the_latest_version_at_or_below, Fixture) {
  must(store.put(put_req("a", "1")));      // 2
  must(store.put(put_req("a", "2")));      // 3
  must(store.put(put_req("b", "1")));      // 4
  must(store.delete_range(del_req("b")));  // 5
  must(store.put(put_req("c", "1")));      // 6
  must(store.put(put_req("a", "3")));      // 7
  auto bytes_before = store.data_bytes();
  BOOST_CHECK_EQUAL(must(store.compact(6)).header_revision, 7);
  BOOST_CHECK_EQUAL(store.compacted_revision(), 6);
  BOOST_CHECK_LT(store.data_bytes(), bytes_before);
  BOOST_CHECK_EQUAL(code_of(store.range(get_req("a", "", 5))), "compacted");
  BOOST_CHECK_EQUAL(get("a", 6).value, "2");  // the compaction revision itself stays readable
  BOOST_CHECK(!exists("b", 6));
  BOOST_CHECK_EQUAL(get("c", 6).value, "1");
  BOOST_CHECK_EQUAL(get("a").value, "3");
  BOOST_CHECK_EQUAL(get("a").version, 3);       // versions survive compaction
  BOOST_CHECK_EQUAL(store.indexed_keys(), 2u);  // b's deleted history is gone entirely
  BOOST_CHECK_EQUAL(code_of(store.compact(6)), "compacted");
  BOOST_CHECK_EQUAL(code_of(store.compact(8)), "future_revision");
  // Everything survives a reopen.
  auto reopened = open_store(env);
  BOOST_CHECK_EQUAL(reopened.compacted_revision(), 6);
  BOOST_CHECK_EQUAL(reopened.current_revision(), 7);
  BOOST_CHECK_EQUAL(reopened.data_bytes(), store.data_bytes());
  BOOST_CHECK_EQUAL(must(reopened.range(get_req("a", "", 6))).kvs[0].value, "2");
  BOOST_CHECK_EQUAL(code_of(reopened.range(get_req("a", "", 5))), "compacted");
}

BOOST_FIXTURE_TEST_CASE(txn_compares_branches_and_one_revision, Fixture) {
  must(store.put(put_req("x", "10")));  // 2
  must(store.put(put_req("y", "20")));  // 3
  using T = CompareTarget;
  using R = CompareResult;
  struct Case {
    Compare c;
    bool holds;
  };
  std::vector<Case> cases{
      {cmp("x", T::value, R::equal, 0, "10"), true},
      {cmp("x", T::value, R::not_equal, 0, "10"), false},
      {cmp("x", T::value, R::greater, 0, "09"), true},
      {cmp("x", T::value, R::less, 0, "09"), false},
      {cmp("x", T::version, R::equal, 1), true},
      {cmp("x", T::create_revision, R::equal, 2), true},
      {cmp("x", T::mod_revision, R::less, 3), true},
      {cmp("x", T::mod_revision, R::greater, 2), false},
      {cmp("x", T::lease, R::equal, 0), true},
      {cmp("missing", T::version, R::equal, 0), true},  // a missing key has version 0
      {cmp("missing", T::mod_revision, R::equal, 0), true},
      {cmp("missing", T::value, R::equal, 0, ""), false},  // and no value to compare
      {cmp("missing", T::value, R::not_equal, 0, "a"), false},
  };
  for (const auto& c : cases) {
    TxnRequest t;
    t.compare.push_back(c.c);
    BOOST_CHECK_EQUAL(must(store.txn(t)).succeeded, c.holds);
  }
  BOOST_CHECK_EQUAL(store.current_revision(), 3);  // read-only txns make no revision
  // A compare over a range must hold for every key in it.
  TxnRequest all;
  Compare over = cmp("x", T::version, R::equal, 1);
  over.range_end = "z";
  all.compare.push_back(over);
  BOOST_CHECK(must(store.txn(all)).succeeded);
  must(store.put(put_req("y", "21")));  // 4; y is now at version 2
  BOOST_CHECK(!must(store.txn(all)).succeeded);

  // Optimistic update (Kubernetes' GuaranteedUpdate): put if mod_revision unchanged, else get.
  TxnRequest cas;
  cas.compare.push_back(cmp("x", T::mod_revision, R::equal, 2));
  cas.success.emplace_back(put_req("x", "11"));
  cas.success.emplace_back(put_req("z", "new"));
  cas.success.emplace_back(get_req("x"));
  cas.success.emplace_back(del_req("y"));
  cas.failure.emplace_back(get_req("x"));
  auto won = must(store.txn(cas));
  BOOST_CHECK(won.succeeded);
  BOOST_CHECK_EQUAL(won.header_revision, 5);
  BOOST_REQUIRE_EQUAL(won.responses.size(), 4u);
  // The range inside the txn sees the txn's own put.
  BOOST_CHECK_EQUAL(std::get<RangeResponse>(won.responses[2]).kvs.at(0).value, "11");
  BOOST_CHECK_EQUAL(std::get<DeleteRangeResponse>(won.responses[3]).deleted, 1);
  BOOST_CHECK_EQUAL(get("x").mod_revision, 5);
  BOOST_CHECK_EQUAL(get("z").mod_revision, 5);
  auto events = must(store.events(EventsRequest{"a", std::string(1, '\0'), 5, false, 100}));
  BOOST_CHECK_EQUAL(events.events.size(), 3u);  // x, z, y all at revision 5
  auto lost = must(store.txn(cas));
  BOOST_CHECK(!lost.succeeded);
  BOOST_CHECK_EQUAL(lost.header_revision, 5);
  BOOST_CHECK_EQUAL(std::get<RangeResponse>(lost.responses.at(0)).kvs.at(0).value, "11");
}

BOOST_FIXTURE_TEST_CASE(invalid_txns_change_nothing, Fixture) {
  must(store.put(put_req("a", "1")));
  auto bytes = store.data_bytes();
  TxnRequest many;
  for (int i = 0; i < 129; ++i) many.success.emplace_back(put_req("k" + std::to_string(i), "v"));
  BOOST_CHECK_EQUAL(code_of(store.txn(many)), "too_many_ops");
  many.success.pop_back();
  TxnRequest ok128 = many;  // 128 is allowed

  TxnRequest dup;
  dup.success.emplace_back(put_req("k", "1"));
  dup.success.emplace_back(put_req("k", "2"));
  BOOST_CHECK_EQUAL(code_of(store.txn(dup)), "duplicate_key");
  TxnRequest put_and_delete;
  put_and_delete.success.emplace_back(put_req("b", "1"));
  put_and_delete.success.emplace_back(del_req("a", "c"));
  BOOST_CHECK_EQUAL(code_of(store.txn(put_and_delete)), "duplicate_key");
  // A failing op late in the branch (unknown lease) leaves the earlier ones undone.
  TxnRequest late;
  late.success.emplace_back(put_req("b", "1"));
  late.success.emplace_back(del_req("a"));
  late.success.emplace_back(put_req("c", "1", 42));
  BOOST_CHECK_EQUAL(code_of(store.txn(late)), "lease_not_found");
  TxnRequest future;
  future.success.emplace_back(put_req("b", "1"));
  future.success.emplace_back(get_req("a", "", 99));
  BOOST_CHECK_EQUAL(code_of(store.txn(future)), "future_revision");

  BOOST_CHECK_EQUAL(store.current_revision(), 2);
  BOOST_CHECK_EQUAL(store.data_bytes(), bytes);
  BOOST_CHECK_EQUAL(dump(must(store.range(get_req("a", std::string(1, '\0'))))), "a=1;");
  auto done = must(store.txn(ok128));
  BOOST_CHECK_EQUAL(done.header_revision, 3);
  BOOST_CHECK_EQUAL(must(store.range(get_req("k", "l"))).count, 128);
}

BOOST_FIXTURE_TEST_CASE(long_keys_keep_their_order, Fixture) {
  // Keys far beyond LMDB's 511-byte key limit, sharing long prefixes, in shuffled order.
  std::string base(3000, 'p');
  std::vector<std::string> keys{base + "b",
                                base + "a",
                                base,
                                base + "a" + std::string(1000, 'z'),
                                std::string(4096, 'q'),
                                std::string(600, 'p'),
                                "p"};
  for (const auto& k : keys) must(store.put(put_req(k, std::to_string(k.size()))));
  std::sort(keys.begin(), keys.end());
  auto all = must(store.range(get_req("p", std::string(1, '\0'))));
  BOOST_REQUIRE_EQUAL(all.kvs.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) BOOST_CHECK(all.kvs[i].key == keys[i]);
  auto prefixed = must(store.range(get_req(base + "a", prefix_end(base + "a"))));
  BOOST_CHECK_EQUAL(prefixed.count, 2);
  BOOST_CHECK_EQUAL(get(std::string(4096, 'q')).value, "4096");
  // Order and content survive a reopen (the index is rebuilt from disk).
  auto reopened = open_store(env);
  auto again = must(reopened.range(get_req("p", std::string(1, '\0'))));
  BOOST_REQUIRE_EQUAL(again.kvs.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) BOOST_CHECK(again.kvs[i] == all.kvs[i]);
}

BOOST_FIXTURE_TEST_CASE(size_limits_give_clear_errors_and_change_nothing, Fixture) {
  auto rev = store.current_revision();
  auto too_long = store.put(put_req(std::string(4097, 'k'), "v"));
  BOOST_CHECK_EQUAL(code_of(too_long), "too_large");
  BOOST_CHECK(too_long.error().message.find("4096") != std::string::npos);
  BOOST_CHECK_EQUAL(code_of(store.put(put_req("k", std::string(1536 * 1024 + 1, 'v')))),
                    "too_large");
  BOOST_CHECK_EQUAL(code_of(store.put(put_req("", "v"))), "invalid");
  BOOST_CHECK_EQUAL(code_of(store.range(get_req(std::string(5000, 'k')))), "too_large");
  TxnRequest big;  // two values within limits but over the request limit together
  big.success.emplace_back(put_req("a", std::string(1500 * 1024, 'v')));
  big.success.emplace_back(put_req("b", std::string(1500 * 1024, 'v')));
  BOOST_CHECK_EQUAL(code_of(store.txn(big)), "too_large");
  BOOST_CHECK_EQUAL(store.current_revision(), rev);
  BOOST_CHECK_EQUAL(store.data_bytes(), 0);
  // The largest allowed value round-trips.
  std::string largest(1536 * 1024, 'v');
  largest[777] = '\0';
  must(store.put(put_req("big", largest)));
  BOOST_CHECK(get("big").value == largest);
}

BOOST_FIXTURE_TEST_CASE(events_since_a_revision, Fixture) {
  must(store.put(put_req("w/a", "1")));      // 2
  must(store.put(put_req("other", "x")));    // 3
  must(store.put(put_req("w/a", "2")));      // 4
  must(store.delete_range(del_req("w/a")));  // 5
  TxnRequest t;
  t.success.emplace_back(put_req("w/b", "1"));
  t.success.emplace_back(put_req("w/c", "1"));
  must(store.txn(t));                    // 6: two events
  must(store.put(put_req("w/d", "1")));  // 7

  EventsRequest req{"w/", prefix_end("w/"), 2, true, 100};
  auto all = must(store.events(req));
  BOOST_REQUIRE_EQUAL(all.events.size(), 6u);
  BOOST_CHECK(all.events[0].type == EventType::put);
  BOOST_CHECK(!all.events[0].prev_kv);
  BOOST_CHECK_EQUAL(all.events[1].kv.value, "2");
  BOOST_REQUIRE(all.events[1].prev_kv);
  BOOST_CHECK_EQUAL(all.events[1].prev_kv->value, "1");
  BOOST_CHECK(all.events[2].type == EventType::del);
  BOOST_CHECK_EQUAL(all.events[2].kv.key, "w/a");
  BOOST_CHECK_EQUAL(all.events[2].kv.mod_revision, 5);
  BOOST_REQUIRE(all.events[2].prev_kv);
  BOOST_CHECK_EQUAL(all.events[2].prev_kv->value, "2");
  BOOST_CHECK_EQUAL(all.next_revision, 8);
  // A bounded answer never splits revision 6.
  req.start_revision = 5;
  req.events_max = 2;
  auto first = must(store.events(req));
  BOOST_CHECK_EQUAL(first.events.size(), 3u);  // rev 5 (1 event) + all of rev 6 (2 events)
  BOOST_CHECK_EQUAL(first.next_revision, 7);
  req.start_revision = first.next_revision;
  auto rest = must(store.events(req));
  BOOST_REQUIRE_EQUAL(rest.events.size(), 1u);
  BOOST_CHECK_EQUAL(rest.events[0].kv.key, "w/d");
  BOOST_CHECK_EQUAL(rest.next_revision, 8);
  req.start_revision = 8;
  BOOST_CHECK(must(store.events(req)).events.empty());
  must(store.compact(4));
  req.start_revision = 4;
  BOOST_CHECK_EQUAL(code_of(store.events(req)), "compacted");
  req.start_revision = 5;
  req.events_max = 100;
  auto after = must(store.events(req));
  BOOST_CHECK_EQUAL(after.events.size(), 4u);
  BOOST_REQUIRE(after.events[0].prev_kv);  // the version at the compaction revision remains
  BOOST_CHECK_EQUAL(after.events[0].prev_kv->value, "2");
}

BOOST_FIXTURE_TEST_CASE(leases_attach_detach_and_revoke_at_one_revision, Fixture) {
  BOOST_CHECK_EQUAL(code_of(store.put(put_req("a", "1", 7))), "lease_not_found");
  auto granted = must(store.lease_grant(7, 30));
  BOOST_CHECK_EQUAL(granted.id, 7);
  BOOST_CHECK_EQUAL(granted.header_revision, 1);  // leases make no revision
  BOOST_CHECK_EQUAL(code_of(store.lease_grant(7, 30)), "lease_exists");
  BOOST_CHECK_EQUAL(code_of(store.lease_grant(0, 30)), "invalid");
  BOOST_CHECK_EQUAL(code_of(store.lease_grant(8, 0)), "invalid");
  must(store.lease_grant(8, 60));
  must(store.put(put_req("a", "1", 7)));
  must(store.put(put_req("b", "1", 7)));
  must(store.put(put_req("c", "1", 7)));
  must(store.put(put_req("c", "2", 8)));  // moves c to lease 8
  must(store.put(put_req("b", "2")));     // detaches b
  BOOST_CHECK_EQUAL(get("a").lease, 7);
  BOOST_CHECK_EQUAL(get("c").lease, 8);
  auto l7 = store.lease(7);
  BOOST_REQUIRE(l7);
  BOOST_CHECK_EQUAL(l7->ttl_s, 30);
  BOOST_REQUIRE_EQUAL(l7->keys.size(), 1u);
  BOOST_CHECK_EQUAL(l7->keys[0], "a");
  BOOST_CHECK_EQUAL(store.leases().size(), 2u);
  must(store.put(put_req("d", "1", 8)));
  auto rev = store.current_revision();
  auto revoked = must(store.lease_revoke(8));
  BOOST_CHECK_EQUAL(revoked.deleted, 2);
  BOOST_CHECK_EQUAL(revoked.header_revision, rev + 1);
  BOOST_CHECK(!exists("c"));
  BOOST_CHECK(!exists("d"));
  auto events = must(store.events(EventsRequest{"c", "e", rev + 1, false, 10}));
  BOOST_CHECK_EQUAL(events.events.size(), 2u);
  BOOST_CHECK(!store.lease(8));
  BOOST_CHECK_EQUAL(code_of(store.lease_revoke(8)), "lease_not_found");
  // Lease ids in messages are hex, as the CLI takes and prints them.
  auto missing = store.lease_revoke(0x1f);
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().message.find("000000000000001f") != std::string::npos,
             missing.error().message);
  // Deleting a key detaches it; reopening rebuilds attachments from the keys.
  must(store.delete_range(del_req("a")));
  must(store.put(put_req("e", "1", 7)));
  auto reopened = open_store(env);
  auto again = reopened.lease(7);
  BOOST_REQUIRE(again);
  BOOST_CHECK_EQUAL(again->ttl_s, 30);
  BOOST_REQUIRE_EQUAL(again->keys.size(), 1u);
  BOOST_CHECK_EQUAL(again->keys[0], "e");
  BOOST_CHECK_EQUAL(reopened.leases().size(), 1u);
}

BOOST_AUTO_TEST_CASE(quota_refuses_writes_but_not_reads_deletes_or_compaction) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  MvccOptions options;
  options.quota_bytes = 64 * 1024;
  auto store = open_store(env, options);
  std::string value(10 * 1024, 'v');
  int written = 0;
  Result<PutResponse> last = PutResponse{};
  for (; written < 100; ++written) {
    last = store.put(put_req("k" + std::to_string(written), value));
    if (!last) break;
  }
  BOOST_REQUIRE_EQUAL(code_of(last), "no_space");
  BOOST_CHECK(last.error().message.find("space exceeded") != std::string::npos);
  BOOST_CHECK_EQUAL(written, 6);
  auto rev = store.current_revision();
  auto bytes = store.data_bytes();
  BOOST_CHECK_LE(bytes, options.quota_bytes);
  TxnRequest t;
  t.success.emplace_back(put_req("small", "x"));
  t.success.emplace_back(put_req("large", value));  // together they would pass the quota
  BOOST_CHECK_EQUAL(code_of(store.txn(t)), "no_space");
  BOOST_CHECK_EQUAL(store.current_revision(), rev);
  BOOST_CHECK_EQUAL(store.data_bytes(), bytes);
  // Reads, deletes and compaction still work, and free the space.
  BOOST_CHECK_EQUAL(must(store.range(get_req("k", "l"))).count, 6);
  must(store.delete_range(del_req("k", "l")));
  must(store.compact(store.current_revision()));
  BOOST_CHECK_LT(store.data_bytes(), 1024);
  must(store.put(put_req("again", value)));
}

BOOST_AUTO_TEST_CASE(replaying_applied_entries_is_a_no_op) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  {
    auto store = open_store(env);
    BOOST_CHECK_EQUAL(store.applied_index(), 0u);
    must(store.apply(1, LeaseGrantRequest{5, 10}));
    must(store.apply(2, put_req("a", "1")));
    // A rejected entry still counts as applied (its outcome is deterministic).
    BOOST_CHECK_EQUAL(code_of(store.apply(3, put_req("b", "1", 99))), "lease_not_found");
    must(store.apply(4, put_req("a", "2")));
    BOOST_CHECK_EQUAL(store.applied_index(), 4u);
    auto replay = store.apply(2, put_req("a", "1"));
    BOOST_CHECK_EQUAL(code_of(replay), "already_applied");
    BOOST_CHECK_EQUAL(store.current_revision(), 3);
  }
  auto store = open_store(env);  // "after a crash": replay everything from the start of the log
  BOOST_CHECK_EQUAL(store.applied_index(), 4u);
  std::vector<IndexedWrite> log;
  log.push_back({1, LeaseGrantRequest{5, 10}});
  log.push_back({2, put_req("a", "1")});
  log.push_back({3, put_req("b", "1", 99)});
  log.push_back({4, put_req("a", "2")});
  log.push_back({5, put_req("a", "3")});
  log.push_back({6, put_req("b", "1", 5)});
  auto results = store.apply_batch(log);
  BOOST_REQUIRE_EQUAL(results.size(), 6u);
  for (int i = 0; i < 4; ++i) BOOST_CHECK_EQUAL(code_of(results[i]), "already_applied");
  BOOST_CHECK_EQUAL(std::get<PutResponse>(results[4].value()).header_revision, 4);
  BOOST_CHECK_EQUAL(std::get<PutResponse>(results[5].value()).header_revision, 5);
  BOOST_CHECK_EQUAL(store.applied_index(), 6u);
  auto a = must(store.range(get_req("a"))).kvs.at(0);
  BOOST_CHECK_EQUAL(a.value, "3");
  BOOST_CHECK_EQUAL(a.version, 3);
  BOOST_CHECK_EQUAL(open_store(env).applied_index(), 6u);
  BOOST_CHECK_EQUAL(open_store(env).current_revision(), 5);
}

BOOST_AUTO_TEST_CASE(reopen_after_close_restores_everything) {
  TempDir dir;
  RangeResponse before;
  std::int64_t bytes = 0;
  {
    auto env = open_env(dir.sub("env"));
    auto store = open_store(env);
    must(store.lease_grant(3, 100));
    for (int i = 0; i < 50; ++i) {
      must(store.put(put_req("k" + std::to_string(i % 7), std::to_string(i), i % 2 ? 3 : 0)));
    }
    must(store.delete_range(del_req("k3")));
    must(store.compact(20));
    before = must(store.range(get_req("k", "l")));
    bytes = store.data_bytes();
  }
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  auto after = must(store.range(get_req("k", "l")));
  BOOST_CHECK_EQUAL(after.header_revision, before.header_revision);
  BOOST_CHECK(after.kvs == before.kvs);
  BOOST_CHECK_EQUAL(store.data_bytes(), bytes);
  BOOST_CHECK_EQUAL(store.compacted_revision(), 20);
  BOOST_REQUIRE(store.lease(3));
  BOOST_CHECK(!store.lease(3)->keys.empty());
}

BOOST_AUTO_TEST_CASE(disk_full_mid_batch_rolls_back_memory) {
  TempDir dir;
  auto env = open_env(dir.sub("env"), 2u << 20);  // a 2 MiB map fills long before the quota
  auto store = open_store(env);
  must(store.put(put_req("first", "1")));
  std::vector<IndexedWrite> batch;
  for (int i = 0; i < 8; ++i) {
    batch.push_back({static_cast<std::uint64_t>(i + 1),
                     put_req("big" + std::to_string(i), std::string(512 * 1024, 'v'))});
  }
  auto results = store.apply_batch(batch);
  BOOST_CHECK_EQUAL(code_of(results.front()), "no_space");
  BOOST_CHECK_EQUAL(code_of(results.back()), "no_space");
  BOOST_CHECK_EQUAL(store.current_revision(), 2);
  BOOST_CHECK_EQUAL(store.applied_index(), 0u);
  BOOST_CHECK_EQUAL(must(store.range(get_req("a", std::string(1, '\0')))).count, 1);
  must(store.put(put_req("second", "2")));
  BOOST_CHECK_EQUAL(store.current_revision(), 3);
}

BOOST_AUTO_TEST_CASE(compaction_leaves_disk_in_bounded_batches_and_survives_restart) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto records = env.database("mvcc_kv");
  BOOST_REQUIRE(records.ok());
  auto on_disk = [&] {
    auto txn = env.begin_read();
    return txn->count(*records).value();
  };
  MvccOptions options;
  options.compaction_batch_max = 4;
  std::int64_t bytes = 0;
  RangeResponse at_compaction;
  {
    auto store = open_store(env, options);
    for (int i = 0; i < 20; ++i) must(store.put(put_req("k" + std::to_string(i % 2), "v")));
    must(store.delete_range(del_req("k1")));  // 22: tombstone, all of k1 goes at compaction
    BOOST_CHECK_EQUAL(on_disk(), 21u);
    must(store.compact(22));
    // Logically done at once: only k0's latest version remains.
    BOOST_CHECK_EQUAL(store.indexed_keys(), 1u);
    bytes = store.data_bytes();
    BOOST_CHECK_EQUAL(on_disk(), 21u - 4u);
    BOOST_CHECK_EQUAL(store.pending_garbage(), 16u);
    at_compaction = must(store.range(get_req("k", "l", 22)));
    BOOST_CHECK_EQUAL(dump(at_compaction), "k0=v;");
    must(store.put(put_req("x", "1")));  // each write takes another batch along
    BOOST_CHECK_EQUAL(on_disk(), 21u - 8u + 1u);
  }  // "crash" with 12 compacted records still on disk
  auto store = open_store(env, options);
  BOOST_CHECK_EQUAL(store.pending_garbage(), 12u);
  BOOST_CHECK_EQUAL(store.data_bytes(), bytes + record_bytes(1, 1));
  BOOST_CHECK(must(store.range(get_req("k", "l", 22))).kvs == at_compaction.kvs);
  BOOST_CHECK_EQUAL(code_of(store.range(get_req("k", "l", 21))), "compacted");
  while (store.pending_garbage() > 0) BOOST_REQUIRE(store.collect_garbage().ok());
  BOOST_CHECK_EQUAL(on_disk(), 2u);  // k0's latest and x
  BOOST_CHECK_EQUAL(open_store(env, options).data_bytes(), store.data_bytes());
}

BOOST_AUTO_TEST_CASE(snapshot_copy_opens_as_the_same_store_and_big_ranges_are_bounded) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  MvccOptions options;
  options.limits.range_response_bytes_max = 64 * 1024;
  auto store = open_store(env, options);
  for (std::uint64_t i = 1; i <= 20; ++i) {
    must(store.apply(i, put_req("k" + std::to_string(i), std::string(8 * 1024, 'v'))));
  }
  auto all = get_req("k", "l");
  BOOST_CHECK_EQUAL(code_of(store.range(all)), "too_large");
  all.limit = 5;
  BOOST_CHECK_EQUAL(must(store.range(all)).kvs.size(), 5u);
  all.limit = 0;
  all.count_only = true;
  BOOST_CHECK_EQUAL(must(store.range(all)).count, 20);
  BOOST_CHECK_EQUAL(code_of(store.events(EventsRequest{"k", "l", 2, false, 0})), "invalid");

  std::filesystem::create_directories(dir.sub("snap"));
  BOOST_CHECK_EQUAL(must(store.snapshot_to(dir.sub("snap"))), 20u);
  auto copy_env = open_env(dir.sub("snap"));
  auto copy = open_store(copy_env, options);
  BOOST_CHECK_EQUAL(copy.applied_index(), 20u);
  BOOST_CHECK_EQUAL(copy.current_revision(), store.current_revision());
  all.count_only = false;
  all.limit = 20;
  all.keys_only = true;
  BOOST_CHECK(must(copy.range(all)).kvs == must(store.range(all)).kvs);
}

BOOST_FIXTURE_TEST_CASE(txn_checks_both_branches_shapes, Fixture) {
  TxnRequest t;  // the failure branch is not taken, but its oversized key is still refused
  t.success.emplace_back(put_req("a", "1"));
  t.failure.emplace_back(put_req(std::string(5000, 'k'), "1"));
  BOOST_CHECK_EQUAL(code_of(store.txn(t)), "too_large");
  TxnRequest empty_key;
  empty_key.failure.emplace_back(del_req(""));
  BOOST_CHECK_EQUAL(code_of(store.txn(empty_key)), "invalid");
  BOOST_CHECK_EQUAL(store.current_revision(), 1);
}
