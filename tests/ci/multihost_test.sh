#!/usr/bin/env bash
# One cluster over five "hosts" (network namespaces on this kernel, joined by veths to a
# bridge of their own in the root namespace, 10.231.0.0/24): three `craton server`s (store
# replica + API + scheduler + controller manager each, --peers over the hosts' addresses,
# mutual TLS) and two `craton agent --join` running real pods (Linux driver). The Deployment of
# docs/examples/hello-web.yaml, 4 busybox httpd pods, spreads over both agents; each pod
# answers HTTP inside its host and `kubectl logs` reaches it through another host's API. Then
# the server whose scheduler holds its Lease (and whose API the agents use: it comes first in
# their --join) is SIGKILLed, the Deployment is scaled to 6 through a surviving server, and the
# 6 pods get Ready while the first 4 keep running untouched (same uid, restartCount 0, still
# answering). The killed server then restarts from its data and its API shows the 6 pods.
# The `kubernetes` Endpoints list the three servers' --advertise-address, drop the killed one
# once its API lease expires, and list it again after its restart.
# Prints the time of each phase and the RSS of every server and agent.
#
# Cleanup (trap, also on failure): every process of the run is killed, the pods' cgroups,
# mounts, namespaces, veths and bridge are removed with the data; the test fails if anything
# of its own is left (netns, links, mounts, cgroup directories). Needs root.
#
#   multihost_test.sh CRATON
set -u
CRATON=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/craton-mh.XXXXXX)
TAG=$(printf '%04x' $(($$ % 65536)))
PREFIX=crtn-mh-$TAG       # the namespaces: $PREFIX-s1 .. -s3, -a1, -a2
BRIDGE=mhb$TAG            # the hosts' network, in the root namespace (no address there)
NET=10.231.0              # the hosts' addresses: s1..s3 .11-.13, a1 a2 .21 .22
PEER_PORT=12380           # inside each namespace: ports there are the namespace's own
HTTP_PORT=16443
AGENT_PORT=20250
POD_BRIDGE=mhpod0         # inside each agent's namespace, so the two may share the name
HOSTS="s1 s2 s3 a1 a2"
PEERS="1=$NET.11:$PEER_PORT,2=$NET.12:$PEER_PORT,3=$NET.13:$PEER_PORT"
declare -A PID
T_START=$(date +%s.%N)

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; rm -rf "$WORK"; exit 0; }
for tool in kubectl ip nsenter; do
  command -v "$tool" >/dev/null || { echo "SKIP: no $tool"; rm -rf "$WORK"; exit 0; }
done

ns() { echo "$PREFIX-$1"; }
addr() { case $1 in s1) echo "$NET.11" ;; s2) echo "$NET.12" ;; s3) echo "$NET.13" ;;
  a1) echo "$NET.21" ;; a2) echo "$NET.22" ;; esac; }
