//===- mixirc.cpp - the mixir compiler driver ---------------------------------===//
//
//   mixirc IN.mlir|IN.mix -o OUT [--target=cpu] [--mcpu=native|NAME]
//          [--emit=mixer|mlir|llvm|asm|obj|shared|header]
//          [--gpu-mapped-on-cpu]
//   mixirc IN.mlir|IN.mix -o OUT --target=nvptx [--gpu-arch=sm_80|sm_90|sm_90a]
//          [--cuda-path=DIR] [--emit=mixer|mlir|ptx|cubin]
//          [--form=auto|FORM] [--chunk-size=N] [--remarks] [--mlir-timing]
//   mixirc IN.mlir --print-block-mask=TQ[,TK] [--chunk-size=N]
//
//===----------------------------------------------------------------------===//
#include "Link.h"

#include "mixir/Dialect/Mixer/MixerDialect.h"
#include "mixir/Forms/Passes.h"
#include "mixir/Frontend/MixFrontend.h"
#include "mixir/Pipelines/Pipelines.h"
#include "mixir/Target/CpuTarget.h"
#include "mixir/Target/NvptxTarget.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { Mixer, MLIR, LLVM, Asm, Obj, Shared, Header, Ptx, Cubin };

cl::OptionCategory category("mixirc options");
cl::opt<std::string> inputFile(cl::Positional,
                               cl::desc("<input .mlir or .mix>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
cl::opt<std::string> target("target",
                            cl::desc("target: cpu, or nvptx (NVIDIA GPUs)"),
                            cl::init("cpu"), cl::cat(category));
cl::opt<std::string> gpuArch("gpu-arch",
                             cl::desc("with --target=nvptx: sm_80, sm_90 or "
                                      "sm_90a"),
                             cl::init("sm_90"), cl::cat(category));
cl::opt<std::string> cudaPath("cuda-path",
                              cl::desc("with --target=nvptx: the CUDA "
                                       "toolkit (libdevice, ptxas)"),
                              cl::init("/usr/local/cuda"), cl::cat(category));
cl::opt<std::string> mcpu("mcpu",
                          cl::desc("CPU to tune and select instructions for: "
                                   "native (the host) or an LLVM CPU name "
                                   "such as x86-64-v3"),
                          cl::init("native"), cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("what to write"), cl::init(Emit::Obj),
    cl::values(clEnumValN(Emit::Mixer, "mixer",
                          "the input in the mixer dialect, before any pass"),
               clEnumValN(Emit::MLIR, "mlir", "the LLVM-dialect module"),
               clEnumValN(Emit::LLVM, "llvm", "optimised LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "assembly"),
               clEnumValN(Emit::Obj, "obj", "an object file (default)"),
               clEnumValN(Emit::Shared, "shared",
                          "a shared library with the runtime linked in"),
               clEnumValN(Emit::Header, "header", "the C header"),
               clEnumValN(Emit::Ptx, "ptx",
                          "the kernels' PTX (--target=nvptx)"),
               clEnumValN(Emit::Cubin, "cubin",
                          "the kernels assembled by ptxas (--target=nvptx)")),
    cl::cat(category));
cl::opt<std::string> form("form",
                          cl::desc("algorithm form: auto (the cost model's "
                                   "choice) or one the mixer ops have "
                                   "(scan, chunked, quadratic, ...)"),
                          cl::init("auto"), cl::cat(category));
cl::opt<int64_t> chunkSize("chunk-size",
                           cl::desc("chunk (or block) length; 0 lets the "
                                    "cost model choose"),
                           cl::init(0), cl::cat(category));

cl::opt<bool> gpuMappedOnCpu(
    "gpu-mapped-on-cpu",
    cl::desc("compile the GPU path's mapped program (blocks and threads as "
             "loops, barriers, block buffers in arenas laid out for "
             "--gpu-arch) for the CPU: the test mode of the GPU kernels"),
    cl::init(false), cl::cat(category));

cl::opt<bool> remarks("remarks",
                      cl::desc("report what each mixer.recurrence was found "
                               "to be (raised, or kept and why)"),
                      cl::init(false), cl::cat(category));

cl::opt<std::string> printBlockMask(
    "print-block-mask",
    cl::desc("print which (query block, key block) pairs of every "
             "attention's mask are empty, full or partial for lengths "
             "TQ[,TK], with blocks of --chunk-size (64 by default), and exit"),
    cl::value_desc("TQ[,TK]"), cl::cat(category));

std::string headerGuard(StringRef input) {
  std::string guard = "MIXIR_";
  for (char c : llvm::sys::path::stem(input))
    guard += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  return guard + "_H";
}

/// The GPU kernels of `module`, serialised to PTX (docs/gpu.md).
LogicalResult runGpuKernelsPipeline(PassManager &pm, ModuleOp module,
                                    const mixir::GpuArch &arch) {
  mixir::GpuPipelineOptions options;
  options.form = form;
  options.chunkSize = chunkSize;
  options.remarks = remarks;
  options.cudaPath = cudaPath;
  mixir::buildGpuKernelsPipeline(pm, options, arch);
  return pm.run(module);
}

/// The CPU pipeline (up to the loops only for a header, which needs the
/// recorded signatures).
LogicalResult runCpuPipeline(PassManager &pm, ModuleOp module) {
  mixir::CpuPipelineOptions options;
  options.form = form;
  options.chunkSize = chunkSize;
  options.remarks = remarks;
  options.gpuMapped = gpuMappedOnCpu;
  // The test mode lays the blocks' buffers out as for --gpu-arch.
  if (std::optional<mixir::GpuArch> arch = mixir::lookupGpuArch(gpuArch))
    options.sharedMemoryBytes = arch->sharedMemoryBytes;
  mixir::CpuRegisterTile tile = mixir::registerTileFor({mcpu});
  options.tileRows = tile.rows;
  options.tileCols = tile.cols;
  if (emit == Emit::Header)
    mixir::buildMixerToLoopsPipeline(pm, options);
  else
    mixir::buildCpuPipeline(pm, options);
  return pm.run(module);
}

int fail(const Twine &message) {
  llvm::errs() << "mixirc: error: " << message << "\n";
  return 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // --mlir-timing reports where compile time goes: parsing, each pass of the
  // pipeline, and LLVM's code generation.
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "mixir: compile sequence mixers\n");

  if (target != "cpu" && target != "nvptx")
    return fail("unsupported target '" + target + "' (cpu or nvptx)");
  const bool gpu = target == "nvptx";
  std::optional<mixir::GpuArch> arch = mixir::lookupGpuArch(gpuArch);
  if ((gpu || gpuMappedOnCpu) && !arch)
    return fail("unknown --gpu-arch '" + gpuArch +
                "' (known: " + mixir::knownGpuArchs() + ")");
  if (!gpu && (emit == Emit::Ptx || emit == Emit::Cubin))
    return fail("--emit=ptx and --emit=cubin need --target=nvptx");
  if (gpu && gpuMappedOnCpu)
    return fail("--gpu-mapped-on-cpu compiles for the CPU (--target=cpu)");
  if (chunkSize < 0 || chunkSize > mixir::mixer::kMaxTile)
    return fail("--chunk-size must be between 1 and " +
                Twine(mixir::mixer::kMaxTile) + " (or 0 for the cost model)");
  if (!mixir::isKnownCpu(mcpu))
    return fail(mixir::unknownCpuMessage(mcpu));

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  mixir::registerAllDialects(registry);
  mlir::registerAllPasses();
  mixir::registerAllPasses();
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope rootTimer = timing.getRootScope();
  MLIRContext context(registry);
  // Diagnostics point at the user's source; a dump of the lowered IR after
  // each would bury them.
  context.printOpOnDiagnostic(false);
  context.loadAllAvailableDialects();

  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input)
    return fail(error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  TimingScope parseTimer = rootTimer.nest("Parse");
  OwningOpRef<ModuleOp> module =
      llvm::sys::path::extension(inputFile) == ".mix"
          ? mixir::parseMixSource(sourceMgr, &context)
          : parseSourceFile<ModuleOp>(sourceMgr, &context);
  parseTimer.stop();
  if (!module)
    return 1;
  if (emit == Emit::Mixer) {
    auto out = openOutputFile(outputFile, &error);
    if (!out)
      return fail(error);
    module->print(out->os());
    out->keep();
    return 0;
  }

  PassManager pm(&context);
  TimingScope pipelineTimer = rootTimer.nest("Pipeline");
  pm.enableTiming(pipelineTimer);
  if (!printBlockMask.empty()) {
    auto [tq, tk] = StringRef(printBlockMask).split(',');
    mixir::MixerPrintBlockMaskOptions print;
    if (tq.getAsInteger(10, print.queryLength) ||
        (!tk.empty() && tk.getAsInteger(10, print.keyLength)) ||
        print.queryLength <= 0 || print.keyLength < 0)
      return fail("--print-block-mask takes TQ or TQ,TK (positive lengths)");
    print.block = chunkSize ? chunkSize : 64;
    pm.addPass(mixir::createMixerPrintBlockMask(print));
    return failed(pm.run(*module)) ? 1 : 0;
  }
  if (gpu) {
    // Kernels to PTX; PTX and cubin are written here, the rest below from
    // the host side, which embeds the cubin.
    if (failed(runGpuKernelsPipeline(pm, *module, *arch)))
      return 1;
    if (emit == Emit::Ptx || emit == Emit::Cubin) {
      auto out = openOutputFile(outputFile, &error);
      if (!out)
        return fail(error);
      if (failed(emit == Emit::Ptx
                     ? mixir::emitPtx(*module, out->os())
                     : mixir::emitCubin(*module, *arch, cudaPath, out->os())))
        return 1;
      out->keep();
      return 0;
    }
    if (emit != Emit::Header) {
      PassManager host(&context);
      host.enableTiming(pipelineTimer);
      mixir::buildGpuHostPipeline(host);
      if (failed(mixir::assembleKernels(*module, *arch, cudaPath)) ||
          failed(host.run(*module)))
        return 1;
    }
  } else if (failed(runCpuPipeline(pm, *module))) {
    return 1;
  }
  pipelineTimer.stop();
  TimingScope codegenTimer =
      rootTimer.nest("LLVM translation and code generation");

  if (emit == Emit::Shared) {
    llvm::SmallString<128> object;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("mixirc", "o", object))
      return fail("cannot create a temporary file: " + ec.message());
    llvm::FileRemover remover(object);
    {
      auto out = openOutputFile(object, &error);
      if (!out)
        return fail(error);
      if (failed(mixir::emitCpuArtifact(*module, {mcpu}, mixir::CpuArtifact::Object,
                                        out->os())))
        return 1;
      out->keep();
    }
    codegenTimer.stop();
    if (outputFile == "-")
      return fail("--emit=shared needs an output file (-o)");
    TimingScope linkTimer = rootTimer.nest("Link");
    if (llvm::Error err = mixir::linkSharedLibrary(argv[0], object, outputFile))
      return fail(llvm::toString(std::move(err)));
    return 0;
  }

  auto out = openOutputFile(outputFile, &error);
  if (!out)
    return fail(error);
  LogicalResult ok = success();
  switch (emit) {
  case Emit::Mixer: // printed before the pipeline
  case Emit::MLIR:
    module->print(out->os());
    break;
  case Emit::Header:
    ok = mixir::emitCHeader(*module, headerGuard(inputFile), out->os());
    break;
  case Emit::LLVM:
    ok = mixir::emitCpuArtifact(*module, {mcpu}, mixir::CpuArtifact::LLVMIR,
                                out->os());
    break;
  case Emit::Asm:
    ok = mixir::emitCpuArtifact(*module, {mcpu}, mixir::CpuArtifact::Assembly,
                                out->os());
    break;
  case Emit::Obj:
    ok = mixir::emitCpuArtifact(*module, {mcpu}, mixir::CpuArtifact::Object,
                                out->os());
    break;
  case Emit::Shared:
  case Emit::Ptx:
  case Emit::Cubin:
    break;
  }
  if (failed(ok))
    return 1;
  out->keep();
  return 0;
}
