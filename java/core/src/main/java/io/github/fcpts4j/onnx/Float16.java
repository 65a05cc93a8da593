package io.github.fcpts4j.onnx;

/**
 * IEEE 754 binary16 <-> binary32, for fp16 models: their weights are read into fp32 (every computation of
 * fcpts4j is fp32) and changed weights are written back as fp16, rounded to nearest even.
 */
final class Float16 {
    /** ONNX TensorProto.DataType FLOAT16. */
    static final int ONNX_TYPE = 10;

    private Float16() {
    }

    static float toFloat(int half) {
        int sign = (half & 0x8000) << 16, exp = (half >>> 10) & 0x1f, mant = half & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;  // subnormal (or zero): mant * 2^-24, exact in float
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f), sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff, mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);  // overflow: infinity
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;  // below half the smallest subnormal: signed zero
            }
            int m = mant | 0x800000, shift = 14 - e;
            int half = m >>> shift, rest = m & ((1 << shift) - 1), mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13), rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++;  // may carry into the exponent, up to infinity: still correct rounding
        }
        return (short) (sign | half);
    }
}
