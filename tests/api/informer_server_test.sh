#!/usr/bin/env bash
# The HTTP informer against a real `craton server`: reserves two loopback ports (the replica's
# and the API's) with process_lib.sh's pick_ports, then runs the Boost suite, which starts,
# kills and restarts the server itself (CRATON, CRATON_TEST_PORT_BASE, CRATON_TEST_WORK).
#
#   informer_server_test.sh CRATON TEST_BINARY
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-informer.XXXXXX)
PIDS=()
# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
pick_ports 2
CRATON="$CRATON" CRATON_TEST_PORT_BASE=$BASE CRATON_TEST_WORK=$WORK "$2" ||
  fail "the informer suite failed"
