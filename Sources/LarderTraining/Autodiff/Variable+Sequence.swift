import LarderTensor

// MARK: - Lookup, slicing and concatenation

extension Variable {
    /// Rows of an embedding table `[vocabulary, width]` for token ids,
    /// shaped `idShape + [width]`. The backward pass scatter-adds into the table.
    /// - Precondition: every id is in `0..<vocabulary`.
    public static func embedding(ids: [Int32], shape idShape: [Int], table: Variable) -> Variable {
        precondition(table.rank == 2, "embedding table must be [vocabulary, width], got \(table.shape)")
        precondition(idShape.reduce(1, *) == ids.count, "ids shape \(idShape) does not hold \(ids.count) ids")
        let vocabulary = table.shape[0], width = table.shape[1]
        var output = [Float](repeating: 0, count: ids.count * width)
        for (position, id) in ids.enumerated() {
            let row = Int(id)
            precondition(row >= 0 && row < vocabulary, "token id \(row) is outside the vocabulary of \(vocabulary)")
            for index in 0..<width { output[position * width + index] = table.value.scalars[row * width + index] }
        }
        return Variable(Tensor(shape: idShape + [width], scalars: output), inputs: [table]) { gradient in
            table.accumulateGradient { dTable in
                for (position, id) in ids.enumerated() {
                    let row = Int(id)
                    for index in 0..<width { dTable[row * width + index] += gradient[position * width + index] }
                }
            }
        }
    }

    /// Rows `range` of the first dimension, a contiguous copy (for example
    /// the query block of a packed `[3 · width, width]` projection).
    public func slicedRows(_ range: Range<Int>) -> Variable {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows \(range) are outside shape \(shape)")
        let rowSize = value.count / max(shape[0], 1)
        let start = range.lowerBound * rowSize
        let output = Array(value.scalars[start..<(range.upperBound * rowSize)])
        let x = self
        return Variable(Tensor(shape: [range.count] + shape.dropFirst(), scalars: output), inputs: [x]) { gradient in
            x.accumulateGradient { dx in
                for index in 0..<gradient.count { dx[start + index] += gradient[index] }
            }
        }
    }

    /// Joins variables with equal leading dimensions along the last dimension.
    public static func concatenated(_ parts: [Variable]) -> Variable {
        precondition(!parts.isEmpty, "concatenation needs at least one part")
        let leading = Array(parts[0].shape.dropLast())
        let widths = parts.map { $0.shape.last ?? 0 }
        for part in parts {
            precondition(Array(part.shape.dropLast()) == leading,
                         "cannot concatenate \(part.shape) with \(parts[0].shape): leading dimensions differ")
        }
        let rows = leading.reduce(1, *)
        let total = widths.reduce(0, +)
        var output = [Float](repeating: 0, count: rows * total)
        var offset = 0
        for (part, width) in zip(parts, widths) {
            for row in 0..<rows {
                for index in 0..<width { output[row * total + offset + index] = part.value.scalars[row * width + index] }
            }
            offset += width
        }
        return Variable(Tensor(shape: leading + [total], scalars: output), inputs: parts) { gradient in
            var offset = 0
            for (part, width) in zip(parts, widths) {
                part.accumulateGradient { dPart in
                    for row in 0..<rows {
                        for index in 0..<width { dPart[row * width + index] += gradient[row * total + offset + index] }
                    }
                }
                offset += width
            }
        }
    }

    /// Swaps the two middle axes of a rank-4 tensor, `[a, b, c, d]` to
    /// `[a, c, b, d]`: between `[batch, time, heads, headWidth]` and
    /// `[batch, heads, time, headWidth]`.
    public func swappingMiddleAxes() -> Variable {
        precondition(rank == 4, "swappingMiddleAxes needs a rank-4 tensor, got \(shape)")
        let (a, b, c, d) = (shape[0], shape[1], shape[2], shape[3])
        let output = Self.swapMiddle(value.scalars, a, b, c, d)
        let x = self
        return Variable(Tensor(shape: [a, c, b, d], scalars: output), inputs: [x]) { gradient in
            let back = Self.swapMiddle(gradient, a, c, b, d)
            x.accumulateGradient { dx in
                for index in 0..<back.count { dx[index] += back[index] }
            }
        }
    }

    private static func swapMiddle(_ scalars: [Float], _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> [Float] {
        var output = [Float](repeating: 0, count: scalars.count)
        for i in 0..<a {
            for j in 0..<b {
                for k in 0..<c {
                    let source = ((i * b + j) * c + k) * d
                    let target = ((i * c + k) * b + j) * d
                    for l in 0..<d { output[target + l] = scalars[source + l] }
                }
            }
        }
        return output
    }
}

// MARK: - Pooling

extension Variable {
    /// Mean over the time axis of `[batch, time, width]` of the positions
    /// where `mask[batch * time]` is true, giving `[batch, width]`. A row
    /// with no true position pools to zeros.
    public func maskedMeanPool(mask: [Bool]) -> Variable {
        precondition(rank == 3 && mask.count == shape[0] * shape[1],
                     "masked mean pooling needs [batch, time, width] and batch x time mask entries, got \(shape) and \(mask.count)")
        let batch = shape[0], time = shape[1], width = shape[2]
        var weights = [Float](repeating: 0, count: batch * time)
        for row in 0..<batch {
            let count = (0..<time).filter { mask[row * time + $0] }.count
            guard count > 0 else { continue }
            for step in 0..<time where mask[row * time + step] { weights[row * time + step] = 1 / Float(count) }
        }
        var output = [Float](repeating: 0, count: batch * width)
        for row in 0..<batch {
            for step in 0..<time {
                let weight = weights[row * time + step]
                guard weight != 0 else { continue }
                let source = (row * time + step) * width
                for index in 0..<width { output[row * width + index] += weight * value.scalars[source + index] }
            }
        }
        let x = self
        return Variable(Tensor(shape: [batch, width], scalars: output), inputs: [x]) { gradient in
            x.accumulateGradient { dx in
                for row in 0..<batch {
                    for step in 0..<time {
                        let weight = weights[row * time + step]
                        guard weight != 0 else { continue }
                        let target = (row * time + step) * width
                        for index in 0..<width { dx[target + index] += weight * gradient[row * width + index] }
                    }
                }
            }
        }
    }
}
