import Foundation
import LarderLog

/// When the write-ahead log is flushed to stable storage, as Redis's `appendfsync`.
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// Fsync before acknowledging each write. Concurrent writers share one fsync
    /// (group commit), so throughput grows with the number of writers.
    case always
    /// Fsync once a second in the background. A crash of the machine (not only
    /// of the process) can lose about the last second of acknowledged writes.
    case everysec
    /// Leave flushing to the operating system; `close()` and `checkpoint()` still fsync.
    case no
}

/// The append side of a collection's write-ahead log: one file per generation,
/// `wal-<generation>.log`, each starting with a header (see `WALFileHeader`).
///
/// Appends are serialized by the caller (the collection's write lock) so record
/// order is apply order. Durability is awaited separately with
/// `waitUntilDurable(_:)` outside that lock, which is what lets many writers
/// share one fsync under `FsyncPolicy.always`.
final class WriteAheadLog: @unchecked Sendable {
    let directory: String
    let policy: FsyncPolicy
    private let logger: Logger

    private let condition = NSCondition()
    private var file: FileDescriptor
    private(set) var generation: UInt64
    /// Size of the current file, which is where the next record starts.
    private var fileSize: Int
    /// Bytes appended across all generations since open: the durability ticket counter.
    private var appendedBytes: UInt64 = 0
    private var durableBytes: UInt64 = 0
    private var syncInProgress = false
    private var failure: StorageError?
    private var isClosed = false
    private var flusher: Thread?

    /// Opens (or creates) `wal-<generation>.log` in `directory` and positions the
    /// log at `validLength`, the end of the last intact record found by replay.
    init(directory: String, generation: UInt64, validLength: Int?, policy: FsyncPolicy, logger: Logger) throws {
        self.directory = directory
        self.policy = policy
        self.logger = logger
        self.generation = generation
        (file, fileSize) = try Self.openFile(directory: directory, generation: generation, validLength: validLength)
        if policy == .everysec { startFlusher() }
    }

    static func fileName(generation: UInt64) -> String { "wal-\(generation).log" }

    static func path(directory: String, generation: UInt64) -> String {
        directory + "/" + fileName(generation: generation)
    }

    private static func openFile(directory: String, generation: UInt64, validLength: Int?) throws -> (FileDescriptor, Int) {
        let path = Self.path(directory: directory, generation: generation)
        if FileSystem.fileExists(path), let validLength {
            let file = try FileDescriptor.openForAppending(path, create: false)
            if try file.size() != validLength { try file.truncate(to: validLength) }
            try file.seek(to: validLength)
            return (file, validLength)
        }
        // The header goes in through an atomic rename, so a crash or a full disk
        // never leaves a WAL file without a complete header.
        let header = WALFileHeader(generation: generation).encoded()
        try FileSystem.writeAtomically(header, to: path)
        let created = try FileDescriptor.openForAppending(path, create: false)
        try created.seek(to: header.count)
        return (created, header.count)
    }

    /// Current file's path and size; snapshots copy this prefix.
    var position: (generation: UInt64, length: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (generation, fileSize)
    }

    // MARK: - Appending

    /// Appends `record` and returns a ticket for `waitUntilDurable(_:)`.
    ///
    /// On a failed write the file is truncated back to where the record began,
    /// so no partial record sits in front of later ones. If the truncation fails
    /// too, the log disables itself and every later append throws.
    func append(_ record: WALRecord) throws -> UInt64 {
        let bytes = record.encoded()
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        guard !isClosed else { throw StorageError.closed("write-ahead log \(file.path)") }
        do {
            try file.write(bytes)
        } catch let error as StorageError {
            do {
                try file.truncate(to: fileSize)
                try file.seek(to: fileSize)
            } catch let rollback as StorageError {
                failure = rollback
                logger.error("write-ahead log rollback failed; writes disabled", ["path": file.path, "error": "\(rollback)"])
            }
            throw error
        }
        fileSize += bytes.count
        appendedBytes += UInt64(bytes.count)
        return appendedBytes
    }

    /// Returns once the record with `ticket` satisfies the fsync policy. Under
    /// `always`, the first waiter fsyncs for everyone who appended before it
    /// started (group commit) and the rest wait for that fsync.
    func waitUntilDurable(_ ticket: UInt64) throws {
        guard policy == .always else { return }
        try syncThrough(ticket)
    }

    /// Fsyncs everything appended so far, whatever the policy.
    func sync() throws {
        condition.lock()
        let target = appendedBytes
        condition.unlock()
        try syncThrough(target)
    }

    private func syncThrough(_ ticket: UInt64) throws {
        condition.lock()
        defer { condition.unlock() }
        while durableBytes < ticket {
            if let failure { throw failure }
            if syncInProgress {
                condition.wait()
                continue
            }
            syncInProgress = true
            let target = appendedBytes
            let syncing = file
            condition.unlock()
            var syncError: StorageError?
            do { try syncing.sync() } catch let error as StorageError { syncError = error } catch {}
            condition.lock()
            syncInProgress = false
            if let syncError {
                // After a failed fsync the kernel may have dropped the dirty pages,
                // so retrying could report success for lost data (PostgreSQL's
                // "fsyncgate"). Stop accepting writes instead.
                failure = syncError
                logger.error("write-ahead log fsync failed; writes disabled", ["path": syncing.path, "error": "\(syncError)"])
                condition.broadcast()
                throw syncError
            }
            durableBytes = max(durableBytes, target)
            condition.broadcast()
        }
    }

    /// The error that disabled the log, if any.
    var failureCause: StorageError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    // MARK: - Generations

    /// Fsyncs the current file and starts `wal-<generation + 1>.log`; returns
    /// the new generation. Records before the switch belong to the old file.
    func rotate() throws -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        try file.sync()
        durableBytes = appendedBytes
        let next = generation + 1
        (file, fileSize) = try Self.openFile(directory: directory, generation: next, validLength: nil)
        generation = next
        return next
    }

    // MARK: - Background flushing and closing

    private func startFlusher() {
        let thread = Thread { [weak self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                guard let self else { return }
                if self.flushIfNeeded() == false { return }
            }
        }
        thread.name = "larder-wal-flush"
        flusher = thread
        thread.start()
    }

    /// Fsyncs pending bytes; returns false once the log is closed.
    private func flushIfNeeded() -> Bool {
        condition.lock()
        let closed = isClosed
        let pending = appendedBytes > durableBytes && failure == nil
        condition.unlock()
        if closed { return false }
        if pending {
            do { try sync() } catch {
                logger.error("background write-ahead log fsync failed", ["path": directory, "error": "\(error)"])
            }
        }
        return true
    }

    /// Fsyncs and closes the log. Later appends throw `StorageError.closed`.
    func close() throws {
        condition.lock()
        let alreadyClosed = isClosed
        condition.unlock()
        if alreadyClosed { return }
        defer {
            condition.lock()
            isClosed = true
            file.close()
            condition.unlock()
        }
        if failureCause == nil { try sync() }
    }
}
