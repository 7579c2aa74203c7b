//===- GatherKernels.cpp - every outlined kernel in one gpu.module ---------===//
//
// gpu-kernel-outlining makes one gpu.module per launch; one module per
// compilation unit gives one PTX file and one cubin for all of them.
//
//===----------------------------------------------------------------------===//
#include "mixir/Codegen/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERGATHERKERNELS
#include "mixir/Codegen/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
struct MixerGatherKernelsPass
    : public mixir::impl::MixerGatherKernelsBase<MixerGatherKernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    if (module.lookupSymbol(moduleName)) {
      module.emitError() << "mixer-gather-kernels: the name '" << moduleName
                         << "' is taken";
      return signalPassFailure();
    }
    OpBuilder b(modules.front());
    auto gathered = gpu::GPUModuleOp::create(b, module.getLoc(), moduleName);
    SymbolTable table(gathered);
    // Each kernel takes its module's (unique) name.
    llvm::StringMap<StringAttr> renamed;
    for (gpu::GPUModuleOp old : modules) {
      for (Operation &op :
           llvm::make_early_inc_range(old.getBody()->getOperations())) {
        // The globals outlining copied into each module (constant tables)
        // are copies of one host global: the first is kept.
        if (auto global = dyn_cast<memref::GlobalOp>(op)) {
          if (!table.lookup(global.getSymName())) {
            global->moveBefore(gathered.getBody(), gathered.getBody()->begin());
            table.insert(global);
          }
          continue;
        }
        auto fn = dyn_cast<gpu::GPUFuncOp>(op);
        if (!fn || !fn.isKernel()) {
          op.emitError("mixer-gather-kernels: only kernels and their "
                       "constant globals are gathered");
          return signalPassFailure();
        }
        fn->moveBefore(gathered.getBody(), gathered.getBody()->end());
        fn.setName(old.getName());
        table.insert(fn);
        renamed[old.getName()] = fn.getNameAttr();
      }
      old.erase();
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      StringRef from = launch.getKernelModuleName().getValue();
      auto it = renamed.find(from);
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(
          gathered.getNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
    });
  }
};
} // namespace
