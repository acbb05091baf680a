/* Helpers shared by the command-line programs in apps/ (linked into each program, not
   part of the library). */
#ifndef KRYLEARN_APPS_KSPREPORT_H
#define KRYLEARN_APPS_KSPREPORT_H

#include <petscksp.h>

PetscErrorCode KrylearnKSPSolveReport(KSP, Vec, Vec);

#endif
