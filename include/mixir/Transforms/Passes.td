//===- Passes.td - mixer transformation passes -------------*- tablegen -*-===//
#ifndef MIXIR_TRANSFORMS_PASSES_TD
#define MIXIR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MixerRaiseRecurrences : Pass<"mixer-raise-recurrences", "mlir::ModuleOp"> {
  let summary = "Replace recurrences of a known structure by structured mixers";
  let description = [{
    Analyses every `mixer.recurrence` body by how each value depends on the
    states (independent, element-wise affine in one state, or other:
    docs/math.md, section 4.2), not by matching op sequences. An
    element-wise `linalg.generic` that reads a state-dependent value through
    the identity is first rewritten as the tensor ops of its body. When every new
    state is `α ⊙ h + β` in its own state, with α and β computed from the
    step's inputs by element-wise ops, and every output is a new state, the
    op becomes one `mixer.diagonal_recurrence` per state: α and β are
    computed before it by one element-wise `linalg.generic` over
    `[B, T, d...]` (α as its log, `log_decay`, when it is an `exp`), which
    the diagonal forms read through. A form pinned on the recurrence moves
    to the new op. A recurrence on one [heads, key, value] state updated as
    `S' = diag(α) S + k vᵀ` (α per key channel, β a product whose factors
    each depend on the key or the value) and read out by a contraction over
    the key, `o = Sᵀ q (+ r)`, becomes `mixer.semiseparable` (math.md,
    section 4.2); so does one updated by the delta rule, its prediction
    `c = (α ⊙ S)ᵀ k` (the one other contraction of the state over the key)
    taken as a symbol and the update proven `α ⊙ S + β k (v − c)ᵀ`, which
    becomes `mixer.semiseparable {delta_rule}`. A recurrence whose states are running maxima
    `m' = max(m, s)` and sums rescaled to them,
    `u' = u·exp(m − m') + g·exp(s − m')` (Aaren), with outputs computed from
    the new states and unused final states, becomes `mixer.prefix_scan`
    with the associative combine of such states (math.md, section 4.5).
    Anything else stays a recurrence.

    With `remarks`, every recurrence gets a remark saying what was found:
    "raised to mixer.diagonal_recurrence: ...", "raised to
    mixer.semiseparable: ...", "raised to mixer.prefix_scan: ..." or
    "kept as a recurrence:
    'OP' at LOC: WHY" naming the operation that blocks raising.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"true",
           "report what each recurrence was found to be">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::math::MathDialect",
                           "mlir::tensor::TensorDialect"];
}

