# Two products, both from `npm run build:native` (node-gyp rebuild):
#   build/Release/tscompose.node  the N-API addon (one syscall per function)
#   build/Release/tsc-shim        the container shim (a static C executable)
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
        'shim/report.c',
        'shim/namespaces.c',
        'shim/clone3.c',
        'shim/mounts.c',
        'shim/sysctl.c',
        'shim/process.c',
        'shim/container.c',
        'shim/supervise.c',
        'shim/cri_log.c',
        'shim/rfc3339.c',
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
        'shim/devices.c',
        'shim/caps.c',
        'shim/init.c',
        'shim/probe.c',
      ],
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
  ],
}
