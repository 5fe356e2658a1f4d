import Foundation
import LarderClient
import LarderRESP

/// Sends `ImportRecord`s to a server over several connections, each
/// pipelining batches of `VISMEMBER` checks followed by `VADD` commands.
struct Importer {
    /// Counts of one import run.
    struct Outcome {
        var added = 0
        var skipped = 0
        /// Photos added to the image key.
        var photosAdded = 0
        /// Recipes (or their photos) the server or the reader rejected, in input order.
        var rejected: [(source: String, reason: String)] = []
        var seconds = 0.0
    }

    let connection: ConnectionOptions
    let key: String
    let imageKey: String?
    let batchSize: Int
    let connections: Int

    /// Imports every record and returns the counts. Connection failures are thrown;
    /// error replies to single records are collected as rejections.
    func run(_ records: [ImportRecord]) throws -> Outcome {
        let start = Date()
        let progress = ProgressReporter(label: "importing", total: records.count)
        let lock = NSLock()
        nonisolated(unsafe) var outcome = Outcome()
        nonisolated(unsafe) var failure: (any Error)?
        nonisolated(unsafe) var nextBatch = 0
        let batches = stride(from: 0, to: records.count, by: batchSize).map {
            Array(records[$0..<min($0 + batchSize, records.count)])
        }

        // One batch first, alone: when the server rejects all of it for one reason, stop there.
        if let first = batches.first {
            let result = try importBatch(first, over: try connection.connect())
            let reasons = Set(result.rejected.map(\.reason))
            if result.added == 0, result.skipped == 0, result.rejected.count == first.count, reasons.count == 1 {
                throw ImportError.firstBatchRejected(count: first.count, reason: reasons.first!)
            }
            outcome = result
            nextBatch = 1
            progress.advance(by: first.count)
        }

        let group = DispatchGroup()
        for _ in 0..<min(connections, max(batches.count, 1)) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let client = try connection.connect()
                    while true {
                        lock.lock()
                        let index = nextBatch
                        nextBatch += 1
                        let stop = failure != nil
                        lock.unlock()
                        if stop || index >= batches.count { return }
                        let result = try importBatch(batches[index], over: client)
                        lock.lock()
                        outcome.added += result.added
                        outcome.skipped += result.skipped
                        outcome.photosAdded += result.photosAdded
                        outcome.rejected += result.rejected
                        lock.unlock()
                        progress.advance(by: batches[index].count)
                    }
                } catch {
                    lock.lock()
                    if failure == nil { failure = error }
                    lock.unlock()
                }
            }
        }
        group.wait()
        progress.finish()
        if let failure { throw failure }
        outcome.seconds = Date().timeIntervalSince(start)
        return outcome
    }

    /// Checks which records are missing, then adds them (and their photos) in one pipeline.
    private func importBatch(_ batch: [ImportRecord], over client: RESPConnection) throws -> Outcome {
        var result = Outcome()
        let checks = batch.map { [Array("VISMEMBER".utf8), Array(key.utf8), Array($0.id.utf8)] }
        let present = try client.pipeline(checks)

        var commands: [[[UInt8]]] = []
        var sources: [String] = []
        for (record, reply) in zip(batch, present) {
            if case .integer(1) = reply {
                result.skipped += 1
                continue
            }
            if case .boolean(true) = reply {
                result.skipped += 1
                continue
            }
            commands.append([Array("VADD".utf8), Array(key.utf8), Array("RECIPE".utf8),
                             Array(record.json.utf8), Array(record.id.utf8)])
            sources.append(record.source)
            if let imageKey, let path = record.imagePath {
                guard let photo = FileManager.default.contents(atPath: path) else {
                    result.rejected.append((record.source + " (photo)", "photo '\(path)' not found or unreadable"))
                    continue
                }
                commands.append([Array("VADD".utf8), Array(imageKey.utf8), Array("IMAGE".utf8),
                                 [UInt8](photo), Array(record.id.utf8),
                                 Array("SETATTR".utf8), Array(Self.photoAttributes(record, path: path).utf8)])
                sources.append(record.source + " (photo)")
            }
        }
        let replies = try client.pipeline(commands)
        for (source, reply) in zip(sources, replies) {
            if case .error(let message) = reply {
                result.rejected.append((source, message))
            } else if source.hasSuffix("(photo)") {
                result.photosAdded += 1
            } else {
                result.added += 1
            }
        }
        return result
    }
    /// Attributes of a recipe's photo: the recipe's id and title and the
    /// photo's file name, so a photo search shows what each photo belongs to.
    static func photoAttributes(_ record: ImportRecord, path: String) -> String {
        let object: [String: String] = ["recipe": record.id, "title": record.title,
                                        "image": URL(fileURLWithPath: path).lastPathComponent]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
