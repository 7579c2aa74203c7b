//===- ExternDynamicShared.cpp - dynamic shared memory as .extern .shared ---===//
//
// convert-gpu-to-nvvm lowers gpu.dynamic_shared_memory to an internal
// zero-length global in the shared address space, which NVPTX prints as a
// one-byte static variable (`.shared .b8 x;`): the kernel then asks for one
// byte of static shared memory besides the launch's dynamic bytes, and a
// block using the whole budget does not launch. An external declaration is
// PTX's dynamic shared memory (`.extern .shared .b8 x[];`, the PTX ISA's
// "Variables in .shared state space").
//
//===----------------------------------------------------------------------===//
#include "mixir/Codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mixir {
#define GEN_PASS_DEF_MIXEREXTERNDYNAMICSHARED
#include "mixir/Codegen/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
struct MixerExternDynamicSharedPass
    : public mixir::impl::MixerExternDynamicSharedBase<
          MixerExternDynamicSharedPass> {
  void runOnOperation() override {
    getOperation().walk([](LLVM::GlobalOp global) {
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      if (!array || array.getNumElements() != 0 ||
          global.getAddrSpace() !=
              static_cast<unsigned>(NVVM::NVVMMemorySpace::Shared))
        return;
      global.setLinkage(LLVM::Linkage::External);
      global.removeValueAttr();
      if (!global.getInitializerRegion().empty())
        global.getInitializerRegion().getBlocks().clear();
    });
  }
};
} // namespace
