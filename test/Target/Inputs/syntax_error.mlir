func.func @broken(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.semiseparable %q, %q : (tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
