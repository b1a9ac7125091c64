# The kubectl versions the kubectl suites run with (sourced, not run; after process_lib.sh,
# whose fail it uses). Issue 11's test clients: the kubectl on PATH (1.32 here), the 1.27 the
# same package ships side by side with it, and Debian 12's kubernetes-client (1.20), which
# .ci/install-deps unpacks into /opt/craton/kubectl-1.20 (or which is the one on PATH on a bare
# Debian machine). for_each_kubectl runs a suite once per version present, each minor version
# once, so a suite gives each version its own namespace or objects and one server serves all.

KUBECTL_SIDE_BY_SIDE=(/usr/lib/google-cloud-sdk/bin/kubectl.1.27 /opt/craton/kubectl-1.20/usr/bin/kubectl)
# The oldest kubectl verified against craton.
KUBECTL_MINOR_MIN=20

kubectl_minor() {  # kubectl-binary: its minor version (digits only: "27+" is 27)
  "$1" version --client -o json 2>/dev/null |
    python3 -c 'import json,sys,re; print(re.sub("[^0-9]", "", json.load(sys.stdin)["clientVersion"]["minor"]))'
}

# for_each_kubectl FUNCTION: calls FUNCTION BINARY TAG MINOR for the kubectl on PATH (TAG
# kubectl-path) and then for each side-by-side one present (TAG kubectl-1MINOR, e.g.
# kubectl-127), skipping a minor version already run and any older than KUBECTL_MINOR_MIN.
# TAG is a valid namespace name. Fails the test if a version cannot be read.
for_each_kubectl() {  # function
  local run=$1 k tag m seen=" "
  for k in kubectl "${KUBECTL_SIDE_BY_SIDE[@]}"; do
    if [ "$k" = kubectl ]; then
      command -v kubectl >/dev/null || continue
    else
      [ -x "$k" ] || continue
    fi
    m=$(kubectl_minor "$k")
    [ -n "$m" ] || fail "cannot read the version of $k"
    if [ "$m" -lt "$KUBECTL_MINOR_MIN" ]; then
      echo "SKIP: kubectl 1.$m ($k) is older than any verified against craton (1.$KUBECTL_MINOR_MIN)"
      continue
    fi
    [[ $seen == *" $m "* ]] && continue
    seen+="$m "
    if [ "$k" = kubectl ]; then tag=kubectl-path; else tag=kubectl-1$m; fi
    echo "== kubectl 1.$m ($k) as $tag"
    "$run" "$k" "$tag" "$m"
  done
}
