/*
 * The CUDA operators of fcpts/ops_cuda.h run under the CPU emulation of emulation/cuda_runtime.h, against their
 * CPU twins of libfcpts_cpu (oneDNN for pooling; the fused KDE-CDF pass of kde_fused.cu against
 * kde_fused_cpu.cpp; the sparse convolution plan of sparse_conv_cuda.cu, on fake_cusparse.cpp, against
 * sparse_cpu.cpp): odd sizes, NaN / infinity / signed-zero inputs, broadcast
 * shapes, asymmetric pads and dilations, 1 and 3 "SMs" (grid sizes), and the argument checks, among them
 * every op value outside its fcpts/ops.def list (FCPTS_INVALID_ARGUMENT, outputs untouched). The unary ops
 * Tanh, Exp, Sqrt and Erf are also checked against a double-precision reference, and so are the index maps
 * (SUM / MAX, forward and backward: bitwise GPU vs CPU, their argument checks, hand-made routing cases), layer
 * normalization (forward and backward) and Equal (values and zero gradients). Elementwise and
 * optimizer results must be bitwise equal (the math is shared through fcpts/ops_math.h and both builds keep
 * a * b + c unfused); reductions agree to the stated tolerances (different but fixed summation orders).
 * Prints "N checks, F failures" and exits non-zero on any failure; run by CudaKernelEmulationTest (mvn verify).
 * This is the only execution of the GPU kernels' logic on a machine without a GPU: it does not replace a run
 * on a device (bench/gpu/run-gpu-suite.sh).
 */
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "fcpts/index_map_math.h"
#include "fcpts/kde_fused.h"
#include "fcpts/kde_fused_cuda.h"
#include "fcpts/ops_cpu.h"
#include "fcpts/sparse_cpu.h"
#include "fcpts/sparse_cuda.h"
#include "fcpts/ops_cuda.h"
#include "fcpts/optim_cpu.h"

extern int emu_sms;
namespace emu { extern long launches; }

static int failures = 0, checks = 0;
static std::mt19937 rng(1234);

static std::vector<float> randv(size_t n, float lo = -2.f, float hi = 2.f) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

static void expect_ok(int rc, const fcpts_status& st, const char* what) {
    ++checks;
    if (rc != 0) {
        ++failures;
        std::printf("FAIL %s: rc %d: %s\n", what, rc, st.message);
    }
}

static void expect_rc(int rc, int want, const char* what) {
    ++checks;
    if (rc != want) {
        ++failures;
        std::printf("FAIL %s: rc %d, want %d\n", what, rc, want);
    }
}

/* tol = 0: bitwise (NaN == NaN) */
template <typename T>
static void compare(const std::vector<T>& got, const std::vector<T>& want, double tol, const std::string& what) {
    ++checks;
    if (got.size() != want.size()) {
        ++failures;
        std::printf("FAIL %s: size %zu vs %zu\n", what.c_str(), got.size(), want.size());
        return;
    }
    for (size_t i = 0; i < got.size(); ++i) {
        const double g = got[i], w = want[i];
        bool ok;
        if (std::isnan(g) || std::isnan(w)) ok = std::isnan(g) && std::isnan(w);
        else if (tol == 0) ok = std::memcmp(&got[i], &want[i], sizeof(T)) == 0 || g == w;
        else ok = g == w || std::fabs(g - w) <= tol * (1.0 + std::fabs(w));
        if (!ok) {
            ++failures;
            std::printf("FAIL %s: [%zu] got %.9g want %.9g\n", what.c_str(), i, g, w);
            return;
        }
    }
}

static fcpts_status st;

/* An op value outside its fcpts/ops.def list: FCPTS_INVALID_ARGUMENT whose message names the enum and the value. */
static void expect_rejected(int rc, const char* enum_name, int value, const char* what) {
    ++checks;
    const std::string want = std::string(enum_name) + " value " + std::to_string(value);
    if (rc != FCPTS_INVALID_ARGUMENT || std::strstr(st.message, want.c_str()) == nullptr) {
        ++failures;
        std::printf("FAIL %s: rc %d, message \"%s\", want FCPTS_INVALID_ARGUMENT naming \"%s\"\n", what, rc,
                    st.message, want.c_str());
    }
}

/* Outputs of a rejected call keep their sentinel. */
static void expect_untouched(const std::vector<float>& v, float sentinel, const char* what) {
    compare(v, std::vector<float>(v.size(), sentinel), 0, std::string(what) + ": output untouched");
}

/* ---------------- elementwise ---------------- */
static void test_unary() {
    auto x = randv(3000, -8.f, 8.f);
    x[0] = 0.f; x[1] = -3.f; x[2] = 3.f; x[3] = NAN; x[4] = INFINITY; x[5] = -INFINITY; x[6] = 1.f; x[7] = -0.f;
    auto dy = randv(x.size());
    for (int op = 0; op < FCPTS_UNARY_OP_COUNT; ++op) {
        std::vector<float> a(x.size()), b(x.size());
        expect_ok(fcpts_unary_cuda(op, 0.2f, 0.7f, x.data(), a.data(), (int64_t)x.size(), nullptr, &st), st, "unary");
        fcpts_unary_cpu(op, 0.2f, 0.7f, x.data(), b.data(), (int64_t)x.size(), 1, &st);
        compare(a, b, 0, "unary op " + std::to_string(op));
        expect_ok(fcpts_unary_backward_cuda(op, 0.2f, 0.7f, x.data(), dy.data(), a.data(), (int64_t)x.size(), nullptr, &st), st, "unary bwd");
        fcpts_unary_backward_cpu(op, 0.2f, 0.7f, x.data(), dy.data(), b.data(), (int64_t)x.size(), 1, &st);
        compare(a, b, 0, "unary bwd op " + std::to_string(op));
    }
    for (int bad : {(int)FCPTS_UNARY_OP_COUNT, -1, 1 << 30}) {
        std::vector<float> out(7, 42.f);
        expect_rejected(fcpts_unary_cuda(bad, 0, 0, x.data(), out.data(), 7, nullptr, &st), "fcpts_unary_op", bad,
                        "unary bad op");
        expect_rejected(fcpts_unary_backward_cuda(bad, 0, 0, x.data(), dy.data(), out.data(), 7, nullptr, &st),
                        "fcpts_unary_op", bad, "unary backward bad op");
        expect_untouched(out, 42.f, "unary bad op");
    }
    expect_rc(fcpts_unary_cuda(0, 0, 0, nullptr, nullptr, 0, nullptr, &st), 0, "unary n=0");
    expect_rc(fcpts_unary_cuda(0, 0, 0, nullptr, nullptr, -1, nullptr, &st), FCPTS_INVALID_ARGUMENT, "unary n<0");
}

/* y = f(x) (grad false) or f'(x) in double, for the unary ops checked against a reference. */
static double unary_reference(int op, double x, double alpha, bool grad) {
    switch (op) {
        case FCPTS_UNARY_TANH: return grad ? 1.0 / (std::cosh(x) * std::cosh(x)) : std::tanh(x);
        case FCPTS_UNARY_EXP: return std::exp(x);
        case FCPTS_UNARY_SQRT: return grad ? 0.5 / std::sqrt(x) : std::sqrt(x);
        /* erf(NaN) = +-1 by the sign bit, as ONNX Runtime's MLAS erf (fcpts/ops.def) */
        case FCPTS_UNARY_ERF:
            return grad ? 2.0 / std::sqrt(M_PI) * std::exp(-x * x) : std::isnan(x) ? std::copysign(1.0, x) : std::erf(x);
        case FCPTS_UNARY_POW: return grad ? alpha * std::pow(x, alpha - 1.0) : std::pow(x, alpha);
        default: return NAN;
    }
}

/*
 * Tanh, Exp, Sqrt, Erf and Pow with exponents 2, 0.5 and 3 (ONNX Runtime's definitions; Sqrt and x^0.5 NaN
 * below 0, their gradients infinite at 0) on the emulated GPU and on the CPU twin against unary_reference, on odd sizes: |got - ref| <=
 * atol |dy| + rtol |ref| with rtol = 1e-5. The float functions are within a few ulp (~2e-7 relative) of the
 * exact value; Erf's gradient rounds -x*x before expf, a relative error of up to x^2 * 6e-8 = 3.8e-6 at
 * |x| = 8. atol = 0 except for Tanh's gradient, 1 - t^2 with t = tanhf(x) rounded to float: where t is
 * near 1 that cancels to an absolute error of a few ulp(1), so atol = 1e-6. Equal infinities and NaN
 * against NaN match. kFloatTiny (the smallest normal float) absorbs exact values below float's range, which
 * round to 0 or a subnormal (x^2 of 1e-30 is 1e-60 in double, 0 in float).
 */
static const double kFloatTiny = 1.1754943508222875e-38;

static void test_unary_reference() {
    for (size_t n : {1, 7, 33, 1001, 4099}) {
        auto x = randv(n, -8.f, 8.f), dy = randv(n);
        if (n >= 9) {
            x[0] = 0.f; x[1] = -0.f; x[2] = NAN; x[3] = INFINITY; x[4] = -INFINITY; x[5] = 1e-30f; x[6] = -1e-6f;
            x[7] = 30.f; x[8] = 88.f;  /* tanh saturated; expf near its overflow */
        }
        const std::pair<int, float> cases[] = {{FCPTS_UNARY_TANH, 0.f}, {FCPTS_UNARY_EXP, 0.f},
                                               {FCPTS_UNARY_SQRT, 0.f}, {FCPTS_UNARY_ERF, 0.f},
                                               {FCPTS_UNARY_POW, 2.f},  {FCPTS_UNARY_POW, 0.5f},
                                               {FCPTS_UNARY_POW, 3.f}};
        for (const auto& c : cases) {
            const int op = c.first;
            const float alpha = c.second;
            const std::string name = "unary op " + std::to_string(op) + " alpha " + std::to_string(alpha) + " n " +
                                     std::to_string(n);
            std::vector<float> gy(n, 9.f), cy(n, 8.f), gdx(n, 9.f), cdx(n, 8.f);
            expect_ok(fcpts_unary_cuda(op, alpha, 0.f, x.data(), gy.data(), (int64_t)n, nullptr, &st), st, "unary");
            expect_ok(fcpts_unary_cpu(op, alpha, 0.f, x.data(), cy.data(), (int64_t)n, 1, &st), st, "unary cpu");
            expect_ok(fcpts_unary_backward_cuda(op, alpha, 0.f, x.data(), dy.data(), gdx.data(), (int64_t)n, nullptr,
                                                &st), st, "unary bwd");
            expect_ok(fcpts_unary_backward_cpu(op, alpha, 0.f, x.data(), dy.data(), cdx.data(), (int64_t)n, 1, &st),
                      st, "unary bwd cpu");
            compare(gy, cy, 0, name + " gpu vs cpu");
            compare(gdx, cdx, 0, name + " bwd gpu vs cpu");
            const double rtol = 1e-5, atol = op == FCPTS_UNARY_TANH ? 1e-6 : 0.0;
            for (int backward = 0; backward <= 1; ++backward) {
                ++checks;
                int bad = 0;
                double worst = 0;
                size_t worst_at = 0;
                for (size_t i = 0; i < n; ++i) {
                    const double d = backward ? (double)dy[i] : 1.0;
                    const double want = backward ? d * unary_reference(op, x[i], alpha, true)
                                                  : unary_reference(op, x[i], alpha, false);
                    const double got = backward ? gdx[i] : gy[i];
                    const double allowed = atol * std::fabs(d) + rtol * std::fabs(want) + kFloatTiny;
                    const double err = std::fabs(got - want);
                    const bool ok = got == want || (std::isnan(got) && std::isnan(want)) || err <= allowed;
                    if (!ok) {
                        if (bad < 3) {
                            std::printf("FAIL %s%s: x[%zu] = %.9g got %.9g want %.9g (allowed %.3g)\n", name.c_str(),
                                        backward ? " grad" : "", i, x[i], got, want, allowed);
                        }
                        ++bad;
                    }
                    if (!std::isnan(err) && err > worst) {
                        worst = err;
                        worst_at = i;
                    }
                }
                if (bad) {
                    ++failures;
                    std::printf("  %s%s: %d of %zu outside, worst |err| %.3g at x = %.9g\n", name.c_str(),
                                backward ? " grad" : "", bad, n, worst, x[worst_at]);
                }
            }
        }
    }
}

