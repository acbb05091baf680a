#!/usr/bin/python3
"""krylearn.petsc: Krylearn's types in a petsc4py script. The pressure problem solved with
deepcd (and with CG + the deepcd preconditioner) in the iterations bin/krylearn-pressure
reports; load_matrix returns a petsc4py Mat with its grid, which deepcd uses.

Usage: check_petsc.py [ARGS for every run, e.g. nothing or under mpiexec]"""
import os
import re
import shlex
import subprocess
import sys

from common import ROOT, Checks

MPIEXEC = sys.argv[1] if len(sys.argv) > 1 else ""


def program(args):
    """Iterations and reason of bin/krylearn-pressure."""
    out = subprocess.run(shlex.split(MPIEXEC) + [os.path.join(ROOT, "bin", "krylearn-pressure")] + args,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    m = re.search(r"^ksp \S+ pc \S+: iterations (\d+), (\w+)", out, re.M)
    return int(m.group(1)), m.group(2)


SCRIPT = r'''
import sys
sys.path.insert(0, sys.argv[1])
import krylearn.petsc
from petsc4py import PETSc
dim, n, ksptype, pctype = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
da, A, b = krylearn.petsc.pressure_problem(dim, n, "disc")
ksp = PETSc.KSP().create()
ksp.setOperators(A)
ksp.setDM(da)
ksp.setDMActive(False)
ksp.setType(ksptype)
ksp.getPC().setType(pctype)
ksp.setTolerances(rtol=1e-6)
ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
x = b.duplicate()
ksp.solve(b, x)
r = b.duplicate()
A.mult(x, r)
r.aypx(-1, b)
PETSc.Sys.Print("petsc4py: iterations %d, %s, relative residual %.3e"
                % (ksp.getIterationNumber(), ksp.getConvergedReason(), r.norm() / b.norm()))
M = krylearn.petsc.load_matrix(sys.argv[6])
PETSc.Sys.Print("load_matrix: %s %d x %d grid %s" % (M.getType(), M.getSize()[0], M.getSize()[1], M.getAttr("grid")))
k2 = PETSc.KSP().create()
k2.setOperators(M)
k2.setType("deepcd")
k2.setTolerances(rtol=1e-6)
y = M.createVecLeft(); y.set(1.0); z = y.duplicate()
k2.solve(y, z)
PETSc.Sys.Print("loaded matrix with deepcd: iterations %d, reason %d" % (k2.getIterationNumber(), k2.getConvergedReason()))
'''


def main():
    check = Checks()
    reasons = {2: "CONVERGED_RTOL"}
    for dim, n, ksp, pc in ((2, 64, "deepcd", "none"), (3, 24, "deepcd", "none"), (2, 64, "cg", "deepcd")):
        its, reason = program(["-dim", str(dim), "-n", str(n), "-obstacle", "disc", "-ksp_type", ksp, "-pc_type", pc,
                               "-ksp_rtol", "1e-6", "-ksp_norm_type", "unpreconditioned"])
        out = subprocess.run(shlex.split(MPIEXEC) + [sys.executable, "-c", SCRIPT, os.path.join(ROOT, "python"),
                                                     str(dim), str(n), ksp, pc, os.path.join(ROOT, "data", "poisson2d-disc.h5")],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(out.stdout, end="")
        m = re.search(r"petsc4py: iterations (\d+), (-?\d+), relative residual (\S+)", out.stdout)
        ok = out.returncode == 0 and m and int(m.group(1)) == its and reasons.get(int(m.group(2))) == reason \
            and float(m.group(3)) <= 1e-6
        check(ok, f"{dim}-D n={n} ksp {ksp} pc {pc}: petsc4py script {m.group(1) if m else '?'} iterations, "
                  f"bin/krylearn-pressure {its} ({reason})")
        if n == 64 and ksp == "deepcd":
            g = re.search(r"load_matrix: (\S+) 4096 x 4096 grid \(64, 64\)", out.stdout)
            d = re.search(r"loaded matrix with deepcd: iterations (\d+), reason 2", out.stdout)
            check(bool(g and d), "load_matrix: data/poisson2d-disc.h5 as a petsc4py Mat with grid (64, 64); deepcd solves it")
    check.close()


if __name__ == "__main__":
    sys.exit(main())
