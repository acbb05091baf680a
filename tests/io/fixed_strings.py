#!/usr/bin/python3
"""Every HDF5 file the project writes or ships stores its strings fixed-length.

A variable-length string lives in the file's global heap, which libhdf5 1.10 follows
unchecked when it reads the attribute: a corrupt heap crashes or hangs inside the library
(docs/io.md, "Files that crash libhdf5 itself"; the readers' structure probe turns that into
an error, but the project's own files should not need it). Checked here: the shipped data/ files, and one file from each writer (the model
writer train/krylearn_model.py, train/export_mlp.py, data/make_examples.py, the Python
spectrum output, and the C writers behind krylearn-ot and krylearn-ingest convert). The
check itself is shown to find a variable-length string in a file written with h5py's
default `str` attributes."""
import glob
import os
import subprocess
import sys

import h5py
import numpy as np
import scipy.sparse as sp
import torch

ROOT, BIN, DATA = os.environ["ROOT"], os.environ["BIN"], os.environ["DATA"]
sys.path[:0] = [os.path.join(ROOT, "python"), os.path.join(ROOT, "data")]
import export_mlp  # noqa: E402
import krylearn_model  # noqa: E402
import make_examples  # noqa: E402
from krylearn import spectrum  # noqa: E402


def variable_length(path):
    """Names of the attributes and datasets of `path` held in the global heap."""
    found = []

    def heap_type(t):
        return t.get_class() == h5py.h5t.VLEN or (isinstance(t, h5py.h5t.TypeStringID) and t.is_variable_str())

    def visit(name, obj):
        for k in obj.attrs:
            if heap_type(h5py.h5a.open(obj.id, k.encode()).get_type()):
                found.append(f"{name}@{k}")
        if isinstance(obj, h5py.Dataset) and heap_type(obj.id.get_type()):
            found.append(name)
    with h5py.File(path, "r") as f:
        visit("/", f)
        f.visititems(visit)
    return found


failed = 0


def check(ok, what):
    global failed
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    failed += not ok


def fixed(path, what):
    bad = variable_length(path)
    check(not bad, f"{what}: {'no variable-length string' if not bad else 'variable-length ' + ', '.join(bad)}")


with h5py.File("user.h5", "w") as f:  # h5py's default: str attributes are variable-length
    f.attrs["format"] = "csr"
    f.create_group("g").attrs["type"] = "linear"
check(variable_length("user.h5") == ["/@format", "g@type"], f"the check finds the strings of an h5py default file: {variable_length('user.h5')}")

shipped = sorted(glob.glob(os.path.join(DATA, "*.h5")))
check(len(shipped) >= 12, f"{len(shipped)} shipped files in data/")
for path in shipped:
    fixed(path, f"data/{os.path.basename(path)}")

torch.manual_seed(0)
export_mlp.export_mlp(export_mlp.make_mlp((3, 4, 2), "tanh"), "mlp.h5", "mse", 1e-3)
fixed("mlp.h5", "export_mlp")
model, loss, decay = export_mlp.load_mlp("mlp.h5")
check(loss == "mse" and decay == 1e-3 and isinstance(model[1], torch.nn.Tanh), "load_mlp reads the fixed-length strings back")
krylearn_model.save(krylearn_model.KrylearnNet(krylearn_model.vcycle(dim=2, width=2, gated=True)), "model.h5", metadata={"operator": "poisson", "trained_grid": 16})
fixed("model.h5", "krylearn_model.save")
make_examples.write("example.h5", sp.identity(4, format="csr"), (2, 2), np.ones(4), np.zeros(4, dtype=bool), "identity")
fixed("example.h5", "make_examples.write")
spectrum._write("spectrum.h5", {"top_eigenvalues": [1.0]}, None, {"operator": "hessian", "data": "", "parameters": 3})
fixed("spectrum.h5", "krylearn.spectrum output")

C = np.array([[0.0, 1.0], [1.0, 0.0]])
with h5py.File("ot.h5", "w") as f:
    f["C"], f["r"], f["c"] = C, np.full(2, 0.5), np.full(2, 0.5)
for argv, out in ((["krylearn-ot", "ot.h5", "-o", "plan.h5"], "plan.h5"),
                  (["krylearn-ingest", "convert", os.path.join(DATA, "poisson2d.h5"), "converted.h5:/A"], "converted.h5")):
    proc = subprocess.run([os.path.join(BIN, argv[0])] + argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    check(proc.returncode == 0, f"{argv[0]} writes {out}" + ("" if proc.returncode == 0 else "\n" + proc.stdout.decode()[-2000:]))
    if proc.returncode == 0:
        fixed(out, f"{argv[0]} output")
sys.exit(1 if failed else 0)
