// larder-crash-writer: the child process of the storage crash-safety test.
//
// Usage: LarderCrashWriter <store-directory> <journal-file> <seed> <fsync-policy>
//
// Opens (and so recovers) the store, then writes forever: random upserts,
// deletes and attribute changes on ids `k0`...`k299` of the collection `crash`.
// Once recovery is done it appends `R` to the journal. Before each operation it appends `I <op> <id> <version>` to the journal and
// after the operation returns (acknowledged under the fsync policy) it appends
// `K`. The parent kills it with SIGKILL at a random moment and checks that
// every acknowledged operation survived. Small memtables make sealing and
// compaction run often, so kills land inside them too.

import Foundation
import LarderStorage
import LarderVector

#if canImport(Glibc)
import Glibc
#endif

/// The vector of version `version` of an element; the test computes the same.
func crashTestVector(version: UInt64, dimension: Int) -> [Float] {
    var state = version
    return (0..<dimension).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 24) * 2 - 1
    }
}

/// Appends `line` with one write(2), so a kill leaves whole lines only.
func journal(_ descriptor: Int32, _ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count == 5, let seed = UInt64(arguments[3]), let policy = FsyncPolicy(rawValue: arguments[4]) else {
    FileHandle.standardError.write(Data("usage: LarderCrashWriter <store-directory> <journal-file> <seed> <always|everysec|no>\n".utf8))
    exit(2)
}
let dimension = 16
let journalDescriptor = open(arguments[2], O_WRONLY | O_APPEND | O_CREAT, 0o644)
guard journalDescriptor >= 0 else {
    FileHandle.standardError.write(Data("cannot open journal \(arguments[2])\n".utf8))
    exit(1)
}
do {
    let options = StoreOptions(fsync: policy, memtableLimit: 40, compactionDeletedFraction: 0.2, compactionSizeRatio: 1.0)
    let store = try Store(directory: URL(fileURLWithPath: arguments[1]), options: options)
    let collection = try store.collection(named: "crash")
        ?? store.createCollection(named: "crash", options: CollectionOptions(dimension: dimension, metric: .l2,
                                                                             quantization: .none, m: 8, efConstruction: 32))
    journal(journalDescriptor, "R")
    var generator = SystemRandomNumberGenerator()
    var version = seed << 32
    while true {
        version += 1
        let id = "k\(Int.random(in: 0..<300, using: &generator))"
        let roll = Int.random(in: 0..<10, using: &generator)
        if roll < 6 {
            journal(journalDescriptor, "I add \(id) \(version)")
            try collection.add(id: id, vector: crashTestVector(version: version, dimension: dimension),
                               attributes: "{\"v\":\(version)}")
        } else if roll < 8 {
            journal(journalDescriptor, "I del \(id) 0")
            try collection.remove(id: id)
        } else {
            journal(journalDescriptor, "I set \(id) \(version)")
            try collection.setAttributes(id: id, json: "{\"s\":\(version)}")
        }
        journal(journalDescriptor, "K")
    }
} catch {
    FileHandle.standardError.write(Data("crash writer failed: \(error)\n".utf8))
    exit(1)
}
