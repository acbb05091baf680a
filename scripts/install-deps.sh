#!/bin/sh
# Installs the Debian 12 packages Krylearn builds, tests and benchmarks with.
# As root it runs apt-get; otherwise it prints the command to run and stops.
set -e
PACKAGES="build-essential pkg-config petsc-dev slepc-dev libhdf5-openmpi-dev libdnnl-dev
 libopenblas0-pthread libpetsc3.18-dev-examples libslepc3.18-dev-examples valgrind
 python3 python3-numpy python3-scipy python3-h5py python3-pot python3-torch
 python3-petsc4py python3-slepc4py python3-mpi4py python3-matplotlib python3-sklearn"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Krylearn needs these Debian packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
echo "Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
