//===- mixir-translate.cpp - the .mix frontend as a translation -----------===//
//
//   mixir-translate --mix-to-mlir IN.mix [-o OUT.mlir]
//       [--split-input-file] [--verify-diagnostics]
//
// Prints the mixer-dialect module a .mix file describes (what mixirc
// compiles from it), with MlirTranslateMain's options for tests.
//
//===----------------------------------------------------------------------===//
#include "mixir/Frontend/MixFrontend.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"

int main(int argc, char **argv) {
  mlir::TranslateToMLIRRegistration mixToMlir(
      "mix-to-mlir", "read a .mix file into the mixer dialect",
      [](llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context) {
        return mlir::OwningOpRef<mlir::Operation *>(
            mixir::parseMixSource(sourceMgr, context).release());
      },
      mixir::registerMixFrontendDialects);
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "mixir translation driver\n"));
}
