/* Krylearn: learned solvers, optimal transport and Hessian spectra for PETSc/SLEPc.
   Includes every Krylearn header. A program that needs only part of Krylearn includes
   that part's header instead: krylearnksp.h (deepcd), krylearnnn.h, krylearnio.h,
   krylearnot.h and krylearnpressure.h need PETSc only; krylearnspectrum.h needs SLEPc. */
#ifndef KRYLEARN_H
#define KRYLEARN_H

#include <krylearnsys.h>
#include <krylearnio.h>
#include <krylearnnn.h>
#include <krylearnot.h>
#include <krylearnspectrum.h>
#include <krylearnksp.h>
#include <krylearnpressure.h>
#include <krylearnbalance.h>

#endif
