/**
 * Marker environments the resolver's tests (and `bench/resolver`) evaluate against.
 *
 * @module
 */
import type { MarkerEnvironment } from "../pep.ts";

/**
 * CPython 3.12 on Linux x86-64 as a lock target describes it (`--python-version 3.12 --platform
 * manylinux_…_x86_64`): no kernel release or version.
 */
export const LINUX_312_TARGET: MarkerEnvironment = {
  implementation_name: "cpython",
  implementation_version: "3.12.0",
  os_name: "posix",
  platform_machine: "x86_64",
  platform_python_implementation: "CPython",
  platform_release: "",
  platform_system: "Linux",
  platform_version: "",
  python_full_version: "3.12.0",
  python_version: "3.12",
  sys_platform: "linux",
};

/** CPython 3.11.7 on a Debian 12 x86-64 machine, as `packaging.markers` reports it there. */
export const LINUX_311_DEBIAN: MarkerEnvironment = {
  implementation_name: "cpython",
  implementation_version: "3.11.7",
  os_name: "posix",
  platform_machine: "x86_64",
  platform_python_implementation: "CPython",
  platform_release: "6.1.0-18-amd64",
  platform_system: "Linux",
  platform_version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1",
  python_full_version: "3.11.7",
  python_version: "3.11",
  sys_platform: "linux",
};
