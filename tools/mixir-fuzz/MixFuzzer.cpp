//===- MixFuzzer.cpp - libFuzzer target: the .mix frontend ----------------===//
//
// Feeds each input to parseMixSource: lexing, parsing, the checks, building
// the IR and verifying it. Any crash, hang, sanitizer report or a module
// that fails verification after the frontend said it succeeded is a bug
// (the frontend checks everything that could make IR invalid first).
//
//===----------------------------------------------------------------------===//
#include "mixir/Frontend/MixFrontend.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdint>
#include <cstdlib>
#include <memory>

namespace {
/// A context reused across inputs (loading the dialects dominates a run),
/// renewed now and then so that the names inputs intern do not pile up.
mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static unsigned uses = 0;
  if (!ctx || ++uses % 20000 == 0) {
    mlir::DialectRegistry registry;
    mixir::registerMixFrontendDialects(registry);
    ctx = std::make_unique<mlir::MLIRContext>(registry);
    ctx->loadAllAvailableDialects();
    ctx->printOpOnDiagnostic(false);
  }
  return *ctx;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = context();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.mix"),
      llvm::SMLoc());
  // Errors are the expected outcome of most inputs; drop them.
  mlir::ScopedDiagnosticHandler quiet(
      &ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mixir::parseMixSource(sourceMgr, &ctx);
  if (module && mlir::failed(mlir::verify(*module)))
    std::abort(); // parseMixSource returned a module it had not verified
  return 0;
}
