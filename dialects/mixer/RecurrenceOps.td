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

    Its form is `scan`: the steps in order, parallel over the batch and
    over tiles of a channel dimension that the body never combines
    (docs/math.md, section 3.1).
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

def Mixer_DiagonalRecurrenceOp : Mixer_Op<"diagonal_recurrence",
    [Pure,
     DeclareOpInterfaceMethods<Mixer_MixerOpInterface,
                               ["getInPlaceOperand"]>]> {
  let summary = "An element-wise linear recurrence: h_t = a_t ⊙ h_{t-1} + b_t";
  let description = [{
    For every batch element and every channel independently (docs/math.md,
    section 4):

    ```
    h_t = a_t ⊙ h_{t-1} + b_t        h_0 = init (zero when absent)
    ```

    Operands:
    - `decay` (`a`): `[B, T, d...]`, one factor per step and channel, or
      `[d...]`, one factor per channel for every step (LRU's λ). With
      `log_decay` it holds `log a` (every element ≤ 0 for a decaying
      recurrence), and every decay the forms build is `exp` of a sum of
      these logs, an exponent ≤ 0.
    - `input` (`b`): `[B, T, d...]`; the channel dimensions `d...` are
      static.
    - `init` (optional): `[B, d...]`.

    Results: `h` `[B, T, d...]` and, when a second result type is given,
    the final state `h_T` `[B, d...]`. Every tensor may be f32, f16 or
    bf16; the state and the arithmetic are f32.

    `mixer-raise-recurrences` produces this op from a `mixer.recurrence`
    whose new state is element-wise affine in the state. Forms: `scan`
    (the steps in order, parallel over the batch and tiles of channels)
    and `parallel_scan` (the sequence cut into one chunk per idle worker:
    chunk-local reductions, a scan of the chunk carries, then each chunk's
    scan from its carry).

    ```mlir
    %h, %hT = mixer.diagonal_recurrence %loga, %x init(%h0) {log_decay}
        : (tensor<?x?x512xf32>, tensor<?x?x512xf32>, tensor<?x512xf32>)
        -> (tensor<?x?x512xf32>, tensor<?x512xf32>)
    ```
  }];

  let arguments = (ins
    Mixer_FloatTensor:$decay,
    Mixer_FloatTensor:$input,
    Optional<Mixer_FloatTensor>:$init,
    UnitAttr:$log_decay,
    OptionalAttr<Mixer_FormAttr>:$form);
  let results = (outs
    Mixer_FloatTensor:$output,
    Optional<Mixer_FloatTensor>:$final_state);

  let assemblyFormat = [{
    $decay `,` $input (`init` `(` $init^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// Whether the decay is one factor per step ([B, T, d...]) rather than
    /// one per channel ([d...]).
    bool hasDecayPerStep();
    /// The static channel sizes d....
    ::llvm::ArrayRef<int64_t> getChannelShape();
  }];
}

def Mixer_ComplexDiagonalRecurrenceOp
    : Mixer_Op<"complex_diagonal_recurrence",
               [Pure,
                DeclareOpInterfaceMethods<Mixer_MixerOpInterface,
                                          ["getInPlaceOperand"]>]> {
  let summary = "A complex element-wise linear recurrence: h_t = λ_t ⊙ h_{t-1} + b_t";
  let description = [{
    The diagonal recurrence of `mixer.diagonal_recurrence` over complex
    numbers, each held as its real and imaginary parts (docs/math.md,
    section 4.4):

    ```
    h_t = λ_t ⊙ h_{t-1} + b_t        h_0 = init (zero when absent)
    re h_t = re λ · re h − im λ · im h + re b
    im h_t = re λ · im h + im λ · re h + im b
    ```

    Operands: `decay_re`, `decay_im` (λ): `[B, T, d...]` or `[d...]` (one
    λ per channel for every step, LRU's); `input_re`, `input_im` (b):
    `[B, T, d...]` with static channels; `init` (optional): the real and
    imaginary parts of h_0, `[B, d...]` each. Results: the real and
    imaginary parts of h, `[B, T, d...]`, then, when two more result types
    are given, those of h_T, `[B, d...]`. Tensors may be f32, f16 or bf16;
    the arithmetic is f32.

    `mixer-raise-recurrences` produces this op from a `mixer.recurrence`
    whose two states are coupled as a complex number's parts. Forms: `scan`
    and `parallel_scan`, as for `mixer.diagonal_recurrence` (the chunk
    decays are complex products).

    ```mlir
    %hr, %hi = mixer.complex_diagonal_recurrence %lr, %li, %br, %bi
        : (tensor<128xf32>, tensor<128xf32>, tensor<?x?x128xf32>,
           tensor<?x?x128xf32>) -> (tensor<?x?x128xf32>, tensor<?x?x128xf32>)
    ```
  }];

  let arguments = (ins
    Mixer_FloatTensor:$decay_re,
    Mixer_FloatTensor:$decay_im,
    Mixer_FloatTensor:$input_re,
    Mixer_FloatTensor:$input_im,
    Variadic<Mixer_FloatTensor>:$init,
    OptionalAttr<Mixer_FormAttr>:$form);
  let results = (outs Variadic<Mixer_FloatTensor>:$results);

  let assemblyFormat = [{
    $decay_re `,` $decay_im `,` $input_re `,` $input_im
    (`init` `(` $init^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// Whether λ is one per step ([B, T, d...]) rather than one per channel.
    bool hasDecayPerStep();
    /// The static channel sizes d....
    ::llvm::ArrayRef<int64_t> getChannelShape();
    /// Whether the final state's parts are results.
    bool hasFinalState() { return getResults().size() == 4; }
  }];
}

#endif // MIXER_RECURRENCE_OPS_TD
