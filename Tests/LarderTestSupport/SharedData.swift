import Foundation
import XCTest

/// Locates the project's shared test data (`../shared/data` next to the
/// checkout). A user's clone does not have it, so tests that need it call
/// `SharedData.require()` and are skipped with a message instead of failing.
public enum SharedData {
    /// The package root, found from this file's path (`Tests/LarderTestSupport/`).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data` relative to the package root, or `LARDER_SHARED_DATA` when set.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["LARDER_SHARED_DATA"] {
            return URL(fileURLWithPath: override)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// Returns the shared data directory, or skips the calling test when it is missing.
    public static func require(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let readme = directory.appendingPathComponent("README.md")
        guard FileManager.default.fileExists(atPath: readme.path) else {
            throw XCTSkip("shared test data not found at \(directory.path); clone next to ../shared or set LARDER_SHARED_DATA")
        }
        return directory
    }
}

/// A fresh temporary directory, removed when the returned object is released.
public final class TemporaryDirectory {
    /// The directory's location.
    public let url: URL

    public init(prefix: String = "larder-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A small deterministic random generator (SplitMix64) so test data is the same on every run.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
