//===- AttentionOps.td - softmax attention -----------------*- tablegen -*-===//
#ifndef MIXER_ATTENTION_OPS_TD
#define MIXER_ATTENTION_OPS_TD

include "MixerDialect.td"
include "MixerAttrs.td"
include "MixerInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Mixer_AttentionOp : Mixer_Op<"attention",
    [Pure,
     DeclareOpInterfaceMethods<Mixer_MixerOpInterface,
                               ["getMissingFormReason"]>]> {
  let summary = "Softmax attention with a mask and a score modification";
  let description = [{
    For every batch element `b` and query head `h` (docs/math.md, section 2):

    ```
    s_ts = score_mod(scale · q_t · k_s, b, h, t, s)
    o_t  = Σ_{s : mask_mod(b, h, t, s)} softmax_s(s_ts) · v_s
    ```

    with `k` and `v` read from kv head `⌊h / (Hq / Hkv)⌋` (grouped-query
    and multi-query attention). A row whose every key is masked out gives
    `o_t = 0` (and a log-sum-exp of −inf), never NaN.

    Operands (`B`, `Tq`, `Tk` may be dynamic; heads and features static):
    - `q`: `[B, Tq, Hq, K]`; `k`: `[B, Tk, Hkv, K]`; `v`: `[B, Tk, Hkv, V]`;
      `Hkv` divides `Hq`.

    - `forget` (optional): `[B, T, Hq]`, the log forget gate f ≤ 0 of the
      Forgetting Transformer, for self-attention (`Tq = Tk = T`): the logit
      of key `s` for query `t` gains `Σ_{r=s+1..t} f_r` (0 where `s ≥ t`),
      added after `score_mod`. The forms form the sum from block-local
      cumulative sums (docs/math.md, section 2.4).

    Regions, both optional, may read tensors defined above them with
    `tensor.extract`, indexed by their arguments (per-head slopes,
    per-token document ids or gates):
    - `mask_mod(%b, %h, %q_idx, %kv_idx : index) -> i1`: whether key
      `kv_idx` is visible to query `q_idx`; all keys when absent. Causal
      attention is the mask `kv_idx ≤ q_idx`.
    - `score_mod(%score : f32, %b, %h, %q_idx, %kv_idx : index) -> f32`: the
      logit, used as is; `%score` is `scale · q · k`.
    Indices count from 0 in their own sequences; `%h` is the query head.
    A region holds `arith` and `math` ops, `tensor.extract` and
    `mixer.yield`.

    Results: the output `[B, Tq, Hq, V]` and, when a second result type is
    given, the row log-sum-exp `[B, Tq, Hq]` (f32). Every tensor may be
    f32, f16 or bf16; the softmax and every accumulation are f32.

    Example (causal grouped-query attention):

    ```mlir
    %o = mixer.attention %q, %k, %v
        mask_mod {
        ^bb0(%b: index, %h: index, %t: index, %s: index):
          %m = arith.cmpi ule, %s, %t : index
          mixer.yield %m : i1
        }
        : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
        -> tensor<?x?x8x64xf32>
    ```
  }];

  let arguments = (ins
    Mixer_FloatTensor:$q,
    Mixer_FloatTensor:$k,
    Mixer_FloatTensor:$v,
    Optional<Mixer_FloatTensor>:$forget,
    OptionalAttr<F64Attr>:$scale,
    OptionalAttr<Mixer_FormAttr>:$form);
  let results = (outs
    Mixer_FloatTensor:$output,
    Optional<RankedTensorOf<[F32]>>:$lse);
  // An empty region is an absent mod.
  let regions = (region AnyRegion:$mask_mod, AnyRegion:$score_mod);

  let assemblyFormat = [{
    $q `,` $k `,` $v
    (`forget` $forget^)?
    (`mask_mod` $mask_mod^)?
    (`score_mod` $score_mod^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;

  let extraClassDeclaration = [{
    /// Static sizes.
    int64_t getNumQueryHeads();
    int64_t getNumKvHeads();
    int64_t getKeyDim();
    int64_t getValueDim();
    /// The `scale` attribute, or its default 1/sqrt(K).
    double getScaleOrDefault();
  }];
}

def Mixer_YieldOp : Mixer_Op<"yield",
    [Pure, Terminator, ReturnLike,
     ParentOneOf<["AttentionOp", "RecurrenceOp", "PrefixScanOp"]>]> {
  let summary = "The value of a mixer op's region";
  let description = [{
    Ends a `mask_mod` (an `i1`) or `score_mod` (an `f32`) region of
    `mixer.attention`, the body of `mixer.recurrence` (its new states, then
    the step's outputs), or a region of `mixer.prefix_scan`.
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // MIXER_ATTENTION_OPS_TD
