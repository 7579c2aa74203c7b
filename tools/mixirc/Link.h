//===- Link.h - link an object into a shared library ------------*- C++ -*-===//
#ifndef MIXIR_TOOLS_MIXIRC_LINK_H
#define MIXIR_TOOLS_MIXIRC_LINK_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace mixir {
/// Links `object` with the mixir runtime and OpenMP into the shared library
/// `output` with the system C compiler driver (cc). `argv0` locates the
/// runtime next to an installed mixirc.
llvm::Error linkSharedLibrary(llvm::StringRef argv0, llvm::StringRef object,
                              llvm::StringRef output);
} // namespace mixir

#endif // MIXIR_TOOLS_MIXIRC_LINK_H
