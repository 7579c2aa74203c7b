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
                               ["getInPlaceOperand"]>]> {
  let summary = "Causal semiseparable mixer: linear attention, RetNet, Mamba-2, GLA";
  let description = [{
    Computes, for every batch element `b` and head `h`, the recurrence

    ```
    S_t = diag(exp(g_t)) · S_{t-1} + β_t · k_t v_tᵀ        (S_t is K×V)
    o_t = scale · S_tᵀ q_t
    ```

    with `S_0` the `initial_state` (zero when absent). Equivalently
    `o = M·v` with the semiseparable matrix
    `M_ts = scale · Σ_i q_ti k_si β_s exp(Σ_{r=s+1..t} g_ri)` for `s ≤ t`.

    Operands (`[B, T, H, D]` layout; `B`, `T` may be dynamic, `H`, `K`, `V`
    must be static):
    - `q`, `k`: `[B, T, H, K]`; `v`: `[B, T, H, V]`.
    - `gate` (optional, log space, every element ≤ 0) selects the member by its
      shape: absent: linear attention (A_t = I); `[H]`: one constant decay per
      head (RetNet, `g = log γ_h`); `[B, T, H]`: one scalar per token and head
      (Mamba-2 / SSD, simple GLA); `[B, T, H, K]`: one decay per key channel
      (GLA, GateLoop, HGRN-2).
    - `beta` (optional) `[B, T, H]`: scales each token's write `k_t v_tᵀ`
      (Mamba-2's Δ_t).
    - `initial_state` (optional) `[B, H, K, V]`.

    Results: the output `[B, T, H, V]` and, when a second result type is
    given, the final state `S_T` `[B, H, K, V]` (unscaled).

    Attributes: `scale` (default `1/sqrt(K)`), `causal` (default true; the
    bidirectional variant is not supported yet), and `form`, the algorithm
    form chosen by `mixer-select-form` or pinned by the user.

    Example (GLA with a final state):

    ```mlir
    %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0)
        {scale = 0.125 : f64}
        : (tensor<?x?x2x48xf32>, tensor<?x?x2x48xf32>, tensor<?x?x2x80xf32>,
           tensor<?x?x2x48xf32>, tensor<?x2x48x80xf32>)
        -> (tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>)
    ```
  }];

  let arguments = (ins
    Mixer_FloatTensor:$q,
    Mixer_FloatTensor:$k,
    Mixer_FloatTensor:$v,
    Optional<Mixer_FloatTensor>:$gate,
    Optional<Mixer_FloatTensor>:$beta,
    Optional<Mixer_FloatTensor>:$initial_state,
    OptionalAttr<F64Attr>:$scale,
    DefaultValuedAttr<BoolAttr, "true">:$causal,
    OptionalAttr<Mixer_FormAttr>:$form);
  let results = (outs
    Mixer_FloatTensor:$output,
    Optional<Mixer_FloatTensor>:$final_state);

  let assemblyFormat = [{
    $q `,` $k `,` $v
    (`gate` `(` $gate^ `)`)?
    (`beta` `(` $beta^ `)`)?
    (`initial_state` `(` $initial_state^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// How the gate operand is shaped, which decides the decay of A_t.
    GateKind getGateKind();
    /// Static sizes H, K and V.
    int64_t getNumHeads();
    int64_t getKeyDim();
    int64_t getValueDim();
    /// The `scale` attribute, or its default 1/sqrt(K).
    double getScaleOrDefault();
  }];
}

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
