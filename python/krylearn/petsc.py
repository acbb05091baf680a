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

from ._lib import Error, handle, lib, mpi_comm, ptr, wrap

__all__ = ["init", "load_matrix", "matrix_grid", "pressure_problem", "library", "Error"]

OBSTACLES = ("none", "disc", "box")


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
    A = ptr()
    with mpi_comm(comm) as c:
        L("KrylearnMatLoad", c, file, group, ctypes.byref(A))
    A = wrap(A)
    A.setAttr('grid', matrix_grid(A))
    return A


def matrix_grid(A):
    """The structured grid attached to a matrix: a tuple of cells per direction, or ()."""
    dim = ctypes.c_int()
    n = (ctypes.c_int * 3)()
    lib()("KrylearnMatGetGrid", handle(A), ctypes.byref(dim), n)
    return tuple(n[:dim.value])


def pressure_problem(dim=2, n=64, obstacle="disc", neumann=False, natural=False, comm=None, centre=None):
    """The pressure Poisson problem of bin/krylearn-pressure (KrylearnPressureCreate): a
    DMDA (None with natural=True), the matrix and the right-hand side, as petsc4py objects.
    ``n`` is the cells per direction (an int or one per direction); ``centre`` places the
    obstacle (fractions of each axis, x first; None: its usual place). As in the program,
    give the KSP the DM inactive: ``ksp.setDM(da); ksp.setDMActive(False)``."""
    from petsc4py import PETSc
    comm = comm or PETSc.COMM_WORLD
    if obstacle not in OBSTACLES:
        raise ValueError("obstacle must be one of %s, not %r" % (", ".join(OBSTACLES), obstacle))
    cells = (ctypes.c_int * 3)(*((list(n) + [1] * 3)[:3] if hasattr(n, "__len__") else [n] * 3))
    if centre is not None and len(centre) != dim:
        raise ValueError("centre needs %d coordinates for a %d-D grid, got %d" % (dim, dim, len(centre)))
    where = None if centre is None else (ctypes.c_double * dim)(*map(float, centre))
    da, A, b = ptr(), ptr(), ptr()
    with mpi_comm(comm) as c:
        lib()("KrylearnPressureCreate", c, int(dim), cells, OBSTACLES.index(obstacle), where, int(bool(neumann)),
              int(bool(natural)), ctypes.byref(da), ctypes.byref(A), ctypes.byref(b))
    return (wrap(da) if da.value else None), wrap(A), wrap(b)


init()
