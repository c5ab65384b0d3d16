import Testing
@testable import SitesumCore

/// A batch's names are ranges of its staged lines' bytes, or copies after
/// them when a name is not in its line as it is (escapes decoded).
@Suite struct DecodedBatchTests {
    /// A line of exactly `length` bytes whose site is `s<i>` and whose
    /// sender is `v<i>`, escaped (`\u0076`) on odd lines, and whose id is a
    /// UUID on lines divisible by three and `id-<i>` (escaped on some) on the rest.
    static func line(_ i: Int, length: Int) -> String {
        let from = i % 2 == 1 ? #"\u0076\#(i)"# : "v\(i)"
        let id = i % 3 == 0 ? "00000000-0000-4000-8000-" + String(i + 100_000_000_000, radix: 10).suffix(12)
            : i % 5 == 0 ? #"\u0069d-\#(i)"# : "id-\(i)"
        let head = #"{"id":"\#(id)","type":"message","from":"\#(from)","site_id":"s\#(i)","timestamp":\#(i),"data":{"message":""#
        return head + String(repeating: "x", count: length - head.utf8.count - 3) + #""}}"#
    }

    /// Staged lines that fill the batch's bytes to just under their first
    /// capacity, so that copying the escaped names grows them (moving every
    /// line) part way through decoding: every name still reads back right.
    @Test(arguments: [160, 250, 333])
    func namesSurviveTheBytesGrowingWhileDecoding(length: Int) {
        let batch = DecodedBatch()
        let count = 64 * 1024 / length
        var offset: UInt64 = 0
        for i in 0..<count {
            var bytes = Array(Self.line(i, length: length).utf8)
            #expect(bytes.count == length)
            bytes.withUnsafeBytes { batch.stage($0, start: offset, end: offset + UInt64(length) + 1, isTerminated: true) }
            offset += UInt64(length) + 1
        }
        let capacity = batch.staged.capacity
        #expect(batch.staged.count <= capacity, "the lines alone fit")
        batch.decodeStaged(limit: 1 << 20)
        #expect(batch.staged.capacity > capacity, "the copied names grew the bytes while decoding")
        #expect(batch.count == count)
        for i in 0..<count {
            let line = batch[i]
            #expect(line.outcome == .message, "line \(i)")
            #expect(Array(batch.name(line.site)) == Array("s\(i)".utf8), "line \(i)")
            #expect(Array(batch.name(line.from)) == Array("v\(i)".utf8), "line \(i)")
            if i % 3 == 0 {
                #expect(line.id == nil, "line \(i): a UUID id")
            } else {
                let id = try! #require(line.id, "line \(i)")
                #expect(Array(batch.name(id)) == Array("id-\(i)".utf8), "line \(i)")
            }
        }
    }
}
