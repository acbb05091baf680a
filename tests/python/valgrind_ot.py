"""Run under valgrind by valgrind.sh: krylearn.ot solves (dense, clouds, an error) and load_matrix."""
import sys; sys.path.insert(0, sys.argv[1])
import numpy as np
import krylearn.ot as ko, krylearn.petsc as kp
rng = np.random.default_rng(0)
a, b = np.full(30, 1/30), np.full(20, 1/20)
P, log = ko.solve(a, b, rng.random((30, 20)), reg=0.05, log=True)
P = ko.solve_clouds(a, b, rng.random((30, 2)), rng.random((20, 2)), reg=0.05)
try: ko.solve(-a, b, rng.random((30, 20)), reg=0.05)
except ko.Error as e: print(e)
A = kp.load_matrix(sys.argv[2])
print(log["niter"], A.getSize(), A.getAttr("grid"))
