#!/usr/bin/env bash
# Shared set-up for the README commands: install what is missing with apt
# (Debian 12), configure once, build incrementally. Sourced, not run;
# `source setup.sh --no-build` installs packages only.
set -euo pipefail

GWSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GWSIM_BUILD="${GWSIM_BUILD:-$GWSIM_ROOT/build}"
# Debian's Python sees the apt-installed numpy/h5py/matplotlib; another
# python3 earlier on PATH may not.
GWSIM_PYTHON=/usr/bin/python3

GWSIM_APT_PACKAGES=(
  build-essential cmake pkg-config
  libeigen3-dev libhdf5-dev libyaml-cpp-dev libgtest-dev libbenchmark-dev
  libfmt-dev libcli11-dev
  python3 python3-numpy python3-h5py python3-matplotlib python3-xarray
  python3-pandas python3-h5netcdf python3-pytest python3-nbclient
  python3-nbformat python3-ipykernel netcdf-bin
  # Sanitizer and fuzzing stages (scripts/run-sanitizers.sh): clang, LLVM's
  # OpenMP runtime with its ThreadSanitizer tool (Archer), the sanitizer and
  # libFuzzer runtimes, llvm-symbolizer for readable stacks.
  clang libomp-14-dev libclang-rt-14-dev llvm
)

gwsim_install_packages() {
  local missing=()
  for p in "${GWSIM_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "gwsim: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

gwsim_build() {
  if [ ! -f "$GWSIM_BUILD/CMakeCache.txt" ]; then
    cmake -S "$GWSIM_ROOT" -B "$GWSIM_BUILD" -DCMAKE_BUILD_TYPE=Release
  fi
  cmake --build "$GWSIM_BUILD" -j "$(nproc)"
}

gwsim_install_packages
# `source setup.sh --no-build`: packages only (the sanitizer builds).
[ "${1:-}" = "--no-build" ] || gwsim_build
