import LarderVector

/// Distance and link access over `NodeStorage` with every buffer pointer
/// copied into a constant, so hot loops read no class properties (each such
/// read costs a dynamic exclusivity check). A copy is valid until the storage
/// grows, which only happens while the graph is locked exclusively.
struct GraphView {
    let vectors: UnsafeMutablePointer<Float>
    let vectorStride: Int
    let codes: UnsafeMutablePointer<Int8>
    let codeStride: Int
    let scales: UnsafeMutablePointer<Float>
    let codeSquaredNorms: UnsafeMutablePointer<Float>
    let layer0: UnsafeMutablePointer<UInt32>
    let layer0Stride: Int
    let upper: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    let upperStride: Int
    let metric: DistanceMetric
    let quantized: Bool

    init(storage: NodeStorage, metric: DistanceMetric) {
        vectors = storage.vectors
        vectorStride = storage.vectorStride
        codes = storage.codes
        codeStride = storage.codeStride
        scales = storage.scales
        codeSquaredNorms = storage.codeSquaredNorms
        layer0 = storage.layer0
        layer0Stride = storage.layer0Stride
        upper = storage.upper
        upperStride = storage.upperStride
        self.metric = metric
        quantized = storage.quantized
    }

    /// Distance used for traversal: int8 codes under int8 quantization, fp32 otherwise.
    @inline(__always)
    func traversalDistance(_ query: Query, _ slot: Int) -> Float {
        if quantized {
            let dot = scales[slot] * VectorKernels.dot(query.pointer, int8: codes + slot &* codeStride, count: codeStride)
            if metric == .l2 { return max(0, query.squaredNorm + codeSquaredNorms[slot] - 2 * dot) }
            return 1 - dot
        }
        return exactDistance(query, slot)
    }

    /// Distance on the fp32 vectors, for re-ranking and reported scores.
    @inline(__always)
    func exactDistance(_ query: Query, _ slot: Int) -> Float {
        let row = vectors + slot &* vectorStride
        if metric == .l2 { return VectorKernels.squaredL2(query.pointer, row, count: vectorStride) }
        return 1 - VectorKernels.dot(query.pointer, row, count: vectorStride)
    }

    /// Reads one byte of each unvisited neighbour's row before any distance
    /// is computed. Swift has no prefetch intrinsic, so these independent
    /// loads stand in for one: they start the cache misses of a whole link
    /// list at once, and the distance loop that follows finds most rows cached.
    @inline(__always)
    func touchRows(_ neighbors: UnsafeMutablePointer<UInt32>, count: Int,
                   tags: UnsafeMutablePointer<UInt16>, generation: UInt16) -> UInt8 {
        var sum: UInt8 = 0
        if quantized {
            let base = UnsafeRawPointer(codes)
            for i in 0..<count where tags[Int(neighbors[i])] != generation {
                sum &+= base.load(fromByteOffset: Int(neighbors[i]) &* codeStride, as: UInt8.self)
            }
        } else {
            let base = UnsafeRawPointer(vectors)
            for i in 0..<count where tags[Int(neighbors[i])] != generation {
                sum &+= base.load(fromByteOffset: Int(neighbors[i]) &* vectorStride &* 4, as: UInt8.self)
            }
        }
        return sum
    }

    /// Returns the link list of `slot` on `layer`: word 0 is the count, the links follow.
    @inline(__always)
    func links(_ slot: Int, layer: Int) -> UnsafeMutablePointer<UInt32> {
        if layer == 0 { return layer0 + slot &* layer0Stride }
        return upper[slot].unsafelyUnwrapped + (layer &- 1) &* upperStride
    }
}
