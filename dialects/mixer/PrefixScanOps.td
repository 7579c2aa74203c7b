//===- PrefixScanOps.td - a scan with an associative combine -*- tablegen -*-===//
#ifndef MIXER_PREFIX_SCAN_OPS_TD
#define MIXER_PREFIX_SCAN_OPS_TD

include "MixerDialect.td"
include "MixerAttrs.td"
include "MixerInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Mixer_PrefixScanOp : Mixer_Op<"prefix_scan",
    [Pure, AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<Mixer_MixerOpInterface,
                               ["getMissingFormReason"]>]> {
  let summary = "A prefix scan with an associative combine: h_t = h_{t-1} ⊕ e(x_t)";
  let description = [{
    For every batch element `b` (docs/math.md, section 4.5):

    ```
    e_t = element(x_t)
    h_t = h_{t-1} ⊕ e_t = h_0 ⊕ e_1 ⊕ … ⊕ e_t      h_0 = init
    y_t = read(h_t, x_t)
    ```

    where `⊕` is the `combine` region, which must be associative (the op
    trusts it: the parallel form regroups the terms). A state is the N
    tensors the `init` operands give one batch element of (`[B, s...]` each,
    static `s...`).

    Regions, each ending with `mixer.yield`, on f32 tensors:
    - `element`: one step of each input (`[B, T, d...]` gives a
      `tensor<d... x f32>` argument) to the step's element, N tensors of the
      state's types;
    - `combine`: two states (the N tensors of the left one, then those of
      the right one) to their combination;
    - `read`: the new state then one step of each input to the step's
      outputs; the results are the outputs `[B, T, e...]`.

    `mixer-raise-recurrences` produces it from a `mixer.recurrence` whose
    update is a softmax-weighted running sum (Aaren's attention as an RNN):
    a running maximum `m' = max(m, s)` and sums rescaled to it,
    `u' = u · exp(m − m') + g · exp(s − m')`. Forms: `scan` (the steps in
    order, parallel over the batch) and `parallel_scan` (the sequence cut
    into one chunk per idle worker: each chunk's combination, a scan of
    the chunk carries, then each chunk's scan from its carry).

    ```mlir
    %o = mixer.prefix_scan(%s, %v) init(%m0, %u0)
    element {
    ^bb0(%st: tensor<4xf32>, %vt: tensor<4xf32>):
      mixer.yield %st, %vt : tensor<4xf32>, tensor<4xf32>
    } combine {
    ^bb0(%ma: tensor<4xf32>, %ua: tensor<4xf32>,
         %mb: tensor<4xf32>, %ub: tensor<4xf32>):
      %m = arith.maximumf %ma, %mb : tensor<4xf32>
      ...
      mixer.yield %m, %u : tensor<4xf32>, tensor<4xf32>
    } read {
    ^bb0(%m: tensor<4xf32>, %u: tensor<4xf32>, %st: tensor<4xf32>,
         %vt: tensor<4xf32>):
      mixer.yield %u : tensor<4xf32>
    } : (tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x4xf32>,
         tensor<?x4xf32>) -> tensor<?x?x4xf32>
    ```
  }];

  let arguments = (ins
    Variadic<Mixer_FloatTensor>:$inputs,
    Variadic<Mixer_FloatTensor>:$inits,
    OptionalAttr<Mixer_FormAttr>:$form);
  let results = (outs Variadic<Mixer_FloatTensor>:$outputs);
  let regions = (region SizedRegion<1>:$element, SizedRegion<1>:$combine,
                        SizedRegion<1>:$read);

  let assemblyFormat = [{
    `(` $inputs `)` `init` `(` $inits `)`
    `element` $element `combine` $combine `read` $read
    attr-dict `:` functional-type(operands, results)
  }];
  let hasRegionVerifier = 1;

  let extraClassDeclaration = [{
    /// The number of tensors of a state.
    unsigned getNumStates() { return getInits().size(); }
  }];
}

#endif // MIXER_PREFIX_SCAN_OPS_TD
