# Two products, both from `npm run build:native` (node-gyp rebuild):
#   build/Release/tscompose.node  the N-API addon (one syscall per function)
#   build/Release/tsc-shim        the container shim (a static C executable)
#   build/Release/tsc-probe       reachability probes for `tscompose verify`
{
  'targets': [
    {
      'target_name': 'tscompose',
      'sources': [
        'addon/addon.cc',
        'addon/errors.cc',
        'addon/args.cc',
        'addon/namespaces.cc',
        'addon/mounts.cc',
        'addon/locks.cc',
        'addon/pidfd.cc',
        'addon/files.cc',
        'addon/nodes.cc',
        'addon/device_filter.cc',
        'addon/quota.cc',
      ],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': ['NAPI_VERSION=8', 'NAPI_CPP_EXCEPTIONS', '_FORTIFY_SOURCE=2'],
      'cflags!': ['-fno-exceptions'],
      'cflags_cc!': ['-fno-exceptions'],
      'cflags': ['-Wall', '-Wextra', '-Werror'],
      'configurations': {
        'Release': { 'cflags!': ['-O3'], 'cflags': ['-O2'] },
      },
    },
    {
      'target_name': 'tsc-shim',
      'type': 'executable',
      'sources': [
        'shim/main.c',
        'shim/options.c',
        'shim/shm_share.c',
        'shim/report.c',
        'shim/namespaces.c',
        'shim/clone3.c',
        'shim/mounts.c',
        'shim/sysctl.c',
        'shim/process.c',
        'shim/pty.c',
        'shim/container.c',
        'shim/supervise.c',
        'shim/events.c',
        'shim/restart.c',
        'shim/health.c',
        'shim/cri_log.c',
        'shim/log_sink.c',
        'shim/console.c',
        'shim/state.c',
        'shim/launch.c',
        'shim/exec.c',
        'shim/pause.c',
        'shim/cgroup.c',
        'shim/process_limits.c',
        'shim/isolation_options.c',
        'shim/mountfs.c',
        'shim/inroot.c',
        'shim/rootfs.c',
        'shim/subpath.c',
        'shim/populate.c',
        'shim/keyring.c',
        'shim/masks.c',
        'shim/selfexec.c',
        'shim/devices.c',
        'shim/caps.c',
        'shim/init.c',
        'shim/seccomp.c',
        'shim/lsm.c',
      ],
      # libseccomp (Debian's libseccomp-dev), linked in: the static-pie shim loads nothing.
      'libraries': ['-l:libseccomp.a'],
      'defines': ['_GNU_SOURCE', '_FORTIFY_SOURCE=2'],
      # The shim runs once per container for the container's whole life:
      # static-pie keeps it small in memory (no dynamic loader, no shared
      # libc pages to map) and independent of the host's libraries, while
      # keeping ASLR.
      'cflags!': ['-pthread', '-Wno-unused-parameter'],
      'cflags': ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fstack-protector-strong', '-fPIE'],
      'ldflags!': ['-rdynamic', '-pthread'],
      'ldflags': ['-static-pie', '-Wl,-z,relro,-z,now', '-Wl,--gc-sections'],
      'configurations': {
        'Release': { 'cflags!': ['-O3'], 'cflags': ['-O2', '-ffunction-sections', '-fdata-sections'] },
      },
    },
    {
      # Raw ICMP sockets opened in each namespace: run by the CLI for
      # `verify`, never in a container, so an ordinary PIE.
      'target_name': 'tsc-probe',
      'type': 'executable',
      'sources': ['probe/main.c', 'probe/probe.c', 'shim/report.c'],
      'defines': ['_GNU_SOURCE', '_FORTIFY_SOURCE=2'],
      'cflags!': ['-pthread', '-Wno-unused-parameter'],
      'cflags': ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fstack-protector-strong', '-fPIE'],
      'ldflags!': ['-rdynamic', '-pthread'],
      'ldflags': ['-pie', '-Wl,-z,relro,-z,now'],
      'configurations': {
        'Release': { 'cflags!': ['-O3'], 'cflags': ['-O2'] },
      },
    },
  ],
}
