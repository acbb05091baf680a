"""-pc_type spectrum and -snes_spectrum inside unmodified PETSc tutorials, the library loaded
with -dll_append: the eigenvalues written to HDF5 against dense LAPACK on the operators the
solvers dumped with -ksp_view_mat (1e-8 relative to the largest), and the solves (monitor
lines, iteration counts, solution vectors) identical to the runs without the analyses.

usage: check_plugin.py CASE [--mpiexec "mpiexec -n 2"]
CASE: ksp (ex2, ex45), snes (ex19, ex5), tao (minsurf2 under -tao_type nls), errors.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys

import h5py
import numpy as np

TUTORIALS = "/usr/share/petsc/3.18/share/petsc/examples/src"
SOURCES = {"ex2": "ksp/ksp/tutorials/ex2.c", "ex45": "ksp/ksp/tutorials/ex45.c", "ex19": "snes/tutorials/ex19.c",
           "ex5": "snes/tutorials/ex5.c", "minsurf2": "tao/unconstrained/tutorials/minsurf2.c"}
LIB = os.environ["LIB"]
TOL = 1e-8


def fail(msg):
    sys.exit("FAIL: " + msg)


def compile_tutorial(name):
    if not os.path.exists(name):
        shutil.copy(os.path.join(TUTORIALS, SOURCES[name]), name + ".c")
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "petsc"], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
        subprocess.run(["mpicc", name + ".c", "-o", name] + flags + ["-lm"], check=True)
    return "./" + name


def run(mpiexec, name, opts, expect_ok=True):
    cmd = shlex.split(mpiexec) + [compile_tutorial(name), "-dll_append", LIB] + opts
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=240)
    if expect_ok and res.returncode:
        fail(f"{' '.join(cmd)} exited {res.returncode}:\n{res.stdout[-3000:]}")
    return res


def petsc_mats(path):
    """Every matrix of a PETSc binary file, dense."""
    raw, mats, pos = open(path, "rb").read(), [], 0
    while pos < len(raw):
        cookie, M, N, nz = np.frombuffer(raw, ">i4", 4, pos)
        if cookie != 1211216:
            fail(f"{path}: not a PETSc matrix at byte {pos}")
        pos += 16
        rows = np.frombuffer(raw, ">i4", M, pos); pos += 4 * M
        cols = np.frombuffer(raw, ">i4", nz, pos); pos += 4 * nz
        vals = np.frombuffer(raw, ">f8", nz, pos); pos += 8 * nz
        A = np.zeros((M, N))
        A[np.repeat(np.arange(M), rows), cols] = vals
        mats.append(A)
    return mats


def distinct(values, tol):
    """values (sorted either way) with runs closer than tol merged into their first member"""
    out = [values[0]]
    for v in values[1:]:
        if abs(v - out[-1]) > tol:
            out.append(v)
    return np.array(out)


def compare(label, g, A, symmetric=None):
    """The analysis in HDF5 group g against the dense eigenvalues of A; symmetric: what the
    analysis must have detected (default: whether A is exactly symmetric)."""
    if symmetric is None:  # the analysis' rule: symmetric to 1e-13 of the infinity norm
        symmetric = bool(np.abs(A - A.T).max() <= 1e-13 * np.abs(A).sum(1).max())
    if symmetric != bool(g.attrs["symmetric"]):
        fail(f"{label}: symmetric = {bool(g.attrs['symmetric'])} but the dumped operator says otherwise")
    lam = np.linalg.eigvalsh((A + A.T) / 2) if symmetric else np.linalg.eigvals(A)
    scale = TOL * np.abs(lam).max()
    re = np.sort(lam.real)
    for which, ref in (("top", re[::-1]), ("bottom", re)):
        if which + "_eigenvalues" not in g:
            continue
        got = g[which + "_eigenvalues"][...]
        z = got + 1j * g[which + "_eigenvalues_imag"][...] if not symmetric else got
        # each one an eigenvalue; Krylov methods see one copy of a multiple eigenvalue, so the
        # distinct values found must be the first distinct values of the sorted spectrum
        err = max(np.abs(lam - v).min() for v in z)
        found, first = distinct(got, 1e-6 * scale / TOL), distinct(ref, 1e-6 * scale / TOL)[:len(distinct(got, 1e-6 * scale / TOL))]
        err = max(err, np.abs(found - first).max())
        print(f"  {label}: {which} {len(got)} ({len(found)} distinct): error {err:.2e} (allowed {scale:.2e})")
        if err > scale:
            fail(f"{label}: {which} eigenvalues {got} are not LAPACK's {ref[:len(got)]}")
    if "extreme_magnitudes" in g:
        amax, amin = g["extreme_magnitudes"][...]
        err = max(abs(amax - np.abs(lam).max()), abs(amin - np.abs(lam).min()))
        cond = np.abs(lam).max() / np.abs(lam).min()
        print(f"  {label}: |lambda| max/min error {err:.2e}, condition {g['condition'][0]:.8g} (LAPACK {cond:.8g})")
        if err > scale:
            fail(f"{label}: extreme magnitudes {amax}, {amin} differ from LAPACK's")
    if "negative_eigenvalues" in g:
        n, exact = g["negative_eigenvalues"][...]
        if (exact and n != (lam < 0).sum()) or (not exact and n > (lam < 0).sum()):
            fail(f"{label}: {n} negative eigenvalues (exact {exact}), LAPACK counts {(lam < 0).sum()}")
    if "density" in g:
        mass = np.trapz(g["density"][...], g["density_grid"][...])
        if abs(mass - 1) > 1e-3:
            fail(f"{label}: the density integrates to {mass}")


def same_solve(label, plain, wrapped, pattern, solution):
    """The monitor lines and the solution file of two runs must be identical."""
    a = [l for l in plain.stdout.splitlines() if pattern in l]
    b = [l for l in wrapped.stdout.splitlines() if pattern in l]
    if not a or a != b:
        fail(f"{label}: the solve changed under the wrapper:\n" + "\n".join(a[-5:]) + "\n---\n" + "\n".join(b[-5:]))
    with open(solution + "0", "rb") as f0, open(solution + "1", "rb") as f1:
        if f0.read() != f1.read():
            fail(f"{label}: the solution vector changed under the wrapper")
    print(f"  {label}: {len(a)} monitor lines and the solution identical")


def ksp(mpiexec, parallel):
    inner = "bjacobi" if parallel else "ilu"
    for name, extra in (("ex2", ["-m", "12", "-n", "10"]), ("ex45", [])):
        view = ["-ksp_monitor", "-ksp_converged_reason"]
        plain = run(mpiexec, name, extra + view + ["-pc_type", inner, "-ksp_view_solution", "binary:x.bin0"])
        wrapped = run(mpiexec, name, extra + view + ["-pc_type", "spectrum", "-spectrum_pc_type", inner, "-ksp_view_solution", "binary:x.bin1",
                                                     "-pc_spectrum_top", "3", "-pc_spectrum_bottom", "3", "-pc_spectrum_output", "a.h5",
                                                     "-pc_spectrum_plot", "a.png", "-ksp_view_mat", "binary:A.bin", "-ksp_view"])
        print(wrapped.stdout[-2500:])
        same_solve(f"{name} -spectrum_pc_type {inner}", plain, wrapped, "KSP Residual norm", "x.bin")
        if "type: spectrum" not in wrapped.stdout or f"type: {inner}" not in wrapped.stdout:
            fail(f"{name}: -ksp_view does not show the wrapper and the inner PC")
        A = petsc_mats("A.bin")[0]
        with h5py.File("a.h5", "r") as f:
            compare(f"{name} operator", f["analysis0"], A)
        if os.path.getsize("a.png") < 1000:
            fail("no plot")
        # the preconditioned operator with the inner Jacobi: M^{-1} A = D^{-1} A
        run(mpiexec, name, extra + ["-pc_type", "spectrum", "-spectrum_pc_type", "jacobi", "-pc_spectrum_operator", "preconditioned",
                                    "-pc_spectrum_top", "2", "-pc_spectrum_bottom", "2", "-pc_spectrum_output", "p.h5"])
        with h5py.File("p.h5", "r") as f:
            compare(f"{name} D^-1 A", f["analysis0"], A / np.diag(A)[:, None], symmetric=False)
    # a symmetric operator: the density and the exact count of negative eigenvalues
    run(mpiexec, "ex2", ["-pc_type", "spectrum", "-pc_spectrum_top", "4", "-pc_spectrum_bottom", "4", "-pc_spectrum_density",
                         "-pc_spectrum_density_steps", "30", "-pc_spectrum_density_grid", "500", "-pc_spectrum_exact",
                         "-pc_spectrum_output", "d.h5", "-ksp_view_mat", "binary:D.bin"])
    with h5py.File("d.h5", "r") as f:
        compare("ex2 with density", f["analysis0"], petsc_mats("D.bin")[0])
        if not np.allclose(f["analysis0/exact_eigenvalues"][...], np.linalg.eigvalsh(petsc_mats("D.bin")[0]), rtol=0, atol=1e-10):
            fail("ex2: -pc_spectrum_exact differs from LAPACK")


def snes(mpiexec, parallel):
    for name, extra in (("ex19", ["-da_grid_x", "6", "-da_grid_y", "6"]), ("ex5", [])):
        view = ["-snes_monitor", "-ksp_monitor", "-snes_converged_reason"]
        plain = run(mpiexec, name, extra + view + ["-snes_view_solution", "binary:u.bin0"])
        wrapped = run(mpiexec, name, extra + view + ["-snes_view_solution", "binary:u.bin1", "-snes_spectrum", "-snes_spectrum_top", "2",
                                                     "-snes_spectrum_bottom", "2", "-snes_spectrum_output", "j.h5", "-snes_spectrum_plot", "j.png",
                                                     "-ksp_view_mat", "binary:J.bin"])
        print(wrapped.stdout[-1500:])
        same_solve(f"{name} -snes_spectrum", plain, wrapped, "Residual norm", "u.bin")
        if "Jacobian spectrum along the Newton path" not in wrapped.stdout:
            fail(f"{name}: no history printed")
        J = petsc_mats("J.bin")
        with h5py.File("j.h5", "r") as f:
            groups = sorted((g for g in f if g.startswith("analysis")), key=lambda g: int(g[8:]))
            if len(groups) != len(J) or f["history"].shape != (len(J), 4):
                fail(f"{name}: {len(groups)} analyses and history {f['history'].shape} for {len(J)} Newton steps")
            for k, g in enumerate(groups):
                if f[g].attrs["step"] != k:
                    fail(f"{name}: {g} has step {f[g].attrs['step']}, expected {k}")
                compare(f"{name} Jacobian at iterate {k}", f[g], J[k])
                if f["history"][k, 2] != f[g]["top_eigenvalues"][0]:
                    fail(f"{name}: history row {k} does not match {g}")
        # -pc_type spectrum at every second Newton set-up inside the SNES
        inner = "bjacobi" if parallel else "ilu"
        plain = run(mpiexec, name, extra + view + ["-pc_type", inner, "-snes_view_solution", "binary:v.bin0"])
        wrapped = run(mpiexec, name, extra + view + ["-pc_type", "spectrum", "-spectrum_pc_type", inner, "-pc_spectrum_every", "2",
                                                     "-pc_spectrum_output", "e.h5", "-snes_view_solution", "binary:v.bin1"])
        same_solve(f"{name} -pc_type spectrum", plain, wrapped, "Residual norm", "v.bin")
        with h5py.File("e.h5", "r") as f:
            steps = [f[g].attrs["step"] for g in sorted(f) if g.startswith("analysis")]
            nsetups = sum("SNES Function norm" in l for l in wrapped.stdout.splitlines()) - 1
            if steps != list(range(0, nsetups, 2)):
                fail(f"{name}: -pc_spectrum_every 2 analysed set-ups {steps} of {nsetups}")


    # a nonlinear preconditioner's SNES has its own prefix; an outer method without Jacobians analyses nothing
    res = run(mpiexec, "ex19", ["-snes_type", "nrichardson", "-npc_snes_type", "newtonls", "-npc_snes_max_it", "1",
                                "-npc_snes_spectrum", "-snes_spectrum", "-snes_converged_reason"])
    if ("Jacobian at Newton iterate 0 (SNES npc_)" not in res.stdout
            or "Jacobian spectrum along the Newton path: no Jacobian was computed, nothing analysed" not in res.stdout
            or "Nonlinear solve converged" not in res.stdout):
        fail("ex19 with -npc_snes_spectrum:\n" + res.stdout[-2000:])
    print("  ex19: -npc_snes_spectrum analyses the preconditioner's Jacobians, the outer nrichardson none")


def tao(mpiexec, parallel):
    base = ["-tao_type", "nls", "-tao_monitor", "-tao_nls_ksp_monitor", "-tao_converged_reason", "-mx", "10", "-my", "8"]
    plain = run(mpiexec, "minsurf2", base + ["-tao_nls_pc_type", "jacobi", "-tao_view_solution", "binary:t.bin0"])
    wrapped = run(mpiexec, "minsurf2", base + ["-tao_nls_pc_type", "spectrum", "-tao_nls_spectrum_pc_type", "jacobi", "-tao_view_solution", "binary:t.bin1",
                                                 "-tao_nls_pc_spectrum_top", "3", "-tao_nls_pc_spectrum_bottom", "2", "-tao_nls_pc_spectrum_output", "h.h5",
                                                 "-tao_nls_ksp_view_mat", "binary:H.bin"])
    print(wrapped.stdout[-1500:])
    same_solve("minsurf2 -tao_nls_pc_type spectrum", plain, wrapped, "Residual norm", "t.bin")
    H = petsc_mats("H.bin")
    with h5py.File("h.h5", "r") as f:
        groups = sorted((g for g in f if g.startswith("analysis")), key=lambda g: int(g[8:]))
        # every set-up is analysed and every solve dumps the Hessian it used: one per Newton step
        if not groups or len(groups) != len(H):
            fail(f"minsurf2: {len(groups)} analyses for {len(H)} Hessians")
        for k, g in enumerate(groups):
            compare(f"minsurf2 Hessian {k}", f[g], H[k])


def errors(mpiexec, parallel):
    def expect(name, opts, message):
        res = run(mpiexec, name, opts, expect_ok=False)
        ok = res.returncode != 0 and message in res.stdout
        print(f"{'ok  ' if ok else 'FAIL'} {message!r}")
        if not ok:
            fail(f"expected failure with {message!r}, got status {res.returncode}:\n{res.stdout[-2000:]}")

    expect("ex2", ["-pc_type", "spectrum", "-pc_spectrum_top", "100"], "-pc_spectrum_top 100 asks for more eigenvalues than the dimension 56")
    expect("ex2", ["-pc_type", "spectrum", "-pc_spectrum_bottom", "57"], "-pc_spectrum_bottom 57 asks for more eigenvalues than the dimension 56")
    expect("ex45", ["-pc_type", "spectrum", "-pc_spectrum_density"],
           "-pc_spectrum_density: operator A at set-up 0 is not symmetric and the SLQ density needs a symmetric operator")
    expect("ex2", ["-pc_type", "spectrum", "-pc_spectrum_output", "no/such/dir/a.h5"], "Output file no/such/dir/a.h5: cannot create the HDF5 file")
    expect("ex2", ["-pc_type", "spectrum", "-pc_spectrum_plot", "a.png"], "-pc_spectrum_plot needs -pc_spectrum_output")
    expect("ex2", ["-pc_type", "spectrum", "-pc_spectrum_every", "0"], "-pc_spectrum_every 0: must be at least 1")
    expect("ex2", ["-pc_type", "spectrum", "-pc_spectrum_interval", "3,1"], "-pc_spectrum_interval needs two numbers a,b with a < b")
    expect("ex19", ["-snes_spectrum", "-snes_spectrum_bottom", "1000"], "-snes_spectrum_bottom 1000 asks for more eigenvalues than the dimension 64")
    expect("ex19", ["-snes_spectrum", "-snes_spectrum_exact"], "is not symmetric and the exact spectrum is computed for symmetric operators only")
    expect("ex19", ["-snes_spectrum", "-snes_spectrum_every", "-1"], "-snes_spectrum_every -1: must be at least 1")
    # SLEPc starts at the first analysis only
    for name, opts, started in (("ex2", [], False), ("ex19", [], False), ("ex2", ["-pc_type", "spectrum"], True), ("ex19", ["-snes_spectrum"], True)):
        res = run(mpiexec, name, opts + ["-info"])
        if ("SLEPc successfully started" in res.stdout) != started:
            fail(f"{name} {' '.join(opts)}: SLEPc {'not ' if started else ''}started")
    print("ok   SLEPc is initialised at the first analysis only")
    # -help lists the PC and its options
    res = run(mpiexec, "ex2", ["-pc_type", "spectrum", "-help"], expect_ok=False)
    for opt in ("-pc_spectrum_top", "-pc_spectrum_operator", "-pc_spectrum_output", "-spectrum_pc_type"):
        if opt not in res.stdout:
            fail(f"-help does not list {opt}")
    print("ok   -help lists the options")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["ksp", "snes", "tao", "errors"])
    ap.add_argument("--mpiexec", default="")
    args = ap.parse_args()
    globals()[args.case](args.mpiexec, bool(args.mpiexec))
    print(f"{args.case} checks passed")


if __name__ == "__main__":
    main()