def MixerFuseRecurrenceSteps : Pass<"mixer-fuse-recurrence-steps", "mlir::ModuleOp"> {
  let summary = "Fuse the element-wise ops of each recurrence step and update its states in place";
  let description = [{
    Inside the loops over the steps that the scan form of `mixer.recurrence`
    builds (`scf.for` marked `mixer.recurrence_step`), fuses every
    element-wise `linalg.generic` into the generics that consume it in the
    same step (upstream linalg element-wise fusion; a result that is also
    used elsewhere, such as a new state the step yields, stays a result of
    the fused op). Mamba-1's step (exp(δA), δBx, their combination with h
    and the read-out over the states) becomes one state sweep. Then, where
    the op that computes a new state reads the old state at the indices it
    writes the new one and nothing else in the step reads the old state,
    the old state becomes that output's initial value (read in place), so
    that a step allocates and copies no state tile. Ops outside step loops
    are left alone.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def MixerSelectForm : Pass<"mixer-select-form", "mlir::ModuleOp"> {
  let summary = "Choose the algorithm form of every mixer";
  let description = [{
    Sets the `form` attribute of every mixer op (MixerOpInterface) that has
    none. A pinned `form` option is honoured for every op, and is an error
    on an op that does not have that form (the message lists the forms it
    has). `form=auto` asks the cost model: every form the op has is costed
    by its structure class (MixerFormInterface). When the choice depends on
    a dynamic length T, the op is versioned: an `scf.if` chain on T selects
    one copy of the op per length range, each with its form. Ops whose
    `form` was set by the user keep it.

    `target=gpu` records `mixer.target = "gpu"` on the module: the form
    builders then leave out what only serves a CPU (the scan's and chunked
    form's groups of heads, which share a CPU's memory pages).
  }];
  let options = [
    Option<"form", "form", "std::string", /*default=*/"\"auto\"",
           "auto, or the name of a form the ops have (scan, chunked, ...)">,
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "the kind of target the forms are built for: cpu or gpu">,
    Option<"chunkSize", "chunk-size", "int64_t", /*default=*/"0",
           "chunk (or block) length of a tiled form; 0 lets the cost model choose">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def MixerLowerForms : Pass<"mixer-lower-forms", "mlir::ModuleOp"> {
  let summary = "Lower every mixer op to the loops of its form";
  let description = [{
    A dialect conversion in which every op implementing MixerOpInterface is
    illegal. Each is replaced by its structure class's lowering of the form
    recorded in its `form` attribute (MixerFormInterface::lowerForm): an
    `scf.forall` over independent (batch, head) work with loops over static
    tiles inside, on tensors (`scf`, `linalg`, `tensor`, `arith`, `math`,
    and `mixer.num_workers` for decisions taken at run time). An op without
    a form, or whose lowering fails, is an error.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect"];
}

def MixerSinkDestinations : Pass<"mixer-sink-destinations"> {
  let summary = "Write results into their destination inside each branch of a form dispatch";
  let description = [{
    A form dispatch (`mixer-select-form` on a dynamic T, the chunked form's
    run-time choice to split the sequence) is an `scf.if` whose branches
    each build a result in their own `tensor.empty`. When that result is
    then written to a buffer with `bufferization.materialize_in_destination`
    (the C ABI's out-parameters), upstream empty-tensor elimination makes
    only one branch write the buffer directly; the others would fill a
    temporary and copy it. This pass moves the `materialize_in_destination`
    of an `scf.if` result into every branch (recursively through nested
    dispatches), so that each branch's `tensor.empty` becomes the caller's
    buffer.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def MixerCopyToLinalg : Pass<"mixer-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy so that it lowers to loops";
  let description = [{
    Bufferization copies buffers with `memref.copy`, which the LLVM lowering
    turns into a call to a support library (`memrefCopy`) whenever a layout
    is strided. Kernels compiled by mixir link against nothing but their own
    runtime, so every copy becomes a `linalg.copy` and then plain loops.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def MixerApproximateMath : Pass<"mixer-approximate-math"> {
  let summary = "Replace math.exp, exp2, expm1, log, log1p and tanh by polynomial approximations that vectorise";
  let description = [{
    `math.exp` otherwise becomes a call to libm's `expf`, one element at a
    time, which dominates the per-channel decays of the chunked and
    quadratic forms (and `math.tanh` and `math.exp2`, the soft cap and ALiBi
    slopes of an attention's score_mod, calls of `tanhf` and `exp2f`). The
    upstream polynomial approximations (range reduction plus a polynomial,
    within a few ulp of f32; exp2(x) as exp(x·ln 2)) are plain arithmetic
    that the loop vectoriser turns into SIMD code. `math.expm1` on f32 is
    its degree-8 Taylor polynomial where |x| < 1/2 (within about 2 ulp)
    and exp(x) − 1 elsewhere, without upstream's division by log(exp(x)).
    Other element types keep the upstream approximations.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
}

def MixerVectorizeContractions : Pass<"mixer-vectorize-contractions"> {
  let summary = "Register-tile matmul-shaped linalg.generic ops into vector FMAs (CPU)";
  let description = [{
    Rewrites a `linalg.generic` on static tensors that computes
    `acc[m, n] += a[m, k] * b[k, n]` (any order of a's indices; b and acc
    contiguous in n) into loops over `rows`×`cols` tiles of the accumulator.
    Each tile is held in `rows` vector registers across the whole reduction:
    per step one vector load of b, `rows` broadcasts of a and `rows` vector
    FMAs, on f32 tensors. A matrix-vector product `y[m] += a[m, k] * x[k]`
    (a `linalg.matvec` or the same generic; a contiguous in k, as a
    recurrence's U·h is) becomes `rows` vector accumulators of up to `cols`
    lanes over k, one per row, each reduced once at the end: independent
    FMA chains instead of one scalar chain per row. A state sweep, the scan
    form's pass over one token's K×V state (iterators `(reduction i,
    parallel j)`; operands indexed by i, by j as their last index, or by
    exactly (i, j); outputs by (i, j), the new state, or by j, a sum over
    i such as `o = Sᵀ q`; any element-wise body on f32), becomes blocks of
    `2·cols` columns (or the widest multiple of 8 that divides V), each a
    loop over i whose sums over i are vectors carried in registers, the
    operands indexed by j read once per block and those indexed by i
    broadcast. Other generics are left
    alone. This is the CPU's tiling of the
    target-neutral forms; a GPU mapping would tile the same generics for
    blocks and threads instead.
  }];
  let options = [
    Option<"rows", "rows", "int64_t", /*default=*/"4",
           "accumulator rows held in registers">,
    Option<"cols", "cols", "int64_t", /*default=*/"16",
           "accumulator columns (a multiple of the vector width)">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect"];
}

#endif // MIXIR_TRANSFORMS_PASSES_TD
