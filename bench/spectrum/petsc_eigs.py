"""Extreme eigenvalues and condition numbers of operators from unmodified PETSc tutorials:
Krylearn's spectrum analysis (what -pc_type spectrum and -snes_spectrum run: top 1, bottom 1,
condition estimate; eigensolver tolerance 1e-10, the default, and 1e-6) against PETSc's
own -ksp_compute_eigenvalues (Ritz values of the Krylov solve: GMRES without restart for
non-symmetric operators, CG for symmetric ones, no preconditioner, a random right-hand side,
at the default rtol 1e-5
and at 1e-10), both in one process (build/bench/spectrum/petsc_eigs), errors against dense
LAPACK (numpy, the same LAPACK/BLAS PETSc links) on the operator the tutorial dumped with
-ksp_view_mat.

Cases: ex45's operator (3-D Laplacian, DMDA), ex19's Jacobian at the first Newton step
(driven cavity, non-symmetric), minsurf2's Hessian at the first Newton step under -tao_type nls.

usage: python3 bench/spectrum/petsc_eigs.py [--workdir DIR] [--small]
"""
import argparse
import os
import re
import shutil
import subprocess
import time

import numpy as np
from petsc4py import PETSc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TUTORIALS = "/usr/share/petsc/3.18/share/petsc/examples/src"
CASES = [  # name, tutorial source, options that dump the operator, size options (full, small)
    ("ex45 operator", "ksp/ksp/tutorials/ex45.c", ["-ksp_view_mat", "binary:{out}"],
     (["-da_grid_x", "13", "-da_grid_y", "13", "-da_grid_z", "13"], ["-da_grid_x", "7", "-da_grid_y", "7", "-da_grid_z", "7"])),
    ("ex19 Jacobian", "snes/tutorials/ex19.c", ["-ksp_view_mat", "binary:{out}", "-snes_max_it", "1"],
     (["-da_grid_x", "17", "-da_grid_y", "17"], ["-da_grid_x", "6", "-da_grid_y", "6"])),
    ("minsurf2 Hessian (TAO nls)", "tao/unconstrained/tutorials/minsurf2.c", ["-tao_type", "nls", "-tao_nls_ksp_view_mat", "binary:{out}", "-tao_max_it", "1"],
     (["-mx", "34", "-my", "34"], ["-mx", "10", "-my", "8"])),
]


def blas():
    out = subprocess.run(["update-alternatives", "--display", "libblas.so.3-x86_64-linux-gnu"], stdout=subprocess.PIPE, text=True).stdout
    m = re.search(r"link currently points to (\S+)", out)
    return m.group(1) if m else "unknown"


def dense(path):
    viewer = PETSc.Viewer().createBinary(path, "r")
    A = PETSc.Mat().load(viewer)  # the first matrix of the file: the first solve's operator
    return A.convert("dense").getDenseArray().copy()


def parse(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=(\S+)", line)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default="/tmp/krylearn-bench-petsc-eigs")
    ap.add_argument("--small", action="store_true", help="small operators (a quick run)")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "petsc"], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    print(f"# BLAS: {blas()}; {os.cpu_count()} cores, 1 MPI rank, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print("# errors relative to the largest |eigenvalue| (extremes: real parts) and to the condition number")
    print("# |lambda|max/|lambda|min from dense LAPACK; seconds: fastest of 3 runs in one process; time ratio: to Krylearn at tol 1e-10")
    print(f"{'case':28s} {'N':>5s} {'method':22s} {'its/prod':>8s} {'err smallest':>12s} {'err largest':>12s} {'err cond':>10s} {'seconds':>8s} {'time ratio':>10s}")
    for name, src, dump, sizes in CASES:
        exe = os.path.join(args.workdir, os.path.basename(src)[:-2])
        if not os.path.exists(exe):
            shutil.copy(os.path.join(TUTORIALS, src), exe + ".c")
            subprocess.run(["mpicc", exe + ".c", "-o", exe] + flags + ["-lm"], check=True)
        out = exe + ".bin"
        if os.path.exists(out):
            os.remove(out)
        subprocess.run([exe] + [o.format(out=out) for o in dump] + sizes[1 if args.small else 0], cwd=args.workdir, check=True,
                       stdout=subprocess.DEVNULL)
        A = dense(out)
        t = time.perf_counter()
        symmetric = np.abs(A - A.T).max() <= 1e-13 * np.abs(A).sum(1).max()  # the rule of the analysis
        lam = np.linalg.eigvalsh((A + A.T) / 2) if symmetric else np.linalg.eigvals(A)
        tdense = time.perf_counter() - t
        scale, cond = np.abs(lam).max(), np.abs(lam).max() / np.abs(lam).min()
        res = subprocess.run([os.path.join(ROOT, "build", "bench", "spectrum", "petsc_eigs"), "-f", out], stdout=subprocess.PIPE, text=True, check=True).stdout
        rows = [parse(l) | {"method": l.split()[0]} for l in res.splitlines() if l.startswith(("petsc ", "krylearn "))]
        # each Krylearn line is followed by its summary, whose products it spent
        products = [sum(int(m) for m in re.findall(r"(\d+) products", part)) for part in res.split("krylearn tol=")[1:]]
        tk = next(r["seconds"] for r in rows if r["method"] == "krylearn")
        for r in rows:
            label = f"PETSc Ritz rtol {r['rtol']:g}" if r["method"] == "petsc" else f"Krylearn tol {r['tol']:g}"
            count = int(r["its"]) if r["method"] == "petsc" else products.pop(0)
            es, el = abs(r["smallest"] - lam.real.min()) / scale, abs(r["largest"] - lam.real.max()) / scale
            ec = abs(r["condition"] - cond) / cond
            print(f"{name:28s} {A.shape[0]:5d} {label:22s} {count:8d} {es:12.2e} {el:12.2e} {ec:10.2e} {r['seconds']:8.4f} {r['seconds'] / tk:10.2f}")
        print(f"{name:28s} {A.shape[0]:5d} {'dense LAPACK (numpy)':22s} {'':8s} {'':12s} {'':12s} {'':10s} {tdense:8.4f} {'':10s}"
              f"  cond {cond:.6g}, {'symmetric' if symmetric else 'non-symmetric'}")


if __name__ == "__main__":
    main()
