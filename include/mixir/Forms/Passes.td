//===- Passes.td - passes of the structure classes ---------*- tablegen -*-===//
#ifndef MIXIR_FORMS_PASSES_TD
#define MIXIR_FORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MixerPrintBlockMask : Pass<"mixer-print-block-mask", "mlir::ModuleOp"> {
  let summary = "Print which blocks of each attention's mask are empty, full or partial";
  let description = [{
    For every `mixer.attention`, prints the classification of its (query
    block, key block) pairs that the flash form iterates by, for the given
    lengths and block size, at batch 0 and query head `head`
    (docs/math.md, section 2.3): one row of characters per query block,
    `#` full (the mask is not evaluated), `/` partial (it is), `.` empty
    (skipped), `?` decided at run time from per-block summaries of the data
    the mask reads. With `check`, the mask is also evaluated (by folding)
    at every (query, key) pair, and a block whose keys disagree with its
    class is an error. The module is left unchanged.
  }];
  let options = [
    Option<"queryLength", "q-len", "int64_t", /*default=*/"512",
           "query length Tq">,
    Option<"keyLength", "kv-len", "int64_t", /*default=*/"0",
           "key length Tk (0: Tq)">,
    Option<"block", "block", "int64_t", /*default=*/"64",
           "query and key block size">,
    Option<"head", "head", "int64_t", /*default=*/"0", "query head">,
    Option<"check", "check", "bool", /*default=*/"false",
           "check every block's class against the mask at each pair">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif // MIXIR_FORMS_PASSES_TD