cgroup_root() { echo "craton-mh-$TAG-$1"; }
# Becomes a process on a host (run it as `on_host HOST CMD... &`: $! is then CMD's pid): only
# its network namespace changes (`ip netns exec` would also give it a mount namespace with a
# fresh /sys, hiding /sys/fs/cgroup from the agent).
on_host() { local host=$1; shift; exec nsenter --net="/run/netns/$(ns "$host")" "$@"; }
kc() { local host=$1; shift; ip netns exec "$(ns "$host")" kubectl --kubeconfig "$WORK/kubeconfig" --request-timeout=10s "$@"; }
elapsed() { echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'; }
phase() { echo "== [$(elapsed "$T_START") s] $*"; }

our_cgroups() {
  local host
  for host in a1 a2; do
    find /sys/fs/cgroup/*/"$(cgroup_root "$host")" /sys/fs/cgroup/"$(cgroup_root "$host")" \
      -maxdepth 0 -type d 2>/dev/null
  done
}
# Every process this run started, wherever it is: servers and agents (by pid), the shims and
# anything else whose command line names WORK, and the containers (by cgroup).
kill_everything() {
  local pid dir
  for pid in "${PID[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for dir in $(our_cgroups); do
    cat "$dir"/cgroup.procs "$dir"/*/cgroup.procs "$dir"/*/*/cgroup.procs 2>/dev/null |
      xargs -r kill -9 2>/dev/null
  done
  local cmdline args
  for cmdline in /proc/[0-9]*/cmdline; do  # bash builtins only: no grep to find itself
    mapfile -d '' args <"$cmdline" 2>/dev/null || continue
    pid=${cmdline#/proc/}
    pid=${pid%/cmdline}
    [[ "${args[*]}" == *"$WORK"* ]] && [ "$pid" != $$ ] && kill -9 "$pid" 2>/dev/null
  done
  wait 2>/dev/null
}
leftovers() {
  ip netns list 2>/dev/null | grep -F "$PREFIX"
  ip -o link show 2>/dev/null | grep -E "mh$TAG|$BRIDGE" | awk -F': ' '{print "link " $2}'
  grep -F " $WORK" /proc/self/mountinfo | awk '{print "mount " $5}'
  our_cgroups | sed 's/^/cgroup /'
}
cleanup() {
  local status=$? host dir
  trap - EXIT
  kill_everything
  sleep 0.5
  kill_everything  # a shim that was forking a moment ago
  for _ in 1 2 3; do
    grep -F " $WORK" /proc/self/mountinfo | awk '{print $5}' | sort -r |
      xargs -r -n1 umount -l 2>/dev/null
    for dir in $(our_cgroups); do find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null; done
    for host in $HOSTS; do ip netns del "$(ns "$host")" 2>/dev/null; done
    ip link del "$BRIDGE" 2>/dev/null
    [ -z "$(leftovers)" ] && break
    sleep 1
  done
  local left
  left=$(leftovers)
  if [ -n "$left" ]; then
    echo "FAIL: left on the host:" >&2
    echo "$left" >&2
    status=1
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # through the EXIT trap

fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -25 "$f" >&2; }
  done
  exit 1
}
# shellcheck source=../lib/until_ok.sh
source "$SRC/tests/lib/until_ok.sh"
# The body of GET / from IP:PORT, from inside HOST's network namespace (bash's /dev/tcp: no
# HTTP client needed on the host).
http_get_on() {  # HOST IP PORT
  # shellcheck disable=SC2016 # $0 and $1 are the inner shell's
  ip netns exec "$(ns "$1")" timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "GET / HTTP/1.0\r\nHost: %s\r\n\r\n" "$0" >&3 && cat <&3' "$2" "$3" |
    sed '1,/^\r$/d'
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# ---- the hosts' network ----
phase "network: 5 namespaces ($PREFIX-*) on bridge $BRIDGE, $NET.0/24"
ip link add "$BRIDGE" type bridge || fail "bridge $BRIDGE"
ip link set "$BRIDGE" up || fail "bridge up"
for host in $HOSTS; do
  ip netns add "$(ns "$host")" || fail "netns $(ns "$host")"
  ip link add "mh$TAG$host" type veth peer name eth0 netns "$(ns "$host")" || fail "veth $host"
  ip link set "mh$TAG$host" master "$BRIDGE" up || fail "veth $host up"
  ip -n "$(ns "$host")" addr add "$(addr "$host")/24" dev eth0 || fail "address $host"
  ip -n "$(ns "$host")" link set eth0 up || fail "eth0 $host"
  ip -n "$(ns "$host")" link set lo up || fail "lo $host"
done

# ---- certificates: the servers' (store-N), the agents' (agent) and kubectl-less tools' ----
"$CRATON" certs init --dir "$WORK/pki" >/dev/null || fail "certs init"
for name in store-1 store-2 store-3 agent admin; do
  "$CRATON" certs issue --dir "$WORK/pki" --name "$name" >/dev/null || fail "certs issue $name"
done
"$CRATON" kubeconfig --server "http://127.0.0.1:$HTTP_PORT" >"$WORK/kubeconfig" ||
  fail "kubeconfig"

# ---- three servers ----
phase "starting 3 servers (--peers $PEERS)"
T_SERVERS=$(date +%s.%N)
start_server() {  # number (again after a kill: the same data, the log appended)
  on_host "s$1" "$CRATON" server --id "$1" --peers "$PEERS" --data "$WORK/s$1" \
    --http "127.0.0.1:$HTTP_PORT" --advertise-address "$(addr "s$1")" --certs "$WORK/pki" \
    >>"$WORK/s$1.log" 2>&1 &
  PID[s$1]=$!
}
for i in 1 2 3; do start_server "$i"; done
for i in 1 2 3; do
  until_ok 90 kc "s$i" get ns kube-node-lease || fail "the API on s$i never came up"
done
phase "the 3 APIs answer ($(elapsed "$T_SERVERS") s)"

# The `kubernetes` Endpoints list every live API server by its --advertise-address (sorted,
# as each server's lease in kube-system keeps it there), whichever API is asked.
api_endpoints() {  # SERVER: the addresses, space-separated, in the order the API lists them
  kc "$1" get endpoints kubernetes -n default -o jsonpath='{.subsets[*].addresses[*].ip}'
}
endpoints_are() { [ "$(api_endpoints "$1")" = "$2" ]; }
ALL_APIS="$(addr s1) $(addr s2) $(addr s3)"
for i in 1 2 3; do
  until_ok 60 endpoints_are "s$i" "$ALL_APIS" ||
    fail "kubernetes Endpoints through s$i: '$(api_endpoints "s$i")', expected '$ALL_APIS'"
done
phase "the kubernetes Endpoints list the 3 APIs: $ALL_APIS"

# The server to be killed: the one whose scheduler holds its Lease. The agents name it first in
# --join, so they use its API until it dies and must move to another.
holder_of() {  # LEASE-NAME-PART: the holder's server number (its identity is store-N_...)
  kc s1 get lease -n kube-system -o jsonpath='{range .items[*]}{.metadata.name} {.spec.holderIdentity}{"\n"}{end}' |
    awk -v part="$1" 'index($1, part) { sub(/^store-/, "", $2); sub(/_.*/, "", $2); print $2; exit }'
}
scheduler_elected() { case $(holder_of scheduler) in 1 | 2 | 3) return 0 ;; esac; return 1; }
until_ok 60 scheduler_elected || fail "no scheduler Lease held by a server: $(kc s1 get lease -n kube-system 2>&1)"
VICTIM=$(holder_of scheduler)
JOIN=$(for i in $VICTIM $((VICTIM % 3 + 1)) $(((VICTIM + 1) % 3 + 1)); do
  echo -n "$i=$NET.1$i:$PEER_PORT,"; done)
JOIN=${JOIN%,}

# ---- the image, in each agent's store ----
"$SRC/tests/images/build-busybox-image.sh" "$WORK/image" >"$WORK/image.out" 2>&1 ||
  fail "building the test image: $(tail -5 "$WORK/image.out")"
for host in a1 a2; do
  "$CRATON" image import "$WORK/image/oci" --root "$WORK/$host/images" >"$WORK/import-$host.out" 2>&1 ||
    fail "image import on $host: $(tail -3 "$WORK/import-$host.out")"
done

# ---- two agents ----
phase "starting 2 agents (--join $JOIN: s$VICTIM's API first)"
T_AGENTS=$(date +%s.%N)
start_agent() {  # host number
  on_host "$1" "$CRATON" agent --join "$JOIN" --certs "$WORK/pki" --node-name "mh-$1" \
    --data "$WORK/$1" --driver linux --pod-cidr "10.232.$2.0/24" --bridge "$POD_BRIDGE" \
    --cgroup-root "$(cgroup_root "$1")" --port "$AGENT_PORT" --node-ip "$(addr "$1")" \
    >"$WORK/$1.log" 2>&1 &
  PID[$1]=$!
}
start_agent a1 1
start_agent a2 2
node_ready() {
  [ "$(kc s1 get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
until_ok 90 node_ready mh-a1 || fail "node mh-a1 never got Ready"
until_ok 90 node_ready mh-a2 || fail "node mh-a2 never got Ready"
phase "both nodes Ready ($(elapsed "$T_AGENTS") s)"
kc s1 get nodes -o wide

# ---- a Deployment of 4 over both nodes: docs/examples/hello-web.yaml, 4 replicas, spread ----
T_APPLY=$(date +%s.%N)
awk '{ sub(/replicas: 3/, "replicas: 4"); print }
     /terminationGracePeriodSeconds/ {
       print "      topologySpreadConstraints:"
       print "        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,"
       print "           labelSelector: {matchLabels: {app: hello-web}}}"
     }' "$SRC/docs/examples/hello-web.yaml" >"$WORK/hello-web.yaml"
if ! grep -q "replicas: 4" "$WORK/hello-web.yaml" || ! grep -q topologySpread "$WORK/hello-web.yaml"; then
  fail "hello-web.yaml changed shape: $(cat "$WORK/hello-web.yaml")"
fi
kc s1 apply -f "$WORK/hello-web.yaml" >"$WORK/apply.out" 2>&1 || fail "apply: $(cat "$WORK/apply.out")"
ready_count() {  # SERVER
  kc "$1" get pods -l app=hello-web -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$'
}
ready_is() { [ "$(ready_count "$1")" = "$2" ] && [ "$(kc "$1" get pods -l app=hello-web -o name | wc -l)" = "$2" ]; }
until_ok 240 ready_is s1 4 || fail "4 pods never got Ready: $(kc s1 get pods -o wide 2>&1)"
ALL4_S=$(elapsed "$T_APPLY")
phase "4 pods Ready ${ALL4_S} s after apply"
kc s1 get pods -o wide

# Each pod: on one of the two nodes, an address from that node's podCIDR, answering HTTP
# inside its host, and its log read through another host's API (the API reaches the agent).
check_pod() {  # POD
  local pod=$1 node ip host answer logs cidr
  node=$(kc s1 get pod "$pod" -o jsonpath='{.spec.nodeName}')
  ip=$(kc s1 get pod "$pod" -o jsonpath='{.status.podIP}')
  case $node in mh-a1) host=a1 ;; mh-a2) host=a2 ;; *) fail "$pod on node '$node'" ;; esac
  cidr=$(kc s1 get node "$node" -o jsonpath='{.spec.podCIDR}')
  [ "${ip%.*}.0/24" = "$cidr" ] || fail "$pod's IP $ip is not in $node's podCIDR $cidr"
  answer=$(http_get_on "$host" "$ip" 8080) || fail "$pod at $ip does not answer inside $host"
  [ "$answer" = "hello from $pod" ] || fail "$pod answered '$answer'"
  # (busybox httpd -f logs nothing: that the relay answers at all is what is checked)
  logs=$(kc s3 logs "$pod" 2>&1) || fail "kubectl logs $pod through s3: $logs"
  echo "  $pod on $node at $ip: '$answer'"
}
PODS4=$(kc s1 get pods -l app=hello-web -o jsonpath='{.items[*].metadata.name}')
for pod in $PODS4; do check_pod "$pod"; done
for node in mh-a1 mh-a2; do
  [ "$(kc s1 get pods -l app=hello-web --field-selector "spec.nodeName=$node" -o name | wc -l)" -ge 1 ] ||
    fail "no pod on $node"
