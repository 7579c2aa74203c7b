// RUN: mixir-opt %s -mixer-print-block-mask="q-len=0" -verify-diagnostics -o /dev/null
// RUN: mixir-opt %s -mixer-print-block-mask="block=-4" -verify-diagnostics -o /dev/null

// Lengths and the block size must be positive.
// expected-error@+1 {{mixer-print-block-mask needs positive lengths and block}}
module {
}
