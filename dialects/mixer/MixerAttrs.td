//===- MixerAttrs.td - mixer attributes --------------------*- tablegen -*-===//
#ifndef MIXER_ATTRS_TD
#define MIXER_ATTRS_TD

include "MixerDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Mixer_FormAttr : AttrDef<Mixer_Dialect, "Form"> {
  let mnemonic = "form";
  let summary = "The algorithm form that computes a mixer, and its tile size";
  let description = [{
    `#mixer.form<NAME>` or `#mixer.form<NAME, tile = N>` names one of the
    forms the op has (its `MixerOpInterface::getForms()`: for
    `mixer.semiseparable` with a diagonal transition `scan`, `chunked` and
    `quadratic`). The set of names is open: each op says which forms it
    has, and its verifier rejects another. `scan`, every op's sequential
    form, takes no tile. `tile` is the chunk or block length of a tiled
    form; `tile = 0` (the default, not printed) lets the lowering use the
    cost model's size.
  }];
  let parameters = (ins
    StringRefParameter<"the form's name">:$kind,
    DefaultValuedParameter<"int64_t", "0">:$tile);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // MIXER_ATTRS_TD
