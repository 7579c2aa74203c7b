//===- CpuTarget.cpp - LLVM dialect to CPU artifacts ------------------------===//
#include "mixir/Target/CpuTarget.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

/// The host's LLVM target (null, with `error` set, if this LLVM lacks it).
static const llvm::Target *hostTarget(llvm::Triple &triple,
                                      std::string &error) {
  llvm::InitializeNativeTarget();
  triple = llvm::Triple(llvm::sys::getDefaultTargetTriple());
  return llvm::TargetRegistry::lookupTarget(triple, error);
}

/// A subtarget of the host's target for `cpu` ("" for a generic one: asking
/// that one about a CPU name prints none of LLVM's own warnings).
static std::unique_ptr<llvm::MCSubtargetInfo>
subtargetFor(llvm::StringRef cpu) {
  llvm::Triple triple;
  std::string error;
  const llvm::Target *target = hostTarget(triple, error);
  if (!target)
    return nullptr;
  return std::unique_ptr<llvm::MCSubtargetInfo>(
      target->createMCSubtargetInfo(triple, cpu, ""));
}

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(ModuleOp module, const mixir::CpuTargetOptions &options) {
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple;
  std::string error;
  const llvm::Target *target = hostTarget(triple, error);
  if (!target) {
    module.emitError() << "no LLVM target for " << triple.str() << ": "
                       << error;
    return nullptr;
  }
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      features += (feature.second ? "+" : "-") + feature.first().str() + ",";
  } else if (!mixir::isKnownCpu(cpu)) {
    module.emitError() << mixir::unknownCpuMessage(cpu);
    return nullptr;
  }
  llvm::TargetOptions targetOptions;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
}

bool mixir::isKnownCpu(llvm::StringRef cpu) {
  if (cpu == "native")
    return true;
  std::unique_ptr<llvm::MCSubtargetInfo> generic = subtargetFor("");
  return generic && generic->isCPUStringValid(cpu);
}

std::string mixir::unknownCpuMessage(llvm::StringRef cpu) {
  return ("unknown CPU '" + cpu +
          "' (try native, x86-64, x86-64-v2, x86-64-v3 or x86-64-v4)")
      .str();
}

mixir::CpuRegisterTile
mixir::registerTileFor(const CpuTargetOptions &options) {
  constexpr CpuRegisterTile narrow{4, 16}, wide{8, 32};
  if (options.cpu == "native") {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    auto it = features.find("avx512f");
    return it != features.end() && it->second ? wide : narrow;
  }
  if (!isKnownCpu(options.cpu))
    return narrow;
  std::unique_ptr<llvm::MCSubtargetInfo> info = subtargetFor(options.cpu);
  return info && info->checkFeatures("+avx512f") ? wide : narrow;
}

/// The standard O3 pipeline for the target (loop and SLP vectorisation on,
/// loop unrolling off).
static void optimize(llvm::Module &module, llvm::TargetMachine &tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  // No loop unrolling by LLVM (full or partial): the register tiles are laid
  // out by mixer-vectorize-contractions already, and on the examples LLVM's
  // unroller made the IR up to 5x larger and compilation 2-7x slower for no
  // speed measured in bench/ (docs/design.md, "Compile time").
  tuning.LoopUnrolling = false;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3)
      .run(module, mam);
}

LogicalResult mixir::emitCpuArtifact(ModuleOp module,
                                     const CpuTargetOptions &options,
                                     CpuArtifact artifact,
                                     llvm::raw_pwrite_stream &os) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);

  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(module, options);
  if (!tm)
    return failure();
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return module.emitError() << "translation to LLVM IR failed";
  llvmModule->setTargetTriple(tm->getTargetTriple());
  llvmModule->setDataLayout(tm->createDataLayout());
  // Record the CPU on every function, so that the artifact says what it was
  // built for and later tools (LTO, llc) keep to it.
  for (llvm::Function &fn : *llvmModule) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", tm->getTargetCPU());
    if (!tm->getTargetFeatureString().empty())
      fn.addFnAttr("target-features", tm->getTargetFeatureString());
  }
  optimize(*llvmModule, *tm);

  if (artifact == CpuArtifact::LLVMIR) {
    llvmModule->print(os, nullptr);
    return success();
  }
  llvm::legacy::PassManager codegen;
  auto type = artifact == CpuArtifact::Object
                  ? llvm::CodeGenFileType::ObjectFile
                  : llvm::CodeGenFileType::AssemblyFile;
  if (tm->addPassesToEmitFile(codegen, os, nullptr, type))
    return module.emitError() << "the target cannot emit this file type";
  codegen.run(*llvmModule);
  return success();
}
