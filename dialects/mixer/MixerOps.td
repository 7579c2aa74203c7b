//===- MixerOps.td - mixer operations ----------------------*- tablegen -*-===//
#ifndef MIXER_OPS_TD
#define MIXER_OPS_TD

include "MixerDialect.td"
include "MixerAttrs.td"
include "MixerInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Tensors of f32, f16 or bf16, each independently; every value a form
// computes (tiles, states, accumulations) is f32.
def Mixer_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;

def Mixer_SemiseparableOp : Mixer_Op<"semiseparable",
    [Pure, AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<Mixer_MixerOpInterface,
                               ["getInPlaceOperand", "getMissingFormReason",
                                "getMaxTile"]>]> {
  let summary = "Causal semiseparable mixer: linear attention, RetNet, Mamba-2, "
                "GLA, DeltaNet, Gated DeltaNet, KDA, RWKV-7";
  let description = [{
    Computes, for every batch element `b` and head `h`, a recurrence on a
    K×V state `S_t` (`S_0` the `initial_state`, zero when absent) and its
    read-out

    ```
    o_t = scale · S_tᵀ q_t
    ```

    with one of three transitions (docs/math.md, section 1):

    - diagonal (the default):
      `S_t = diag(exp(g_t)) · S_{t-1} + β_t · k_t v_tᵀ`. Equivalently
      `o = M·v` with the semiseparable matrix
      `M_ts = scale · Σ_i q_ti k_si β_s exp(Σ_{r=s+1..t} g_ri)` for `s ≤ t`:
      linear attention, RetNet, Mamba-2, GLA.
    - the delta rule (`delta_rule`):
      `S_t = (I − β_t k_t k_tᵀ) · diag(exp(g_t)) · S_{t-1} + β_t · k_t v_tᵀ`:
      DeltaNet (no gate), Gated DeltaNet (`[B, T, H]` gate), KDA
      (`[B, T, H, K]` gate). Callers keep k_t L2-normalised and 0 < β_t < 1.
    - diagonal plus low rank (`low_rank(%a, %b)`):
      `S_t = (diag(exp(g_t)) + a_t b_tᵀ) · S_{t-1} + β_t · k_t v_tᵀ`:
      RWKV-7 (a = −(a-gate ⊙ κ̂), b = κ̂).

    Operands (`[B, T, H, D]` layout; `B`, `T` may be dynamic, `H`, `K`, `V`
    must be static):
    - `q`, `k`: `[B, T, H, K]`; `v`: `[B, T, H, V]`.
    - `gate` (optional, log space, every element ≤ 0) selects the decay by
      its shape: absent: none; `[H]`: one constant decay per head (RetNet,
      `g = log γ_h`); `[B, T, H]`: one scalar per token and head (Mamba-2 /
      SSD, Gated DeltaNet); `[B, T, H, K]`: one decay per key channel (GLA,
      KDA, RWKV-7).
    - `beta` (optional) `[B, T, H]`: scales each token's write `k_t v_tᵀ`
      (Mamba-2's Δ_t; the delta rule's learning rate, which also scales its
      erase term).
    - `low_rank(a, b)` (optional) `[B, T, H, K]` each: the rank-one part
      of a diagonal-plus-low-rank transition.
    - `initial_state` (optional) `[B, H, K, V]`.

    Results: the output `[B, T, H, V]` and, when a second result type is
    given, the final state `S_T` `[B, H, K, V]` (unscaled). Every tensor may
    be f32, f16 or bf16; the state and every accumulation are f32.

    Attributes: `scale` (default `1/sqrt(K)`), `causal` (default true; the
    bidirectional variant is not supported yet), `delta_rule`, and `form`,
    the algorithm form chosen by `mixer-select-form` or pinned by the user.
    Forms: `scan`, `chunked` and, for the diagonal transition only,
    `quadratic`; chunks of a delta-rule or low-rank transition are at most
    64 tokens (the chunk's triangular solve grows with its length).

    Example (GLA with a final state):

    ```mlir
    %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0)
        {scale = 0.125 : f64}
        : (tensor<?x?x2x48xf32>, tensor<?x?x2x48xf32>, tensor<?x?x2x80xf32>,
           tensor<?x?x2x48xf32>, tensor<?x2x48x80xf32>)
        -> (tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>)
    ```

    Gated DeltaNet:

    ```mlir
    %o = mixer.semiseparable %q, %k, %v gate(%g) beta(%beta) {delta_rule}
        : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x128xf32>,
           tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x128xf32>
    ```
  }];

  let arguments = (ins
    Mixer_FloatTensor:$q,
    Mixer_FloatTensor:$k,
    Mixer_FloatTensor:$v,
    Optional<Mixer_FloatTensor>:$gate,
    Optional<Mixer_FloatTensor>:$beta,
    Optional<Mixer_FloatTensor>:$low_rank_a,
    Optional<Mixer_FloatTensor>:$low_rank_b,
    Optional<Mixer_FloatTensor>:$initial_state,
    OptionalAttr<F64Attr>:$scale,
    DefaultValuedAttr<BoolAttr, "true">:$causal,
    UnitAttr:$delta_rule,
    OptionalAttr<Mixer_FormAttr>:$form);
  let results = (outs
    Mixer_FloatTensor:$output,
    Optional<Mixer_FloatTensor>:$final_state);

  let assemblyFormat = [{
    $q `,` $k `,` $v
    (`gate` `(` $gate^ `)`)?
    (`beta` `(` $beta^ `)`)?
    (`low_rank` `(` $low_rank_a^ `,` $low_rank_b `)`)?
    (`initial_state` `(` $initial_state^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// How the gate operand is shaped, which decides the decay of A_t.
    GateKind getGateKind();
    /// Which transition A_t the op has.
    TransitionKind getTransitionKind();
    /// Static sizes H, K and V.
    int64_t getNumHeads();
    int64_t getKeyDim();
    int64_t getValueDim();
    /// The `scale` attribute, or its default 1/sqrt(K).
    double getScaleOrDefault();
  }];
}

include "AttentionOps.td"
include "RecurrenceOps.td"
include "PrefixScanOps.td"

def Mixer_NumWorkersOp : Mixer_Op<"num_workers",
    [MemoryEffects<[MemRead]>]> {
  let summary = "The number of workers that run a parallel loop, read at run time";
  let description = [{
    The number of workers the target runs an `scf.forall` on (threads on a
    CPU). Forms use it to decide at run time whether (batch, head) alone
    gives every worker a share, or whether the sequence must be split too.
    It reads run-time state (the thread count can change between calls), so
    it is not hoisted or folded. On the CPU, `mixer-lower-to-runtime`
    replaces it by a call of the runtime's `mixir_rt_num_workers`.

    ```mlir
    %w = mixer.num_workers
    ```
  }];
  let results = (outs Index:$result);
  let assemblyFormat = "attr-dict";
}

#endif // MIXER_OPS_TD
