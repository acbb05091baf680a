#!/bin/sh
# The main job on an embedded default (see README.md).
set -e
cd "$(dirname "$0")/.."

echo "== Ingestion: describe a shipped matrix (2-D pressure Poisson, 64 x 64 cells, disc obstacle)"
bin/krylearn-ingest info data/poisson2d-disc.h5
