//===- Passes.h - mapping kernels onto a GPU's blocks and threads -*- C++ -*-===//
#ifndef MIXIR_CODEGEN_PASSES_H
#define MIXIR_CODEGEN_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mixir {

#define GEN_PASS_DECL
#include "mixir/Codegen/Passes.h.inc"

/// Whether `forall` is a grid of blocks / a block's thread loop of the
/// mapped program (docs/gpu.md).
bool isBlockLoop(mlir::scf::ForallOp forall);
bool isThreadLoop(mlir::scf::ForallOp forall);

#define GEN_PASS_REGISTRATION
#include "mixir/Codegen/Passes.h.inc"

} // namespace mixir

#endif // MIXIR_CODEGEN_PASSES_H