struct BShape {
    std::vector<int64_t> y, as, bs;
    size_t na, nb;
};

static std::vector<int64_t> dense_strides(const std::vector<int64_t>& dims) {
    std::vector<int64_t> s(dims.size());
    int64_t t = 1;
    for (int d = (int)dims.size() - 1; d >= 0; --d) { s[d] = t; t *= dims[d]; }
    return s;
}
/* operand shape -> broadcast strides against y */
static std::vector<int64_t> bstrides(const std::vector<int64_t>& op, const std::vector<int64_t>& y) {
    auto s = dense_strides(op);
    for (size_t d = 0; d < y.size(); ++d) if (op[d] == 1 && y[d] != 1) s[d] = 0;
    return s;
}
static size_t prod(const std::vector<int64_t>& v) { size_t p = 1; for (auto x : v) p *= (size_t)x; return p; }

static void test_binary_case(const std::vector<int64_t>& y, const std::vector<int64_t>& ash,
                             const std::vector<int64_t>& bsh, const char* name, bool transposed_a = false) {
    BShape s{y, bstrides(ash, y), bstrides(bsh, y), prod(ash), prod(bsh)};
    if (transposed_a) { /* a stored transposed over the last two axes (y-shaped operand, non-dense strides) */
        int r = (int)y.size();
        s.as[r - 1] = y[r - 2];
        s.as[r - 2] = 1;
        for (int d = r - 3; d >= 0; --d) s.as[d] = y[d + 1] * (d + 1 == r - 2 ? y[r - 1] : 1) * 1;
        /* recompute outer strides: product of inner dims */
        int64_t t = y[r - 1] * y[r - 2];
        for (int d = r - 3; d >= 0; --d) { s.as[d] = t; t *= y[d]; }
    }
    auto a = randv(std::max<size_t>(s.na, 1)), b = randv(std::max<size_t>(s.nb, 1), 0.5f, 2.f);
    size_t ny = prod(y);
    auto dy = randv(std::max<size_t>(ny, 1));
    int rank = (int)y.size();
    for (int op = 0; op < FCPTS_BINARY_OP_COUNT; ++op) {
        std::vector<float> g(ny), c(ny);
        expect_ok(fcpts_binary_cuda(op, a.data(), s.as.data(), b.data(), s.bs.data(), g.data(), y.data(), rank, nullptr, &st), st, name);
        fcpts_binary_cpu(op, a.data(), s.as.data(), b.data(), s.bs.data(), c.data(), y.data(), rank, 1, &st);
        compare(g, c, 0, std::string("binary ") + name + " op " + std::to_string(op));
        std::vector<float> ga(s.na, 77.f), gb(s.nb, 77.f), ca(s.na, 77.f), cb(s.nb, 77.f);
        expect_ok(fcpts_binary_backward_cuda(op, a.data(), s.as.data(), b.data(), s.bs.data(), dy.data(), y.data(), rank, ga.data(), gb.data(), nullptr, &st), st, name);
        fcpts_binary_backward_cpu(op, a.data(), s.as.data(), b.data(), s.bs.data(), dy.data(), y.data(), rank, ca.data(), cb.data(), 1, &st);
        compare(ga, ca, 1e-6, std::string("binary bwd da ") + name + " op " + std::to_string(op));
        compare(gb, cb, 1e-6, std::string("binary bwd db ") + name + " op " + std::to_string(op));
        /* NULL da */
        std::vector<float> gb2(s.nb, 5.f);
        expect_ok(fcpts_binary_backward_cuda(op, a.data(), s.as.data(), b.data(), s.bs.data(), dy.data(), y.data(), rank, nullptr, gb2.data(), nullptr, &st), st, name);
        compare(gb2, cb, 1e-6, std::string("binary bwd db only ") + name);
    }
}

static void test_binary() {
    test_binary_case({2, 3, 4, 5}, {2, 3, 4, 5}, {1, 3, 1, 1}, "nchw+c");
    test_binary_case({2, 3, 4, 5}, {2, 3, 4, 5}, {1, 1, 1, 5}, "last");
    test_binary_case({2, 3, 4, 5}, {2, 1, 4, 1}, {1, 3, 1, 5}, "both");
    test_binary_case({7}, {7}, {1}, "scalar b");
    test_binary_case({1, 1}, {1, 1}, {1, 1}, "all ones");
    test_binary_case({3, 1, 5}, {3, 1, 5}, {3, 1, 5}, "dense with 1");
    test_binary_case({4, 8, 16, 16}, {4, 8, 16, 16}, {1, 8, 1, 1}, "block-mode bias");
    test_binary_case({300, 40}, {300, 40}, {1, 40}, "block-mode fc bias");
    test_binary_case({5, 6, 7}, {5, 6, 7}, {5, 1, 7}, "middle");
    test_binary_case({3, 5000}, {3, 5000}, {1, 5000}, "long rows");
    test_binary_case({3, 5000}, {3, 1}, {1, 5000}, "long rows outer");
    test_binary_case({2, 3, 4}, {2, 3, 4}, {1, 1, 1}, "scalar both");
    test_binary_case({2, 3, 4}, {2, 3, 4}, {2, 3, 4}, "transposed a", true);
    test_binary_case({2, 3, 4}, {2, 3, 4}, {1, 3, 1}, "transposed a + bcast", true);
    test_binary_case({2, 2, 2, 2, 2, 2, 2, 3}, {2, 1, 2, 1, 2, 1, 2, 1}, {1, 2, 1, 2, 1, 2, 1, 3}, "rank 8");
    /* zero-size y: broadcast operand gets zeros */
    {
        std::vector<int64_t> y{0, 3}, as{0, 1}, bs{3, 1};
        float a[3] = {1, 2, 3}, b[1] = {0}, dy[1] = {0};
        std::vector<float> da(3, 9.f), ca(3, 9.f);
        expect_ok(fcpts_binary_backward_cuda(0, a, as.data(), b, bs.data(), dy, y.data(), 2, da.data(), nullptr, nullptr, &st), st, "zero y");
        fcpts_binary_backward_cpu(0, a, as.data(), b, bs.data(), dy, y.data(), 2, ca.data(), nullptr, 1, &st);
        compare(da, ca, 0, "binary bwd zero-size broadcast");
    }
    int64_t d1[1] = {3}, s1[1] = {1};
    float v[3] = {};
    for (int bad : {(int)FCPTS_BINARY_OP_COUNT, -1}) {
        std::vector<float> out(3, 42.f), da(3, 42.f), db(3, 42.f);
        expect_rejected(fcpts_binary_cuda(bad, v, s1, v, s1, out.data(), d1, 1, nullptr, &st), "fcpts_binary_op", bad,
                        "binary bad op");
        expect_rejected(fcpts_binary_backward_cuda(bad, v, s1, v, s1, v, d1, 1, da.data(), db.data(), nullptr, &st),
                        "fcpts_binary_op", bad, "binary backward bad op");
        expect_untouched(out, 42.f, "binary bad op");
        expect_untouched(da, 42.f, "binary backward bad op da");
        expect_untouched(db, 42.f, "binary backward bad op db");
    }
    expect_rc(fcpts_binary_cuda(0, v, s1, v, s1, v, d1, 0, nullptr, &st), FCPTS_INVALID_ARGUMENT, "binary rank 0");
    expect_rc(fcpts_binary_cuda(0, v, s1, v, s1, v, d1, 9, nullptr, &st), FCPTS_INVALID_ARGUMENT, "binary rank 9");
    expect_rc(fcpts_binary_cuda(0, nullptr, s1, v, s1, v, d1, 1, nullptr, &st), FCPTS_INVALID_ARGUMENT, "binary NULL");
}

static float act(int a, float v, float lo, float hi) {
    if (a == 1) return v <= 0 ? 0 : v;  /* NaN stays NaN (fcpts/ops.def) */
    if (a == 2) return std::min(std::max(v, lo), hi);
    return v;
}

static void test_epilogues() {
    const int64_t n = 3, oc = 5, sp = 37;
    auto y0 = randv(n * oc * sp), bias = randv(oc), res = randv(n * oc * sp), src = randv(n * oc * sp);
    for (int a = 0; a < FCPTS_ACTIVATION_COUNT; ++a) {
        for (int mode = 0; mode < 4; ++mode) {
            const float* bp = (mode & 1) ? bias.data() : nullptr;
            const float* rp = (mode & 2) ? res.data() : nullptr;
            auto y = y0;
            std::vector<float> want(y0.size()), ys(y0.size()), wants(y0.size());
            for (int64_t b = 0; b < n; ++b)
                for (int64_t o = 0; o < oc; ++o)
                    for (int64_t s = 0; s < sp; ++s) {
                        const int64_t i = (b * oc + o) * sp + s;
                        float v = y0[i] + (bp ? bp[o] : 0.f);
                        if (rp) v += rp[i];
                        want[i] = (bp || rp || a) ? act(a, v, -0.5f, 0.5f) : y0[i];
                        float u = src[o * n * sp + b * sp + s] + (bp ? bp[o] : 0.f);
                        if (rp) u += rp[i];
                        wants[i] = act(a, u, -0.5f, 0.5f);
                    }
            expect_ok(fcpts_conv_epilogue_cuda(y.data(), bp, rp, n, oc, sp, a, -0.5f, 0.5f, nullptr, &st), st, "conv epi");
            compare(y, want, 0, "conv epilogue act " + std::to_string(a) + " mode " + std::to_string(mode));
            expect_ok(fcpts_sparse_epilogue_cuda(src.data(), bp, rp, n, oc, sp, a, -0.5f, 0.5f, ys.data(), nullptr, &st), st, "sparse epi");
            compare(ys, wants, 0, "sparse epilogue act " + std::to_string(a) + " mode " + std::to_string(mode));
        }
    }
    for (int bad : {(int)FCPTS_ACTIVATION_COUNT, -1}) {
        std::vector<float> y(y0.size(), 42.f);
        expect_rejected(fcpts_conv_epilogue_cuda(y.data(), bias.data(), nullptr, n, oc, sp, bad, 0, 0, nullptr, &st),
                        "fcpts_activation", bad, "conv epilogue bad act");
        expect_rejected(fcpts_sparse_epilogue_cuda(src.data(), bias.data(), nullptr, n, oc, sp, bad, 0, 0, y.data(),
                                                   nullptr, &st), "fcpts_activation", bad, "sparse epilogue bad act");
        expect_untouched(y, 42.f, "epilogue bad act");
    }
    std::vector<float> f(1000, 1.f);
    expect_ok(fcpts_fill_cuda(f.data(), 999, 2.5f, nullptr, &st), st, "fill");
    std::vector<float> fw(1000, 2.5f);
    fw[999] = 1.f;
    compare(f, fw, 0, "fill");
}

