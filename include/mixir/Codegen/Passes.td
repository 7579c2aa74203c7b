//===- Passes.td - mapping kernels onto a GPU's blocks and threads -*- tablegen -*-===//
#ifndef MIXIR_CODEGEN_PASSES_TD
#define MIXIR_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def MixerLoopStateInPlace : Pass<"mixer-loop-state-in-place", "mlir::ModuleOp"> {
  let summary = "Make every tensor an scf.for carries inside a parallel loop bufferize in place";
  let description = [{
    Inside an `scf.forall` (a kernel's work item), a loop that carries a
    tensor and yields a value computed into a new tensor (`S' = f(S)`
    written into `tensor.empty`) would bufferize into a new buffer every
    iteration, yielded to the next: the buffers of two iterations are live
    at once. A GPU block gives each of its buffers one fixed place in
    memory (`mixer-pack-block-buffers`), so such a value is instead copied
    into the carried tensor at the end of the iteration (`linalg.copy`
    into the iter_arg, which one-shot bufferization updates in place). A
    yielded value already computed in place from its iter_arg (a chain of
    destination-style ops whose init is the iter_arg) is left alone.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def MixerMapToGpu : Pass<"mixer-map-to-gpu", "mlir::ModuleOp"> {
  let summary = "Map a bufferized kernel program onto blocks and threads (the mapped program)";
  let description = [{
    Runs on the bufferized loop program of every function (after one-shot
    bufferization, buffer deallocation and `mixer-copy-to-linalg`) and
    writes the GPU's execution model into it as loops, so that the same
    program can be lowered for the GPU or run on the CPU
    (docs/gpu.md, "The mapped program"):

    - every outermost `scf.forall` (a form's work items: batch, heads,
      chunks) is a grid of blocks, one block per iteration
      (`mapping = [#gpu.block<linear_dim_k>...]`);
    - inside a block, every linalg op becomes an `scf.forall` over the
      block's `block-size` threads (`#gpu.thread<linear_dim_0>`): thread t
      takes the iterations t, t + block-size, ... of the op's parallel
      dimensions, linearised with the innermost fastest (consecutive
      threads read consecutive elements), each as the op's tile of one
      point of those dimensions with its reduction dimensions whole;
    - a vector read whose only use is a write of the same shape (a row
      copied through registers) becomes a `linalg.copy` of the two
      windows, spread over the threads like any linalg op; any other write
      in a block (a scalar or vector store) is done by one thread (a thread
      loop of one iteration);
    - every thread loop is followed by a `gpu.barrier`, and preceded by one
      where the block reads memory outside thread loops (so that no thread
      overwrites what another has not read yet); scalar code between
      thread loops runs in every thread, on values all threads agree on;
    - a linalg op outside every `scf.forall` (a fill or a copy of a whole
      result) becomes its own grid: ceil(n / block-size) blocks of
      block-size threads over its n parallel points.

    Memory read or written by scalar code outside every `scf.forall` (host
    code) is an error: on a GPU it is device memory.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "threads per block">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::affine::AffineDialect",
                           "mlir::scf::SCFDialect", "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect"];
}

def MixerMapOwnedLoops : Pass<"mixer-map-owned-loops", "mlir::ModuleOp"> {
  let summary = "Run a work item's sequential loops per thread where each thread owns its columns";
  let description = [{
    Runs before `mixer-map-to-gpu`, on the bufferized program. A
    sequential loop in a work item (a scan's steps) whose body holds only
    linalg ops and pure ops is run by each thread for its own columns when
    every op can own one of its parallel dimensions (its extent the same
    for all) such that every access to a buffer the loop writes places
    that dimension at the same place of the buffer (the same buffer
    dimension and offsets, through its views): then no thread reads what
    another writes, and the steps need no barrier. The loop becomes an
    `scf.forall` over min(extent, `block-size`) threads
    (`#gpu.thread<linear_dim_0>`), each running the loop for columns t,
    t + block-size, ..., every op replaced by its tile at the column with
    its other dimensions whole (a GLA scan's state update runs its whole
    key column). Buffers the loop only reads may be read by any thread, by
    the ops or by scalar loads. A step's temporary no column owns
    (overwritten by one op first in the step, read only after it, unused
    after the loop, reading nothing the owned ops write) is computed whole
    by every thread into its own copy (`memref.alloca`).
    HGRN's channels, a GLA scan's value columns: a hand-written GPU scan's
    structure, which `mixer-map-to-gpu` would otherwise give a barrier per
    op per step.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "threads per block">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def MixerPackBlockBuffers : Pass<"mixer-pack-block-buffers", "mlir::ModuleOp"> {
  let summary = "Give every buffer of a block a fixed place in the block's shared or spill arena";
  let description = [{
    Runs on the blocks of the mapped program, or on the work items
    `mixer-map-to-gpu` makes blocks of (outermost `scf.forall` ops without a
    mapping; the pipeline runs it before that pass, so that an op that
    overwrites a buffer is seen as one op). Every `memref.alloc` of a
    static shape inside a block (a tile, a state, a row) becomes a
    `memref.view` into one of two
    byte buffers the block allocates at its start: the **shared** arena,
    which the GPU lowering places in the block's shared memory, and the
    **spill** arena, placed in global memory (a slice per block of one
    buffer the host allocates). Buffers are placed in the shared arena in
    program order while they fit in `shared-memory-bytes`, the rest in the
    spill arena; each at an offset aligned to 16 bytes. Their deallocations
    are dropped (the arenas are freed at the end of the block).

    A buffer yielded by a loop or a branch, or of a dynamic shape, has no
    fixed place: it is reported as an error naming the buffer.
  }];
  let options = [
    Option<"sharedMemoryBytes", "shared-memory-bytes", "int64_t",
           /*default=*/"49152",
           "the most bytes of a block's buffers placed in shared memory">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def MixerMappedToCpu : Pass<"mixer-mapped-to-cpu", "mlir::ModuleOp"> {
  let summary = "Run a mapped program on the CPU: thread loops in sequence, blocks in parallel";
  let description = [{
    The test mode of the GPU path: every thread loop (`scf.forall` mapped to
    `#gpu.thread`) becomes an `scf.for` over its threads and every
    `gpu.barrier` is dropped; block loops lose their mapping and run as the
    CPU's parallel loops. Since the mapped program ends every thread loop
    with a barrier, running its threads one after another is one of the
    executions the GPU may make, so a wrong mapping (a thread loop that
    misses or repeats a point, a buffer placed over another) shows in the
    result.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect"];
}

def MixerMappedToGpu : Pass<"mixer-mapped-to-gpu", "mlir::ModuleOp"> {
  let summary = "Lower a mapped program's grids to gpu.launch";
  let description = [{
    Every grid of blocks of the mapped program becomes a `gpu.launch` of
    one-dimensional grid (the grid's points, linearised) and block (its
    largest thread loop): the block's indices are its block index
    delinearised, each thread loop is the thread index (guarded by the
    loop's length where it is shorter than the block) with its body
    inlined, and its barriers stay. The block's shared arena becomes the
    launch's dynamic shared memory (an error past `shared-memory-bytes`),
    viewed through generic addresses so that every buffer keeps its type;
    its spill arena becomes this block's slice of one global buffer the
    host allocates before the launch and frees after it. Every buffer left
    in host code becomes a device buffer (`gpu.alloc`, `gpu.dealloc`).
  }];
  let options = [
    Option<"sharedMemoryBytes", "shared-memory-bytes", "int64_t",
           /*default=*/"49152",
           "the most dynamic shared memory a block may use on the target">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::affine::AffineDialect",
                           "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def MixerGatherKernels : Pass<"mixer-gather-kernels", "mlir::ModuleOp"> {
  let summary = "Move every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per launch. This pass
    moves every kernel into one module, `module-name`, each named after
    the module it came from, and updates the launches: one module gives one
    PTX file and one cubin for all the kernels of a compilation.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string",
           /*default=*/"\"mixir_kernels\"", "the name of the gathered module">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def MixerExternDynamicShared
    : Pass<"mixer-extern-dynamic-shared", "mlir::gpu::GPUModuleOp"> {
  let summary = "Declare the kernels' dynamic shared memory external";
  let description = [{
    Runs after `convert-gpu-to-nvvm`, which gives
    `gpu.dynamic_shared_memory` an internal zero-length global in the shared
    address space: NVPTX prints that as a one-byte static variable, so the
    kernel asks for static shared memory besides the launch's dynamic
    bytes, and a block that uses the whole budget does not launch. Every
    zero-length shared global becomes an external declaration, PTX's
    `.extern .shared .b8 name[]`: the dynamic shared memory itself.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // MIXIR_CODEGEN_PASSES_TD
