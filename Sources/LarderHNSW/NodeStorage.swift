import LarderVector

/// Slot-indexed node data of an HNSW graph in contiguous, growable buffers.
///
/// Every slot stores one node: its vector, the norm of the vector as given,
/// its level (-1 marks a free slot) and its links. Without quantization the
/// vector is an fp32 row padded with zeros to a multiple of 16 floats and
/// 64-byte aligned, so kernels run on whole SIMD blocks. Under int8
/// quantization only the int8 code row, its scale and the squared norm of the
/// dequantized code are kept (no fp32 row), so the vector part takes about a
/// quarter of the fp32 bytes. `dequantize(slot:into:)` rebuilds an
/// approximate fp32 row where one is needed. With `keepsRows` as well
/// (`VectorQuantization.int8Rerank`) both encodings are kept: the codes for
/// traversal and the fp32 rows for an exact re-rank.
///
/// Layer 0 links live in one flat array of `1 + 2m` words per slot
/// (`[count, link...]`), so a search touches one region per node; a node's
/// upper layers get their own block of `level * (1 + m)` words, allocated
/// only for nodes above layer 0.
///
/// Not thread-safe: `HNSWGraph` decides who may touch which slot.
final class NodeStorage {
    let dimension: Int
    /// Floats per vector row: `dimension` rounded up to a multiple of 16.
    let vectorStride: Int
    /// Bytes per int8 code row: `dimension` rounded up to a multiple of 16.
    let codeStride: Int
    /// Whether int8 codes are kept (and used for traversal).
    let quantized: Bool
    /// Whether fp32 rows are kept: always without quantization, and with it for re-ranking.
    let keepsRows: Bool
    /// Whether stored vectors are unit length (the cosine metric), so int8
    /// codes get the scale that makes the dequantized vector unit length too.
    let unitVectors: Bool
    let layer0Stride: Int
    let upperStride: Int

    private(set) var capacity = 0
    private(set) var vectors: UnsafeMutablePointer<Float>
    private(set) var norms: UnsafeMutablePointer<Float>
    private(set) var codes: UnsafeMutablePointer<Int8>
    /// Per slot: the int8 scale, so `vector ≈ scale * code`.
    private(set) var scales: UnsafeMutablePointer<Float>
    /// Per slot: squared norm of the dequantized code, for the l2 distance.
    private(set) var codeSquaredNorms: UnsafeMutablePointer<Float>
    private(set) var levels: UnsafeMutablePointer<Int32>
    private(set) var layer0: UnsafeMutablePointer<UInt32>
    private(set) var upper: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>

    init(dimension: Int, m: Int, quantized: Bool, keepsRows: Bool, unitVectors: Bool) {
        precondition(quantized || keepsRows, "a node storage keeps codes, rows or both")
        self.dimension = dimension
        self.unitVectors = unitVectors
        vectorStride = (dimension + 15) / 16 * 16
        codeStride = (dimension + 15) / 16 * 16
        self.quantized = quantized
        self.keepsRows = keepsRows
        layer0Stride = 1 + 2 * m
        upperStride = 1 + m
        vectors = .allocate(capacity: 0)
        norms = .allocate(capacity: 0)
        codes = .allocate(capacity: 0)
        scales = .allocate(capacity: 0)
        codeSquaredNorms = .allocate(capacity: 0)
        levels = .allocate(capacity: 0)
        layer0 = .allocate(capacity: 0)
        upper = .allocate(capacity: 0)
    }

    deinit {
        for slot in 0..<capacity { upper[slot]?.deallocate() }
        UnsafeMutableRawPointer(vectors).deallocate()
        norms.deallocate()
        UnsafeMutableRawPointer(codes).deallocate()
        scales.deallocate()
        codeSquaredNorms.deallocate()
        levels.deallocate()
        layer0.deallocate()
        upper.deallocate()
    }

    // MARK: - Growth

    /// Grows every buffer to hold at least `minimum` slots, doubling so that
    /// n appends cost O(n) copies in total. New slots are free (level -1).
    func reserve(_ minimum: Int) {
        guard minimum > capacity else { return }
        let newCapacity = max(minimum, capacity * 2, 64)
        norms = Self.grow(norms, from: capacity, to: newCapacity, aligned: false)
        if keepsRows {
            vectors = Self.grow(vectors, from: capacity * vectorStride, to: newCapacity * vectorStride, aligned: true)
        }
        if quantized {
            codes = Self.grow(codes, from: capacity * codeStride, to: newCapacity * codeStride, aligned: true)
            scales = Self.grow(scales, from: capacity, to: newCapacity, aligned: false)
            codeSquaredNorms = Self.grow(codeSquaredNorms, from: capacity, to: newCapacity, aligned: false)
        }
        levels = Self.grow(levels, from: capacity, to: newCapacity, aligned: false)
        (levels + capacity).initialize(repeating: -1, count: newCapacity - capacity)
        layer0 = Self.grow(layer0, from: capacity * layer0Stride, to: newCapacity * layer0Stride, aligned: false)
        upper = Self.grow(upper, from: capacity, to: newCapacity, aligned: false)
        (upper + capacity).initialize(repeating: nil, count: newCapacity - capacity)
        capacity = newCapacity
    }