/* ---------------- normalization ---------------- */
/*
 * Per-channel BatchNorm parameter gradients: the CPU sums each plane in float (recursive summation error at most
 * spatial * 6e-8 of the plane's sum of |terms|), the GPU in double; compare against that bound, not the result's
 * own magnitude (dgamma cancels: its sum can be far smaller than its terms).
 */
static void compare_channel_sums(const std::vector<float>& got, const std::vector<float>& want,
                                 const std::vector<float>& x, const std::vector<float>& dy, int64_t n, int64_t c,
                                 int64_t sp, const float* center, const float* scale, const std::string& what) {
    for (int64_t ch = 0; ch < c; ++ch) {
        double terms = 0;
        for (int64_t b = 0; b < n; ++b) {
            for (int64_t i = 0; i < sp; ++i) {
                const size_t at = (size_t)((b * c + ch) * sp + i);
                terms += center ? std::fabs((double)dy[at] * (x[at] - center[ch]) * scale[ch]) : std::fabs(dy[at]);
            }
        }
        const double allowed = 1e-6 + (double)sp * 6e-8 * terms;
        ++checks;
        if (!(std::fabs((double)got[ch] - want[ch]) <= allowed)) {
            ++failures;
            std::printf("FAIL %s: channel %lld got %.9g want %.9g (allowed %.3g)\n", what.c_str(), (long long)ch,
                        got[ch], want[ch], allowed);
        }
    }
}

static void test_bn() {
    for (auto [n, c, sp] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{{2, 3, 50}, {5, 4, 1}, {1, 2, 300}, {3, 2, 7}, {7, 3, 600}, {2, 2, 4500}}) {
        const size_t N = n * c * sp;
        auto x = randv(N), dy = randv(N), gamma = randv(c), beta = randv(c), mean = randv(c), var = randv(c, 0.1f, 2.f);
        std::vector<float> g(N), w(N);
        expect_ok(fcpts_batchnorm_inference_cuda(x.data(), n, c, sp, gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f, g.data(), nullptr, &st), st, "bn inf");
        fcpts_batchnorm_inference_cpu(x.data(), n, c, sp, gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f, w.data(), 1, &st);
        compare(g, w, 0, "bn inference");
        std::vector<float> gdg(c), gdb(c), wdg(c), wdb(c);
        expect_ok(fcpts_batchnorm_backward_cuda(x.data(), dy.data(), n, c, sp, gamma.data(), mean.data(), var.data(), 1e-5f, g.data(), gdg.data(), gdb.data(), nullptr, &st), st, "bn bwd");
        fcpts_batchnorm_backward_cpu(x.data(), dy.data(), n, c, sp, gamma.data(), mean.data(), var.data(), 1e-5f, w.data(), wdg.data(), wdb.data(), 1, &st);
        compare(g, w, 0, "bn backward dx");
        std::vector<float> inv_std(c);
        for (int64_t ch = 0; ch < c; ++ch) inv_std[ch] = 1.0f / std::sqrt(var[ch] + 1e-5f);
        compare_channel_sums(gdg, wdg, x, dy, n, c, sp, mean.data(), inv_std.data(), "bn backward dgamma");
        compare_channel_sums(gdb, wdb, x, dy, n, c, sp, nullptr, nullptr, "bn backward dbeta");
        auto rm = randv(c), rv = randv(c, 0.5f, 1.f), rm2 = rm, rv2 = rv;
        std::vector<float> sm(c), si(c), sm2(c), si2(c);
        expect_ok(fcpts_batchnorm_training_cuda(x.data(), n, c, sp, gamma.data(), beta.data(), rm.data(), rv.data(), 0.9f, 1e-5f, g.data(), sm.data(), si.data(), nullptr, &st), st, "bn train");
        fcpts_batchnorm_training_cpu(x.data(), n, c, sp, gamma.data(), beta.data(), rm2.data(), rv2.data(), 0.9f, 1e-5f, w.data(), sm2.data(), si2.data(), 1, &st);
        compare(sm, sm2, 1e-6, "bn train mean");
        compare(si, si2, 1e-5, "bn train invstd");
        compare(rm, rm2, 1e-6, "bn train running mean");
        compare(rv, rv2, 1e-5, "bn train running var");
        compare(g, w, 1e-4, "bn train y");
        /* backward from the CPU's saved stats so that the comparison isolates the backward */
        std::vector<float> gdx(N), wdx(N);
        expect_ok(fcpts_batchnorm_training_backward_cuda(x.data(), dy.data(), n, c, sp, gamma.data(), sm2.data(), si2.data(), gdx.data(), gdg.data(), gdb.data(), nullptr, &st), st, "bn tr bwd");
        fcpts_batchnorm_training_backward_cpu(x.data(), dy.data(), n, c, sp, gamma.data(), sm2.data(), si2.data(), wdx.data(), wdg.data(), wdb.data(), 1, &st);
        compare_channel_sums(gdg, wdg, x, dy, n, c, sp, sm2.data(), si2.data(), "bn train bwd dgamma");
        compare_channel_sums(gdb, wdb, x, dy, n, c, sp, nullptr, nullptr, "bn train bwd dbeta");
        compare(gdx, wdx, 1e-4, "bn train bwd dx");
        /* in place dx = dy */
        auto dy2 = dy;
        expect_ok(fcpts_batchnorm_training_backward_cuda(x.data(), dy2.data(), n, c, sp, gamma.data(), sm2.data(), si2.data(), dy2.data(), nullptr, nullptr, nullptr, &st), st, "bn tr bwd inplace");
        compare(dy2, gdx, 0, "bn train bwd in place");
    }
    float one[2] = {1, 2};
    std::vector<float> z(2);
    expect_rc(fcpts_batchnorm_training_cuda(one, 1, 2, 1, one, one, z.data(), z.data(), 0.9f, 1e-5f, z.data(), z.data(), z.data(), nullptr, &st), FCPTS_INVALID_ARGUMENT, "bn train count 1");
    /* n = 0: parameter grads are zeros */
    std::vector<float> dg(2, 9.f), db(2, 9.f);
    expect_ok(fcpts_batchnorm_training_backward_cuda(one, one, 0, 2, 3, one, one, one, nullptr, dg.data(), db.data(), nullptr, &st), st, "bn n=0");
    compare(dg, std::vector<float>(2, 0.f), 0, "bn train bwd n=0 dgamma");
    std::vector<float> dg2(2, 9.f);
    expect_ok(fcpts_batchnorm_backward_cuda(one, one, 0, 2, 3, one, one, one, 1e-5f, nullptr, dg2.data(), nullptr, nullptr, &st), st, "bn inf n=0");
    compare(dg2, std::vector<float>(2, 0.f), 0, "bn inf bwd n=0 dgamma");
}

static void test_reductions() {
    for (auto [planes, sp] : std::vector<std::pair<int64_t, int64_t>>{{10, 49}, {3, 1}, {5, 1000}, {700, 3}, {2, 5000}}) {
        auto x = randv(planes * sp), dy = randv(planes);
        std::vector<float> g(planes), w(planes), gx(planes * sp), wx(planes * sp);
        expect_ok(fcpts_global_avg_pool_cuda(x.data(), planes, sp, g.data(), nullptr, &st), st, "gap");
        fcpts_global_avg_pool_cpu(x.data(), planes, sp, w.data(), 1, &st);
        compare(g, w, 1e-7, "global avg pool");
        expect_ok(fcpts_global_avg_pool_backward_cuda(dy.data(), planes, sp, gx.data(), nullptr, &st), st, "gap bwd");
        fcpts_global_avg_pool_backward_cpu(dy.data(), planes, sp, wx.data(), 1, &st);
        compare(gx, wx, 0, "global avg pool backward");
    }
    for (auto [o, a, in] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{{7, 10, 1}, {3, 1000, 1}, {300, 3, 1}, {4, 5, 6}, {2, 1, 1}, {2, 3, 300}, {1, 4000, 1}}) {
        auto x = randv(o * a * in, -10.f, 10.f), dy = randv(o * a * in);
        std::vector<float> g(x.size()), w(x.size());
        expect_ok(fcpts_softmax_cuda(x.data(), o, a, in, g.data(), nullptr, &st), st, "softmax");
        fcpts_softmax_cpu(x.data(), o, a, in, w.data(), 1, &st);
        compare(g, w, 1e-6, "softmax " + std::to_string(a));
        expect_ok(fcpts_softmax_backward_cuda(w.data(), dy.data(), o, a, in, g.data(), nullptr, &st), st, "softmax bwd");
        std::vector<float> w2(x.size());
        fcpts_softmax_backward_cpu(w.data(), dy.data(), o, a, in, w2.data(), 1, &st);
        compare(g, w2, 1e-6, "softmax backward " + std::to_string(a));
        auto xi = x; /* in place */
        expect_ok(fcpts_softmax_cuda(xi.data(), o, a, in, xi.data(), nullptr, &st), st, "softmax inplace");
        compare(xi, w, 1e-6, "softmax in place");
    }
    for (auto [r, c] : std::vector<std::pair<int64_t, int64_t>>{{5, 7}, {300, 40}, {1, 100}, {0, 9}, {1000, 3}}) {
        auto x = randv(std::max<int64_t>(r * c, 1));
        std::vector<float> g(c, 9.f), w(c, 9.f);
        expect_ok(fcpts_column_sum_cuda(x.data(), r, c, g.data(), nullptr, &st), st, "colsum");
        fcpts_column_sum_cpu(x.data(), r, c, w.data(), 1, &st);
        compare(g, w, 1e-6, "column sum");
    }
}

