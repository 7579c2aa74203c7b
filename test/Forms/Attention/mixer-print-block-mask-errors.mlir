// RUN: mixir-opt %s -mixer-print-block-mask="head=4" -verify-diagnostics -o /dev/null

!q = tensor<?x?x4x16xf32>

func.func @no_such_head(%q: !q, %k: !q, %v: !q) -> !q {
  // expected-error@+1 {{head 4 is not one of the 4 query heads}}
  %o = mixer.attention %q, %k, %v : (!q, !q, !q) -> !q
  return %o : !q
}
