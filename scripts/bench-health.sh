# Healthcheck scenario of scripts/bench (sourced by it: uses in_host,
# gen_compose, settle, median, ratio, $work, $ROOT and appends to results).
#
# health: N `sleep` services, each with `healthcheck: {test: [CMD, true],
#   interval: 1s}`, up for a window of W seconds: the CPU time used in that
#   window by everything in the throwaway host (its shell joins the host's
#   own cgroup first, so tscompose, the shims, the containers and their
#   checks all count there: cpuacct.usage, or cpu.stat on cgroup v2; the rest
#   of the machine does not) minus the same stack without a healthcheck, per
#   check. Baseline: the same stack without healthchecks, checked the
#   way a hand-written supervisor would (`docker exec`-style): once a second
#   per container, `nsenter` into all its namespaces running `true`, from a
#   shell loop on the host. Ratio: tscompose's CPU per check / the baseline's.

# Microseconds of CPU used by the throwaway host's cgroup (bind-mounted over the hierarchy's root inside it).
host_cpu_us='if [ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then echo $(( $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage) / 1000 )); else awk "/^usage_usec/{print \$2}" /sys/fs/cgroup/cpu.stat; fi'
join_host_cgroup='if [ -f /sys/fs/cgroup/cpuacct/cgroup.procs ]; then echo 0 >/sys/fs/cgroup/cpuacct/cgroup.procs; else echo 0 >/sys/fs/cgroup/cgroup.procs; fi'

health_run() { # DIR W checks|nsenter|idle -> "cpu_ms"
  in_host "
    $join_host_cgroup
    cd '$1'
    '$ROOT/bin/tscompose' up -d >/dev/null 2>&1
    sleep 3
    pids=\$(for f in /run/tscompose/bench/containers/*/init.pid; do cut -d' ' -f1 \$f; done)
    if [ $3 = nsenter ]; then
      ( while :; do for p in \$pids; do nsenter -t \$p -m -u -i -n -p true; done & sleep 1; wait; done ) &
      loop=\$!
    fi
    b0=\$($host_cpu_us); sleep $2; b1=\$($host_cpu_us)
    [ $3 = nsenter ] && kill \$loop
    '$ROOT/bin/tscompose' down >/dev/null 2>&1
    echo \$(( (b1 - b0) / 1000 ))
  "
}

bench_health() { # N RUNS WINDOW
  local n=$1 runs=$2 w=$3 r ms
  gen_compose "$n" "$work/health-with-$n" SIGKILL 'healthcheck: {test: ["CMD", "true"], interval: 1s, timeout: 5s}'
  gen_compose "$n" "$work/health-without-$n" SIGKILL
  local checks=() execs=() idle=()
  for ((r = 0; r < runs; r++)); do
    settle; read -r ms < <(health_run "$work/health-with-$n" "$w" checks); checks+=("$ms")
    settle; read -r ms < <(health_run "$work/health-without-$n" "$w" nsenter); execs+=("$ms")
    settle; read -r ms < <(health_run "$work/health-without-$n" "$w" idle); idle+=("$ms")
  done
  local c e i; c=$(printf '%s\n' "${checks[@]}" | median); e=$(printf '%s\n' "${execs[@]}" | median); i=$(printf '%s\n' "${idle[@]}" | median)
  local per_check per_exec
  per_check=$(awk -v c="$c" -v i="$i" -v n="$n" -v w="$w" 'BEGIN{printf "%.2f", (c - i) / (n * w)}')
  per_exec=$(awk -v e="$e" -v i="$i" -v n="$n" -v w="$w" 'BEGIN{printf "%.2f", (e - i) / (n * w)}')
  printf '%-9s %5d | CPU per check: tscompose %s ms, nsenter exec %s ms (idle stack %d ms in %d s) | ratio %s\n' health "$n" "$per_check" "$per_exec" "$i" "$w" \
    "$(awk -v a="$per_check" -v b="$per_exec" 'BEGIN{printf "%.2f", a/b}')"
  results+=("{\"scenario\":\"health\",\"n\":$n,\"runs\":$runs,\"window_s\":$w,\"cpu_ms_per_check\":{\"tscompose\":$per_check,\"nsenter_exec\":$per_exec},\"idle_cpu_ms\":$i}")
}
