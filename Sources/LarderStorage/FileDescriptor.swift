import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open POSIX file descriptor with the few operations the storage engine
/// needs. Every failure becomes `StorageError.io` with the path and `errno`, so a
/// full disk (`ENOSPC`) reaches the caller as a typed error.
final class FileDescriptor: @unchecked Sendable {
    let descriptor: Int32
    let path: String
    private var isClosed = false

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close() }

    /// Opens `path` for reading.
    static func openForReading(_ path: String) throws -> FileDescriptor {
        try open(path, flags: O_RDONLY | O_CLOEXEC)
    }

    /// Opens `path` for appending writes, creating it with mode 0644 when missing.
    static func openForAppending(_ path: String, create: Bool) throws -> FileDescriptor {
        try open(path, flags: O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0))
    }

    /// Creates `path`, which must not exist yet, for writing.
    static func createExclusive(_ path: String) throws -> FileDescriptor {
        try open(path, flags: O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL)
    }

    private static func open(_ path: String, flags: Int32) throws -> FileDescriptor {
        let descriptor = path.withCString { systemOpen($0, flags, 0o644) }
        guard descriptor >= 0 else { throw StorageError.io(operation: "open", path: path, errno: errno) }
        return FileDescriptor(descriptor: descriptor, path: path)
    }

    /// Writes all of `bytes` at the current offset, retrying short writes and `EINTR`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError.io(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Reads exactly `count` bytes at `offset`; a file shorter than that is corruption.
    func read(count: Int, at offset: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        try buffer.withUnsafeMutableBytes { raw in
            while done < count {
                let got = pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset + done))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw StorageError.io(operation: "read", path: path, errno: errno)
                }
                if got == 0 {
                    throw StorageError.corrupt(file: path, offset: offset + done,
                                               reason: "file ends after \(offset + done) bytes but \(count - done) more were expected")
                }
                done += got
            }
        }
        return buffer
    }

    /// Flushes file data (and the size, where it changed) to stable storage.
    func sync() throws {
        #if canImport(Glibc)
        let result = fdatasync(descriptor)
        #else
        let result = fsync(descriptor)
        #endif
        guard result == 0 else { throw StorageError.io(operation: "fsync", path: path, errno: errno) }
    }

    func truncate(to length: Int) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw StorageError.io(operation: "ftruncate", path: path, errno: errno)
        }
    }

    /// Moves the file offset to `offset` (for appending after a truncation).
    func seek(to offset: Int) throws {
        guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
            throw StorageError.io(operation: "lseek", path: path, errno: errno)
        }
    }

    func size() throws -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw StorageError.io(operation: "fstat", path: path, errno: errno)
        }
        return Int(status.st_size)
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = systemClose(descriptor)
    }
}

// The module's own `open`, `write` and `close` methods shadow the C functions inside the type.
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

// MARK: - Whole files and directories

/// File-system operations on whole files and directories.
enum FileSystem {
    /// Reads a whole file.
    static func readFile(_ path: String) throws -> [UInt8] {
        let file = try FileDescriptor.openForReading(path)
        return try file.read(count: try file.size(), at: 0)
    }

    /// Replaces `path` atomically with `bytes`: writes `path.tmp`, fsyncs it,
    /// renames it over `path` and fsyncs the directory so the rename is durable.
    /// A crash leaves either the old or the new file, never a mix.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        _ = unlink(temporary)
        let file = try FileDescriptor.createExclusive(temporary)
        do {
            try file.write(bytes)
            try file.sync()
            file.close()
        } catch {
            file.close()
            _ = unlink(temporary)
            throw error
        }
        guard Foundation.rename(temporary, path) == 0 else {
            let code = errno
            _ = unlink(temporary)
            throw StorageError.io(operation: "rename", path: path, errno: code)
        }
        try syncDirectory(containing: path)
    }

    /// Fsyncs the directory that contains `path`, making creations, renames and
    /// removals of its entries durable.
    static func syncDirectory(containing path: String) throws {
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StorageError.io(operation: "open directory", path: directory, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw StorageError.io(operation: "fsync directory", path: directory, errno: errno) }
    }

    static func createDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw StorageError.io(operation: "mkdir", path: path, errno: errno)
        }
    }

    static func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Lists the entry names of `directory`, sorted, without `.` and `..`.
    static func contents(of directory: String) throws -> [String] {
        guard let stream = opendir(directory) else {
            throw StorageError.io(operation: "opendir", path: directory, errno: errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates `path` and any missing parent directories.
    static func createDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            try createDirectory(current)
        }
    }

    static func remove(_ path: String) {
        _ = unlink(path)
    }

    /// Removes `path` and everything below it.
    static func removeTree(_ path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw StorageError.io(operation: "lstat", path: path, errno: errno)
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            for name in try contents(of: path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw StorageError.io(operation: "rmdir", path: path, errno: errno) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw StorageError.io(operation: "unlink", path: path, errno: errno) }
        }
    }

    static func hardLink(_ source: String, to destination: String) throws {
        guard link(source, destination) == 0 else {
            throw StorageError.io(operation: "link", path: destination, errno: errno)
        }
    }

    static func rename(_ source: String, to destination: String) throws {
        guard Foundation.rename(source, destination) == 0 else {
            throw StorageError.io(operation: "rename", path: source, errno: errno)
        }
    }
}
