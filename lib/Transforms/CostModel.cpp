//===- CostModel.cpp - which form computes a mixer fastest ------------------===//
#include "mixir/Transforms/CostModel.h"

#include <algorithm>

using namespace mixir;
using namespace mixir::mixer;

static double costOf(MixerOpInterface op, llvm::StringRef form, int64_t T) {
  auto model = llvm::cast<MixerFormInterface>(op.getOperation());
  return model.estimateCost(form, T, /*tile=*/0);
}

llvm::StringRef mixir::chooseForm(MixerOpInterface op, int64_t T) {
  llvm::StringRef best;
  double bestCost = 0;
  for (llvm::StringRef form : op.getForms()) {
    double cost = costOf(op, form, T);
    if (best.empty() || cost < bestCost) {
      best = form;
      bestCost = cost;
    }
  }
  return best;
}

llvm::SmallVector<FormRange> mixir::chooseFormRanges(MixerOpInterface op) {
  // One artifact serves every length, so the ranges are kept few and in the
  // order of growing length: the form cheapest for one token up to T1, then
  // at most one middle form up to T2, then the form cheapest for long
  // sequences. T1 is the first length at which the first form is no longer
  // cheapest; T2 is one past the last length at which the last form is not
  // cheapest, so that from T2 on it always is. Between them the form with
  // the least cost summed over the range is used (padding to whole tiles
  // makes the tiled forms alternate there).
  constexpr int64_t kLongest = int64_t(1) << 20;
  auto next = [](int64_t T) { return T + std::max<int64_t>(1, T / 256); };
  llvm::StringRef first = chooseForm(op, 1), last = chooseForm(op, kLongest);
  int64_t t1 = -1, lastNotLast = -1;
  for (int64_t T = 1; T <= kLongest; T = next(T)) {
    llvm::StringRef form = chooseForm(op, T);
    if (t1 < 0 && form != first)
      t1 = T;
    if (t1 >= 0 && form != last)
      lastNotLast = T;
  }
  if (t1 < 0)
    return {{-1, first}};
  llvm::SmallVector<FormRange> ranges{{t1, first}};
  if (lastNotLast >= t1) {
    int64_t t2 = next(lastNotLast);
    llvm::StringRef middle;
    double middleCost = 0;
    for (llvm::StringRef form : op.getForms()) {
      double sum = 0;
      for (int64_t T = t1; T < t2; T = next(T))
        sum += costOf(op, form, T);
      if (middle.empty() || sum < middleCost) {
        middle = form;
        middleCost = sum;
      }
    }
    if (middle == first)
      ranges.back().upperBound = t2;
    else if (middle != last)
      ranges.push_back({t2, middle});
  }
  ranges.push_back({-1, last});
  return ranges;
}
