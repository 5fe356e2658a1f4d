import CVectorKernels

/// The distance kernels chosen for this CPU: the AVX2/FMA kernels of the
/// `CVectorKernels` C target when the CPU reports both features, else the
/// portable Swift kernels of `VectorKernels`.
///
/// Swift compiles `SIMD16<Float>` arithmetic for the baseline x86-64 target
/// (SSE2, no fused multiply-add), which runs these loops at about half the
/// speed of AVX2. Hot loops copy one `HostKernels` value into a local, so the
/// choice costs one predictable branch per call.
public struct HostKernels: Sendable {
    /// Whether calls go to the AVX2/FMA kernels.
    public let usesAVX2: Bool

    /// Kernels for the CPU this process runs on.
    public static let current = HostKernels(usesAVX2: larder_cpu_has_avx2_fma() != 0)

    /// The portable Swift kernels, available on every CPU.
    public static let portable = HostKernels(usesAVX2: false)

    private init(usesAVX2: Bool) {
        self.usesAVX2 = usesAVX2
    }

    /// Returns `Σ a[i] * b[i]` over `count` components.
    @inlinable @inline(__always)
    public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        usesAVX2 ? larder_dot_f32_avx2(a, b, count) : VectorKernels.dot(a, b, count: count)
    }

    /// Returns `Σ (a[i] - b[i])²` over `count` components.
    @inlinable @inline(__always)
    public func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        usesAVX2 ? larder_squared_l2_f32_avx2(a, b, count) : VectorKernels.squaredL2(a, b, count: count)
    }

    /// Returns `Σ a[i] * Float(codes[i])` over `count` components (an int8 code before its scale).
    @inlinable @inline(__always)
    public func dot(_ a: UnsafePointer<Float>, int8 codes: UnsafePointer<Int8>, count: Int) -> Float {
        usesAVX2 ? larder_dot_f32_i8_avx2(a, codes, count) : VectorKernels.dot(a, int8: codes, count: count)
    }
}

/// Hints the CPU to load the cache line at `address` for reading; it never faults.
@inlinable @inline(__always)
public func prefetch(_ address: UnsafeRawPointer) {
    larder_prefetch(address)
}
