"""Krylearn's PETSc types in petsc4py.

Importing this module initialises PETSc through petsc4py (with petsc4py's arguments, or
sys.argv when petsc4py.init() was not called) if that has not happened yet, loads
libkrylearn.so into the same process and registers every Krylearn type, so that
``ksp.setType('deepcd')``, ``pc.setType('deepcd')`` and the options database see them::

    import krylearn.petsc
    from petsc4py import PETSc
    A = krylearn.petsc.load_matrix('data/poisson2d-disc.h5')
    ksp = PETSc.KSP().create()
    ksp.setOperators(A)
    ksp.setType('deepcd')
"""
import ctypes

from ._lib import Error, handle, lib, ptr, wrap

__all__ = ["init", "load_matrix", "matrix_grid", "library", "Error"]


def init():
    """Initialises PETSc (if needed) and registers the Krylearn types; safe to call again.
    Returns the ctypes handle of libkrylearn.so."""
    return lib().dll


def library():
    """The path of the libkrylearn.so loaded into this process."""
    return lib().path


def load_matrix(path, group=None, comm=None):
    """Loads a matrix in any layout bin/krylearn-ingest reads (PETSc, MATLAB, CSR, CSC, COO,
    dense HDF5, Matrix Market; docs/io.md) as a petsc4py Mat distributed over ``comm``
    (default PETSC_COMM_WORLD). ``path`` may be ``FILE:GROUP``. The grid of the file, when
    it has one, is attached as in C (KrylearnMatGetGrid, which deepcd reads) and returned
    by matrix_grid(A); it is also kept as the petsc4py attribute ``A.getAttr('grid')``
    (a tuple of cells per direction, empty without a grid)."""
    from petsc4py import PETSc
    L = lib()
    comm = comm or PETSc.COMM_WORLD
    if group is None:
        fbuf, gbuf = ctypes.create_string_buffer(4096), ctypes.create_string_buffer(4096)
        L("KrylearnIOSplitPath", str(path).encode(), 1, b"", fbuf, gbuf)
        file, group = fbuf.value, gbuf.value
    else:
        file, group = str(path).encode(), str(group).encode()
    holder = PETSc.Vec().createMPI((0, None), comm=comm)   # carries the communicator
    c = ctypes.c_void_p()
    L("PetscObjectGetComm", handle(holder), ctypes.byref(c))
    A = ptr()
    L("KrylearnMatLoad", c, file, group, ctypes.byref(A))
    holder.destroy()
    A = wrap(A)
    A.setAttr('grid', matrix_grid(A))
    return A


def matrix_grid(A):
    """The structured grid attached to a matrix: a tuple of cells per direction, or ()."""
    dim = ctypes.c_int()
    n = (ctypes.c_int * 3)()
    lib()("KrylearnMatGetGrid", handle(A), ctypes.byref(dim), n)
    return tuple(n[:dim.value])


init()
