extension Tensor {
    /// Clamps every element to `[0, 6]` in place, as `torch.nn.ReLU6`.
    public mutating func applyReLU6() {
        scalars.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices {
                buffer[index] = Swift.min(Swift.max(buffer[index], 0), 6)
            }
        }
    }

}
