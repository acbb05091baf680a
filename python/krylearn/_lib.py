"""The bridge to libkrylearn.so: the library loaded into the process petsc4py runs in,
C prototypes, PETSc errors turned into Python exceptions, C objects wrapped as petsc4py ones.

Every call goes through ctypes.PyDLL (the GIL stays held), so operators written in Python
(petsc4py shell matrices) can be called back from the C engines.
"""
import ctypes
import os

_here = os.path.dirname(os.path.abspath(__file__))
# In the source tree (python/krylearn -> lib/) and once installed
# (PREFIX/lib/python3/dist-packages/krylearn -> PREFIX/lib).
_CANDIDATES = [os.path.join(_here, "..", "..", "lib", "libkrylearn.so"),
               os.path.join(_here, "..", "..", "..", "libkrylearn.so")]


class Error(RuntimeError):
    """A PETSc error raised inside Krylearn or PETSc; the message is PETSc's.

    Attributes: ``code`` (the PETSc error code) and ``function`` (the C function that
    raised it)."""

    def __init__(self, code, message, function=None):
        super().__init__(message)
        self.code = code
        self.function = function


def library_path():
    """Path of libkrylearn.so: $KRYLEARN_LIB, else the tree or the install prefix."""
    env = os.environ.get("KRYLEARN_LIB")
    if env:
        return env
    for p in _CANDIDATES:
        if os.path.isfile(p):
            return os.path.normpath(p)
    raise ImportError("libkrylearn.so not found (looked in %s); build it with 'make' or set KRYLEARN_LIB"
                      % ", ".join(os.path.normpath(p) for p in _CANDIDATES))


class _Library:
    def __init__(self):
        self.path = library_path()
        self.dll = ctypes.PyDLL(self.path, mode=ctypes.RTLD_GLOBAL)
        # errors return their code silently; PetscErrorMessage() then gives the message
        # of the PetscError() call that raised it
        self.dll.PetscPushErrorHandler.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self.dll.PetscPopErrorHandler.argtypes = []
        self.dll.PetscErrorMessage.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
                                               ctypes.POINTER(ctypes.c_char_p)]
        self.quiet = ctypes.cast(self.dll.PetscReturnErrorHandler, ctypes.c_void_p)

    def __call__(self, name, *args):
        """Calls a PetscErrorCode function; a nonzero code raises Error with PETSc's message.
        A Python exception raised in a callback (a shell matrix's product) is chained."""
        fn = getattr(self.dll, name)
        self.dll.PetscPushErrorHandler(self.quiet, None)
        cause = None
        try:
            code = fn(*args)
        except BaseException as e:     # pending from a Python callback that failed
            code, cause = -1, e
        finally:
            self.dll.PetscPopErrorHandler()
        if code:
            text, specific = ctypes.c_char_p(), ctypes.c_char_p()
            self.dll.PetscErrorMessage(code if code > 0 else 1, ctypes.byref(text), ctypes.byref(specific))
            msg = (specific.value or b"").decode(errors="replace").strip() or \
                (text.value or b"").decode(errors="replace")
            if cause is not None:    # PETSc's last message is not this error's
                msg = "%s: %s (raised in a Python callback)" % (type(cause).__name__, cause)
            raise Error(code, "%s (from %s)" % (msg, name), name) from cause


_lib = None


def lib():
    global _lib
    if _lib is None:
        # SLEPc (and PETSc under it) initialised before the library is used: through
        # slepc4py when it is installed, which also finalises SLEPc at exit
        try:
            from slepc4py import SLEPc  # noqa: F401
        except ImportError:
            from petsc4py import PETSc  # noqa: F401
        _lib = _Library()
        _lib("SlepcInitializeNoArguments")
        _lib("KrylearnInitializePackage")
    return _lib


def ptr():
    return ctypes.c_void_p()


def handle(obj):
    return ctypes.c_void_p(obj.handle)


def wrap(cptr):
    """A petsc4py object of the right class for a C object the caller owns a reference to;
    the reference moves to the returned object."""
    from petsc4py import PETSc
    holder = PETSc.Vec().createSeq(0, comm=PETSc.COMM_SELF)
    L = lib()
    L("PetscObjectCompose", handle(holder), b"krylearn", cptr)
    obj = holder.query("krylearn")
    L("PetscObjectCompose", handle(holder), b"krylearn", ctypes.c_void_p())
    L("PetscObjectDereference", cptr)
    holder.destroy()
    return obj


class mpi_comm:
    """``with mpi_comm(comm) as c``: the C MPI_Comm of a petsc4py communicator, valid in the block
    (PETSc's inner communicator, kept alive by an empty Vec)."""

    def __init__(self, comm):
        from petsc4py import PETSc
        self.holder = PETSc.Vec().createMPI((0, None), comm=comm)

    def __enter__(self):
        return comm_of(self.holder)

    def __exit__(self, *exc):
        self.holder.destroy()


def comm_of(obj):
    """The MPI_Comm (a C handle) of a petsc4py object."""
    c = ctypes.c_void_p()
    lib()("PetscObjectGetComm", handle(obj), ctypes.byref(c))
    return c



class options:
    """``with options({'ot_ksp_type': 'minres'})``: PETSc options for the calls in the block;
    the database is restored afterwards."""

    def __init__(self, entries):
        from petsc4py import PETSc
        self.db, self.entries, self.saved = PETSc.Options(), dict(entries or {}), []

    def __enter__(self):
        for k, v in self.entries.items():
            k = k.lstrip("-")
            self.saved.append((k, self.db.getString(k) if self.db.hasName(k) else None, self.db.hasName(k)))
            self.db.setValue(k, v)

    def __exit__(self, *exc):
        for k, old, had in reversed(self.saved):
            if had:
                self.db.setValue(k, old)
            else:
                self.db.delValue(k)