done
# Each agent's pod network rules (masquerade, forward) are in its own namespace, none in the
# root namespace's tables.
for host in a1 a2; do
  ip netns exec "$(ns "$host")" iptables -w 10 -t nat -S POSTROUTING | grep -q "craton pod network $POD_BRIDGE" ||
    fail "no masquerade rule for $POD_BRIDGE inside $host: $(ip netns exec "$(ns "$host")" iptables -t nat -S 2>&1)"
done
{ iptables -w 10 -S FORWARD; iptables -w 10 -t nat -S POSTROUTING; } 2>/dev/null |
  grep -q "craton pod network $POD_BRIDGE" && fail "a rule for $POD_BRIDGE in the root namespace"
UIDS4=$(kc s1 get pods -l app=hello-web -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.uid}{"\n"}{end}' | sort)

# ---- the figures before the kill ----
for host in s1 s2 s3 a1 a2; do
  echo "  RSS $host: $(($(rss_kib "${PID[$host]}") / 1024)) MiB"
done

# ---- SIGKILL the server whose scheduler leads (and whose API the agents use) ----
# (Should a loaded machine have moved the scheduler's Lease meanwhile, s$VICTIM still goes: the
# agents' server. The holders are printed.)
kc s1 get lease -n kube-system
SURVIVOR=$((VICTIM % 3 + 1))
phase "SIGKILL server s$VICTIM (leaders: scheduler s$(holder_of scheduler), controller manager s$(holder_of controller-manager)); kubectl through s$SURVIVOR"
T_KILL=$(date +%s.%N)
kill -9 "${PID[s$VICTIM]}"
wait "${PID[s$VICTIM]}" 2>/dev/null
unset "PID[s$VICTIM]"