/* ---------------- layout ---------------- */
static void test_layout() {
    std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> cases = {
        {{3, 4}, {1, 0}}, {{2, 3, 4}, {0, 2, 1}}, {{2, 3, 4, 5}, {0, 2, 3, 1}}, {{2, 3, 4, 5}, {0, 3, 1, 2}},
        {{2, 3, 4, 5}, {3, 2, 1, 0}}, {{1, 3, 1, 5}, {3, 2, 1, 0}}, {{40, 70}, {1, 0}}, {{2, 33, 65}, {2, 0, 1}},
        {{5}, {0}}, {{2, 3, 4}, {0, 1, 2}}, {{1, 1}, {1, 0}}, {{3, 1, 37, 2}, {1, 3, 2, 0}},
        {{2, 2, 2, 2, 2, 2, 2, 3}, {7, 0, 6, 1, 5, 2, 4, 3}}, {{2, 5000}, {0, 1}}, {{3, 2, 5000}, {1, 0, 2}}};
    for (auto& [dims, perm] : cases) {
        auto x = randv(prod(dims));
        std::vector<float> g(x.size()), w(x.size());
        expect_ok(fcpts_transpose_cuda(x.data(), dims.data(), perm.data(), (int)dims.size(), g.data(), nullptr, &st), st, "transpose");
        fcpts_transpose_cpu(x.data(), dims.data(), perm.data(), (int)dims.size(), w.data(), 1, &st);
        compare(g, w, 0, "transpose rank " + std::to_string(dims.size()));
    }
    int64_t dd[2] = {2, 2}, pp[2] = {0, 0};
    float v[4] = {};
    float v2[4] = {};
    expect_rc(fcpts_transpose_cuda(v, dd, pp, 2, v2, nullptr, &st), FCPTS_INVALID_ARGUMENT, "transpose dup perm");
    /* concat / slice */
    {
        const int64_t outer = 6, block = 37, yb = 100, off = 41;
        auto x = randv(outer * block), y = randv(outer * yb), y2 = y;
        expect_ok(fcpts_concat_piece_cuda(x.data(), outer, block, y.data(), yb, off, nullptr, &st), st, "concat");
        fcpts_concat_piece_cpu(x.data(), outer, block, y2.data(), yb, off, 1, &st);
        compare(y, y2, 0, "concat piece");
        std::vector<float> dx(outer * block), dx2(outer * block);
        expect_ok(fcpts_slice_piece_cuda(y.data(), outer, block, yb, off, dx.data(), nullptr, &st), st, "slice");
        fcpts_slice_piece_cpu(y.data(), outer, block, yb, off, dx2.data(), 1, &st);
        compare(dx, dx2, 0, "slice piece");
        compare(dx, x, 0, "slice(concat)");
        expect_rc(fcpts_concat_piece_cuda(x.data(), outer, block, y.data(), yb, 70, nullptr, &st), FCPTS_INVALID_ARGUMENT, "concat outside");
    }
    /* pad / crop */
    for (auto [p, h, w, t, b, l, r] : std::vector<std::array<int64_t, 7>>{{3, 5, 7, 1, 2, 0, 3}, {2, 1, 1, 0, 0, 0, 0}, {1, 4, 300, 2, 0, 5, 1}}) {
        const int64_t hp = h + t + b, wp = w + l + r;
        auto x = randv(p * h * w);
        std::vector<float> y(p * hp * wp, 9.f), want(p * hp * wp, 0.f), back(p * h * w);
        for (int64_t q = 0; q < p; ++q)
            for (int64_t i = 0; i < h; ++i)
                for (int64_t j = 0; j < w; ++j) want[(q * hp + i + t) * wp + j + l] = x[(q * h + i) * w + j];
        expect_ok(fcpts_pad_planes_cuda(x.data(), p, h, w, t, b, l, r, y.data(), nullptr, &st), st, "pad");
        compare(y, want, 0, "pad planes");
        expect_ok(fcpts_crop_planes_cuda(y.data(), p, h, w, t, b, l, r, back.data(), nullptr, &st), st, "crop");
        compare(back, x, 0, "crop(pad)");
    }
}

/* geometry {n, c, h, w, oc, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups} */
static std::vector<int64_t> geom(int64_t n, int64_t c, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                                 int64_t dh, int64_t dw, int64_t pt, int64_t pl, int64_t pb, int64_t pr) {
    const int64_t oh = (h - ((kh - 1) * dh + 1) + pt + pb) / sh + 1, ow = (w - ((kw - 1) * dw + 1) + pl + pr) / sw + 1;
    return {n, c, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, 1};
}

static void test_im2col() {
    for (auto g : {geom(2, 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), geom(1, 2, 10, 8, 3, 2, 2, 3, 2, 1, 2, 0, 1, 3),
                   geom(2, 1, 5, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0)}) {
        const int64_t n = g[0], c = g[1], h = g[2], w = g[3], oh = g[5], ow = g[6], kh = g[7], kw = g[8];
        auto x = randv(n * c * h * w);
        std::vector<float> cols(c * kh * kw * n * oh * ow, 9.f), want(cols.size());
        for (int64_t ci = 0; ci < c; ++ci)
            for (int64_t i = 0; i < kh; ++i)
                for (int64_t j = 0; j < kw; ++j)
                    for (int64_t b = 0; b < n; ++b)
                        for (int64_t y = 0; y < oh; ++y)
                            for (int64_t xx = 0; xx < ow; ++xx) {
                                const int64_t iy = y * g[9] - g[13] + i * g[11], ix = xx * g[10] - g[14] + j * g[12];
                                want[((ci * kh + i) * kw + j) * (n * oh * ow) + (b * oh + y) * ow + xx] =
                                    iy >= 0 && iy < h && ix >= 0 && ix < w ? x[((b * c + ci) * h + iy) * w + ix] : 0.f;
                            }
        expect_ok(fcpts_im2col_cuda(g.data(), x.data(), cols.data(), nullptr, &st), st, "im2col");
        compare(cols, want, 0, "im2col");
    }
}

