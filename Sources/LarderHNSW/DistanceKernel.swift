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
    let kernels: HostKernels
    /// Cache lines to prefetch per vector row: the whole row, at most 8 lines.
    let prefetchLines: Int
    /// Cache lines to prefetch per fp32 row for a re-rank, at most 8.
    let floatRowLines: Int

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
        kernels = .current
        let rowBytes = quantized ? codeStride : vectorStride * 4
        prefetchLines = min(8, (rowBytes + 63) / 64)
        floatRowLines = min(8, (vectorStride * 4 + 63) / 64)
    }

    /// Distance from `query` to the stored vector of `slot`: on the fp32 row,
    /// or under int8 quantization on the int8 code times its scale (an
    /// asymmetric distance: the query stays fp32).
    @inline(__always)
    func distance(_ query: Query, _ slot: Int) -> Float {
        if quantized {
            let dot = scales[slot] * kernels.dot(query.pointer, int8: codes + slot &* codeStride, count: codeStride)
            if metric == .l2 { return max(0, query.squaredNorm + codeSquaredNorms[slot] - 2 * dot) }
            return 1 - dot
        }
        return rowDistance(query, slot)
    }

    /// Distance from `query` to the fp32 row of `slot`; only when the storage
    /// keeps rows (no quantization, or int8 with re-ranking).
    @inline(__always)
    func rowDistance(_ query: Query, _ slot: Int) -> Float {
        let row = vectors + slot &* vectorStride
        if metric == .l2 { return kernels.squaredL2(query.pointer, row, count: vectorStride) }
        return 1 - kernels.dot(query.pointer, row, count: vectorStride)
    }

    /// Starts loading the vector row of `slot` into the cache.
    @inline(__always)
    func prefetchRow(_ slot: Int) {
        let row = quantized
            ? UnsafeRawPointer(codes + slot &* codeStride)
            : UnsafeRawPointer(vectors + slot &* vectorStride)
        var line = 0
        while line < prefetchLines {
            prefetch(row + line &* 64)
            line &+= 1
        }
    }

    /// Starts loading the fp32 row of `slot` (at most 8 cache lines); only
    /// when the storage keeps rows.
    @inline(__always)
    func prefetchFloatRow(_ slot: Int) {
        let row = UnsafeRawPointer(vectors + slot &* vectorStride)
        var line = 0
        while line < floatRowLines {
            prefetch(row + line &* 64)
            line &+= 1
        }
    }

    /// Starts loading the first cache line of the vector row of `slot`.
    @inline(__always)
    func prefetchLine(_ slot: Int) {
        if quantized {
            prefetch(codes + slot &* codeStride)
        } else {
            prefetch(vectors + slot &* vectorStride)
        }
    }

    /// Returns the link list of `slot` on `layer`: word 0 is the count, the links follow.
    @inline(__always)
    func links(_ slot: Int, layer: Int) -> UnsafeMutablePointer<UInt32> {
        if layer == 0 { return layer0 + slot &* layer0Stride }
        return upper[slot].unsafelyUnwrapped + (layer &- 1) &* upperStride
    }
}
