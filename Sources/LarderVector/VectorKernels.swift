/// SIMD kernels over raw fp32 and int8 rows.
///
/// The loops use `SIMD16<Float>` with two accumulators, so the compiler emits
/// packed multiply-adds for whatever vector width the target supports, and a
/// scalar loop handles the last `count % 16` components. The functions are
/// `@inlinable` so the HNSW module gets them specialized and inlined.
public enum VectorKernels {
    /// Returns `Σ a[i] * b[i]` over `count` components.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        var sum0 = SIMD16<Float>()
        var sum1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= count {
            let offset = i &* 4
            sum0 += ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
            sum1 += ra.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD16<Float>.self)
            i &+= 32
        }
        if i + 16 <= count {
            let offset = i &* 4
            sum0 += ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
            i &+= 16
        }
        var total = (sum0 + sum1).sum()
        while i < count {
            total += a[i] * b[i]
            i &+= 1
        }
        return total
    }

    /// Returns `Σ (a[i] - b[i])²` over `count` components.
    @inlinable
    public static func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        var sum0 = SIMD16<Float>()
        var sum1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= count {
            let offset = i &* 4
            let d0 = ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
            let d1 = ra.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD16<Float>.self)
            sum0 += d0 * d0
            sum1 += d1 * d1
            i &+= 32
        }
        if i + 16 <= count {
            let offset = i &* 4
            let d0 = ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
            sum0 += d0 * d0
            i &+= 16
        }
        var total = (sum0 + sum1).sum()
        while i < count {
            let d = a[i] - b[i]
            total += d * d
            i &+= 1
        }
        return total
    }

    /// Returns `Σ a[i] * Float(codes[i])` over `count` components: the inner
    /// product of an fp32 query with an int8 code before the code's scale is applied.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, int8 codes: UnsafePointer<Int8>, count: Int) -> Float {
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(codes)
        var sum0 = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let q = rb.loadUnaligned(fromByteOffset: i, as: SIMD16<Int8>.self)
            let widened = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: q))
            sum0 += ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) * widened
            i &+= 16
        }
        var total = sum0.sum()
        while i < count {
            total += a[i] * Float(codes[i])
            i &+= 1
        }
        return total
    }

    /// Returns `Σ a[i]²`.
    @inlinable
    public static func squaredNorm(_ a: UnsafePointer<Float>, count: Int) -> Float {
        dot(a, a, count: count)
    }

    /// Returns the Euclidean length of `a`, summed in Double so that neither
    /// tiny components (1e-30 squares to 0 in Float) nor large ones (3e38
    /// squares to infinity) lose it.
    public static func length(_ a: UnsafePointer<Float>, count: Int) -> Double {
        var total: Double = 0
        for i in 0..<count {
            let value = Double(a[i])
            total += value * value
        }
        return total.squareRoot()
    }

    /// Scales `a` to unit length in place and returns the length it had, as
    /// Float. The scaling runs in Double, so vectors of subnormal components
    /// also come out unit length. A zero vector is left as it is.
    @discardableResult
    public static func normalize(_ a: UnsafeMutablePointer<Float>, count: Int) -> Float {
        let norm = length(a, count: count)
        guard norm > 0 else { return 0 }
        let inverse = 1 / norm
        for i in 0..<count { a[i] = Float(Double(a[i]) * inverse) }
        return Float(norm)
    }
}

// MARK: - Int8 quantization

/// Symmetric per-vector scalar quantization to int8: `x[i] ≈ scale * code[i]`
/// with `scale = max|x| / 127`, so every code lies in `[-127, 127]`.
public enum Int8Quantizer {
    /// Writes the codes of `vector` into `codes` and returns the scale.
    /// An all-zero vector gets scale 0 and zero codes.
    @inlinable
    public static func quantize(_ vector: UnsafePointer<Float>, count: Int, into codes: UnsafeMutablePointer<Int8>) -> Float {
        var maxMagnitude: Float = 0
        for i in 0..<count { maxMagnitude = max(maxMagnitude, abs(vector[i])) }
        guard maxMagnitude > 0 else {
            codes.update(repeating: 0, count: count)
            return 0
        }
        let scale = maxMagnitude / 127
        let inverse = 1 / scale
        for i in 0..<count {
            let rounded = (vector[i] * inverse).rounded()
            codes[i] = Int8(max(-127, min(127, rounded)))
        }
        return scale
    }
}
