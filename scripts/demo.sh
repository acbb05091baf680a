#!/bin/sh
# The main job on an embedded default (see README.md).
set -e
cd "$(dirname "$0")/.."

echo "== Ingestion: describe a shipped matrix (2-D pressure Poisson, 64 x 64 cells, disc obstacle)"
bin/krylearn-ingest info data/poisson2d-disc.h5

echo "== Pressure Poisson with an obstacle: deepcd (shipped model) beside CG and CG+ICC(0), rtol 1e-6"
for args in "-dim 2 -n 128" "-dim 3 -n 48"; do
  for solver in "-ksp_type deepcd" "-ksp_type cg -pc_type none" "-ksp_type cg -pc_type icc"; do
    bin/krylearn-pressure $args -obstacle disc -ksp_rtol 1e-6 -ksp_norm_type unpreconditioned $solver | grep -E "^(ksp|deepcd)"
  done
done

echo "== Python (python/krylearn): optimal transport with POT's arguments, checked against POT; top Hessian eigenvalues of a small CNN"
PYTHONPATH=python /usr/bin/python3 - <<'PY'
import numpy as np, ot, torch
import krylearn.ot, krylearn.spectrum
rng = np.random.default_rng(0)
X, Y = rng.random((300, 2)), rng.random((200, 2))
a, b = np.full(300, 1 / 300), np.full(200, 1 / 200)
P, log = krylearn.ot.solve_clouds(a, b, X, Y, reg=1e-2, log=True)
Q = ot.sinkhorn(a, b, ot.dist(X, Y), 1e-2, method="sinkhorn_log", stopThr=1e-12, numItermax=100000)
print("krylearn.ot.solve_clouds: %d Sinkhorn + %d Newton iterations, cost %.10f; POT plan difference %.1e"
      % (log["sinkhorn_iterations"], log["newton_iterations"], log["transport_cost"], abs(P - Q).max() / Q.max()))
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                            torch.nn.Linear(36, 10))
Xs, ys = torch.randn(256, 1, 8, 8), torch.randint(0, 10, (256,))
krylearn.spectrum.analyse(model, torch.nn.CrossEntropyLoss(), [(Xs[:128], ys[:128]), (Xs[128:], ys[128:])],
                          top=5, trace=True, verbose=True)
PY
