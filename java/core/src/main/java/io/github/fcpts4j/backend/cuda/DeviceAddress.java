package io.github.fcpts4j.backend.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * A raw device address as a JavaCPP pointer with position 0, so that no
 * position arithmetic (bytes for void*, elements for typed pointers) can shift
 * it on the way into native code. Owns nothing.
 */
final class DeviceAddress extends Pointer {
    DeviceAddress(long address) {
        this.address = address;
    }
}
