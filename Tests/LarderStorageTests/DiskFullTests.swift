import XCTest
import LarderTestSupport
@testable import LarderStorage

/// A full disk rejects writes with `ENOSPC` while reads keep working and no
/// acknowledged write is lost. The store lives on a 1 MiB tmpfs. Where mounting
/// is not permitted (not root), a 1 MiB `RLIMIT_FSIZE` with `SIGXFSZ` ignored
/// stands in: writes past it fail with `EFBIG` instead.
final class DiskFullTests: XCTestCase {
    private let dimension = 32

    /// How the test limits space, and how it frees space again.
    private enum SpaceLimit {
        case tmpfs(mountPoint: URL, ballast: URL)
        case fileSizeLimit(previous: rlimit)

        var isFileSystem: Bool {
            if case .tmpfs = self { return true }
            return false
        }
    }

    private func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = Pipe()
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Mounts a tmpfs with a ballast file, or sets the file size limit; returns the store directory.
    private func limitSpace(below directory: URL, bytes: Int) throws -> (SpaceLimit, URL) {
        let mountPoint = directory.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        // LARDER_DISK_FULL_LIMIT=rlimit selects the fallback even where mounting works.
        let forceFileSizeLimit = ProcessInfo.processInfo.environment["LARDER_DISK_FULL_LIMIT"] == "rlimit"
        if !forceFileSizeLimit, run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", mountPoint.path]) {
            // Ballast to delete later, so the test can check that writes resume.
            let ballast = mountPoint.appendingPathComponent("ballast")
            try Data(count: bytes / 8).write(to: ballast)
            return (.tmpfs(mountPoint: mountPoint, ballast: ballast), mountPoint.appendingPathComponent("store"))
        }
        var previous = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &previous)
        var limited = previous
        limited.rlim_cur = rlim_t(bytes)
        signal(SIGXFSZ, SIG_IGN)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        return (.fileSizeLimit(previous: previous), mountPoint.appendingPathComponent("store"))
    }

    /// Deletes the ballast or lifts the file size limit.
    private func freeSpace(_ limit: SpaceLimit) throws {
        switch limit {
        case .tmpfs(_, let ballast):
            try FileManager.default.removeItem(at: ballast)
        case .fileSizeLimit(var previous):
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &previous)
            signal(SIGXFSZ, SIG_DFL)
        }
    }

    private func release(_ limit: SpaceLimit) {
        switch limit {
        case .tmpfs(let mountPoint, _):
            _ = run("/bin/umount", [mountPoint.path])
        case .fileSizeLimit:
            try? freeSpace(limit)
        }
    }

    func testFullDiskRejectsWritesAndKeepsReads() throws {
        let directory = try TemporaryDirectory()
        let (limit, storeURL) = try limitSpace(below: directory.url, bytes: 1 << 20)
        defer { release(limit) }

        let options = StoreOptions(fsync: .always, memtableLimit: 1_000_000, automaticMaintenance: false)
        var store: Store? = try Store(directory: storeURL, options: options)
        let collection = try store!.createCollection(
            named: "full", options: CollectionOptions(dimension: dimension, metric: .l2, quantization: .none, m: 8, efConstruction: 32))
        var vectors = VectorFactory(dimension: dimension)
        let padding = String(repeating: "x", count: 2000)
        var acknowledged: [String: [Float]] = [:]
        var failure: Error?
        for i in 0..<2000 {
            let vector = vectors.next()
            do {
                try collection.add(id: "e\(i)", vector: vector, attributes: "{\"pad\":\"\(padding)\"}")
                acknowledged["e\(i)"] = vector
            } catch {
                failure = error
                break
            }
        }
        let error = try XCTUnwrap(failure as? StorageError, "the disk never filled up: \(String(describing: failure))")
        XCTAssertTrue(error.isDiskFull, "\(error)")
        XCTAssertTrue("\(error)".contains(limit.isFileSystem ? "No space left on device" : "File too large"), "\(error)")
        XCTAssertGreaterThan(acknowledged.count, 50)

        // Reads keep working and the rejected element is absent.
        XCTAssertEqual(collection.count, acknowledged.count)
        XCTAssertFalse(collection.contains(id: "e\(acknowledged.count)"))
        let probe = acknowledged["e7"]!
        XCTAssertEqual(try collection.search(probe, k: 1).first?.id, "e7")
        XCTAssertEqual(collection.vector(id: "e7"), probe)

        // On the full file system, writing a segment fails too and changes nothing.
        if limit.isFileSystem {
            XCTAssertThrowsError(try collection.checkpoint()) { error in
                XCTAssertTrue((error as? StorageError)?.isDiskFull ?? false, "\(error)")
            }
        }
        XCTAssertEqual(collection.count, acknowledged.count)
        XCTAssertThrowsError(try collection.add(id: "again", vector: vectors.next(), attributes: "{\"pad\":\"\(padding)\"}"))

        // Freeing space lets writes resume without reopening.
        try freeSpace(limit)
        let resumed = vectors.next()
        try collection.add(id: "after", vector: resumed, attributes: nil)
        acknowledged["after"] = resumed
        try store!.close()
        store = nil

        let reopened = try Store(directory: storeURL, options: options)
        let recovered = try XCTUnwrap(reopened.collection(named: "full"))
        XCTAssertEqual(recovered.count, acknowledged.count)
        for (id, vector) in acknowledged {
            XCTAssertEqual(recovered.vector(id: id), vector, id)
        }
        try reopened.close()
    }
}