until_ok 120 kc "s$SURVIVOR" scale deployment hello-web --replicas=6 ||
  fail "scaling through s$SURVIVOR: $(kc "s$SURVIVOR" scale deployment hello-web --replicas=6 2>&1)"
phase "scaled to 6 through s$SURVIVOR ($(elapsed "$T_KILL") s after the kill)"
until_ok 300 ready_is "s$SURVIVOR" 6 || fail "6 pods never got Ready: $(kc "s$SURVIVOR" get pods -o wide 2>&1)"
AFTER_KILL_S=$(elapsed "$T_KILL")
phase "6 pods Ready ${AFTER_KILL_S} s after the SIGKILL"
kc "s$SURVIVOR" get pods -o wide
kc "s$SURVIVOR" get lease -n kube-system

# The killed server's lease expires (15 s) and a survivor drops its address.
LIVE_APIS=$(for i in 1 2 3; do [ "$i" != "$VICTIM" ] && echo -n "$(addr "s$i") "; done)
LIVE_APIS=${LIVE_APIS% }
until_ok 90 endpoints_are "s$SURVIVOR" "$LIVE_APIS" ||
  fail "kubernetes Endpoints after the kill: '$(api_endpoints "s$SURVIVOR")', expected '$LIVE_APIS'"
phase "the kubernetes Endpoints dropped s$VICTIM: $LIVE_APIS"

