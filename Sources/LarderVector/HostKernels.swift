import CVectorKernels
import Foundation

/// The distance kernels chosen for this CPU: the AVX-512 or the AVX2/FMA
/// kernels of the `CVectorKernels` C target when the CPU reports the
/// features, else the portable Swift kernels of `VectorKernels`.
///
/// Swift compiles `SIMD16<Float>` arithmetic for the baseline x86-64 target
/// (SSE2, no fused multiply-add), which runs these loops at about half the
/// speed of AVX2. Hot loops copy one `HostKernels` value into a local, so the
/// choice costs one predictable branch per call.
public struct HostKernels: Sendable {
    /// The vector instructions a set of kernels uses.
    public enum InstructionSet: String, Sendable, CaseIterable {
        /// Swift `SIMD` code for the baseline target, on every CPU.
        case portable
        /// AVX2 with fused multiply-add, 8 floats a step.
        case avx2
        /// AVX-512F, 16 floats a step.
        case avx512
    }

    /// The instructions these kernels use.
    public let instructionSet: InstructionSet

    /// Every instruction set this CPU supports, the portable one first.
    public static let supported: [HostKernels] = {
        var sets = [HostKernels(.portable)]
        if larder_cpu_has_avx2_fma() != 0 { sets.append(HostKernels(.avx2)) }
        if larder_cpu_has_avx2_fma() != 0 && larder_cpu_has_avx512f() != 0 { sets.append(HostKernels(.avx512)) }
        return sets
    }()

    /// Kernels for the CPU this process runs on: the widest supported set, or
    /// the one the environment variable `LARDER_KERNELS` names (`portable`,
    /// `avx2` or `avx512`) when the CPU supports it, for comparing them.
    public static let current: HostKernels = {
        if let name = ProcessInfo.processInfo.environment["LARDER_KERNELS"],
           let chosen = supported.first(where: { $0.instructionSet.rawValue == name }) {
            return chosen
        }
        return supported.last!
    }()

    /// The portable Swift kernels, available on every CPU.
    public static let portable = HostKernels(.portable)

    private init(_ instructionSet: InstructionSet) {
        self.instructionSet = instructionSet
    }

    /// Returns `Σ a[i] * b[i]` over `count` components.
    @inlinable @inline(__always)
    public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        switch instructionSet {
        case .avx512: return larder_dot_f32_avx512(a, b, count)
        case .avx2: return larder_dot_f32_avx2(a, b, count)
        case .portable: return VectorKernels.dot(a, b, count: count)
        }
    }

    /// Returns `Σ (a[i] - b[i])²` over `count` components.
    @inlinable @inline(__always)
    public func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        switch instructionSet {
        case .avx512: return larder_squared_l2_f32_avx512(a, b, count)
        case .avx2: return larder_squared_l2_f32_avx2(a, b, count)
        case .portable: return VectorKernels.squaredL2(a, b, count: count)
        }
    }

    /// Returns `Σ a[i] * Float(codes[i])` over `count` components (an int8 code before its scale).
    @inlinable @inline(__always)
    public func dot(_ a: UnsafePointer<Float>, int8 codes: UnsafePointer<Int8>, count: Int) -> Float {
        switch instructionSet {
        case .avx512: return larder_dot_f32_i8_avx512(a, codes, count)
        case .avx2: return larder_dot_f32_i8_avx2(a, codes, count)
        case .portable: return VectorKernels.dot(a, int8: codes, count: count)
        }
    }
}

/// Hints the CPU to load the cache line at `address` for reading; it never faults.
@inlinable @inline(__always)
public func prefetch(_ address: UnsafeRawPointer) {
    larder_prefetch(address)
}
