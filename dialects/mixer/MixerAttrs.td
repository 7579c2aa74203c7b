//===- MixerAttrs.td - mixer attributes --------------------*- tablegen -*-===//
#ifndef MIXER_ATTRS_TD
#define MIXER_ATTRS_TD

include "MixerDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Mixer_FormKind : I32EnumAttr<"FormKind", "algorithm form of a mixer", [
    I32EnumAttrCase<"scan", 0>,
    I32EnumAttrCase<"chunked", 1>,
    I32EnumAttrCase<"quadratic", 2>
  ]> {
  let cppNamespace = "::mixir::mixer";
  let genSpecializedAttr = 0;
}

def Mixer_FormAttr : AttrDef<Mixer_Dialect, "Form"> {
  let mnemonic = "form";
  let summary = "The algorithm form that computes a mixer, and its tile size";
  let description = [{
    `#mixer.form<scan>` runs the recurrence token by token;
    `#mixer.form<chunked, tile = 64>` splits the sequence into chunks of `tile`
    tokens (quadratic inside a chunk, state passed between chunks);
    `#mixer.form<quadratic, tile = 64>` materialises the masked matrix M one
    `tile`×`tile` block at a time. `tile = 0` (the default, not printed) lets
    the lowering use the cost model's size.
  }];
  let parameters = (ins
    EnumParameter<Mixer_FormKind>:$kind,
    DefaultValuedParameter<"int64_t", "0">:$tile);
  let assemblyFormat = "`<` $kind (`,` `tile` `=` $tile^)? `>`";
  let genVerifyDecl = 1;
}

#endif // MIXER_ATTRS_TD
