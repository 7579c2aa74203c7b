//===- RecurrenceOps.td - a recurrence written step by step -*- tablegen -*-===//
#ifndef MIXER_RECURRENCE_OPS_TD
#define MIXER_RECURRENCE_OPS_TD

include "MixerDialect.td"
include "MixerAttrs.td"
include "MixerInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Mixer_RecurrenceOp : Mixer_Op<"recurrence",
    [Pure, AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<Mixer_MixerOpInterface,
                               ["getMissingFormReason"]>]> {
  let summary = "A recurrence written as one step: h_t = f(h_{t-1}, x_t)";
  let description = [{
    For every batch element `b`, runs the body once per step `t` in order
    (docs/math.md, section 3):

    ```
    (h_t, y_t) = body(h_{t-1}, x_t)        h_0 = init (zero when absent)
    ```

    The body's arguments are the N states (`h_{t-1}`) followed by one step
    of each input (`x_t`): an input `[B, T, d...]` gives a
    `tensor<d... x f32>` argument (0-d for `[B, T]`). It ends with
    `mixer.yield` of the N new states followed by the step's outputs, all
    f32 tensors of static shape. The results are the outputs `[B, T, e...]`
    (one per yielded output) followed by the final states `[B, s...]`.
    Inputs, initial states and results may be f32, f16 or bf16; the body
    computes in f32. The body holds side-effect-free ops (arith and math
    on tensors, linalg, tensor; no mixer op) and may use values defined
    above the op (weights such as an LSTM's U). Every operand and result
    shares B, every input and output T.

    Example (HGRN: h_t = f_t ⊙ h_{t−1} + (1 − f_t) ⊙ i_t, o_t = h_t):

    ```mlir
    %o, %hT = mixer.recurrence(%i, %f) {
    ^bb0(%h: tensor<512xf32>, %it: tensor<512xf32>, %ft: tensor<512xf32>):
      %one = arith.constant dense<1.0> : tensor<512xf32>
      %keep = arith.mulf %ft, %h : tensor<512xf32>
      %rest = arith.subf %one, %ft : tensor<512xf32>
      %new = arith.mulf %rest, %it : tensor<512xf32>
      %hn = arith.addf %keep, %new : tensor<512xf32>
      mixer.yield %hn, %hn : tensor<512xf32>, tensor<512xf32>
    } : (tensor<?x?x512xf32>, tensor<?x?x512xf32>)
      -> (tensor<?x?x512xf32>, tensor<?x512xf32>)
    ```

    Its form is `scan`: the steps in order, parallel over the batch.
  }];

  let arguments = (ins
    Variadic<Mixer_FloatTensor>:$inputs,
    Variadic<Mixer_FloatTensor>:$inits,
    OptionalAttr<Mixer_FormAttr>:$form);
  let results = (outs Variadic<Mixer_FloatTensor>:$results);
  let regions = (region SizedRegion<1>:$body);

  let assemblyFormat = [{
    `(` $inputs `)` (`init` `(` $inits^ `)`)?
    $body attr-dict `:` functional-type(operands, results)
  }];
  let hasRegionVerifier = 1;

  let extraClassDeclaration = [{
    /// The number of states: the body's arguments beyond one per input.
    unsigned getNumStates();
    /// The number of outputs: the yielded values beyond the states.
    unsigned getNumOutputs();
    /// The body's terminator.
    ::mlir::Operation *getYield();
  }];
}

#endif // MIXER_RECURRENCE_OPS_TD
