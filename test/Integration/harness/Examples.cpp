//===- Examples.cpp - the example catalogue, as the harness sees it ---------===//
#include "Examples.h"
#include "Reference.h"

#include <cmath>

using namespace mixir::check;

namespace {
TensorSpec in(std::string name, std::vector<std::string> dims,
              Draw draw = Draw::Normal) {
  return {std::move(name), std::move(dims), draw, false, ""};
}
TensorSpec out(std::string name, std::vector<std::string> dims,
               std::string inPlaceOf = "") {
  return {std::move(name), std::move(dims), Draw::Normal, true,
          std::move(inPlaceOf)};
}

Problem problem(const Inputs &x, int64_t B, int64_t T, int64_t H, int64_t K,
                int64_t V) {
  Problem p;
  p.B = B, p.T = T, p.H = H, p.K = K, p.V = V;
  p.q = x[0].data(), p.k = x[1].data(), p.v = x[2].data();
  p.scale = 1.0 / std::sqrt(double(K));
  return p;
}

std::vector<double> widen(const std::vector<float> &x) {
  return std::vector<double>(x.begin(), x.end());
}

const std::vector<Example> &catalogue() {
  static const std::vector<Example> examples = {
      {"linear_attention",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "64"}), out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T) -> Outputs {
         return {solveByRecurrence(problem(x, B, T, 4, 64, 64)).output};
       }},
      {"retnet",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "96"}), out("o", {"B", "T", "4", "96"})},
       [](const Inputs &x, int64_t B, int64_t T) -> Outputs {
         Problem p = problem(x, B, T, 4, 64, 96);
         p.gate = Gate::Head;
         for (int h = 0; h < 4; ++h) // γ_h = 1 − 2^(−5−h) (Sun et al., 2023)
           p.logDecay.push_back(std::log1p(-std::ldexp(1.0, -5 - h)));
         return {solveByRecurrence(p).output};
       }},
      {"mamba2",
       {in("x", {"B", "T", "4", "64"}), in("dt", {"B", "T", "4"}, Draw::Dt),
        in("A", {"4"}, Draw::NegativeA), in("Bs", {"B", "T", "4", "64"}),
        in("Cs", {"B", "T", "4", "64"}), in("D", {"4"}),
        out("y", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T) -> Outputs {
         // SSD as a semiseparable mixer: q = C, k = B, v = x, β = dt,
         // log decay dt·A_h, no scale; then the skip y += D_h x.
         const auto &xs = x[0], &dt = x[1], &A = x[2], &D = x[5];
         Problem p;
         p.B = B, p.T = T, p.H = 4, p.K = 64, p.V = 64;
         p.q = x[4].data(), p.k = x[3].data(), p.v = xs.data();
         p.beta = dt.data();
         p.gate = Gate::Token;
         p.scale = 1.0;
         for (size_t i = 0; i < dt.size(); ++i)
           p.logDecay.push_back(double(dt[i]) * double(A[i % 4]));
         std::vector<double> y = solveByRecurrence(p).output;
         for (size_t i = 0; i < y.size(); ++i)
           y[i] += double(D[(i / 64) % 4]) * double(xs[i]);
         return {y};
       }},
      {"gla",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "64"}),
        in("g", {"B", "T", "4", "64"}, Draw::LogDecay),
        out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T) -> Outputs {
         Problem p = problem(x, B, T, 4, 64, 64);
         p.gate = Gate::Channel;
         p.logDecay = widen(x[3]);
         return {solveByRecurrence(p).output};
       }},
      {"gla_state",
       {in("q", {"B", "T", "2", "48"}), in("k", {"B", "T", "2", "48"}),
        in("v", {"B", "T", "2", "80"}),
        in("g", {"B", "T", "2", "48"}, Draw::LogDecay),
        in("h0", {"B", "2", "48", "80"}), out("o", {"B", "T", "2", "80"}),
        out("hT", {"B", "2", "48", "80"}, "h0")},
       [](const Inputs &x, int64_t B, int64_t T) -> Outputs {
         Problem p = problem(x, B, T, 2, 48, 80);
         p.gate = Gate::Channel;
         p.logDecay = widen(x[3]);
         p.initialState = x[4].data();
         Solution s = solveByRecurrence(p);
         return {s.output, s.finalState};
       }},
      // Test-only problems (test/Integration/Inputs/*.mlir): sizes that are
      // not multiples of any tile or vector width, and every operand.
      {"odd_sizes",
       {in("q", {"B", "T", "3", "5"}), in("k", {"B", "T", "3", "5"}),
        in("v", {"B", "T", "3", "7"}),
        in("g", {"B", "T", "3", "5"}, Draw::LogDecay),
        in("beta", {"B", "T", "3"}, Draw::Dt), in("h0", {"B", "3", "5", "7"}),
        out("o", {"B", "T", "3", "7"}), out("hT", {"B", "3", "5", "7"}, "h0")},
       [](const Inputs &x, int64_t B, int64_t T) -> Outputs {
         Problem p = problem(x, B, T, 3, 5, 7);
         p.gate = Gate::Channel;
         p.logDecay = widen(x[3]);
         p.beta = x[4].data();
         p.initialState = x[5].data();
         p.scale = 0.3;
         Solution s = solveByRecurrence(p);
         return {s.output, s.finalState};
       }},
      {"one_channel",
       {in("q", {"B", "T", "1", "1"}), in("k", {"B", "T", "1", "1"}),
        in("v", {"B", "T", "1", "2"}),
        in("g", {"B", "T", "1"}, Draw::LogDecay), out("o", {"B", "T", "1", "2"})},
       [](const Inputs &x, int64_t B, int64_t T) -> Outputs {
         Problem p = problem(x, B, T, 1, 1, 2);
         p.gate = Gate::Token;
         p.logDecay = widen(x[3]);
         return {solveByRecurrence(p).output};
       }},
  };
  return examples;
}
} // namespace

const Example *mixir::check::findExample(const std::string &name) {
  for (const Example &e : catalogue())
    if (e.name == name)
      return &e;
  return nullptr;
}

std::vector<std::string> mixir::check::exampleNames() {
  std::vector<std::string> names;
  for (const Example &e : catalogue())
    names.push_back(e.name);
  return names;
}

std::vector<int64_t> mixir::check::shapeOf(const TensorSpec &spec, int64_t B,
                                           int64_t T) {
  std::vector<int64_t> shape;
  for (const std::string &d : spec.dims)
    shape.push_back(d == "B" ? B : d == "T" ? T : std::stoll(d));
  return shape;
}

std::vector<float> mixir::check::drawValues(Draw draw, size_t count,
                                            bool strong, std::mt19937 &rng) {
  std::vector<float> values(count);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  for (float &v : values) {
    switch (draw) {
    case Draw::Normal:
      v = normal(rng);
      break;
    case Draw::LogDecay: // g ≤ 0; strong: about half the tokens near -10
      v = strong && unit(rng) < 0.5f ? -10.f * unit(rng) : -0.5f * unit(rng);
      break;
    case Draw::Dt: // dt > 0; strong: dt·A reaches -10 with A ≥ -4
      v = 0.01f + (strong ? 2.49f : 0.49f) * unit(rng);
      break;
    case Draw::NegativeA: // A < 0
      v = -0.5f - 3.5f * unit(rng);
      break;
    }
  }
  return values;
}
