# Sourced by the agent's shell tests that run pods for real. pod_host_cleanup WORK BRIDGE
# CGROUP_ROOT removes whatever a failed run left on the host: the pods' processes (by cgroup),
# mounts under WORK, the cgroups, the veths on BRIDGE, BRIDGE itself and its iptables rules
# (the agent adds FORWARD and masquerade rules commented "craton pod network BRIDGE").
pod_host_cleanup() {
  local work=$1 bridge=$2 cgroup_root=$3 dir
  for dir in /sys/fs/cgroup/*/"$cgroup_root" /sys/fs/cgroup/"$cgroup_root"; do
    [ -d "$dir" ] || continue
    find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
  done
  sleep 0.5
  grep " $work" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for dir in /sys/fs/cgroup/*/"$cgroup_root" /sys/fs/cgroup/"$cgroup_root"; do
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  ip -o link show master "$bridge" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 |
    xargs -r -n1 ip link del 2>/dev/null
  ip link del "$bridge" 2>/dev/null
  pod_host_drop_rules "$bridge"
  return 0
}

# Deletes every iptables rule (filter and nat) commented "craton pod network BRIDGE".
pod_host_drop_rules() {
  local bridge=$1 table rule
  for table in filter nat; do
    iptables -t "$table" -S 2>/dev/null | grep -F "craton pod network $bridge\"" |
      sed 's/^-A /-D /' | while read -r rule; do
        eval "iptables -t $table $rule" 2>/dev/null
      done
  done
}
