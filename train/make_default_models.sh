#!/bin/sh
# Trains the default models shipped in data/ (deepcd-2d.h5, deepcd-3d.h5): both, or with
# "2d" / "3d" as argument one of them. Logs, checkpoints and the Ritz-pair cache go to build/train/.
# Each run stops after a fixed training time (--minutes; the learning-rate decay follows
# the elapsed fraction), so the step count depends on the machine: train/README.md
# gives the times and step counts of the shipped models, also stored in their metadata.
set -e
cd "$(dirname "$0")/.."
mkdir -p build/train data
PYTHON=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1
what=${1:-all}
common="--arch vcycle --width 8 --coarsest 2 --mix-kernel 3 --lanczos-steps 400 --lr 3e-3
        --steps 1000000 --threads 1 --seed 0 --ritz-cache build/train/ritz"
if [ "$what" = all ] || [ "$what" = 2d ]; then
  $PYTHON train/train_dcdm.py $common --minutes 11 --batch 8 --val-every 50 \
    --problem none:32,32 --problem disc:32,32 --problem none:64,64 --problem disc:64,64 \
    --problem none:128,128 --problem disc:128,128 \
    --select disc:128,128 --select disc:256,256 --select-every 200 \
    --checkpoint build/train/deepcd-2d.ckpt --out data/deepcd-2d.h5 > build/train/deepcd-2d.log 2>&1
fi
if [ "$what" = all ] || [ "$what" = 3d ]; then
  $PYTHON train/train_dcdm.py $common --minutes 35 --batch 4 --val-every 25 \
    --problem none:16,16,16 --problem disc:16,16,16 --problem none:32,32,32 --problem disc:32,32,32 \
    --checkpoint build/train/deepcd-3d.ckpt --out data/deepcd-3d.h5 > build/train/deepcd-3d.log 2>&1
fi
