"""Bad input to bin/krylearn-spectrum must fail with a message naming the problem."""
import os
import subprocess
import sys

import h5py
import numpy as np

import reference as ref


def expect(args, message, mpiexec=""):
    res = subprocess.run(mpiexec.split() + [ref.tool("bin", "krylearn-spectrum")] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=120)
    ok = res.returncode != 0 and message in res.stdout
    print(f"{'ok  ' if ok else 'FAIL'} {message!r}")
    if not ok:
        sys.exit(f"expected failure with {message!r}, got status {res.returncode}:\n{res.stdout[-2000:]}")


def main():
    ref.problem("good", [4, 5, 3], "tanh", "cross_entropy", n=20)
    ref.problem("reg", [4, 5, 2], "relu", "mse", n=20)
    X = np.random.default_rng(0).standard_normal((20, 4))
    with h5py.File("wide-data.h5", "w") as f:
        f["X"], f["y"] = np.random.default_rng(0).standard_normal((20, 6)), np.zeros(20, dtype=np.int64)
    with h5py.File("short-data.h5", "w") as f:
        f["X"], f["y"] = X, np.zeros(19, dtype=np.int64)
    with h5py.File("labels-data.h5", "w") as f:
        f["X"], f["y"] = X, np.arange(20, dtype=np.int64) % 4
    with h5py.File("late-labels-data.h5", "w") as f:
        f["X"], f["y"] = X, np.where(np.arange(20) == 15, 3, 0)
    with h5py.File("float-data.h5", "w") as f:
        f["X"], f["y"] = X, np.zeros(20)
    for name, edit in (("unknown", lambda f: f["layer1"].attrs.__setitem__("type", "softplus")),
                       ("nan", lambda f: f["layer2/weight"].__setitem__((0, 1), np.nan)),
                       ("chain", lambda f: (f["layer2"].__delitem__("weight"), f["layer2"].__setitem__("weight", np.zeros((3, 6))))),
                       ("loss", lambda f: f.attrs.__setitem__("loss", "hinge")),
                       ("noweight", lambda f: f["layer0"].__delitem__("weight"))):
        with h5py.File("good-model.h5", "r") as src, h5py.File(f"{name}-model.h5", "w") as dst:
            for k in src:
                src.copy(k, dst)
            for k, v in src.attrs.items():
                dst.attrs[k] = v
            edit(dst)
    base = ["-data", "good-data.h5", "-top", "1"]
    expect(["-model", "wide-model.h5"] + base[:], "Cannot open model file wide-model.h5")
    expect(["-model", "good-model.h5", "-data", "wide-data.h5"], "wide-data.h5: X is 20 x 6 but the model good-model.h5 takes 4 inputs")
    expect(["-model", "good-model.h5", "-data", "short-data.h5"], "short-data.h5: X has 20 rows but y has 19")
    expect(["-model", "good-model.h5", "-data", "labels-data.h5"], "labels-data.h5: label y[3] = 3 is out of range: the model good-model.h5 has 3 classes")
    expect(["-model", "good-model.h5", "-data", "float-data.h5"], "float-data.h5: cross entropy (the loss of the model good-model.h5) needs y as a vector of integer labels")
    expect(["-model", "reg-model.h5", "-data", "good-data.h5"], "good-data.h5: mean squared error with the model reg-model.h5 needs y with 2 target columns, got 1")
    expect(["-model", "unknown-model.h5"] + base, "unknown-model.h5: layer 1 has unknown type 'softplus'")
    expect(["-model", "nan-model.h5"] + base, "nan-model.h5: parameter 26 is NaN or infinite: the weights must be finite")
    expect(["-model", "chain-model.h5"] + base, "chain-model.h5: layer 2 takes 6 inputs but the layer before it gives 5")
    expect(["-model", "loss-model.h5"] + base, "loss-model.h5: unknown loss 'hinge'")
    expect(["-model", "noweight-model.h5"] + base, "noweight-model.h5: dataset 'layer0/weight' is missing")
    # a bad label in the second rank's samples only: every rank raises the same error
    mpiexec = os.environ.get("MPIEXEC", "mpiexec") + " -n 2"
    expect(["-model", "good-model.h5", "-data", "late-labels-data.h5"], "late-labels-data.h5: label y[15] = 3 is out of range: the model good-model.h5 has 3 classes", mpiexec)
    expect(["-model", "good-model.h5", "-data", "good-data.h5", "-top", "44"], "-top 44 asks for more eigenvalues than the dimension 43")
    expect(["-model", "good-model.h5", "-data", "good-data.h5", "-bottom", "50"], "-bottom 50 asks for more eigenvalues than the dimension 43")
    expect(["-model", "good-model.h5", "-data", "good-data.h5", "-density", "-density_steps", "50"], "SLQ steps 50 must lie between 1 and the dimension 43")
    print("error checks passed")


if __name__ == "__main__":
    main()