static void test_pool() {
    std::vector<std::vector<int64_t>> gs = {
        geom(2, 3, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0), geom(1, 2, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        geom(2, 2, 10, 11, 3, 2, 1, 2, 1, 1, 2, 0, 1, 1), geom(1, 1, 12, 13, 3, 3, 2, 3, 2, 2, 1, 2, 3, 0),
        geom(1, 2, 7, 7, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0), geom(3, 2, 5, 6, 2, 3, 1, 1, 1, 1, 1, 2, 1, 2),
        geom(1, 1, 6, 6, 3, 3, 3, 3, 1, 1, 2, 2, 2, 2), geom(1, 1, 300, 4, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0),
        geom(1, 2, 2, 2, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0), geom(1, 1, 5, 5, 3, 3, 2, 2, 1, 1, 0, 0, 2, 2),
        geom(2, 1, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0), geom(1, 1, 2, 9, 2, 4, 3, 2, 1, 2, 1, 0, 0, 1)};
    for (auto& g : gs) {
        const int64_t n = g[0], c = g[1], h = g[2], w = g[3], oh = g[5], ow = g[6];
        auto x = randv(n * c * h * w, -3.f, 3.f);
        /* some ties and -inf for the arg-max rules */
        for (size_t i = 0; i < x.size(); i += 5) x[i] = 1.0f;
        auto dy = randv(n * c * oh * ow);
        for (int kind = 0; kind < FCPTS_POOL_KIND_COUNT; ++kind) {
            fcpts_dnnl_plan* plan = nullptr;
            int rc = fcpts_pool_plan_create(g.data(), kind, 1, &plan, &st);
            if (rc != 0) { std::printf("note: oneDNN refused pool kind %d h %lld: %s\n", kind, (long long)g[2], st.message); continue; }
            std::printf("pool h%lld w%lld k%lldx%lld s%lld d%lld pads %lld %lld %lld %lld oh %lld ow %lld kind %d\n", (long long)g[2], (long long)g[3], (long long)g[7], (long long)g[8], (long long)g[9], (long long)g[11], (long long)g[13], (long long)g[14], (long long)g[15], (long long)g[16], (long long)g[5], (long long)g[6], kind);
            std::vector<float> gy(n * c * oh * ow), wy(gy.size()), gdx(x.size(), 9.f), wdx(x.size());
            expect_ok(fcpts_pool_forward_cuda(g.data(), kind, x.data(), gy.data(), nullptr, &st), st, "pool fwd");
            fcpts_pool_forward(plan, x.data(), wy.data(), &st);
            /* twins: the same taps in the same order, so the same bits */
            compare(gy, wy, 0, "pool forward kind " + std::to_string(kind) + " k" + std::to_string(g[7]) + " d" + std::to_string(g[11]));
            expect_ok(fcpts_pool_backward_cuda(g.data(), kind, x.data(), dy.data(), gdx.data(), nullptr, &st), st, "pool bwd");
            rc = fcpts_pool_backward(plan, x.data(), dy.data(), wdx.data(), &st);
            if (rc != 0) std::printf("cpu pool bwd failed: %s\n", st.message);
            compare(gdx, wdx, 1e-6, "pool backward kind " + std::to_string(kind) + " k" + std::to_string(g[7]) + " d" + std::to_string(g[11]));
            /* NaN and infinities: max gives NaN for a window holding a NaN on both, the averages sum them as IEEE
             * says; forward only */
            auto xn = x;
            for (size_t i = 3; i < xn.size(); i += 17) xn[i] = i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -INFINITY;
            std::vector<float> gn(gy.size(), 9.f), wn(gy.size(), 8.f);
            expect_ok(fcpts_pool_forward_cuda(g.data(), kind, xn.data(), gn.data(), nullptr, &st), st, "pool fwd nan");
            expect_ok(fcpts_pool_forward(plan, xn.data(), wn.data(), &st), st, "cpu pool fwd nan");
            compare(gn, wn, 0, "pool forward with NaN / Inf, kind " + std::to_string(kind) + " k" + std::to_string(g[7]));
            fcpts_dnnl_plan_destroy(plan);
        }
    }
    auto g = geom(1, 1, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);
    g[5] = 5;
    float v[64] = {}, y[64] = {};
    expect_rc(fcpts_pool_forward_cuda(g.data(), 0, v, y, nullptr, &st), FCPTS_INVALID_ARGUMENT, "pool inconsistent oh");
    for (int bad : {(int)FCPTS_POOL_KIND_COUNT, -1}) {
        const auto g1 = geom(1, 1, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);
        std::vector<float> out(64, 42.f);
        expect_rejected(fcpts_pool_forward_cuda(g1.data(), bad, v, out.data(), nullptr, &st), "fcpts_pool_kind", bad,
                        "pool bad kind");
        expect_rejected(fcpts_pool_backward_cuda(g1.data(), bad, v, v, out.data(), nullptr, &st), "fcpts_pool_kind",
                        bad, "pool backward bad kind");
        expect_untouched(out, 42.f, "pool bad kind");
        fcpts_dnnl_plan* plan = nullptr;
        expect_rejected(fcpts_pool_plan_create(g1.data(), bad, 1, &plan, &st), "fcpts_pool_kind", bad,
                        "cpu pool plan bad kind");
    }
}

/* ---------------- losses, optim ---------------- */
static void test_losses() {
    for (auto [n, k] : std::vector<std::pair<int64_t, int64_t>>{{4, 10}, {3, 1000}, {300, 3}, {1, 1}, {2, 129}}) {
        auto z = randv(n * k, -5.f, 5.f), t = randv(n * k, -5.f, 5.f);
        std::vector<int64_t> labels(n);
        for (int64_t i = 0; i < n; ++i) labels[i] = (i * 7) % k;
        std::vector<double> rows(n);
        double gl = 0, wl = 0;
        std::vector<float> gg(n * k), wg(n * k);
        expect_ok(fcpts_cross_entropy_cuda(z.data(), labels.data(), n, k, rows.data(), &gl, gg.data(), nullptr, &st), st, "ce");
        fcpts_cross_entropy_cpu(z.data(), labels.data(), n, k, &wl, wg.data(), 1, &st);
        compare(std::vector<double>{gl}, std::vector<double>{wl}, 1e-12, "ce loss");
        compare(gg, wg, 1e-6, "ce grad");
        expect_ok(fcpts_kl_distill_cuda(z.data(), t.data(), n, k, 2.5f, rows.data(), &gl, gg.data(), nullptr, &st), st, "kl");
        fcpts_kl_distill_cpu(z.data(), t.data(), n, k, 2.5f, &wl, wg.data(), 1, &st);
        compare(std::vector<double>{gl}, std::vector<double>{wl}, 1e-10, "kl loss");
        compare(gg, wg, 1e-6, "kl grad");
        expect_ok(fcpts_mse_cuda(z.data(), t.data(), n, k, rows.data(), &gl, nullptr, nullptr, &st), st, "mse");
        expect_ok(fcpts_mse_cuda(z.data(), t.data(), n, k, rows.data(), &gl, gg.data(), nullptr, &st), st, "mse");
        fcpts_mse_cpu(z.data(), t.data(), n, k, &wl, wg.data(), 1, &st);
        compare(std::vector<double>{gl}, std::vector<double>{wl}, 1e-12, "mse loss");
        compare(gg, wg, 0, "mse grad");
    }
    float z[6] = {1, 2, 3, 4, 5, 6};
    int64_t lab[2] = {0, 3};
    double rows[2], loss = 0;
    float grad[6];
    expect_ok(fcpts_cross_entropy_cuda(z, lab, 2, 3, rows, &loss, grad, nullptr, &st), st, "ce bad label");
    ++checks;
    if (!std::isnan(loss) || !std::isnan(rows[1]) || std::isnan(rows[0]) || !std::isnan(grad[3]) || std::isnan(grad[0])) {
        ++failures;
        std::printf("FAIL ce bad label -> NaN row\n");
    }
    expect_rc(fcpts_cross_entropy_cuda(z, lab, 0, 3, rows, &loss, grad, nullptr, &st), FCPTS_INVALID_ARGUMENT, "ce n=0");
    expect_rc(fcpts_kl_distill_cuda(z, z, 2, 3, 0.f, rows, &loss, grad, nullptr, &st), FCPTS_INVALID_ARGUMENT, "kl T=0");
    double mrows[2];
    expect_ok(fcpts_mse_cuda(z, z, 2, 0, mrows, &loss, nullptr, nullptr, &st), st, "mse f=0");
    compare(std::vector<double>{loss}, std::vector<double>{0.0}, 0, "mse features 0");
}

static void test_optim() {
    const int64_t n = 5000;
    auto w = randv(n), g = randv(n), mask = randv(n);
    for (auto& m : mask) m = m > 0 ? 1.f : 0.f;
    for (int use_mask = 0; use_mask < 2; ++use_mask) {
        const float* mp = use_mask ? mask.data() : nullptr;
        auto w1 = w, w2 = w;
        std::vector<float> v1(n, 0.f), v2(n, 0.f);
        for (int it = 0; it < 3; ++it) {
            expect_ok(fcpts_sgd_step_cuda(w1.data(), g.data(), v1.data(), mp, n, 0.1f, 0.9f, 1e-4f, nullptr, &st), st, "sgd");
            fcpts_sgd_step_cpu(w2.data(), g.data(), v2.data(), mp, n, 0.1f, 0.9f, 1e-4f, 1, &st);
        }
        compare(w1, w2, 0, "sgd w");
        compare(v1, v2, 0, "sgd v");
        auto a1 = w, a2 = w;
        std::vector<float> m1(n, 0.f), m2(n, 0.f), q1(n, 0.f), q2(n, 0.f);
        for (int it = 1; it <= 3; ++it) {
            expect_ok(fcpts_adam_step_cuda(a1.data(), g.data(), m1.data(), q1.data(), mp, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, it, nullptr, &st), st, "adam");
            fcpts_adam_step_cpu(a2.data(), g.data(), m2.data(), q2.data(), mp, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, it, 1, &st);
        }
        compare(a1, a2, 0, "adam w");
        compare(m1, m2, 0, "adam m1");
        compare(q1, q2, 0, "adam m2");
    }
    std::vector<float> d1(n), d2(n);
    for (float thr : {-1.f, 0.5f}) {
        for (int k = 0; k < 2; ++k) {
            const float* keep = k ? mask.data() : nullptr;
            expect_ok(fcpts_masked_copy_cuda(w.data(), keep, d1.data(), n, thr, nullptr, &st), st, "masked copy");
            fcpts_masked_copy_cpu(w.data(), keep, d2.data(), n, thr, 1, &st);
            compare(d1, d2, 0, "masked copy");
        }
    }
    expect_rc(fcpts_masked_copy_cuda(w.data(), nullptr, w.data() + 10, n - 10, 0.f, nullptr, &st), FCPTS_INVALID_ARGUMENT, "masked copy overlap");
    expect_rc(fcpts_adam_step_cuda(w.data(), g.data(), d1.data(), d2.data(), nullptr, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.f, 0, nullptr, &st), FCPTS_INVALID_ARGUMENT, "adam step 0");
}

/* ---------------- fused KDE-CDF pass (kde_fused.cu vs kde_fused_cpu.cpp) ---------------- */
static void test_kde() {
    /* segments around the chunk size (8192), an empty one, a single weight; one infinite gradient */
    const std::vector<int64_t> sizes = {0, 1, 8191, 8192, 8193, 20000, 3};
    std::vector<int64_t> offsets = {0};
    for (int64_t n : sizes) offsets.push_back(offsets.back() + n);
    const int32_t n_seg = (int32_t)sizes.size();
    const size_t total = (size_t)offsets.back();
    auto w = randv(total, -0.2f, 0.2f), g = randv(total, -1e-3f, 1e-3f);
    g[offsets[5] + 17] = INFINITY;
    std::vector<float> t(n_seg), inv_h(n_seg);
    for (int l = 0; l < n_seg; ++l) {
        t[l] = 0.01f * (float)(l + 1);
        inv_h[l] = 1.0f / (0.004f * (float)(l + 1));
    }
    std::vector<int64_t> bases(n_seg + 1);
    int64_t n_chunks = 0;
    expect_ok(fcpts_kde_chunk_bases(offsets.data(), n_seg, bases.data(), &n_chunks, &st), st, "kde chunk bases");
    std::vector<double> partials((size_t)n_chunks * FCPTS_KDE_STAT_COUNT), gpu(n_seg * FCPTS_KDE_STAT_COUNT),
        cpu(n_seg * FCPTS_KDE_STAT_COUNT);
    for (int with_grad = 0; with_grad <= 1; ++with_grad) {
        std::vector<float> gw_gpu(total, 7.f), gw_cpu(total, 7.f);
        if (with_grad) {
            expect_ok(fcpts_kde_fused_cuda(w.data(), g.data(), gw_gpu.data(), offsets.data(), bases.data(), n_seg,
                                           n_chunks, t.data(), inv_h.data(), partials.data(), gpu.data(), nullptr,
                                           &st), st, "kde fused cuda");
            expect_ok(fcpts_kde_fused_cpu(w.data(), g.data(), gw_cpu.data(), offsets.data(), n_seg, t.data(),
                                          inv_h.data(), cpu.data(), 1, &st), st, "kde fused cpu");
            compare(gw_gpu, gw_cpu, 0, "kde masked gradient");
        } else {
            expect_ok(fcpts_kde_forward_cuda(w.data(), offsets.data(), bases.data(), n_seg, n_chunks, t.data(),
                                             inv_h.data(), partials.data(), gpu.data(), nullptr, &st), st,
                      "kde forward cuda");
            expect_ok(fcpts_kde_forward_cpu(w.data(), offsets.data(), n_seg, t.data(), inv_h.data(), cpu.data(), 1,
                                            &st), st, "kde forward cpu");
        }
        /*
         * Counts exactly; |w| and w^2 are summed in double on both sides (1e-12 relative). The CPU sums Phi, phi
         * and g w phi in float SIMD lanes per block, within 7.7e-6 of the block's sum of |terms|
         * (kde_fused_cpu.cpp), the GPU in double: allow 1e-5 of a bound on that sum, n_l for Phi and phi
         * (terms <= 1) and n_l max|g| max|w| = 2e-4 n_l for g w phi. Any per-element difference in the formula
         * (a wrong z, a swapped pdf / cdf, a missed mask) moves the sums by far more.
         */
        for (int l = 0; l < n_seg; ++l) {
            const double n = (double)sizes[l];
            for (int k = 0; k < FCPTS_KDE_STAT_COUNT; ++k) {
                const double got = gpu[l * FCPTS_KDE_STAT_COUNT + k], want = cpu[l * FCPTS_KDE_STAT_COUNT + k];
                double allowed = 0;
                if (k == FCPTS_KDE_SUM_CDF || k == FCPTS_KDE_SUM_PDF) allowed = 1e-5 * n;
                if (k == FCPTS_KDE_SUM_GW_PDF) allowed = 1e-5 * 2e-4 * n;
                if (k == FCPTS_KDE_SUM_ABS || k == FCPTS_KDE_SUM_SQ) allowed = 1e-12 * std::fabs(want);
                ++checks;
                if (!(got == want || std::fabs(got - want) <= allowed)) {   /* equal infinities match */
                    ++failures;
                    std::printf("FAIL kde stat %d segment %d%s: got %.12g want %.12g (allowed %.3g)\n", k, l,
                                with_grad ? " (fused)" : " (forward)", got, want, allowed);
                }
            }
        }
    }
    ++checks;
    if (gpu[5 * FCPTS_KDE_STAT_COUNT + FCPTS_KDE_NONFINITE] != 1.0) {
        ++failures;
        std::printf("FAIL kde: the infinite gradient of segment 5 is not counted\n");
    }
}

/* ---------------- sparse convolution plan (sparse_conv_cuda.cu + fake cuSPARSE vs sparse_cpu.cpp) ---------------- */
static void test_sparse_conv() {
    /* {n, c, h, w, oc, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups}, activation, bias, residual, density */
    struct Case { std::vector<int64_t> g; int act; bool bias, residual; float density; };
    const std::vector<Case> cases = {
        {{2, 5, 9, 9, 7, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, FCPTS_ACT_RELU, true, true, 0.3f},
        {{1, 6, 10, 10, 4, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1}, FCPTS_ACT_CLIP, true, false, 0.3f},
        {{1, 8, 7, 6, 5, 7, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, FCPTS_ACT_NONE, false, false, 0.5f},   /* direct */
        {{3, 8, 7, 6, 5, 7, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, FCPTS_ACT_RELU, true, true, 0.5f},
        {{2, 3, 11, 10, 4, 5, 4, 3, 3, 2, 2, 2, 2, 0, 1, 2, 0, 1}, FCPTS_ACT_NONE, true, false, 0.3f},
        {{1, 4, 6, 6, 3, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, FCPTS_ACT_RELU, true, false, 0.0f}};   /* nnz 0 */
    for (size_t ci = 0; ci < cases.size(); ++ci) {
        const Case& k = cases[ci];
        const int64_t* g = k.g.data();
        const int64_t n = g[0], c = g[1], oc = g[4], cols = c * g[7] * g[8];
        const size_t in = (size_t)(n * c * g[2] * g[3]), out = (size_t)(n * oc * g[5] * g[6]);
        auto dense = randv((size_t)(oc * cols)), keep = randv(dense.size(), 0.f, 1.f);
        std::vector<int32_t> row_ptr = {0}, col_idx;
        std::vector<float> values;
        for (int64_t r = 0; r < oc; ++r) {
            for (int64_t j = 0; j < cols; ++j) {
                if (keep[(size_t)(r * cols + j)] < k.density) {
                    col_idx.push_back((int32_t)j);
                    values.push_back(dense[(size_t)(r * cols + j)]);
                }
            }
            row_ptr.push_back((int32_t)col_idx.size());
        }
        if (values.empty()) { col_idx.push_back(0); values.push_back(0.f); }   /* valid pointers, nnz stays 0 */
        const int64_t nnz = row_ptr.back();
        auto x = randv(in), residual = randv(out), bias = randv((size_t)oc);
        std::vector<float> got(out, 5.f), want(out, 6.f);
        fcpts_sparse_conv* cpu = nullptr;
        expect_ok(fcpts_sparse_conv_create(g, row_ptr.data(), col_idx.data(), values.data(),
                                           k.bias ? bias.data() : nullptr, k.act, -0.2f, 0.4f, 1, &cpu, &st), st,
                  "cpu sparse conv create");
        fcpts_sparse_conv_forward(cpu, x.data(), k.residual ? residual.data() : nullptr, want.data(), &st);
        fcpts_sparse_conv_destroy(cpu);
        fcpts_sparse_conv_cuda* plan = nullptr;
        expect_ok(fcpts_sparse_conv_cuda_create(g, row_ptr.data(), col_idx.data(), values.data(), nnz,
                                                k.bias ? bias.data() : nullptr, k.act, -0.2f, 0.4f, nullptr, &plan,
                                                &st), st, "cuda sparse conv create");
        if (!plan) continue;
        expect_ok(fcpts_sparse_conv_cuda_forward(plan, x.data(), k.residual ? residual.data() : nullptr, got.data(),
                                                 &st), st, "cuda sparse conv forward");
        /* twice: the plan's buffers are reused and B is re-pointed at x in the direct case */
        auto x2 = randv(in);
        std::vector<float> got2(out), want2(out);
        expect_ok(fcpts_sparse_conv_cuda_forward(plan, x2.data(), k.residual ? residual.data() : nullptr,
                                                 got2.data(), &st), st, "cuda sparse conv forward again");
        fcpts_sparse_conv* cpu2 = nullptr;
        fcpts_sparse_conv_create(g, row_ptr.data(), col_idx.data(), values.data(), k.bias ? bias.data() : nullptr,
                                 k.act, -0.2f, 0.4f, 1, &cpu2, &st);
        fcpts_sparse_conv_forward(cpu2, x2.data(), k.residual ? residual.data() : nullptr, want2.data(), &st);
        fcpts_sparse_conv_destroy(cpu2);
        fcpts_sparse_conv_cuda_destroy(plan);
        /* sums of up to c kh kw products in different orders (double in the stand-in, float on the CPU) */
        compare(got, want, 1e-5, "sparse conv case " + std::to_string(ci));
        compare(got2, want2, 1e-5, "sparse conv case " + std::to_string(ci) + ", second input");
        /* NaN and infinities in x: NaN where a non-finite input meets a weight the CSR does not store (the dense
         * sum's 0 * Inf), on both twins and at the same places; then a finite input again (the flag's epoch) */
        auto x3 = x;
        for (size_t i = 5; i < x3.size(); i += 41) x3[i] = i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -INFINITY;
        std::vector<float> got3(out, 5.f), want3(out, 6.f), got4(out, 5.f);
        fcpts_sparse_conv* cpu3 = nullptr;
        fcpts_sparse_conv_create(g, row_ptr.data(), col_idx.data(), values.data(), k.bias ? bias.data() : nullptr,
                                 k.act, -0.2f, 0.4f, 1, &cpu3, &st);
        expect_ok(fcpts_sparse_conv_forward(cpu3, x3.data(), k.residual ? residual.data() : nullptr, want3.data(),
                                            &st), st, "cpu sparse conv forward, non-finite input");
        fcpts_sparse_conv_destroy(cpu3);
        fcpts_sparse_conv_cuda* plan3 = nullptr;
        expect_ok(fcpts_sparse_conv_cuda_create(g, row_ptr.data(), col_idx.data(), values.data(), nnz,
                                                k.bias ? bias.data() : nullptr, k.act, -0.2f, 0.4f, nullptr, &plan3,
                                                &st), st, "cuda sparse conv create");
        expect_ok(fcpts_sparse_conv_cuda_forward(plan3, x3.data(), k.residual ? residual.data() : nullptr,
                                                 got3.data(), &st), st, "cuda sparse conv forward, non-finite input");
        expect_ok(fcpts_sparse_conv_cuda_forward(plan3, x.data(), k.residual ? residual.data() : nullptr,
                                                 got4.data(), &st), st, "cuda sparse conv forward, finite again");
        fcpts_sparse_conv_cuda_destroy(plan3);
        size_t nans = 0;
        for (float v : want3) nans += std::isnan(v);
        ++checks;
        if (nnz > 0 && nans == 0) {
            ++failures;
            std::printf("FAIL sparse conv case %zu: a non-finite input gave no NaN output\n", ci);
        }
        compare(got3, want3, 1e-5, "sparse conv case " + std::to_string(ci) + ", non-finite input");
        compare(got4, want, 1e-5, "sparse conv case " + std::to_string(ci) + ", finite input after a non-finite one");
    }
    std::vector<int64_t> grouped = {1, 4, 6, 6, 4, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2};
    std::vector<int32_t> rp(5, 0), ci(1, 0);
    std::vector<float> v(1, 0.f);
    fcpts_sparse_conv_cuda* plan = nullptr;
    expect_rc(fcpts_sparse_conv_cuda_create(grouped.data(), rp.data(), ci.data(), v.data(), 0, nullptr, 0, 0, 0,
                                            nullptr, &plan, &st), FCPTS_INVALID_ARGUMENT, "grouped sparse conv");
    std::vector<int64_t> ungrouped = grouped;
    ungrouped[17] = 1;
    for (int bad : {(int)FCPTS_ACTIVATION_COUNT, -1}) {
        expect_rejected(fcpts_sparse_conv_cuda_create(ungrouped.data(), rp.data(), ci.data(), v.data(), 0, nullptr, bad,
                                                      0, 0, nullptr, &plan, &st), "fcpts_activation", bad,
                        "cuda sparse conv bad act");
        fcpts_sparse_conv* cpu = nullptr;
        expect_rejected(fcpts_sparse_conv_create(ungrouped.data(), rp.data(), ci.data(), v.data(), nullptr, bad, 0, 0, 1,
                                                 &cpu, &st), "fcpts_activation", bad, "cpu sparse conv bad act");
    }
}

/* ---------------- reference checks in double (index maps, layer norm) ---------------- */
/*
 * |got - ref| <= rtol * scale[i] + kFloatTiny per element (scale: a bound on the sum of |terms| the float result
 * was built from, so cancellation is allowed for); equal infinities and NaN against NaN match. On failure prints
 * the first three mismatches and the worst one.
 */
static void check_against(const std::vector<float>& got, const std::vector<double>& ref,
                          const std::vector<double>& scale, double rtol, const std::string& what) {
    ++checks;
    int bad = 0;
    double worst = 0;
    size_t worst_at = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double g = got[i], w = ref[i];
        const double err = std::fabs(g - w), allowed = rtol * scale[i] + kFloatTiny;
        const bool ok = g == w || (std::isnan(g) && std::isnan(w)) || err <= allowed;
        if (!ok) {
            if (bad < 3) std::printf("FAIL %s: [%zu] got %.9g want %.12g (allowed %.3g)\n", what.c_str(), i, g, w, allowed);
            ++bad;
        }
        if (!std::isnan(err) && err > worst) { worst = err; worst_at = i; }
    }
    if (bad) {
        ++failures;
        std::printf("  %s: %d of %zu outside, worst |err| %.3g at [%zu]\n", what.c_str(), bad, got.size(), worst, worst_at);
    }
}

/* ---------------- index maps (index_map_ops.cu vs index_map_ops_cpu.cpp vs double) ---------------- */
struct MapCase {
    std::vector<int32_t> row_ptr, cols;
    std::vector<float> weights;
};

/* A random map of out rows over in columns: about a fifth of the rows empty, up to 4 taps, repeats allowed and
 * forced in the first row of >= 2 taps. */
static MapCase random_map(int64_t in, int64_t out) {
    MapCase m;
    m.row_ptr.push_back(0);
    std::uniform_int_distribution<int> taps(0, 4), col(0, (int)in - 1);
    bool repeated = false;
    for (int64_t r = 0; r < out; ++r) {
        int n = taps(rng);
        if (r % 5 == 1) n = 0;
        for (int t = 0; t < n; ++t) {
            int c = col(rng);
            if (t == 1 && !repeated) { c = m.cols.back(); repeated = true; }
            m.cols.push_back(c);
        }
        m.row_ptr.push_back((int32_t)m.cols.size());
    }
    m.weights = randv(std::max<size_t>(m.cols.size(), 1), -1.5f, 1.5f);
    m.weights.resize(m.cols.size());
    return m;
}

static void test_index_map_case(int64_t outer, int64_t in, int64_t out, bool weighted, int mode, bool nan_input) {
    const MapCase m = random_map(in, out);
    const int64_t nnz = (int64_t)m.cols.size();
    const float* w = weighted ? m.weights.data() : nullptr;
    const float fill = mode == FCPTS_INDEX_MAP_MAX ? -7.5f : 0.25f;
    auto x = randv((size_t)(outer * in));
    if (mode == FCPTS_INDEX_MAP_MAX) {
        for (auto& v : x) v = std::round(v * 2.f) / 2.f; /* few levels: ties, where the first tap must win */
    }
    if (nan_input) x[x.size() / 2] = NAN;
    const auto dy = randv((size_t)(outer * out));
    const std::string name = "index map " + std::string(mode ? "MAX" : "SUM") + (weighted ? " weighted" : "") +
                             " outer " + std::to_string(outer) + " in " + std::to_string(in) + " out " +
                             std::to_string(out) + (nan_input ? " NaN" : "");
    fcpts_index_map* cpu = nullptr;
    fcpts_index_map_cuda* gpu = nullptr;
    expect_ok(fcpts_index_map_create(outer, in, out, m.row_ptr.data(), m.cols.data(), w, nnz, fill, mode, 1, &cpu,
                                     &st), st, "cpu index map create");
    expect_ok(fcpts_index_map_cuda_create(outer, in, out, m.row_ptr.data(), m.cols.data(), w, nnz, fill, mode,
                                          nullptr, &gpu, &st), st, "cuda index map create");
    if (!cpu || !gpu) return;
    std::vector<float> cy((size_t)(outer * out), 9.f), gy(cy.size(), 8.f), cdx((size_t)(outer * in), 9.f),
        gdx(cdx.size(), 8.f);
    expect_ok(fcpts_index_map_forward(cpu, x.data(), cy.data(), &st), st, "cpu index map forward");
    expect_ok(fcpts_index_map_cuda_forward(gpu, x.data(), gy.data(), &st), st, "cuda index map forward");
    expect_ok(fcpts_index_map_backward(cpu, dy.data(), cdx.data(), &st), st, "cpu index map backward");
    expect_ok(fcpts_index_map_cuda_backward(gpu, dy.data(), gdx.data(), &st), st, "cuda index map backward");
    compare(gy, cy, 0, name + " forward gpu vs cpu");
    compare(gdx, cdx, 0, name + " backward gpu vs cpu");
    /* reference in double: the map as written in fcpts/ops_cpu.h, argmax = first maximum, a NaN tap wins */
    std::vector<double> ry(cy.size()), sy(cy.size(), 0.0), rdx(cdx.size(), 0.0), sdx(cdx.size(), 0.0);
    for (int64_t o = 0; o < outer; ++o) {
        for (int64_t r = 0; r < out; ++r) {
            const int32_t b = m.row_ptr[r], e = m.row_ptr[r + 1];
            const size_t at = (size_t)(o * out + r);
            if (b == e) {
                ry[at] = fill;
                continue;
            }
            if (mode == FCPTS_INDEX_MAP_MAX) {
                int32_t best = b;
                for (int32_t k = b + 1; k < e; ++k) {
                    const double v = x[o * in + m.cols[k]], cur = x[o * in + m.cols[best]];
                    if (!std::isnan(cur) && (std::isnan(v) || v > cur)) best = k;
                }
                ry[at] = x[o * in + m.cols[best]];
                const size_t to = (size_t)(o * in + m.cols[best]);
                rdx[to] += dy[at];
                sdx[to] += std::fabs(dy[at]);
            } else {
                double s = 0;
                for (int32_t k = b; k < e; ++k) {
                    const double term = (w ? (double)w[k] : 1.0) * x[o * in + m.cols[k]];
                    s += term;
                    sy[at] += std::fabs(term);
                    const size_t to = (size_t)(o * in + m.cols[k]);
                    rdx[to] += (w ? (double)w[k] : 1.0) * dy[at];
                    sdx[to] += std::fabs((w ? (double)w[k] : 1.0) * dy[at]);
                }
                ry[at] = s;
            }
        }
    }
    /* float sums of at most a few (forward) / few * out (backward) terms in a fixed order: each addition rounds
     * by 2^-24 of the partial sum, bounded by the sum of |terms|; 4 taps -> 4 * 6e-8; backward sums may collect
     * up to nnz terms: nnz * 6e-8 (nnz <= 200 here -> 1.2e-5). MAX forward is exact (a copy). */
    check_against(cy, ry, sy, mode == FCPTS_INDEX_MAP_MAX ? 0.0 : 4 * 6e-8, name + " forward vs double");
    check_against(cdx, rdx, sdx, (double)std::max<int64_t>(nnz, 1) * 6e-8, name + " backward vs double");
    /* a second forward with other data re-records the winners (MAX) */
    auto x2 = randv(x.size());
    expect_ok(fcpts_index_map_forward(cpu, x2.data(), cy.data(), &st), st, "cpu index map forward 2");
    expect_ok(fcpts_index_map_cuda_forward(gpu, x2.data(), gy.data(), &st), st, "cuda index map forward 2");
    expect_ok(fcpts_index_map_backward(cpu, dy.data(), cdx.data(), &st), st, "cpu index map backward 2");
    expect_ok(fcpts_index_map_cuda_backward(gpu, dy.data(), gdx.data(), &st), st, "cuda index map backward 2");
    compare(gy, cy, 0, name + " second forward gpu vs cpu");
    compare(gdx, cdx, 0, name + " second backward gpu vs cpu");
    fcpts_index_map_destroy(cpu);
    fcpts_index_map_cuda_destroy(gpu);
}

/* The same argument error from both plans: status code and (where it names one) the offending index. */
static void expect_index_map_rejected(int64_t outer, int64_t in, int64_t out, const std::vector<int32_t>& rp,
                                      const std::vector<int32_t>& cols, int64_t nnz, int mode, int64_t index,
                                      const char* what) {
    fcpts_index_map* cpu = nullptr;
    fcpts_index_map_cuda* gpu = nullptr;
    const int32_t* c = cols.empty() ? nullptr : cols.data();
    const int32_t* r = rp.empty() ? nullptr : rp.data();
    const int crc = fcpts_index_map_create(outer, in, out, r, c, nullptr, nnz, 0.f, mode, 1, &cpu, &st);
    const int64_t cidx = st.index;
    const int grc = fcpts_index_map_cuda_create(outer, in, out, r, c, nullptr, nnz, 0.f, mode, nullptr, &gpu, &st);
    ++checks;
    if (crc != FCPTS_INVALID_ARGUMENT || grc != FCPTS_INVALID_ARGUMENT || cidx != index || st.index != index ||
        cpu != nullptr || gpu != nullptr) {
        ++failures;
        std::printf("FAIL index map %s: cpu rc %d index %lld, cuda rc %d index %lld (want %d, index %lld): %s\n", what,
                    crc, (long long)cidx, grc, (long long)st.index, FCPTS_INVALID_ARGUMENT, (long long)index,
                    st.message);
    }
}

static void test_index_map() {
    for (int mode : {FCPTS_INDEX_MAP_SUM, FCPTS_INDEX_MAP_MAX}) {
        for (int64_t outer : {1, 3}) {
            for (int64_t in : {1, 7, 33}) {
                for (int64_t out : {1, 6, 40}) {
                    for (bool weighted : {false, true}) {
                        if (mode == FCPTS_INDEX_MAP_MAX && weighted) continue; /* weights are ignored by MAX */
                        test_index_map_case(outer, in, out, weighted, mode, false);
                    }
                }
            }
        }
        test_index_map_case(3, 33, 40, false, mode, true);
    }
    /* hand-made MAX: rows 0 and 1 share their winner (column 2); row 2 is empty; row 3 has a tie (columns 0, 3 both
     * 5): the first tap (column 3) wins; row 4 starts with a NaN (column 4): it stays the maximum and takes the
     * gradient (the Java IndexMapKernelTest has the NaN second) */
    {
        const std::vector<int32_t> rp = {0, 2, 4, 4, 6, 8}, cols = {2, 1, 0, 2, 3, 0, 4, 1};
        const std::vector<float> x = {5.f, 1.f, 9.f, 5.f, NAN};
        const std::vector<float> dy = {1.f, 10.f, 100.f, 1000.f, 10000.f};
        fcpts_index_map* cpu = nullptr;
        fcpts_index_map_cuda* gpu = nullptr;
        expect_ok(fcpts_index_map_create(1, 5, 5, rp.data(), cols.data(), nullptr, 8, -1.f, FCPTS_INDEX_MAP_MAX, 2,
                                         &cpu, &st), st, "max map create");
        expect_ok(fcpts_index_map_cuda_create(1, 5, 5, rp.data(), cols.data(), nullptr, 8, -1.f, FCPTS_INDEX_MAP_MAX,
                                              nullptr, &gpu, &st), st, "cuda max map create");
        std::vector<float> dx(5, 3.f), gdx(5, 3.f);
        expect_rc(fcpts_index_map_backward(cpu, dy.data(), dx.data(), &st), FCPTS_INVALID_ARGUMENT,
                  "max map backward before forward");
        expect_rc(fcpts_index_map_cuda_backward(gpu, dy.data(), gdx.data(), &st), FCPTS_INVALID_ARGUMENT,
                  "cuda max map backward before forward");
        expect_untouched(dx, 3.f, "max map backward before forward");
        std::vector<float> y(5), gy(5);
        expect_ok(fcpts_index_map_forward(cpu, x.data(), y.data(), &st), st, "max map forward");
        expect_ok(fcpts_index_map_cuda_forward(gpu, x.data(), gy.data(), &st), st, "cuda max map forward");
        expect_ok(fcpts_index_map_backward(cpu, dy.data(), dx.data(), &st), st, "max map backward");
        expect_ok(fcpts_index_map_cuda_backward(gpu, dy.data(), gdx.data(), &st), st, "cuda max map backward");
        compare(y, std::vector<float>{9.f, 9.f, -1.f, 5.f, NAN}, 0, "max map forward by hand");
        compare(gy, y, 0, "cuda max map forward by hand");
        compare(dx, std::vector<float>{0.f, 0.f, 11.f, 1000.f, 10000.f}, 0, "max map routing by hand");
        compare(gdx, dx, 0, "cuda max map routing by hand");
        expect_rc(fcpts_index_map_forward(cpu, x.data(), const_cast<float*>(x.data()), &st), FCPTS_INVALID_ARGUMENT,
                  "index map in place");
        fcpts_index_map_destroy(cpu);
        fcpts_index_map_cuda_destroy(gpu);
    }
    /* hand-made SUM: a one-tap row copies -0 exactly, weights scale, an empty row is the fill, a repeated column
     * adds twice; backward: the transpose */
    {
        const std::vector<int32_t> rp = {0, 1, 3, 3, 5}, cols = {0, 1, 2, 1, 1};
        const std::vector<float> wt = {1.f, 2.f, 3.f, 0.5f, 0.25f};
        const std::vector<float> x = {-0.f, 4.f, 8.f};
        const std::vector<float> dy = {1.f, 2.f, 4.f, 8.f};
        fcpts_index_map* cpu = nullptr;
        expect_ok(fcpts_index_map_create(1, 3, 4, rp.data(), cols.data(), wt.data(), 5, 6.f, FCPTS_INDEX_MAP_SUM, 1,
                                         &cpu, &st), st, "sum map create");
        std::vector<float> y(4), dx(3);
        expect_ok(fcpts_index_map_forward(cpu, x.data(), y.data(), &st), st, "sum map forward");
        expect_ok(fcpts_index_map_backward(cpu, dy.data(), dx.data(), &st), st, "sum map backward");
        compare(y, std::vector<float>{-0.f, 32.f, 6.f, 3.f}, 0, "sum map by hand");
        ++checks;
        if (!std::signbit(y[0])) { ++failures; std::printf("FAIL sum map: a one-tap row lost the sign of -0\n"); }
        compare(dx, std::vector<float>{1.f, 4.f + 4.f + 2.f, 6.f}, 0, "sum map transpose by hand");
        fcpts_index_map_destroy(cpu);
    }
    /* argument checks: the same status (and offending index) from both plans, nothing created */
    const std::vector<int32_t> rp = {0, 1, 2}, cols = {0, 1};
    expect_index_map_rejected(0, 2, 2, rp, cols, 2, 0, -1, "outer 0");
    expect_index_map_rejected(1, 0, 2, rp, cols, 2, 0, -1, "in 0");
    expect_index_map_rejected(1, 2, 0, rp, cols, 2, 0, -1, "out 0");
    expect_index_map_rejected(1, 2, 2, rp, cols, 2, 2, -1, "mode 2");
    expect_index_map_rejected(1, 2, 2, rp, cols, 2, -1, -1, "mode -1");
    expect_index_map_rejected(1, 2, 2, {}, cols, 2, 0, -1, "NULL row_ptr");
    expect_index_map_rejected(1, 2, 2, rp, {}, 2, 0, -1, "NULL cols");
    expect_index_map_rejected(1, 2, 2, {1, 1, 2}, cols, 2, 0, -1, "row_ptr[0] != 0");
    expect_index_map_rejected(1, 2, 2, {0, 1, 1}, cols, 2, 0, -1, "row_ptr end != nnz");
    expect_index_map_rejected(1, 2, 3, {0, 2, 1, 2}, cols, 2, 0, 1, "row_ptr decreasing at row 1");
    expect_index_map_rejected(1, 2, 2, rp, {0, 2}, 2, 0, 1, "column == in");
    expect_index_map_rejected(1, 2, 2, rp, {-1, 0}, 2, 0, 0, "column -1");
    expect_index_map_rejected(1, (int64_t)1 << 32, 2, rp, cols, 2, 0, -1, "in beyond int32");
    /* an all-empty map: the fill forward, zeros backward */
    {
        const std::vector<int32_t> empty_rp = {0, 0, 0};
        fcpts_index_map_cuda* gpu = nullptr;
        expect_ok(fcpts_index_map_cuda_create(2, 3, 2, empty_rp.data(), nullptr, nullptr, 0, 1.5f, FCPTS_INDEX_MAP_SUM,
                                              nullptr, &gpu, &st), st, "empty map create");
        std::vector<float> x(6, 1.f), y(4, 0.f), dx(6, 9.f), dy(4, 1.f);
        expect_ok(fcpts_index_map_cuda_forward(gpu, x.data(), y.data(), &st), st, "empty map forward");
        expect_ok(fcpts_index_map_cuda_backward(gpu, dy.data(), dx.data(), &st), st, "empty map backward");
        compare(y, std::vector<float>(4, 1.5f), 0, "empty map fill");
        compare(dx, std::vector<float>(6, 0.f), 0, "empty map backward zeros");
        fcpts_index_map_cuda_destroy(gpu);
    }
}

/* ---------------- layer norm (normalization_ops.cu vs normalization_ops_cpu.cpp vs double) ---------------- */
static void test_layer_norm() {
    const float eps = 1e-5f;
    for (int64_t rows : {1, 5}) {
        for (int64_t cols : {1, 7, 33, 300}) {
            for (bool with_beta : {false, true}) {
                const size_t n = (size_t)(rows * cols);
                auto x = randv(n, -2.f, 2.f), dy = randv(n), gamma = randv((size_t)cols, 0.5f, 2.f),
                     beta = randv((size_t)cols);
                for (int64_t j = 0; j < cols; ++j) x[(size_t)j] += 3.f; /* a row off zero: mean matters */
                const float* bp = with_beta ? beta.data() : nullptr;
                const std::string name = "layer norm rows " + std::to_string(rows) + " cols " + std::to_string(cols) +
                                         (with_beta ? " beta" : "");
                std::vector<float> cy(n, 9.f), gy(n, 8.f), cm(rows), gm(rows), ci(rows), gi(rows);
                expect_ok(fcpts_layer_norm_cpu(x.data(), rows, cols, gamma.data(), bp, eps, cy.data(), cm.data(),
                                               ci.data(), 1, &st), st, "layer norm cpu");
                expect_ok(fcpts_layer_norm_cuda(x.data(), rows, cols, gamma.data(), bp, eps, gy.data(), gm.data(),
                                                gi.data(), nullptr, &st), st, "layer norm cuda");
                std::vector<float> cdx(n, 9.f), gdx(n, 8.f), cdg(cols, 9.f), gdg(cols, 8.f), cdb(cols, 9.f),
                    gdb(cols, 8.f);
                expect_ok(fcpts_layer_norm_backward_cpu(x.data(), dy.data(), rows, cols, gamma.data(), cm.data(),
                                                        ci.data(), cdx.data(), cdg.data(), cdb.data(), 1, &st), st,
                          "layer norm backward cpu");
                expect_ok(fcpts_layer_norm_backward_cuda(x.data(), dy.data(), rows, cols, gamma.data(), gm.data(),
                                                         gi.data(), gdx.data(), gdg.data(), gdb.data(), nullptr, &st),
                          st, "layer norm backward cuda");
                /* GPU vs CPU: the same per-element float math; the double row / column sums are added in another
                 * order (trees vs sequential), which can move mu or invstd by an ulp of float: 1e-6 relative */
                compare(gy, cy, 1e-6, name + " y gpu vs cpu");
                compare(gm, cm, 1e-6, name + " mean gpu vs cpu");
                compare(gi, ci, 1e-6, name + " invstd gpu vs cpu");
                compare(gdx, cdx, 1e-6, name + " dx gpu vs cpu");
                compare(gdg, cdg, 1e-6, name + " dgamma gpu vs cpu");
                compare(gdb, cdb, 1e-6, name + " dbeta gpu vs cpu");
                /* double reference of forward and backward (the analytic gradient, written out in double) */
                std::vector<double> ry(n), sy(n), rdx(n), sdx(n), rdg(cols, 0.0), sdg(cols, 0.0), rdb(cols, 0.0),
                    sdb(cols, 0.0), rm(rows), sm(rows), ri(rows), si(rows);
                for (int64_t r = 0; r < rows; ++r) {
                    double mu = 0, var = 0;
                    for (int64_t j = 0; j < cols; ++j) mu += x[r * cols + j];
                    mu /= (double)cols;
                    for (int64_t j = 0; j < cols; ++j) var += (x[r * cols + j] - mu) * (x[r * cols + j] - mu);
                    var /= (double)cols;
                    const double inv = 1.0 / std::sqrt(var + eps);
                    rm[r] = mu;
                    sm[r] = std::fabs(mu) + 1.0;
                    ri[r] = inv;
                    si[r] = inv;
                    double sg = 0, sgx = 0, ag = 0, agx = 0;
                    for (int64_t j = 0; j < cols; ++j) {
                        const size_t at = (size_t)(r * cols + j);
                        const double xhat = (x[at] - mu) * inv, g = (double)dy[at] * gamma[j];
                        ry[at] = xhat * gamma[j] + (bp ? bp[j] : 0.0);
                        /* float: x - mu (mu rounded: 6e-8 |mu|), then two products */
                        sy[at] = (std::fabs(xhat) + inv * (std::fabs(mu) + std::fabs(x[at]))) * gamma[j] +
                                 (bp ? std::fabs(bp[j]) : 0.0);
                        sg += g;
                        sgx += g * xhat;
                        ag += std::fabs(g);
                        agx += std::fabs(g * xhat);
                        rdg[j] += dy[at] * xhat;
                        sdg[j] += std::fabs(dy[at]) * (std::fabs(xhat) + inv * (std::fabs(mu) + std::fabs(x[at])));
                        rdb[j] += dy[at];
                        sdb[j] += std::fabs(dy[at]);
                    }
                    for (int64_t j = 0; j < cols; ++j) {
                        const size_t at = (size_t)(r * cols + j);
                        const double xhat = (x[at] - mu) * inv, g = (double)dy[at] * gamma[j];
                        rdx[at] = inv / cols * (cols * g - sg - xhat * sgx);
                        /* the float terms cols g, sum g, xhat sum g xhat (their |.| bound the cancellation) */
                        sdx[at] = inv / cols * (cols * std::fabs(g) + ag +
                                                (std::fabs(xhat) + inv * (std::fabs(mu) + std::fabs(x[at]))) * agx) +
                                  std::fabs(rdx[at]);
                    }
                }
                /*
                 * rtol 1e-6 of the bound on |terms| (scale vectors above): a few float roundings (2^-24 = 6e-8
                 * each) per element plus the float-rounded mu and invstd (6e-8 relative each), amplified by at
                 * most the terms' magnitude; 1e-6 leaves room for ~15 roundings, a wrong formula (a missing
                 * term, biased vs unbiased variance: cols / (cols - 1), a wrong sign) is off by O(1) of the scale.
                 */
                check_against(cy, ry, sy, 1e-6, name + " y vs double");
                check_against(cm, rm, sm, 1e-6, name + " mean vs double");
                check_against(ci, ri, si, 1e-6, name + " invstd vs double");
                check_against(cdx, rdx, sdx, 1e-6, name + " dx vs double");
                check_against(cdg, rdg, sdg, 1e-6, name + " dgamma vs double");
                check_against(cdb, rdb, sdb, 1e-6, name + " dbeta vs double");
                /* NULL outputs are skipped: only dbeta requested, dx / dgamma untouched */
                std::vector<float> only_db(cols, 7.f);
                expect_ok(fcpts_layer_norm_backward_cuda(x.data(), dy.data(), rows, cols, gamma.data(), gm.data(),
                                                         gi.data(), nullptr, nullptr, only_db.data(), nullptr, &st),
                          st, "layer norm backward dbeta only");
                compare(only_db, gdb, 0, name + " dbeta only");
            }
        }
    }
    float v[4] = {};
    expect_rc(fcpts_layer_norm_cuda(v, 1, 0, v, nullptr, 1e-5f, v, v, v, nullptr, &st), FCPTS_INVALID_ARGUMENT,
              "layer norm cols 0");
    expect_rc(fcpts_layer_norm_cpu(v, -1, 2, v, nullptr, 1e-5f, v, v, v, 1, &st), FCPTS_INVALID_ARGUMENT,
              "layer norm rows < 0");
    expect_rc(fcpts_layer_norm_backward_cuda(v, v, 1, 2, nullptr, v, v, v, v, v, nullptr, &st),
              FCPTS_INVALID_ARGUMENT, "layer norm backward NULL gamma");
}

/* ---------------- Equal: 1 where a == b (NaN equals nothing, 0 == -0), both gradients 0 ---------------- */
static void test_equal() {
    const std::vector<float> a = {1.f, 2.f, NAN, 0.f, -0.f, INFINITY, 3.f, 5.f};
    const std::vector<float> b = {1.f, 2.5f, NAN, -0.f, 0.f, INFINITY, -3.f, 5.f};
    const std::vector<float> want = {1.f, 0.f, 0.f, 1.f, 1.f, 1.f, 0.f, 1.f};
    const int64_t dims[1] = {8}, s1[1] = {1};
    std::vector<float> g(8, 9.f), c(8, 9.f);
    expect_ok(fcpts_binary_cuda(FCPTS_BINARY_EQUAL, a.data(), s1, b.data(), s1, g.data(), dims, 1, nullptr, &st), st,
              "equal cuda");
    expect_ok(fcpts_binary_cpu(FCPTS_BINARY_EQUAL, a.data(), s1, b.data(), s1, c.data(), dims, 1, 1, &st), st,
              "equal cpu");
    compare(g, want, 0, "equal gpu");
    compare(c, want, 0, "equal cpu");
    /* broadcast: a [2, 4] against b [1, 4]; gradients zero on both operands (db summed over the broadcast axis) */
    const int64_t yd[2] = {2, 4}, as[2] = {4, 1}, bs[2] = {0, 1};
    const auto dy = randv(8);
    std::vector<float> ga(8, 9.f), gb(4, 9.f), ca(8, 9.f), cb(4, 9.f);
    expect_ok(fcpts_binary_backward_cuda(FCPTS_BINARY_EQUAL, a.data(), as, b.data(), bs, dy.data(), yd, 2, ga.data(),
                                         gb.data(), nullptr, &st), st, "equal backward cuda");
    expect_ok(fcpts_binary_backward_cpu(FCPTS_BINARY_EQUAL, a.data(), as, b.data(), bs, dy.data(), yd, 2, ca.data(),
                                        cb.data(), 1, &st), st, "equal backward cpu");
    compare(ga, std::vector<float>(8, 0.f), 0, "equal da gpu");
    compare(gb, std::vector<float>(4, 0.f), 0, "equal db gpu");
    compare(ca, std::vector<float>(8, 0.f), 0, "equal da cpu");
    compare(cb, std::vector<float>(4, 0.f), 0, "equal db cpu");
}

int main() {
    for (int sms : {1, 3}) {
        emu_sms = sms;
        test_unary();
        test_unary_reference();
        test_binary();
        test_epilogues();
        test_bn();
        test_reductions();
        test_layout();
        test_im2col();
        test_pool();
        test_losses();
        test_optim();
        test_kde();
        test_sparse_conv();
        test_index_map();
        test_layer_norm();
        test_equal();
    }
    std::printf("%d checks, %d failures, %ld launches\n", checks, failures, emu::launches);
    return failures != 0;
}
