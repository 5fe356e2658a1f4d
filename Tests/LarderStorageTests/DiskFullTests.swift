import XCTest
import LarderTestSupport
@testable import LarderStorage

/// A full disk rejects writes with `ENOSPC` while reads keep working and no
/// acknowledged write is lost. The store lives on a 1 MiB tmpfs; where mounting
/// is not permitted (not root), the test skips with a message.
final class DiskFullTests: XCTestCase {
    private let dimension = 32

    private func mountSmallFileSystem(at url: URL, bytes: Int) throws {
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", url.path]
        mount.standardError = Pipe()
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else {
            throw XCTSkip("cannot mount a tmpfs at \(url.path) (needs root); the disk-full test did not run")
        }
    }

    private func unmount(_ url: URL) {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [url.path]
        try? umount.run()
        umount.waitUntilExit()
    }

    func testFullDiskRejectsWritesAndKeepsReads() throws {
        let directory = try TemporaryDirectory()
        let mountPoint = directory.url.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try mountSmallFileSystem(at: mountPoint, bytes: 1 << 20)
        defer { unmount(mountPoint) }

        // Ballast to delete later, so the test can check that writes resume.
        let ballast = mountPoint.appendingPathComponent("ballast")
        try Data(count: 128 << 10).write(to: ballast)

        let storeURL = mountPoint.appendingPathComponent("store")
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
        XCTAssertTrue("\(error)".contains("No space left on device"), "\(error)")
        XCTAssertGreaterThan(acknowledged.count, 50)

        // Reads keep working and the rejected element is absent.
        XCTAssertEqual(collection.count, acknowledged.count)
        XCTAssertFalse(collection.contains(id: "e\(acknowledged.count)"))
        let probe = acknowledged["e7"]!
        XCTAssertEqual(try collection.search(probe, k: 1).first?.id, "e7")
        XCTAssertEqual(collection.vector(id: "e7"), probe)

        // Writing a segment needs space too; the checkpoint fails and changes nothing.
        XCTAssertThrowsError(try collection.checkpoint()) { error in
            XCTAssertTrue((error as? StorageError)?.isDiskFull ?? false, "\(error)")
        }
        XCTAssertEqual(collection.count, acknowledged.count)
        XCTAssertThrowsError(try collection.add(id: "again", vector: vectors.next(), attributes: "{\"pad\":\"\(padding)\"}"))

        // Freeing space lets writes resume without reopening.
        try FileManager.default.removeItem(at: ballast)
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
