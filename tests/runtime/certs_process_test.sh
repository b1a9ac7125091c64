#!/usr/bin/env bash
# `craton certs` end to end with the real tools: init and issue make a CA and node certificates
# that `openssl verify` accepts and that carry the node's name; two nodes' certificates
# complete a mutual TLS handshake with each other (openssl s_server / s_client, the client
# checking the server's name), while a certificate from another CA, or none, is refused by the
# server; refusals (existing CA, existing node, bad name, bad days) exit non-zero and change
# nothing.
#
#   certs_process_test.sh CRATON
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-certs.XXXXXX)
PIDS=()

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"

PKI="$WORK/certs"  # not process_lib.sh's $WORK/pki: this test makes its own
"$CRATON" certs init --dir "$PKI" >"$WORK/init.out" 2>&1 || fail "certs init failed"
for n in n1 n2; do
  "$CRATON" certs issue --dir "$PKI" --name "$n" >>"$WORK/issue.out" 2>&1 || fail "issue $n failed"
done
[ "$(stat -c %a "$PKI")" = 700 ] || fail "the directory is not 0700"
for f in ca.key n1.key n2.key; do
  [ "$(stat -c %a "$PKI/$f")" = 600 ] || fail "$f is not 0600"
done
openssl verify -CAfile "$PKI/ca.crt" "$PKI/n1.crt" "$PKI/n2.crt" >"$WORK/verify.out" 2>&1 ||
  fail "openssl does not verify the node certificates"
openssl x509 -in "$PKI/n1.crt" -noout -subject | grep -q "CN = n1" || fail "n1's subject is not n1"
openssl x509 -in "$PKI/n1.crt" -noout -ext subjectAltName | grep -q "DNS:n1" ||
  fail "n1's subjectAltName is not DNS:n1"

# Another CA's node, to be refused.
"$CRATON" certs init --dir "$WORK/other" >/dev/null 2>&1 || fail "second CA failed"
"$CRATON" certs issue --dir "$WORK/other" --name n2 >/dev/null 2>&1 || fail "stranger cert failed"

# handshake CLIENT_CERT_DIR: one mutual TLS handshake, n1 serving; prints the client's output.
handshake() {
  pick_ports 1
  # s_server ends when its stdin does: keep it open (both bounded by timeouts).
  timeout 10 sleep 10 2>/dev/null | timeout 10 openssl s_server -accept "127.0.0.1:$BASE" \
    -cert "$PKI/n1.crt" -key "$PKI/n1.key" -CAfile "$PKI/ca.crt" -Verify 1 \
    -verify_return_error -naccept 1 -quiet >"$WORK/server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do ss -Htln "sport = :$BASE" | grep -q . && break; sleep 0.1; done
  local cert=()
  [ -n "$1" ] && cert=(-cert "$1/n2.crt" -key "$1/n2.key")
  (echo hello; sleep 0.5) | timeout 10 openssl s_client -connect "127.0.0.1:$BASE" "${cert[@]}" \
    -CAfile "$PKI/ca.crt" -verify_return_error -verify_hostname n1 -brief 2>&1
}

out=$(handshake "$PKI")
echo "$out" | grep -q "Verification: OK" || fail "n2 did not verify n1: $out"
grep -q "hello" "$WORK/server.log" || fail "n1 did not get n2's bytes over mutual TLS"
out=$(handshake "$WORK/other")
grep -q "hello" "$WORK/server.log" && fail "n1 accepted a certificate from another CA"
out=$(handshake "")
grep -q "hello" "$WORK/server.log" && fail "n1 accepted a client without a certificate"
echo "mutual TLS: same CA accepted, other CA and no certificate refused"

before=$(sha256sum "$PKI"/*)
"$CRATON" certs init --dir "$PKI" >"$WORK/again.out" 2>&1 && fail "a second init succeeded"
grep -q "already exists" "$WORK/again.out" || fail "a second init does not say why"
"$CRATON" certs issue --dir "$PKI" --name n1 >/dev/null 2>&1 && fail "re-issue succeeded"
"$CRATON" certs issue --dir "$PKI" --name "a/b" >/dev/null 2>&1 && fail "a bad name was issued"
"$CRATON" certs issue --dir "$PKI" --name n3 --days 0 >/dev/null 2>&1
[ $? = 2 ] || fail "--days 0 is not a flag error"
[ "$before" = "$(sha256sum "$PKI"/*)" ] || fail "a refusal changed the directory"
"$CRATON" certs verify --dir "$PKI" "$WORK/other/n2.crt" >/dev/null 2>&1 &&
  fail "certs verify accepted another CA's certificate"
echo "certs: ok"
