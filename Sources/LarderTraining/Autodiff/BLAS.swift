import CBLAS

// MARK: - Matrix products through OpenBLAS

/// Computes `C = alpha * op(A) * op(B) + beta * C` for row-major matrices with
/// `cblas_sgemm`, where `op(X)` is `X` or its transpose and `C` is `m x n`.
///
/// `A` is stored `m x k` (or `k x m` when `transposeA`), `B` is stored `k x n`
/// (or `n x k` when `transposeB`); leading dimensions are the stored row lengths.
@inline(__always)
func gemm(transposeA: Bool = false, transposeB: Bool = false,
          m: Int, n: Int, k: Int, alpha: Float = 1,
          _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
          beta: Float = 0, _ c: UnsafeMutablePointer<Float>) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        if beta == 0 { c.update(repeating: 0, count: m * n) } else if beta != 1 {
            for index in 0..<(m * n) { c[index] *= beta }
        }
        return
    }
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(transposeA ? m : k),
                b, Int32(transposeB ? k : n),
                beta, c, Int32(n))
}
