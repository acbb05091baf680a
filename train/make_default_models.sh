#!/bin/sh
# Trains the default models shipped in data/ (deepcd-2d.h5, deepcd-3d.h5): both, or with
# "2d" / "3d" as argument one of them. Each is made in two steps: the plain learned V-cycle
# (data/deepcd-2d-plain.h5, data/deepcd-3d-plain.h5: the previous defaults), then those
# weights fine-tuned as the coarse part of operator-smoothed hybrid directions
# (train/hybrid.py: 2 damped-Jacobi sweeps with the operator, the network on the 2x coarser
# grid; in 2-D a second, longer fine-tune on larger grids). "2d-hybrid" / "3d-hybrid" redo only the fine-tunes; with SWEEPS=S LEVELS=L they
# make the variant data/deepcd-Nd-hybrid-sSlL.h5 instead; "galerkin" (also part of "all")
# makes the two models with Galerkin levels deepcd uses by default on the grids they fit
# (64^2 and 32^3 or more; the one-level models serve smaller grids): 2-D s2l3 and 3-D s2l2,
# shipped as K-cycles, s2l3k221 and s2l2k21 (2 flexible-CG steps on each coarse level above
# the network's). Logs, checkpoints, the Ritz-pair
# cache and the 3-D first stage go to build/train/. Each run stops after a fixed training time (--minutes;
# the learning-rate decay follows the elapsed fraction), so the step count depends on the
# machine: train/README.md gives the times and step counts of the shipped models, also
# stored in their metadata.
set -e
cd "$(dirname "$0")/.."
mkdir -p build/train data
PYTHON=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1
what=${1:-all}
common="--arch vcycle --width 8 --coarsest 2 --mix-kernel 3 --lanczos-steps 400 --unroll 3
        --steps 1000000 --threads 1 --ritz-cache build/train/ritz"
if [ "$what" = all ] || [ "$what" = 2d ]; then
  $PYTHON train/train_dcdm.py $common --lr 3e-3 --seed 0 --minutes 25 --batch 8 --val-every 50 \
    --problem none:32,32 --problem disc:32,32 --problem none:64,64 --problem disc:64,64 \
    --problem none:128,128 --problem disc:128,128 --problem none:256,256 --problem disc:256,256 \
    --select disc:128,128 --select disc:256,256 --select disc:512,512 --select-every 200 \
    --checkpoint build/train/deepcd-2d.ckpt --out data/deepcd-2d-plain.h5 > build/train/deepcd-2d.log 2>&1
fi
if [ "$what" = all ] || [ "$what" = 3d ]; then
  # the gated V-cycle (reads the solid cells): 50 minutes on 16^3 and 32^3, then 45 minutes
  # more from those weights with 64^3 added, at a lower learning rate
  $PYTHON train/train_dcdm.py $common --gated --lr 3e-3 --seed 0 --minutes 50 --batch 4 --val-every 25 \
    --problem none:16,16,16 --problem disc:16,16,16 --problem none:32,32,32 --problem disc:32,32,32 \
    --select disc:32,32,32 --select disc:64,64,64 --select-every 100 \
    --checkpoint build/train/deepcd-3d-1.ckpt --out build/train/deepcd-3d-1.h5 > build/train/deepcd-3d-1.log 2>&1
  $PYTHON train/train_dcdm.py $common --gated --lr 1e-3 --seed 1 --minutes 45 --batch 2 \
    --val-every 100 --val-samples 8 --init-from build/train/deepcd-3d-1.h5 \
    --problem none:32,32,32 --problem disc:32,32,32 --problem none:64,64,64 --problem disc:64,64,64 \
    --select disc:32,32,32 --select disc:64,64,64 --select disc:128,128,128 --select-every 100 \
    --checkpoint build/train/deepcd-3d-2.ckpt --out data/deepcd-3d-plain.h5 > build/train/deepcd-3d-2.log 2>&1
