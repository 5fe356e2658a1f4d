import CBLAS

/// The number of threads OpenBLAS uses inside one matrix call, for the whole process.
///
/// A server already runs many requests at once, so a matrix call that
/// spreads over every core contends with the calls of other requests. Under
/// that contention OpenBLAS's threads spin while they wait for each other,
/// and batched calls become slower than single ones. `larder serve`
/// therefore sets one thread per call; the trainer, which runs one call at a
/// time, keeps OpenBLAS's default.
public enum BLASThreads {
    /// Threads OpenBLAS uses per call now.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Sets the threads OpenBLAS uses per call (at least 1).
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
