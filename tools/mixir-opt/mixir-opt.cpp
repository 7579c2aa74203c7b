//===- mixir-opt.cpp - the mixir pass driver --------------------------------===//
//
// MlirOptMain with the mixer dialect, every mixir pass and pipeline, and the
// upstream dialects and passes the pipelines use.
//
//===----------------------------------------------------------------------===//
#include "mixir/Pipelines/Pipelines.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mixir::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mixir::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mixir pass driver\n", registry));
}
