#!/usr/bin/env bash
# Installs what mixir needs on Debian bookworm (run as root, or with sudo):
# LLVM/MLIR 22 (libMLIR, mlir-tblgen, lit, FileCheck), OpenMP, DLPack, Ninja.
set -euo pipefail
packages=(cmake ninja-build g++ llvm-22-dev libmlir-22-dev mlir-22-tools
          llvm-22-tools libomp-22-dev libdlpack-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "mixir: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
