//===- Examples.cpp - the example catalogue, as the harness sees it ---------===//
#include "Examples.h"
#include "Reference.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <memory>

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

TensorSpec typed(TensorSpec spec, DType dtype) {
  spec.dtype = dtype;
  return spec;
}

Problem problem(const Inputs &x, int64_t B, int64_t T, int64_t H, int64_t K,
                int64_t V) {
  Problem p;
  p.B = B, p.T = T, p.H = H, p.K = K, p.V = V;
  p.q = x[0].data(), p.k = x[1].data(), p.v = x[2].data();
  p.scale = 1.0 / std::sqrt(double(K));
  return p;
}

/// Softmax attention of q, k, v (the first three inputs), scale K^-1/2.
AttentionProblem attention(const Inputs &x, int64_t B, int64_t Tq, int64_t Tk,
                           int64_t Hq, int64_t Hkv, int64_t K, int64_t V) {
  AttentionProblem p;
  p.B = B, p.Tq = Tq, p.Tk = Tk, p.Hq = Hq, p.Hkv = Hkv, p.K = K, p.V = V;
  p.q = x[0].data(), p.k = x[1].data(), p.v = x[2].data();
  p.scale = 1.0 / std::sqrt(double(K));
  return p;
}

std::vector<double> widen(const std::vector<float> &x) {
  return std::vector<double>(x.begin(), x.end());
}

/// Every operand at sizes that are not multiples of any tile or vector width
/// (test/Integration/Inputs/odd_sizes*.mlir): H = 3, K = 5, V = 7, a
/// per-channel gate, beta, initial and final state, scale 0.3, and for the
/// low-rank transition its a and b (after beta).
Example oddSizes(std::string name, Transition transition) {
  const bool delta = transition == Transition::Delta;
  const bool lowRank = transition == Transition::LowRank;
  std::vector<TensorSpec> tensors{
      in("q", {"B", "T", "3", "5"}),
      in("k", {"B", "T", "3", "5"}, delta ? Draw::UnitRows : Draw::Normal),
      in("v", {"B", "T", "3", "7"}),
      in("g", {"B", "T", "3", "5"}, Draw::LogDecay),
      in("beta", {"B", "T", "3"}, delta ? Draw::Rate : Draw::Dt)};
  if (lowRank) {
    tensors.push_back(in("a", {"B", "T", "3", "5"}, Draw::Small));
    tensors.push_back(in("b", {"B", "T", "3", "5"}, Draw::UnitRows));
  }
  tensors.push_back(in("h0", {"B", "3", "5", "7"}));
  tensors.push_back(out("o", {"B", "T", "3", "7"}));
  tensors.push_back(out("hT", {"B", "3", "5", "7"}, "h0"));
  return {std::move(name), std::move(tensors),
          [transition, lowRank](const Inputs &x, int64_t B, int64_t T,
                                int64_t) -> Outputs {
            Problem p = problem(x, B, T, 3, 5, 7);
            p.transition = transition;
            p.gate = Gate::Channel;
            p.logDecay = widen(x[3]);
            p.beta = x[4].data();
            if (lowRank) {
              p.a = x[5].data();
              p.b = x[6].data();
            }
            p.initialState = x[lowRank ? 7 : 5].data();
            p.scale = 0.3;
            Solution s = solveByRecurrence(p);
            return {s.output, s.finalState};
          }};
}

/// `ex` with every tensor of element type `type`, named `name`.
Example withType(Example ex, std::string name, DType type) {
  ex.name = std::move(name);
  for (TensorSpec &t : ex.tensors)
    t.dtype = type;
  return ex;
}

/// HGRN's states h_t = f_t h_{t-1} + (1 - f_t) i_t (i = x[0], f = x[1],
/// [B, T, 512]) in double, step by step.
std::vector<double> hgrnStates(const Inputs &x, int64_t B, int64_t T) {
  const int64_t D = 512;
  std::vector<double> h(size_t(B * T * D));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t d = 0; d < D; ++d) {
      double state = 0;
      for (int64_t t = 0; t < T; ++t) {
        size_t at = size_t((b * T + t) * D + d);
        double f = x[1][at];
        state = f * state + (1.0 - f) * double(x[0][at]);
        h[at] = state;
      }
    }
  return h;
}

