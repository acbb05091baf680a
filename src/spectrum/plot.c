/* PNG plots of spectrum analysis files, drawn by Debian's matplotlib in a child process.
   The file names travel as arguments of the child (posix_spawn with an argument vector):
   no shell ever sees them. */
#include <krylearnspectrum.h>
#include <krylearnio.h>
#include <petsc/private/petscimpl.h>
#include <errno.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

/* Reads sys.argv[1], draws sys.argv[2]. Files of bin/krylearn-spectrum hold one analysis at
   the root (and the Gauss-Newton one with prefix ggn_); files of the PC and SNES hooks hold
   groups analysis0, analysis1, ... with an attribute step. */
static const char PlotScript[] = "import sys, h5py, numpy as np\n"
                                 "import matplotlib\n"
                                 "matplotlib.use('Agg')\n"
                                 "import matplotlib.pyplot as plt\n"
                                 "f = h5py.File(sys.argv[1], 'r')\n"
                                 "groups = sorted((g for g in f if g.startswith('analysis')), key=lambda g: int(g[8:]))\n"
                                 "if groups:\n"
                                 "    last = f[groups[-1]]\n"
                                 "    runs = [(last, '', 'step %d' % last.attrs['step'])]\n"
                                 "else:\n"
                                 "    op = f.attrs['operator']\n"
                                 "    runs = [(f, '', op.decode() if isinstance(op, bytes) else op), (f, 'ggn_', 'ggn')]\n"
                                 "history = len(groups) > 1\n"
                                 "fig, axes = plt.subplots(1, 2 if history else 1, figsize=(12 if history else 7, 4), squeeze=False)\n"
                                 "ax = axes[0][0]\n"
                                 "drawn = False\n"
                                 "for g, p, label in runs:\n"
                                 "    if p + 'density' in g:\n"
                                 "        ax.semilogy(g[p + 'density_grid'][...], np.maximum(g[p + 'density'][...], 1e-12), label=label)\n"
                                 "        k = int(g[p + 'outliers'][0]) if p + 'outliers' in g else 0\n"
                                 "        for i, lam in enumerate(g[p + 'top_eigenvalues'][...] if p + 'top_eigenvalues' in g else []):\n"
                                 "            ax.axvline(lam, color='r' if i < k else '0.7', lw=0.8, ls='--' if p else '-')\n"
                                 "        ax.set_ylabel('density (log scale)')\n"
                                 "        ax.set_title('SLQ density; top eigenvalues marked (red: outliers)')\n"
                                 "        drawn = True\n"
                                 "    elif p + 'top_eigenvalues' in g or p + 'bottom_eigenvalues' in g:\n"
                                 "        for which, c in (('top', 'r'), ('bottom', 'b')):\n"
                                 "            if p + which + '_eigenvalues' not in g: continue\n"
                                 "            re = g[p + which + '_eigenvalues'][...]\n"
                                 "            im = g[p + which + '_eigenvalues_imag'][...] if p + which + '_eigenvalues_imag' in g else 0 * re\n"
                                 "            ax.plot(re, im, 'o', color=c, mfc='none', label='%s %s' % (label, which))\n"
                                 "        ax.set_ylabel('imaginary part'); ax.set_title('extreme eigenvalues')\n"
                                 "        drawn = True\n"
                                 "if not drawn:\n"
                                 "    sys.exit('%s holds no density and no eigenvalues to plot' % sys.argv[1])\n"
                                 "ax.set_xlabel('eigenvalue'); ax.legend()\n"
                                 "if history:\n"
                                 "    ax = axes[0][1]\n"
                                 "    steps = [f[g].attrs['step'] for g in groups]\n"
                                 "    for name, label in (('top_eigenvalues', 'largest (real part)'), ('bottom_eigenvalues', 'smallest (real part)')):\n"
                                 "        if all(name in f[g] for g in groups):\n"
                                 "            ax.plot(steps, [f[g][name][0] for g in groups], 'o-', label=label)\n"
                                 "    if all('condition' in f[g] for g in groups):\n"
                                 "        ax.plot(steps, [f[g]['condition'][0] for g in groups], 's--', label='condition estimate')\n"
                                 "    ax.set_yscale('symlog'); ax.set_xlabel('step'); ax.set_title('along the steps'); ax.legend()\n"
                                 "fig.tight_layout(); fig.savefig(sys.argv[2], dpi=90)\n";

/*@C
  KrylearnSpectrumPlot - Draws the PNG plot of an analysis file: the SLQ density on a log
  scale with the top eigenvalues marked, or the extreme eigenvalues in the complex plane,
  and, for files with several analyses, the extreme eigenvalues and condition estimates
  along the steps.

  Collective

  Input Parameters:
+ comm - communicator; rank 0 draws
. file - HDF5 file written by `KrylearnSpectrumAnalysisWrite()` or by an analysis with an output file
- png  - PNG file to draw

  Level: intermediate

  Note:
  The plot is drawn by /usr/bin/python3 with matplotlib in a child process started without a
  shell, the file names passed as arguments. A plot that cannot be drawn is an error on every rank.

.seealso: `KrylearnSpectrumAnalysisSetPlot()`, `KrylearnSpectrumAnalysisWrite()`
@*/
PetscErrorCode KrylearnSpectrumPlot(MPI_Comm comm, const char file[], const char png[])
{
  PetscMPIInt rank;
  PetscBool   failed                        = PETSC_FALSE;
  char        msg[PETSC_MAX_PATH_LEN + 128] = "";

  PetscFunctionBegin;
  PetscValidCharPointer(file, 2);
  PetscValidCharPointer(png, 3);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    char *const argv[] = {(char *)"/usr/bin/python3", (char *)"-c", (char *)PlotScript, (char *)file, (char *)png, NULL};
    pid_t       pid;
    int         status = 0, err;

    err = posix_spawn(&pid, "/usr/bin/python3", NULL, NULL, argv, environ);
    if (!err && waitpid(pid, &status, 0) != pid) err = errno;
    if (err) PetscCall(PetscSNPrintf(msg, sizeof(msg), "Cannot run /usr/bin/python3 to plot %s: %s", png, strerror(err)));
    else if (!WIFEXITED(status) || WEXITSTATUS(status)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "Plotting %s with matplotlib failed (exit status %d)", png, WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    failed = msg[0] ? PETSC_TRUE : PETSC_FALSE;
  }
  PetscCall(KrylearnIOCheck(comm, failed, PETSC_ERR_SYS, "%s", msg));
  PetscFunctionReturn(0);
}
