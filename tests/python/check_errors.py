#!/usr/bin/python3
"""Bad input to the Python package raises a Python exception naming the problem (PETSc's
message where PETSc finds it); the process goes on and a good call afterwards works."""
import sys

import numpy as np

from common import Checks

import torch  # noqa: E402

torch.set_default_dtype(torch.float64)


def main():
    import krylearn
    import krylearn.ot as ko
    import krylearn.petsc as kp
    import krylearn.spectrum as ks
    check = Checks()

    def raises(kind, words, fn, what):
        try:
            fn()
        except kind as e:
            ok = all(w in str(e) for w in words)
            check(ok, f"{what}: {type(e).__name__}: {e}")
            return
        except Exception as e:  # noqa: BLE001
            check(False, f"{what}: raised {type(e).__name__}: {e}, expected {kind.__name__}")
            return
        check(False, f"{what}: no exception")

    rng = np.random.default_rng(0)
    M = rng.random((6, 5))
    a, b = np.full(6, 1 / 6), np.full(5, 1 / 5)
    E = krylearn.Error
    raises(E, ["weights must be positive", "r[2]"], lambda: ko.solve(np.where(np.arange(6) == 2, -a, a), b, M, reg=0.1),
           "OT negative weight")
    raises(E, ["Row marginal r has length 7", "6 rows"], lambda: ko.solve(np.full(7, 1 / 7), b, M, reg=0.1), "OT weights and cost disagree")
    raises(E, ["Column marginal c has length 4"], lambda: ko.solve(a, np.full(4, .25), M, reg=0.1), "OT column weights and cost disagree")
    raises(E, ["costs must be finite"], lambda: ko.solve(a, b, np.where(M > 0.5, np.inf, M), reg=0.1), "OT infinite cost")
    raises(E, ["different sums"], lambda: ko.solve(a, 2 * b, M, reg=0.1), "OT marginals of different mass")
    raises(E, ["Unknown OT type", "newton"], lambda: ko.solve(a, b, M, reg=0.1, method="newton"), "OT unknown method")
    raises(E, ["eta must be positive"], lambda: ko.solve(a, b, M, reg=-1.0), "OT negative reg")
    raises(E, ["Point clouds have different dimensions"], lambda: ko.solve_clouds(a, b, rng.random((6, 2)), rng.random((5, 3)), reg=0.1),
           "OT point clouds of different dimensions")
    raises(E, ["coordinate", "not finite"], lambda: ko.solve_clouds(a, b, np.full((6, 2), np.nan), rng.random((5, 2)), reg=0.1),
           "OT NaN coordinates")
    raises(ValueError, ["exactly one of reg"], lambda: ko.solve(a, b, M), "OT without reg")
    raises(E, ["cannot open"], lambda: kp.load_matrix("no-such-file.h5"), "load_matrix of a missing file")

    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    X, y = torch.randn(10, 3), torch.randint(0, 2, (10,))
    data = [(X, y)]
    ce = torch.nn.CrossEntropyLoss()
    frozen = torch.nn.Sequential(torch.nn.Linear(3, 2)).requires_grad_(False)
    raises(ValueError, ["no parameters that require gradients"], lambda: ks.analyse(frozen, ce, data, top=1), "spectrum: frozen model")
    raises(ValueError, ["no samples"], lambda: ks.analyse(model, ce, [], top=1), "spectrum: empty data")
    raises(RuntimeError, ["shapes cannot be multiplied"], lambda: ks.analyse(model, ce, [(torch.randn(10, 5), y)], top=1),
           "spectrum: inputs of the wrong width")
    raises(E, ["Asked for 30 eigenpairs", "dimension 26"], lambda: ks.analyse(model, ce, data, top=30), "spectrum: top larger than the dimension")
    raises(E, ["SLQ steps"], lambda: ks.analyse(model, ce, data, density=True, density_steps=0), "spectrum: zero SLQ steps")
    raises(E, ["Trace estimation", "hutchpp"], lambda: ks.analyse(model, ce, data, trace=True, trace_products=2), "spectrum: too few trace products")
    raises(ValueError, ["operator must be one of"], lambda: ks.analyse(model, ce, data, operator="newton", top=1), "spectrum: unknown operator")
    raises(ValueError, ["engine='c' takes"], lambda: ks.analyse(torch.nn.Sequential(torch.nn.Conv1d(1, 1, 2)), ce, data, engine="c", top=1),
           "spectrum: engine='c' for a model the C path does not support")
    raises(ValueError, ["not finite"], lambda: ks.analyse(model, ce, [(X * np.nan, y)], top=1), "spectrum: NaN inputs")

    class Failing(torch.nn.Module):
        """Fails from its third call on (inside a product, called back from SLEPc)."""

        def __init__(self):
            super().__init__()
            self.lin, self.calls = torch.nn.Linear(3, 2), 0

        def forward(self, x):
            self.calls += 1
            if self.calls > 3:
                raise ArithmeticError("model failed on purpose")
            return self.lin(x)

    raises(E, ["ArithmeticError", "model failed on purpose"], lambda: ks.analyse(Failing(), ce, data, top=1, cache=False, dtype=None),
           "spectrum: a product that raises inside the eigensolver")
    r = ks.analyse(model, ce, data, top=2)
    P, log = ko.solve(a, b, M, reg=0.1, log=True)
    check(len(r["top_eigenvalues"]) == 2 and log["converged_reason"] == "CONVERGED_MARGINAL",
          "after the errors, good calls work in the same process")
    check.close()


if __name__ == "__main__":
    sys.exit(main())
