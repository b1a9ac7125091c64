#define BOOST_TEST_MODULE store_raft_random
#include <boost/test/unit_test.hpp>
