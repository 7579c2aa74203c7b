func.func @bad(%q: tensor<?x?x4x64xf32>, %g: tensor<?x4xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.semiseparable %q, %q, %q gate(%g) : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x4xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
