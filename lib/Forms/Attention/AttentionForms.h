//===- AttentionForms.h - the forms of mixer.attention -----------*- C++ -*-===//
//
//   flash   FlashForm.cpp   per (batch, kv head) and query block, every
//                           key block streamed with an online softmax
//   decode  DecodeForm.cpp  the key blocks split across workers, partial
//                           softmaxes merged (a few queries, many keys)
// KeyBlocks.cpp holds what both stream.
// FormModel.cpp attaches them (and their cost) to the op as its
// MixerFormInterface.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_ATTENTION_ATTENTIONFORMS_H
#define MIXIR_LIB_FORMS_ATTENTION_ATTENTIONFORMS_H

#include "../Common/Tiles.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

namespace mixir::forms::attention {

inline constexpr llvm::StringLiteral kFlashForm = "flash";
inline constexpr llvm::StringLiteral kDecodeForm = "decode";

/// What the forms need to know of the op, read once.
struct Problem {
  explicit Problem(mixer::AttentionOp op)
      : op(op), Hq(op.getNumQueryHeads()), Hkv(op.getNumKvHeads()),
        K(op.getKeyDim()), V(op.getValueDim()),
        scale(op.getScaleOrDefault()) {}

  mutable mixer::AttentionOp op;
  int64_t Hq, Hkv, K, V;
  double scale;
};

/// Replaces the op by the flash form with query blocks of Cq rows and key
/// blocks of Ck.
void lowerFlash(mlir::RewriterBase &rewriter, const Problem &p, int64_t Cq,
                int64_t Ck);
/// Replaces the op by the decode form with query blocks of Cq rows and key
/// blocks of Ck.
void lowerDecode(mlir::RewriterBase &rewriter, const Problem &p, int64_t Cq,
                 int64_t Ck);

} // namespace mixir::forms::attention

#endif // MIXIR_LIB_FORMS_ATTENTION_ATTENTIONFORMS_H
