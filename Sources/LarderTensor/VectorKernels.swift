// Small vectorized kernels over raw Float buffers, shared by the inference
// operations. Reductions use several SIMD accumulators so that release builds
// do not depend on the optimizer reassociating a scalar float sum.

/// Returns the sum of `count` floats starting at `pointer`.
@inline(__always)
func vectorSum(_ pointer: UnsafePointer<Float>, count: Int) -> Float {
    var accumulator = SIMD16<Float>(repeating: 0)
    var index = 0
    let raw = UnsafeRawPointer(pointer)
    while index + 16 <= count {
        accumulator += raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
        index += 16
    }
    var total = accumulator.sum()
    while index < count {
        total += pointer[index]
        index += 1
    }
    return total
}

/// Returns the largest of `count` floats starting at `pointer` (`-infinity` when `count` is 0).
@inline(__always)
func vectorMax(_ pointer: UnsafePointer<Float>, count: Int) -> Float {
    var best = SIMD16<Float>(repeating: -.infinity)
    var index = 0
    let raw = UnsafeRawPointer(pointer)
    while index + 16 <= count {
        best = pointwiseMax(best, raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self))
        index += 16
    }
    var result = best.max()
    while index < count {
        result = Swift.max(result, pointer[index])
        index += 1
    }
    return result
}

/// Returns the dot product of two float vectors of length `count`.
@inline(__always)
func vectorDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var accumulator = SIMD16<Float>(repeating: 0)
    var index = 0
    let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
    while index + 16 <= count {
        accumulator += rawA.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
            * rawB.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
        index += 16
    }
    var total = accumulator.sum()
    while index < count {
        total += a[index] * b[index]
        index += 1
    }
    return total
}
