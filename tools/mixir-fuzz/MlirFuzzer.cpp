//===- MlirFuzzer.cpp - libFuzzer target: a .mlir mixer to the LLVM dialect ===//
//
// Parses each input as a module, verifies it, and runs mixirc's CPU pipeline
// on it (every mixer pass, down to the LLVM dialect; no code generation).
// An input may be rejected at any point with a diagnostic; a crash, a hang
// or a sanitizer report is a bug.
//
// Inputs that reach a parser MLIR 22 itself crashes in are skipped (each
// kept under upstream-crashes/ with the reason): they would stop every run
// at a bug mixir cannot fix, and the ops involved are none of mixir's.
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
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>
#include <string>

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
/// True if `text` uses linalg.broadcast's custom syntax, whose parser in
/// MLIR 22 leaves a null `dimensions` attribute after an error and then
/// dereferences it (upstream-crashes/linalg-broadcast-unclosed-dimensions.mlir).
/// The generic form, "linalg.broadcast"(...), is parsed by the generic
/// parser and stays in.
bool usesCrashingUpstreamParser(llvm::StringRef text) {
  constexpr llvm::StringLiteral op = "linalg.broadcast";
  for (size_t at = text.find(op); at != llvm::StringRef::npos;
       at = text.find(op, at + 1))
    if (at == 0 || text[at - 1] != '"')
      return true;
  return false;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  if (usesCrashingUpstreamParser(text))
    return -1; // not added to the corpus
  mlir::MLIRContext &ctx = context();
  mlir::ScopedDiagnosticHandler quiet(
      &ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  // MLIR's lexer reads the byte after the buffer's end, which a file read
  // by mixirc (a MemoryBuffer) holds as a NUL; libFuzzer's data has none.
  std::string source(text);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &ctx);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  mlir::PassManager pm(&ctx);
  mixir::CpuPipelineOptions options;
  mixir::buildCpuPipeline(pm, options);
  (void)pm.run(*module);
  return 0;
}