    /// Reallocates a buffer of trivial elements, copying the first `old`
    /// elements and zeroing the rest. Aligned buffers start on a 64-byte boundary.
    private static func grow<T>(_ pointer: UnsafeMutablePointer<T>, from old: Int, to new: Int,
                                aligned: Bool) -> UnsafeMutablePointer<T> {
        let bytes = new * MemoryLayout<T>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1),
                                                   alignment: aligned ? 64 : MemoryLayout<T>.alignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(bytes, 1))
        let result = raw.bindMemory(to: T.self, capacity: new)
        result.update(from: pointer, count: old)
        UnsafeMutableRawPointer(pointer).deallocate()
        return result
    }

    // MARK: - Slots

    /// Stores a validated vector in `slot` at `level`, with empty link lists.
    /// Under cosine the stored vector is the unit vector and `norm` keeps the length.
    func write(slot: Int, vector: UnsafeBufferPointer<Float>, level: Int, normalize: Bool) {
        if keepsRows {
            let row = vectors + slot * vectorStride
            norms[slot] = Self.prepareRow(row, from: vector, stride: vectorStride, normalize: normalize)
            if quantized { encode(slot: slot, row: row) }
        } else {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: vectorStride) { row in
                norms[slot] = Self.prepareRow(row.baseAddress!, from: vector, stride: vectorStride, normalize: normalize)
                encode(slot: slot, row: row.baseAddress!)
            }
        }
        levels[slot] = Int32(level)
        layer0[slot * layer0Stride] = 0
        upper[slot]?.deallocate()
        upper[slot] = nil
        if level > 0 {
            let block = UnsafeMutablePointer<UInt32>.allocate(capacity: level * upperStride)
            block.initialize(repeating: 0, count: level * upperStride)
            upper[slot] = block
        }
    }

    /// Copies `vector` into the padded `row`, scaled to unit length when
    /// `normalize` is set, and returns the norm it had (1 when not normalized).
    private static func prepareRow(_ row: UnsafeMutablePointer<Float>, from vector: UnsafeBufferPointer<Float>,
                                   stride: Int, normalize: Bool) -> Float {
        let dimension = vector.count
        row.update(from: vector.baseAddress!, count: dimension)
        (row + dimension).update(repeating: 0, count: stride - dimension)
        guard normalize else { return 1 }
        return VectorKernels.normalize(row, count: dimension)
    }

    /// Writes the int8 code, scale and code norm of `slot` from the fp32 `row`.
    ///
    /// For unit vectors the scale is `1 / |code|` instead of the quantizer's
    /// `max|x| / 127`. The codes are the same, but the dequantized vector is
    /// then unit length, so `1 - q·(scale * code)` is the cosine distance to
    /// it rather than a distance skewed by the rounding error of its norm.
    private func encode(slot: Int, row: UnsafePointer<Float>) {
        let code = codes + slot * codeStride
        var scale = Int8Quantizer.quantize(row, count: dimension, into: code)
        (code + dimension).update(repeating: 0, count: codeStride - dimension)
        var codeSquared: Float = 0
        for i in 0..<dimension { codeSquared += Float(code[i]) * Float(code[i]) }
        if unitVectors && codeSquared > 0 { scale = 1 / codeSquared.squareRoot() }
        scales[slot] = scale
        codeSquaredNorms[slot] = scale * scale * codeSquared
    }

    /// Writes the stored vector of `slot` as `vectorStride` floats into `row`:
    /// the fp32 row when one is kept, otherwise `scale * code` (zero-padded).
    /// Under cosine this is the unit vector; multiply by `norms[slot]` for the original.
    func dequantize(slot: Int, into row: UnsafeMutablePointer<Float>) {
        guard !keepsRows else {
            row.update(from: vectors + slot * vectorStride, count: vectorStride)
            return
        }
        let code = codes + slot * codeStride
        let scale = scales[slot]
        for i in 0..<dimension { row[i] = scale * Float(code[i]) }
        (row + dimension).update(repeating: 0, count: vectorStride - dimension)
    }

    /// Marks `slot` free and releases its upper-layer block.
    func free(slot: Int) {
        levels[slot] = -1
        layer0[slot * layer0Stride] = 0
        upper[slot]?.deallocate()
        upper[slot] = nil
    }

    @inline(__always)
    func level(_ slot: Int) -> Int { Int(levels[slot]) }

    /// The fp32 row of `slot`; only when rows are kept (plain int8 mode keeps none).
    @inline(__always)
    func vector(_ slot: Int) -> UnsafeMutablePointer<Float> {
        assert(keepsRows, "int8 storage without re-ranking keeps no fp32 rows")
        return vectors + slot &* vectorStride
    }

    @inline(__always)
    func code(_ slot: Int) -> UnsafeMutablePointer<Int8> { codes + slot &* codeStride }

    /// The link list of `slot` on `layer`: word 0 is the count, the links follow.
    @inline(__always)
    func links(_ slot: Int, layer: Int) -> UnsafeMutablePointer<UInt32> {
        if layer == 0 { return layer0 + slot &* layer0Stride }
        return upper[slot]! + (layer &- 1) &* upperStride
    }

    /// Bytes held by the node buffers and upper-layer blocks (ids excluded),
    /// counting allocated capacity rather than live slots.
    var memoryBytes: Int {
        let vectorBytes = (quantized ? codeStride + 8 : 0) + (keepsRows ? vectorStride * 4 : 0)
        var bytes = capacity * (vectorBytes + 4 + 4 + layer0Stride * 4 + MemoryLayout<UnsafeMutableRawPointer>.stride)
        for slot in 0..<capacity where levels[slot] > 0 { bytes += Int(levels[slot]) * upperStride * 4 }
        return bytes
    }
}
