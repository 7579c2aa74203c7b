//===- Parser.h - the .mix language's parser --------------------*- C++ -*-===//
//
// A recursive-descent parser for the grammar in docs/mix-language.md. It
// stops at the first error, which it reports through `error` at the
// offending token; nesting is bounded (kMaxDepth) so that no input can
// exhaust the stack.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FRONTEND_PARSER_H
#define MIXIR_LIB_FRONTEND_PARSER_H

#include "AST.h"

#include "llvm/ADT/FunctionExtras.h"
#include "llvm/ADT/Twine.h"

#include <optional>

namespace mixir::mix {

using ErrorFn = llvm::function_ref<void(llvm::SMLoc, const llvm::Twine &)>;

/// How deep parentheses, calls, sums and unary operators may nest.
constexpr int kMaxDepth = 256;

/// The syntax tree of `buffer`, or nothing after reporting an error.
std::optional<File> parse(llvm::StringRef buffer, ErrorFn error);

} // namespace mixir::mix

#endif // MIXIR_LIB_FRONTEND_PARSER_H
