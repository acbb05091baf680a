#!/bin/sh
# Trains the default models shipped in data/ (deepcd-2d.h5, deepcd-3d.h5), one after the
# other or, with "2d" / "3d" as argument, one of them. Logs and checkpoints go to
# build/train/. The runs stop after a fixed training time (--minutes); train/README.md
# gives the times and step counts of the shipped models.
set -e
cd "$(dirname "$0")/.."
mkdir -p build/train data
PYTHON=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1
what=${1:-all}
if [ "$what" = all ] || [ "$what" = 2d ]; then
  $PYTHON train/train_dcdm.py --arch vcycle --width 8 --coarsest 2 \
    --problem none:32,32 --problem disc:32,32 --problem none:64,64 --problem disc:64,64 --problem disc:128,128 \
    --lanczos-steps 400 --batch 8 --lr 1e-3 --minutes 40 --steps 1000000 --val-every 50 --threads 1 --seed 0 \
    --checkpoint build/train/deepcd-2d.ckpt --out data/deepcd-2d.h5 > build/train/deepcd-2d.log 2>&1
fi
if [ "$what" = all ] || [ "$what" = 3d ]; then
  $PYTHON train/train_dcdm.py --arch vcycle --width 8 --coarsest 2 \
    --problem none:16,16,16 --problem disc:16,16,16 --problem none:32,32,32 --problem disc:32,32,32 \
    --lanczos-steps 400 --batch 4 --lr 1e-3 --minutes 40 --steps 1000000 --val-every 25 --threads 1 --seed 0 \
    --checkpoint build/train/deepcd-3d.ckpt --out data/deepcd-3d.h5 > build/train/deepcd-3d.log 2>&1
fi
