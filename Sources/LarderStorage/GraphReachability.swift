import LarderHNSW

/// Makes every node of a graph snapshot reachable from the entry point on layer 0.
///
/// Incremental HNSW insertion can leave a node that no other node links to on
/// layer 0, because neighbour selection prunes links. `HNSWIndex(snapshot:)`
/// rejects such a snapshot, so a segment is repaired before it is written. Each
/// unreachable node gets one incoming layer-0 link from a reachable node with a
/// free slot, preferring the nodes it links to itself.
enum GraphReachability {
    /// Adds the missing links and returns how many it added.
    /// - Complexity: O(n + e) for the searches, plus O(n) per unreachable node
    ///   whose own neighbours are all full.
    static func connectUnreachableNodes(_ snapshot: inout HNSWGraphSnapshot) -> Int {
        guard let entry = snapshot.entryPoint, !snapshot.ids.isEmpty else { return 0 }
        let nodeCount = snapshot.ids.count
        let maxLinks = snapshot.configuration.maxLinks(layer: 0)
        var reached = [Bool](repeating: false, count: nodeCount)
        markReachable(from: entry, in: snapshot, reached: &reached)

        var added = 0
        for node in 0..<nodeCount where !reached[node] {
            func hasRoom(_ candidate: Int) -> Bool {
                reached[candidate] && snapshot.neighbors[candidate][0].count < maxLinks
            }
            let ownNeighbor = snapshot.neighbors[node][0].lazy.map(Int.init).first(where: hasRoom)
            guard let source = ownNeighbor ?? (0..<nodeCount).first(where: hasRoom) else { continue }
            snapshot.neighbors[source][0].append(UInt32(node))
            added += 1
            markReachable(from: node, in: snapshot, reached: &reached)
        }
        return added
    }

    /// Marks every node reachable from `start` over layer-0 links.
    private static func markReachable(from start: Int, in snapshot: HNSWGraphSnapshot, reached: inout [Bool]) {
        guard !reached[start] else { return }
        reached[start] = true
        var stack = [start]
        while let node = stack.popLast() {
            for link in snapshot.neighbors[node][0] where !reached[Int(link)] {
                reached[Int(link)] = true
                stack.append(Int(link))
            }
        }
    }
}
