# Image scenarios of scripts/bench (sourced by it: uses in_host, gen_compose, now_ms,
# settle, median, ratio, $work, $ROOT and appends to results).
#
# pull: a ~300 MB, 10-layer image made from a real Debian root filesystem
#   (debootstrap from the apt mirror, cached in /var/cache/tscompose-bench),
#   served by a docker-registry on 127.0.0.1 inside the throwaway host, pulled
#   into an empty store by `tscompose pull`, by `podman pull` (its own
#   storage, overlay driver) and by `skopeo copy docker://… oci:` followed by
#   `umoci unpack`. Every store is on the host's tmpfs, so the disk is the
#   same for all. Target: tscompose ≤ 1.0× the fastest of the others.
# image: `up -d` of N services of that pulled image (its 10 layers as
#   overlay lowers, shared) against the same N services on `x-rootfs` (the
#   same tree, unpacked once). Target ≤ 1.1×.

BENCH_CACHE=/var/cache/tscompose-bench
BENCH_IMAGE=127.0.0.1:5000/bench/debian:v1

bench_tools() {
  local missing=() p
  for p in podman debootstrap; do command -v "$p" >/dev/null || missing+=("$p"); done
  if ((${#missing[@]})); then
    echo "==> installing for the image benchmarks: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# A Debian bookworm root (minbase plus python3, perl and locales: about 300 MB unpacked).
bench_rootfs() {
  [[ -d $BENCH_CACHE/rootfs ]] && return
  echo "==> debootstrap of a Debian root for the image benchmarks (once, cached in $BENCH_CACHE)" >&2
  mkdir -p "$BENCH_CACHE"
  rm -rf "$BENCH_CACHE/rootfs.tmp"
  debootstrap --variant=minbase --include=python3,perl,libicu72,locales bookworm "$BENCH_CACHE/rootfs.tmp" http://deb.debian.org/debian >&2
  mv "$BENCH_CACHE/rootfs.tmp" "$BENCH_CACHE/rootfs"
}

# The rootfs as an OCI layout of 10 gzip layers (9 subtrees, then the rest), cached.
bench_layout() {
  local L=$BENCH_CACHE/layout R=$BENCH_CACHE/rootfs
  [[ -f $L/index.json ]] && return
  echo "==> writing the 10-layer benchmark image" >&2
  rm -rf "$L.tmp"; mkdir -p "$L.tmp/blobs/sha256"
  local groups=(usr/lib/x86_64-linux-gnu usr/lib/python3.11 usr/share/locale usr/share/i18n usr/share/perl usr/lib/locale usr/bin usr/share/doc var)
  local i=0 g excludes=() diffs=() layers=() tarfile d gz
  for g in "${groups[@]}"; do excludes+=("--exclude=./$g"); done
  for g in "${groups[@]}" REST; do
    tarfile=$L.tmp/layer.tar
    if [[ $g == REST ]]; then
      tar -C "$R" --numeric-owner --xattrs "${excludes[@]}" -cf "$tarfile" .
    else
      # The parents as entries of their own (owners and modes), then the subtree.
      local parents=() p=$g
      while [[ $p == */* ]]; do p=${p%/*}; parents=("./$p" "${parents[@]}"); done
      tar -C "$R" --numeric-owner --xattrs -cf "$tarfile" --no-recursion "${parents[@]}" --recursion "./$g"
    fi
    d=$(sha256sum <"$tarfile" | cut -d' ' -f1)
    gzip -n -6 "$tarfile"
    gz=$(sha256sum <"$tarfile.gz" | cut -d' ' -f1)
    mv "$tarfile.gz" "$L.tmp/blobs/sha256/$gz"
    diffs+=("\"sha256:$d\"")
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$gz\",\"size\":$(stat -c %s "$L.tmp/blobs/sha256/$gz")}")
    i=$((i + 1))
  done
  local history; history=$(printf '{"created_by":"bench layer"},%.0s' $(seq 1 $i)); history=${history%,}
  local config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"bash\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$(IFS=,; echo "${diffs[*]}")]},\"history\":[$history]}"
  local c; c=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
  printf '%s' "$config" >"$L.tmp/blobs/sha256/$c"
  local manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$c\",\"size\":${#config}},\"layers\":[$(IFS=,; echo "${layers[*]}")]}"
  local m; m=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
  printf '%s' "$manifest" >"$L.tmp/blobs/sha256/$m"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$L.tmp/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$m" "${#manifest}" >"$L.tmp/index.json"
  mv "$L.tmp" "$L"
}

# Shell text that starts the registry (data in $work/registry) inside a host and waits for it.
registry_start="
    printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: $work/registry}}\nhttp: {addr: 127.0.0.1:5000}\n' >/run/tscompose/registry.yml
    docker-registry serve /run/tscompose/registry.yml >/dev/null 2>&1 &
    for i in \$(seq 1 200); do curl -sf -o /dev/null http://127.0.0.1:5000/v2/ && break; sleep 0.05; done"

bench_push() {
  mkdir -p "$work/registry"
  in_host "$registry_start
    skopeo copy --quiet --dest-tls-verify=false oci:$BENCH_CACHE/layout:v1 docker://$BENCH_IMAGE >&2
"
}

pull_run() { # tscompose|podman|skopeo -> "ms ok"
  local cmd
  case $1 in
    tscompose) cmd="TSCOMPOSE_IMAGE_ROOT=/var/lib/tscompose/images '$ROOT/bin/tscompose' pull -q $BENCH_IMAGE && test -d /var/lib/tscompose/images/layers" ;;
    podman) cmd="podman --root /var/lib/tscompose/podman --runroot /run/tscompose/podman --storage-driver overlay --events-backend none --cgroup-manager cgroupfs pull -q --tls-verify=false $BENCH_IMAGE >/dev/null" ;;
    skopeo) cmd="skopeo copy --quiet --src-tls-verify=false docker://$BENCH_IMAGE oci:/var/lib/tscompose/oci:v1 && umoci unpack --image /var/lib/tscompose/oci:v1 /var/lib/tscompose/bundle >/dev/null" ;;
  esac
  in_host "$registry_start
    t0=\$(now_ms); ok=0; ( $cmd ) >&2 && ok=1; t1=\$(now_ms)
    echo \$((t1 - t0)) \$ok"
}

image_up_run() { # DIR image|rootfs -> "up_ms down_ms running"
  in_host "$registry_start
    export TSCOMPOSE_IMAGE_ROOT=/var/lib/tscompose/images
    [ $2 = image ] && '$ROOT/bin/tscompose' pull -q $BENCH_IMAGE >&2
    cd '$1'
    t0=\$(now_ms); '$ROOT/bin/tscompose' up -d >/dev/null 2>&1; t1=\$(now_ms)
    running=\$(for f in /run/tscompose/bench/containers/*/init.pid; do [ -d /proc/\$(cut -d' ' -f1 \$f) ] && echo; done | wc -l)
    t2=\$(now_ms); '$ROOT/bin/tscompose' down >/dev/null 2>&1; t3=\$(now_ms)
    echo \$((t1 - t0)) \$((t3 - t2)) \$running"
}

bench_pull() { # RUNS
  local runs=$1 tool ms ok r
  declare -A times=()
  for ((r = 0; r < runs; r++)); do
    for tool in tscompose podman skopeo; do
      settle
      read -r ms ok < <(pull_run "$tool")
      if [[ $ok != 1 ]]; then echo "$tool pull broken" >&2; exit 1; fi
      times[$tool]+="$ms "
    done
  done
  local mt mp ms_ best
  mt=$(printf '%s\n' ${times[tscompose]} | median); mp=$(printf '%s\n' ${times[podman]} | median); ms_=$(printf '%s\n' ${times[skopeo]} | median)
  best=$((mp < ms_ ? mp : ms_))
  local mb; mb=$(du -sm "$work/registry" | cut -f1)
  printf '%-9s %5s | tscompose %6d ms | podman %6d ms | skopeo+umoci %6d ms | ratio to the fastest %s (target <= 1.00; %d MB compressed, 10 layers)\n' pull - "$mt" "$mp" "$ms_" "$(ratio "$mt" "$best")" "$mb"
  results+=("{\"scenario\":\"pull\",\"runs\":$runs,\"compressed_mb\":$mb,\"tscompose_ms\":$mt,\"podman_ms\":$mp,\"skopeo_umoci_ms\":$ms_,\"ratio\":$(ratio "$mt" "$best"),\"target\":{\"ratio\":1.0}}")
}

bench_image_up() { # N RUNS
  local n=$1 runs=$2 r u d got
  gen_compose "$n" "$work/image-$n" SIGKILL "image: $BENCH_IMAGE"
  gen_compose "$n" "$work/rootfs-$n" SIGKILL "x-rootfs: $BENCH_CACHE/rootfs"
  local iu=() id=() ru=() rd=()
  for ((r = 0; r < runs; r++)); do
    settle
    read -r u d got < <(image_up_run "$work/image-$n" image)
    [[ $got -eq $n ]] || { echo "image up broken: $got/$n running" >&2; exit 1; }
    iu+=("$u"); id+=("$d")
    settle
    read -r u d got < <(image_up_run "$work/rootfs-$n" rootfs)
    [[ $got -eq $n ]] || { echo "x-rootfs up broken: $got/$n running" >&2; exit 1; }
    ru+=("$u"); rd+=("$d")
  done
  local a b c e
  a=$(printf '%s\n' "${iu[@]}" | median); b=$(printf '%s\n' "${ru[@]}" | median)
  c=$(printf '%s\n' "${id[@]}" | median); e=$(printf '%s\n' "${rd[@]}" | median)
  printf '%-9s %5d | image %8d ms  x-rootfs %8d ms (up) | image %8d ms  x-rootfs %8d ms (down) | up ratio %s (target <= 1.10)\n' image "$n" "$a" "$b" "$c" "$e" "$(ratio "$a" "$b")"
  results+=("{\"scenario\":\"image\",\"n\":$n,\"runs\":$runs,\"image\":{\"up_ms\":$a,\"down_ms\":$c},\"x_rootfs\":{\"up_ms\":$b,\"down_ms\":$e},\"ratio\":{\"up\":$(ratio "$a" "$b"),\"down\":$(ratio "$c" "$e")},\"target\":{\"up\":1.1}}")
}