std::vector<Example> makeCatalogue() {
  std::vector<Example> examples = {
      {"linear_attention",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "64"}), out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         return {solveByRecurrence(problem(x, B, T, 4, 64, 64)).output};
       }},
      {"retnet",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "96"}), out("o", {"B", "T", "4", "96"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
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
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
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
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
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
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         Problem p = problem(x, B, T, 2, 48, 80);
         p.gate = Gate::Channel;
         p.logDecay = widen(x[3]);
         p.initialState = x[4].data();
         Solution s = solveByRecurrence(p);
         return {s.output, s.finalState};
       }},
      {"deltanet",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}, Draw::UnitRows),
        in("v", {"B", "T", "4", "64"}), in("beta", {"B", "T", "4"}, Draw::Rate),
        out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         Problem p = problem(x, B, T, 4, 64, 64);
         p.transition = Transition::Delta;
         p.beta = x[3].data();
         return {solveByRecurrence(p).output};
       }},
      {"gated_deltanet",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}, Draw::UnitRows),
        in("v", {"B", "T", "4", "128"}), in("g", {"B", "T", "4"}, Draw::LogDecay),
        in("beta", {"B", "T", "4"}, Draw::Rate), in("h0", {"B", "4", "64", "128"}),
        out("o", {"B", "T", "4", "128"}), out("hT", {"B", "4", "64", "128"}, "h0")},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         Problem p = problem(x, B, T, 4, 64, 128);
         p.transition = Transition::Delta;
         p.gate = Gate::Token;
         p.logDecay = widen(x[3]);
         p.beta = x[4].data();
         p.initialState = x[5].data();
         Solution s = solveByRecurrence(p);
         return {s.output, s.finalState};
       }},
      {"kda",
       {in("q", {"B", "T", "2", "64"}), in("k", {"B", "T", "2", "64"}, Draw::UnitRows),
        in("v", {"B", "T", "2", "64"}), in("g", {"B", "T", "2", "64"}, Draw::LogDecay),
        in("beta", {"B", "T", "2"}, Draw::Rate), out("o", {"B", "T", "2", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         Problem p = problem(x, B, T, 2, 64, 64);
         p.transition = Transition::Delta;
         p.gate = Gate::Channel;
         p.logDecay = widen(x[3]);
         p.beta = x[4].data();
         return {solveByRecurrence(p).output};
       }},
      {"rwkv7",
       {in("r", {"B", "T", "2", "64"}), in("w", {"B", "T", "2", "64"}, Draw::LogDecay),
        in("k", {"B", "T", "2", "64"}), in("v", {"B", "T", "2", "64"}),
        in("kk", {"B", "T", "2", "64"}, Draw::UnitRows),
        in("a", {"B", "T", "2", "64"}, Draw::Rate), out("o", {"B", "T", "2", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // S_t = (diag(exp(w_t)) − (a_t ⊙ kk_t) kk_tᵀ) S_{t-1} + k_t v_tᵀ,
         // o_t = S_tᵀ r_t: the low-rank part is computed here in double.
         Problem p;
         p.B = B, p.T = T, p.H = 2, p.K = 64, p.V = 64;
         p.q = x[0].data(), p.k = x[2].data(), p.v = x[3].data();
         p.scale = 1.0;
         p.gate = Gate::Channel;
         p.logDecay = widen(x[1]);
         p.transition = Transition::LowRank;
         static thread_local std::vector<float> na;
         na.resize(x[4].size());
         for (size_t i = 0; i < na.size(); ++i)
           na[i] = -(x[5][i] * x[4][i]);
         p.a = na.data();
         p.b = x[4].data();
         return {solveByRecurrence(p).output};
       }},
      {"attention_gqa",
       {in("q", {"B", "T", "8", "64"}), in("k", {"B", "T", "2", "64"}),
        in("v", {"B", "T", "2", "64"}), out("o", {"B", "T", "8", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         AttentionProblem p = attention(x, B, T, T, 8, 2, 64, 64);
         p.mask = [](int64_t, int64_t, int64_t t, int64_t s) { return s <= t; };
         return {solveAttention(p)};
       }},
      {"cross_attention",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "Tk", "4", "64"}),
        in("v", {"B", "Tk", "4", "64"}), out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t Tk) -> Outputs {
         return {solveAttention(attention(x, B, T, Tk, 4, 4, 64, 64))};
       }},
      {"sliding_window",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "64"}), out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         AttentionProblem p = attention(x, B, T, T, 4, 4, 64, 64);
         p.mask = [](int64_t, int64_t, int64_t t, int64_t s) {
           return s <= t && t - 128 < s;
         };
         return {solveAttention(p)};
       }},
      {"alibi_softcap",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "64"}), out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         AttentionProblem p = attention(x, B, T, T, 4, 4, 64, 64);
         p.mask = [](int64_t, int64_t, int64_t t, int64_t s) { return s <= t; };
         // s = 30·tanh(q·k / (8·30)) − m_h (t − s), m_h = 2^(−8(h+1)/H);
         // `score` is q·k/8.
         p.scoreMod = [](double score, int64_t, int64_t h, int64_t t,
                         int64_t s) {
           double slope = std::exp2(-8.0 * double(h + 1) / 4.0);
           return 30.0 * std::tanh(score / 30.0) - slope * double(t - s);
         };
         return {solveAttention(p)};
       }},
      {"document_mask",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "64"}),
        typed(in("doc", {"B", "T"}, Draw::Documents), DType::I32),
        out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         AttentionProblem p = attention(x, B, T, T, 4, 4, 64, 64);
         const float *doc = x[3].data();
         p.mask = [doc, T](int64_t b, int64_t, int64_t t, int64_t s) {
           return s <= t && doc[b * T + s] == doc[b * T + t];
         };
         return {solveAttention(p)};
       }},
      {"forgetting_attention",
       {in("q", {"B", "T", "4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "64"}), in("f", {"B", "T", "4"}, Draw::LogDecay),
        out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         AttentionProblem p = attention(x, B, T, T, 4, 4, 64, 64);
         p.mask = [](int64_t, int64_t, int64_t t, int64_t s) { return s <= t; };
         // Σ_{r=s+1..t} f_r = c_t − c_s with c the prefix sums in double
         // (the kernel sums block-local stretches in f32 instead).
         auto c = std::make_shared<std::vector<double>>(size_t(B * T * 4));
         const float *f = x[3].data();
         for (int64_t b = 0; b < B; ++b)
           for (int64_t h = 0; h < 4; ++h) {
             double sum = 0;
             for (int64_t t = 0; t < T; ++t) {
               sum += f[(b * T + t) * 4 + h];
               (*c)[(b * T + t) * 4 + h] = sum;
             }
           }
         p.scoreMod = [c, T](double score, int64_t b, int64_t h, int64_t t,
                             int64_t s) {
           return score + (*c)[(b * T + t) * 4 + h] - (*c)[(b * T + s) * 4 + h];
         };
         return {solveAttention(p)};
       }},
      {"attention_decode",
       {in("q", {"B", "T", "8", "128"}), in("k", {"B", "Tk", "2", "128"}),
        in("v", {"B", "Tk", "2", "128"}), out("o", {"B", "T", "8", "128"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t Tk) -> Outputs {
         AttentionProblem p = attention(x, B, T, Tk, 8, 2, 128, 128);
         p.mask = [T, Tk](int64_t, int64_t, int64_t t, int64_t s) {
           return s <= Tk - T + t;
         };
         return {solveAttention(p)};
       }},
      // The recurrent class (docs/math.md, section 3).
      {"hgrn",
       {in("i", {"B", "T", "512"}), in("f", {"B", "T", "512"}, Draw::Rate),
        out("o", {"B", "T", "512"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         return {hgrnStates(x, B, T)};
       }},
      {"hgrn_gated",
       {in("i", {"B", "T", "512"}), in("f", {"B", "T", "512"}, Draw::Rate),
        in("g", {"B", "T", "512"}),
        typed(out("o", {"B", "T", "512"}), DType::BF16)},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // o_t = h_t σ(g_t).
         std::vector<double> o = hgrnStates(x, B, T);
         for (size_t at = 0; at < o.size(); ++at)
           o[at] /= 1.0 + std::exp(-double(x[2][at]));
         return {o};
       }},
      {"indrnn",
       {in("xw", {"B", "T", "4096"}), in("u", {"4096"}, Draw::Rate),
        out("h", {"B", "T", "4096"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // h_t = max(xw_t + u h_{t−1}, 0), in double.
         const int64_t D = 4096;
         std::vector<double> h(size_t(B * T * D));
         for (int64_t b = 0; b < B; ++b)
           for (int64_t d = 0; d < D; ++d) {
             double state = 0;
             for (int64_t t = 0; t < T; ++t) {
               size_t at = size_t((b * T + t) * D + d);
               state = std::max(double(x[0][at]) + double(x[1][d]) * state, 0.0);
               h[at] = state;
             }
           }
         return {h};
       }},
      {"mingru",
       {in("z_pre", {"B", "T", "256"}), in("htilde", {"B", "T", "256"}),
        in("h0", {"B", "256"}), out("h", {"B", "T", "256"}),
        out("hT", {"B", "256"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // z = σ(z_pre), h_t = (1 − z_t) h_{t−1} + z_t htilde_t, in double.
         const int64_t D = 256;
         std::vector<double> h(size_t(B * T * D)), hT(size_t(B * D));
         for (int64_t b = 0; b < B; ++b)
           for (int64_t d = 0; d < D; ++d) {
             double state = x[2][size_t(b * D + d)];
             for (int64_t t = 0; t < T; ++t) {
               size_t at = size_t((b * T + t) * D + d);
               double z = 1.0 / (1.0 + std::exp(-double(x[0][at])));
               state = (1.0 - z) * state + z * double(x[1][at]);
               h[at] = state;
             }
             hT[size_t(b * D + d)] = state;
           }
         return {h, hT};
       }},
      {"rglru",
       {in("x", {"B", "T", "256"}), in("r", {"B", "T", "256"}, Draw::Rate),
        in("i", {"B", "T", "256"}, Draw::Rate), in("lam", {"256"}),
        out("o", {"B", "T", "256"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // log a = 8 r log σ(Λ), h_t = a h_{t−1} + sqrt(1 − a²) (i x), in
         // double.
         const int64_t D = 256;
         std::vector<double> o(size_t(B * T * D));
         for (int64_t b = 0; b < B; ++b)
           for (int64_t d = 0; d < D; ++d) {
             double logsig = -std::log1p(std::exp(-double(x[3][size_t(d)])));
             double h = 0;
             for (int64_t t = 0; t < T; ++t) {
               size_t at = size_t((b * T + t) * D + d);
               double a = std::exp(8.0 * double(x[1][at]) * logsig);
               h = a * h + std::sqrt(1.0 - a * a) * double(x[2][at]) *
                               double(x[0][at]);
               o[at] = h;
             }
           }
         return {o};
       }},
      {"lru",
       {in("bu_re", {"B", "T", "128"}), in("bu_im", {"B", "T", "128"}),
        in("nu_log", {"128"}), in("theta_log", {"128"}),
        out("o_re", {"B", "T", "128"}), out("o_im", {"B", "T", "128"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // λ = exp(−exp(ν) + i exp(θ)), γ = sqrt(1 − |λ|²),
         // h_t = λ h_{t−1} + γ (bu_re + i bu_im), in complex double.
         const int64_t D = 128;
         std::vector<double> re(size_t(B * T * D)), im(size_t(B * T * D));
         for (int64_t d = 0; d < D; ++d) {
           std::complex<double> lambda = std::exp(std::complex<double>(
               -std::exp(double(x[2][size_t(d)])),
               std::exp(double(x[3][size_t(d)]))));
           double gamma = std::sqrt(1.0 - std::norm(lambda));
           for (int64_t b = 0; b < B; ++b) {
             std::complex<double> h = 0;
             for (int64_t t = 0; t < T; ++t) {
               size_t at = size_t((b * T + t) * D + d);
               h = lambda * h + gamma * std::complex<double>(x[0][at], x[1][at]);
               re[at] = h.real();
               im[at] = h.imag();
             }
           }
         }
         return {re, im};
       }},
      {"aaren",
       {in("qh", {"4", "64"}), in("k", {"B", "T", "4", "64"}),
        in("v", {"B", "T", "4", "64"}), out("o", {"B", "T", "4", "64"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // o_t = Σ_{s≤t} softmax_s(qh · k_s / 8) v_s by its definition, in
         // double: every step's scores, their maximum, the weighted sum.
         const int64_t H = 4, D = 64;
         std::vector<double> o(size_t(B * T * H * D));
         std::vector<double> score(static_cast<size_t>(T));
         for (int64_t b = 0; b < B; ++b)
           for (int64_t h = 0; h < H; ++h) {
             for (int64_t t = 0; t < T; ++t) {
               double dot = 0;
               for (int64_t j = 0; j < D; ++j)
                 dot += double(x[0][size_t(h * D + j)]) *
                        double(x[1][size_t(((b * T + t) * H + h) * D + j)]);
               score[size_t(t)] = dot / 8.0;
             }
             for (int64_t t = 0; t < T; ++t) {
               double max = score[0];
               for (int64_t s = 1; s <= t; ++s)
                 max = std::max(max, score[size_t(s)]);
               double den = 0;
               std::vector<double> num(size_t(D), 0.0);
               for (int64_t s = 0; s <= t; ++s) {
                 double w = std::exp(score[size_t(s)] - max);
                 den += w;
                 for (int64_t j = 0; j < D; ++j)
                   num[size_t(j)] +=
                       w * double(x[2][size_t(((b * T + s) * H + h) * D + j)]);
               }
               for (int64_t j = 0; j < D; ++j)
                 o[size_t(((b * T + t) * H + h) * D + j)] = num[size_t(j)] / den;
             }
           }
         return {o};
       }},
      {"mamba1",
       {in("x", {"B", "T", "256"}), in("delta", {"B", "T", "256"}, Draw::Dt),
        in("A", {"256", "16"}, Draw::NegativeA), in("Bm", {"B", "T", "16"}),
        in("Cm", {"B", "T", "16"}), in("D", {"256"}),
        out("y", {"B", "T", "256"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // h[d,n] = exp(δ[d] A[d,n]) h[d,n] + δ[d] Bm[n] x[d];
         // y[d] = Σ_n Cm[n] h[d,n] + D[d] x[d]; in double.
         const int64_t D = 256, N = 16;
         std::vector<double> y(size_t(B * T * D));
         for (int64_t b = 0; b < B; ++b)
           for (int64_t d = 0; d < D; ++d) {
             std::vector<double> h(N, 0.0);
             for (int64_t t = 0; t < T; ++t) {
               size_t at = size_t((b * T + t) * D + d);
               size_t bn = size_t((b * T + t) * N);
               double xv = x[0][at], dt = x[1][at], sum = 0;
               for (int64_t n = 0; n < N; ++n) {
                 h[n] = std::exp(dt * double(x[2][size_t(d * N + n)])) * h[n] +
                        dt * double(x[3][bn + n]) * xv;
                 sum += double(x[4][bn + n]) * h[n];
               }
               y[at] = sum + double(x[5][size_t(d)]) * xv;
             }
           }
         return {y};
       }},
      {"lstm",
       {in("xg", {"B", "T", "512"}), in("U", {"512", "128"}, Draw::Small),
        in("h0", {"B", "128"}), in("c0", {"B", "128"}),
        out("h", {"B", "T", "128"}), out("hT", {"B", "128"}),
        out("cT", {"B", "128"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // [i f g o] = xg_t + U h; c = σ(f) c + σ(i) tanh(g);
         // h = σ(o) tanh(c); in double.
         const int64_t H = 128;
         auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
         std::vector<double> hs(size_t(B * T * H)), hT(size_t(B * H)),
             cT(size_t(B * H));
         for (int64_t b = 0; b < B; ++b) {
           std::vector<double> h(x[2].begin() + b * H,
                                 x[2].begin() + (b + 1) * H),
               c(x[3].begin() + b * H, x[3].begin() + (b + 1) * H),
               gates(4 * H);
           for (int64_t t = 0; t < T; ++t) {
             for (int64_t r = 0; r < 4 * H; ++r) {
               double sum = x[0][size_t((b * T + t) * 4 * H + r)];
               for (int64_t k = 0; k < H; ++k)
                 sum += double(x[1][size_t(r * H + k)]) * h[k];
               gates[r] = sum;
             }
             for (int64_t k = 0; k < H; ++k) {
               c[k] = sigmoid(gates[H + k]) * c[k] +
                      sigmoid(gates[k]) * std::tanh(gates[2 * H + k]);
               h[k] = sigmoid(gates[3 * H + k]) * std::tanh(c[k]);
               hs[size_t((b * T + t) * H + k)] = h[k];
             }
           }
           std::copy(h.begin(), h.end(), hT.begin() + b * H);
           std::copy(c.begin(), c.end(), cT.begin() + b * H);
         }
         return {hs, hT, cT};
       }},
      {"gru",
       {in("xg", {"B", "T", "384"}), in("U", {"384", "128"}, Draw::Small),
        in("bh", {"384"}, Draw::Small), in("h0", {"B", "128"}),
        out("h", {"B", "T", "128"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         // PyTorch's GRU cell in double: u = U h + bh; r = σ(xr + ur),
         // z = σ(xz + uz), n = tanh(xn + r un), h = (1 − z) n + z h.
         const int64_t H = 128;
         auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
         std::vector<double> hs(size_t(B * T * H));
         for (int64_t b = 0; b < B; ++b) {
           std::vector<double> h(x[3].begin() + b * H,
                                 x[3].begin() + (b + 1) * H),
               u(3 * H);
           for (int64_t t = 0; t < T; ++t) {
             for (int64_t r = 0; r < 3 * H; ++r) {
               double sum = x[2][size_t(r)];
               for (int64_t k = 0; k < H; ++k)
                 sum += double(x[1][size_t(r * H + k)]) * h[k];
               u[r] = sum;
             }
             const float *xt = x[0].data() + (b * T + t) * 3 * H;
             for (int64_t k = 0; k < H; ++k) {
               double r = sigmoid(xt[k] + u[k]);
               double z = sigmoid(xt[H + k] + u[H + k]);
               double n = std::tanh(xt[2 * H + k] + r * u[2 * H + k]);
               h[k] = (1.0 - z) * n + z * h[k];
               hs[size_t((b * T + t) * H + k)] = h[k];
             }
           }
         }
         return {hs};
       }},
      // Test-only (test/Integration/Inputs/attention_odd.mlir): odd head
      // sizes, GQA 6 on 3, a captured per-head bias, the log-sum-exp, and
      // rows that see no key.
      {"attention_odd",
       {in("q", {"B", "T", "6", "40"}), in("k", {"B", "Tk", "3", "40"}),
        in("v", {"B", "Tk", "3", "24"}), in("bias", {"6"}),
        out("o", {"B", "T", "6", "24"}), out("lse", {"B", "T", "6"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t Tk) -> Outputs {
         AttentionProblem p = attention(x, B, T, Tk, 6, 3, 40, 24);
         p.mask = [](int64_t, int64_t, int64_t t, int64_t s) {
           return s <= t + 2 && t % 5 != 3;
         };
         const float *bias = x[3].data();
         p.scoreMod = [bias](double score, int64_t, int64_t h, int64_t,
                             int64_t) { return score + double(bias[h]); };
         std::vector<double> lse;
         p.lse = &lse;
         std::vector<double> o = solveAttention(p);
         return {o, lse};
       }},
      // Test-only (test/Integration/Inputs/attention_half.mlir): 16-bit
      // tensors of three types, and a score_mod that yields −inf, for whole
      // rows too.
      {"attention_half",
       {typed(in("q", {"B", "T", "4", "32"}), DType::BF16),
        typed(in("k", {"B", "Tk", "2", "32"}), DType::F16),
        typed(in("v", {"B", "Tk", "2", "32"}), DType::BF16),
        typed(out("o", {"B", "T", "4", "32"}), DType::F16),
        out("lse", {"B", "T", "4"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t Tk) -> Outputs {
         AttentionProblem p = attention(x, B, T, Tk, 4, 2, 32, 32);
         p.scoreMod = [](double score, int64_t, int64_t, int64_t t,
                         int64_t s) {
           return s > t || t % 4 == 1 ? -INFINITY : score;
         };
         std::vector<double> lse;
         p.lse = &lse;
         std::vector<double> o = solveAttention(p);
         return {o, lse};
       }},
      // Test-only problems (test/Integration/Inputs/*.mlir): sizes that are
      // not multiples of any tile or vector width, and every operand.
      oddSizes("odd_sizes", Transition::Diagonal),
      oddSizes("odd_sizes_delta", Transition::Delta),
      oddSizes("odd_sizes_low_rank", Transition::LowRank),
      {"one_channel",
       {in("q", {"B", "T", "1", "1"}), in("k", {"B", "T", "1", "1"}),
        in("v", {"B", "T", "1", "2"}),
        in("g", {"B", "T", "1"}, Draw::LogDecay), out("o", {"B", "T", "1", "2"})},
       [](const Inputs &x, int64_t B, int64_t T, int64_t) -> Outputs {
         Problem p = problem(x, B, T, 1, 1, 2);
         p.gate = Gate::Token;
         p.logDecay = widen(x[3]);
         return {solveByRecurrence(p).output};
       }},
  };
  // Every tensor in 16 bits: examples/gla_bf16.mlir, deltanet_f16.mlir, and
  // test-only bf16 copies of the examples with states (their states read and
  // written in bf16; test/Integration/sixteen-bit-states.test).
  for (const Example &e : std::vector<Example>(examples)) {
    if (e.name == "gla") {
      examples.push_back(withType(e, "gla_bf16", DType::BF16));
      // examples/gla_recurrence.mlir: the same mixer, written as its
      // recurrence.
      Example recurrence = e;
      recurrence.name = "gla_recurrence";
      examples.push_back(recurrence);
    }
    if (e.name == "deltanet")
      examples.push_back(withType(e, "deltanet_f16", DType::F16));
    if (e.name == "gated_deltanet") {
      // examples/gated_deltanet_recurrence.mlir: the same mixer, written as
      // its recurrence, whose final state has a buffer of its own (the C ABI
      // is declared on mixer.recurrence, which updates nothing in place).
      Example recurrence = e;
      recurrence.name = "gated_deltanet_recurrence";
      for (TensorSpec &t : recurrence.tensors)
        t.inPlaceOf.clear();
      examples.push_back(recurrence);
    }
    if (e.name == "gla_state" || e.name == "gated_deltanet")
      examples.push_back(withType(e, e.name + "_bf16", DType::BF16));
  }
  return examples;
}

const std::vector<Example> &catalogue() {
  static const std::vector<Example> examples = makeCatalogue();
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

size_t mixir::check::bytesOf(DType type) {
  return type == DType::F32 || type == DType::I32 ? 4 : 2;
}

static uint16_t bf16Bits(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  if (std::isnan(v))
    return 0x7fc0;
  bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
  return uint16_t(bits >> 16);
}

static float fromBf16(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

float mixir::check::roundTo(DType type, float v) {
  switch (type) {
  case DType::F32:
    return v;
  case DType::F16:
    return float(_Float16(v));
  case DType::BF16:
    return fromBf16(bf16Bits(v));
  case DType::I32:
    return std::nearbyint(v);
  }
  return v;
}

float mixir::check::loadElement(DType type, const void *data, size_t i) {
  switch (type) {
  case DType::F32:
    return static_cast<const float *>(data)[i];
  case DType::F16:
    return float(static_cast<const _Float16 *>(data)[i]);
  case DType::BF16:
    return fromBf16(static_cast<const uint16_t *>(data)[i]);
  case DType::I32:
    return float(static_cast<const int32_t *>(data)[i]);
  }
  return 0;
}

void mixir::check::storeElement(DType type, void *data, size_t i, float v) {
  switch (type) {
  case DType::F32:
    static_cast<float *>(data)[i] = v;
    break;
  case DType::F16:
    static_cast<_Float16 *>(data)[i] = _Float16(v);
    break;
  case DType::BF16:
    static_cast<uint16_t *>(data)[i] = bf16Bits(v);
    break;
  case DType::I32:
    static_cast<int32_t *>(data)[i] = int32_t(std::nearbyint(v));
    break;
  }
}

double mixir::check::toleranceOf(DType type) {
  switch (type) {
  case DType::F32:
    return 1e-4;
  case DType::F16:
    return 2e-3;
  case DType::BF16:
    return 1e-2;
  case DType::I32:
    return 0;
  }
  return 1e-4;
}

const char *mixir::check::nameOf(DType type) {
  switch (type) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::I32:
    return "i32";
  }
  return "?";
}

std::vector<int64_t> mixir::check::shapeOf(const TensorSpec &spec, int64_t B,
                                           int64_t T, int64_t Tk) {
  std::vector<int64_t> shape;
  for (const std::string &d : spec.dims)
    shape.push_back(d == "B"    ? B
                    : d == "T"  ? T
                    : d == "Tk" ? Tk
                                : std::stoll(d));
  return shape;
}

std::vector<float> mixir::check::drawValues(Draw draw, size_t count,
                                            size_t rowLength, bool strong,
                                            std::mt19937 &rng) {
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
    case Draw::UnitRows:
      v = normal(rng);
      break;
    case Draw::Small:
      v = 0.1f * normal(rng);
      break;
    case Draw::Documents: // filled per row below
      v = 0;
      break;
    case Draw::Rate: // in (0, 1); strong: near 1, where the delta rule's
                     // chunk solve is least damped
      v = strong ? 0.9f + 0.0999f * unit(rng) : 0.01f + 0.98f * unit(rng);
      break;
    }
  }
  if (draw == Draw::Documents && rowLength > 0)
    for (size_t r = 0; r + rowLength <= count; r += rowLength) {
      // A new document after a token with probability 1/60, and some
      // documents of one token.
      int id = 0;
      for (size_t i = r; i < r + rowLength; ++i) {
        values[i] = float(id);
        float u = unit(rng);
        id += u < 1.f / 60 || (u > 0.99f && u < 0.995f);
      }
    }
  if (draw == Draw::UnitRows && rowLength > 0)
    for (size_t r = 0; r + rowLength <= count; r += rowLength) {
      double norm = 0;
      for (size_t i = r; i < r + rowLength; ++i)
        norm += double(values[i]) * values[i];
      norm = std::sqrt(norm);
      for (size_t i = r; i < r + rowLength; ++i)
        values[i] = float(values[i] / norm);
    }
  return values;
}
