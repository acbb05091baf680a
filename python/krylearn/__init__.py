"""Krylearn from Python: Krylearn's PETSc types in petsc4py (krylearn.petsc), entropic
optimal transport with POT's conventions (krylearn.ot), and Hessian spectra of any PyTorch
model on SLEPc (krylearn.spectrum). The C library libkrylearn.so runs in this process,
through petsc4py; see docs/python.md."""
from ._lib import Error, library_path

__all__ = ["Error", "library_path"]
