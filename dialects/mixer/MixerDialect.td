//===- MixerDialect.td - the mixer dialect -----------------*- tablegen -*-===//
#ifndef MIXER_DIALECT_TD
#define MIXER_DIALECT_TD

include "mlir/IR/OpBase.td"

def Mixer_Dialect : Dialect {
  let name = "mixer";
  let cppNamespace = "::mixir::mixer";
  let summary = "Sequence mixers as structured matrices applied along the sequence";
  let description = [{
    Every op of the `mixer` dialect states *what* T×T matrix M mixes the sequence
    of a batch of multi-head feature tensors (layout `[B, T, H, D]`), never *how*:
    the algorithm form (scan, chunked, quadratic, ...) is chosen later by
    `mixer-select-form` and recorded in a `#mixer.form` attribute, which a user
    may also pin. The ops have tensor semantics; batch `B` and length `T` may be
    dynamic, heads and feature sizes are static.

    The math of every op is in docs/math.md.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Mixer_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mixer_Dialect, mnemonic, traits>;

#endif // MIXER_DIALECT_TD
