//===- MlirFuzzer.cpp - libFuzzer target: a .mlir mixer to the LLVM dialect ===//
//
// Parses each input as a module, verifies it, and runs mixirc's CPU pipeline
// on it (every mixer pass, down to the LLVM dialect; no code generation).
// An input may be rejected at any point with a diagnostic; a crash, a hang
// or a sanitizer report is a bug.
//
//===----------------------------------------------------------------------===//
#include "mixir/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <memory>

namespace {
mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static unsigned uses = 0;
  if (!ctx || ++uses % 2000 == 0) {
    mlir::DialectRegistry registry;
    mlir::registerAllDialects(registry);
    mlir::registerAllExtensions(registry);
    mixir::registerAllDialects(registry);
    ctx = std::make_unique<mlir::MLIRContext>(registry);
    ctx->loadAllAvailableDialects();
    ctx->printOpOnDiagnostic(false);
    ctx->disableMultithreading();
  }
  return *ctx;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = context();
  mlir::ScopedDiagnosticHandler quiet(
      &ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceString<mlir::ModuleOp>(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), &ctx);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  mlir::PassManager pm(&ctx);
  mixir::CpuPipelineOptions options;
  mixir::buildCpuPipeline(pm, options);
  (void)pm.run(*module);
  return 0;
}