# Both agents moved to another server's API: at once when the link to the killed server went
# down (ApiEndpoints), or after its silence.
for host in a1 a2; do
  grep -Eq "(the API is unreachable|no answer from the API): now store-" "$WORK/$host.log" ||
    fail "agent $host never left s$VICTIM's API"
done
# The first four are the same pods, never restarted, still answering.
NOW_UIDS=$(kc "s$SURVIVOR" get pods -l app=hello-web -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.uid}{"\n"}{end}' | sort)
missing=$(comm -23 <(echo "$UIDS4") <(echo "$NOW_UIDS"))
[ -z "$missing" ] || fail "pods replaced or gone after the kill: $missing"
for pod in $PODS4; do
  # restartCount 0 is left out of our JSON (the converter omits zeros): empty means 0.
  restarts=$(kc "s$SURVIVOR" get pod "$pod" -o jsonpath='{.status.containerStatuses[0].restartCount}')
  [ "${restarts:-0}" = 0 ] || fail "$pod restarted $restarts times"
  [ "$(kc "s$SURVIVOR" get pod "$pod" -o jsonpath='{.status.containerStatuses[0].ready}')" = true ] ||
    fail "$pod is not ready"
done
SURVIVORS=$(for i in 1 2 3; do [ "$i" != "$VICTIM" ] && echo -n "s$i "; done)
for pod in $(kc "s$SURVIVOR" get pods -l app=hello-web -o jsonpath='{.items[*].metadata.name}'); do
  node=$(kc "s$SURVIVOR" get pod "$pod" -o jsonpath='{.spec.nodeName}')
  ip=$(kc "s$SURVIVOR" get pod "$pod" -o jsonpath='{.status.podIP}')
  answer=$(http_get_on "${node#mh-}" "$ip" 8080)
  [ "$answer" = "hello from $pod" ] || fail "$pod at $ip answered '$answer' after the kill"
done
for host in $SURVIVORS a1 a2; do
  echo "  RSS $host: $(($(rss_kib "${PID[$host]}") / 1024)) MiB"
done

# The killed server comes back from its data and its API serves the cluster as it is now.
T_BACK=$(date +%s.%N)
start_server "$VICTIM"
until_ok 120 ready_is "s$VICTIM" 6 || fail "s$VICTIM back: $(kc "s$VICTIM" get pods -o wide 2>&1)"
phase "s$VICTIM back: its API shows the 6 Ready pods $(elapsed "$T_BACK") s after its restart"
until_ok 60 endpoints_are "s$VICTIM" "$ALL_APIS" ||
  fail "kubernetes Endpoints after s$VICTIM's restart: '$(api_endpoints "s$VICTIM")', expected '$ALL_APIS'"
phase "the kubernetes Endpoints list the 3 APIs again"

phase "figures: 4 pods Ready ${ALL4_S} s after apply; 6 Ready ${AFTER_KILL_S} s after SIGKILL of s$VICTIM"
echo "PASS"