fi
# The hybrid fine-tunes: SWEEPS (default 2) Jacobi sweeps, LEVELS (default 1) classical
# levels; the default structure is the shipped model, other ones are variants
SWEEPS=${SWEEPS:-2}
LEVELS=${LEVELS:-1}
if [ "$SWEEPS$LEVELS" = 21 ]; then suffix=""; else suffix="-hybrid-s${SWEEPS}l${LEVELS}"; fi
hybrid="--hybrid-levels $LEVELS --hybrid-sweeps $SWEEPS --lr 1e-3 --seed 2"
if [ "$what" = all ] || [ "$what" = 2d ] || [ "$what" = 2d-hybrid ]; then
  # the plain 2-D weights as the network on the 2^LEVELS times coarser grid, 12 minutes;
  # the shipped structure then goes on 55 minutes on grids up to 512^2 at a lower rate
  # (selection up to 1024^2), which cuts the iterations on the larger grids
  if [ -z "$suffix" ]; then first=build/train/deepcd-2d-hybrid-1; else first=data/deepcd-2d$suffix; fi
  $PYTHON train/train_dcdm.py $common $hybrid --minutes 12 \
    --batch 8 --val-every 50 --val-samples 16 --init-from data/deepcd-2d-plain.h5 \
    --problem none:64,64 --problem disc:64,64 --problem none:128,128 --problem disc:128,128 \
    --problem none:256,256 --problem disc:256,256 \
    --select disc:128,128 --select disc:256,256 --select disc:512,512 --select-every 100 \
    --checkpoint build/train/deepcd-2d$suffix.ckpt --out $first.h5 \
    > build/train/deepcd-2d$suffix.log 2>&1
  if [ -z "$suffix" ]; then
    $PYTHON train/train_dcdm.py $common --hybrid-levels 1 --hybrid-sweeps 2 --lr 5e-4 --seed 3 \
      --minutes 55 --batch 4 --val-every 50 --val-samples 16 --init-from $first.h5 \
      --problem none:128,128 --problem disc:128,128 --problem none:256,256 --problem disc:256,256 \
      --problem none:512,512 --problem disc:512,512 \
      --select disc:256,256 --select disc:512,512 --select disc:1024,1024 --select-every 100 \
      --checkpoint build/train/deepcd-2d-2.ckpt --out data/deepcd-2d.h5 > build/train/deepcd-2d-2.log 2>&1
  fi
fi
if [ "$what" = all ] || [ "$what" = 3d ] || [ "$what" = 3d-hybrid ]; then
  # the same around the plain gated 3-D weights (they read the coarse cells' fraction
  # outside the domain), 20 minutes
  $PYTHON train/train_dcdm.py $common --gated $hybrid --minutes 20 \
    --batch 2 --val-every 50 --val-samples 8 --init-from data/deepcd-3d-plain.h5 \
    --problem none:32,32,32 --problem disc:32,32,32 --problem none:64,64,64 --problem disc:64,64,64 \
    --select disc:32,32,32 --select disc:64,64,64 --select-every 50 \
    --checkpoint build/train/deepcd-3d$suffix.ckpt --out data/deepcd-3d$suffix.h5 \
    > build/train/deepcd-3d$suffix.log 2>&1
fi
if [ "$what" = all ] || [ "$what" = galerkin ]; then
  # the defaults with Galerkin levels on the grids they fit (plugins/deepcdnet.c): 12 and 20 minutes
  SWEEPS=2 LEVELS=3 sh train/make_default_models.sh 2d-hybrid
  SWEEPS=2 LEVELS=2 sh train/make_default_models.sh 3d-hybrid
  # the same weights as the coarse part of K-cycles (train/hybrid.py: 2 flexible-CG steps on
  # each coarse level above the network's, the network applied once): the iterations no
  # longer grow with the grid
  $PYTHON train/hybrid.py data/deepcd-2d-hybrid-s2l3.h5 data/deepcd-2d-hybrid-s2l3k221.h5 --coarse-iterations 2,2,1
  $PYTHON train/hybrid.py data/deepcd-3d-hybrid-s2l2.h5 data/deepcd-3d-hybrid-s2l2k21.h5 --coarse-iterations 2,1
fi
