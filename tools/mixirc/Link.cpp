//===- Link.cpp - link an object into a shared library ----------------------===//
//
// The library carries its own copy of the runtime (static archive) and binds
// its symbols to it (-Bsymbolic), so that several libraries loaded in one
// process each report errors through their own mixir_last_error; OpenMP is
// found through an RPATH (docs/abi.md lists the package that provides it).
//
//===----------------------------------------------------------------------===//
#include "Link.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace llvm;

static std::string findRuntime(StringRef argv0) {
  // Installed layout: <prefix>/bin/mixirc and <prefix>/lib/libmixir_runtime.a.
  std::string exe = sys::fs::getMainExecutable(argv0.data(), nullptr);
  SmallString<256> installed(sys::path::parent_path(sys::path::parent_path(exe)));
  sys::path::append(installed, "lib", "libmixir_runtime.a");
  if (sys::fs::exists(installed))
    return std::string(installed);
  return MIXIR_BUILD_RUNTIME_LIBRARY;
}

Error mixir::linkSharedLibrary(StringRef argv0, StringRef object,
                               StringRef output) {
  ErrorOr<std::string> cc = sys::findProgramByName("cc");
  if (!cc)
    return createStringError("cannot find the C compiler driver 'cc' on PATH "
                             "(needed to link --emit=shared)");
  std::string runtime = findRuntime(argv0);
  if (!sys::fs::exists(runtime))
    return createStringError("cannot find the mixir runtime library " +
                             runtime);
  std::string omp = MIXIR_OMP_LIBRARY;
  std::string ompDir = sys::path::parent_path(omp).str();
  SmallVector<std::string> args{*cc,
                                "-shared",
                                "-o",
                                output.str(),
                                object.str(),
                                // All of the runtime, so that
                                // mixir_set_num_threads is there to dlsym.
                                "-Wl,--whole-archive",
                                runtime,
                                "-Wl,--no-whole-archive",
                                "-Wl,-Bsymbolic",
                                "-Wl,--no-undefined",
                                omp,
                                "-Wl,-rpath," + ompDir,
                                "-lm",
                                "-lpthread",
                                "-ldl"};
  SmallVector<StringRef> refs(args.begin(), args.end());
  std::string message;
  int rc = sys::ExecuteAndWait(*cc, refs, std::nullopt, {}, 0, 0, &message);
  if (rc != 0)
    return createStringError("linking " + output.str() + " failed (" +
                             (message.empty() ? "cc exited with " +
                                                    std::to_string(rc)
                                              : message) +
                             ")");
  return Error::success();
}
