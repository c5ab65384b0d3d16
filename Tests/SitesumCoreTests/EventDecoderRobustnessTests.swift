import SitesumGenerator
import Testing
@testable import SitesumCore

/// Randomly damaged lines: whatever the bytes, decoding must not crash, must
/// give a column inside the line, and must not depend on what the decoder
/// decoded before (scratch reuse).
@Suite struct EventDecoderRobustnessTests {
    /// SplitMix64, so a failure reproduces.
    typealias Generator = SplitMix64

    static let seeds: [[UInt8]] = [
        sampleMessage, sampleStatus,
        #"{ "type" : "status" , "data" : { "x" : [1, -2.5e+3, {"status":"offline"}], "status" : "offline" }, "id":"\u0061\ud83d\ude00", "from":"op\u00e9", "site_id": -0, "timestamp": -9223372036854775808 }"#,
        #"{"\u0069d":"x","typ\u0065":"mess\u0061ge","from":"","site_id":12345678901234567890,"timestamp":9223372036854775807,"zz":[[[{"a":null,"b":true,"c":false}]]]}"#,
        #"{"id":"é😀€","type":"status","from":"\"\\\/\b\f\n\r\t","site_id":"1","timestamp":1,"data":{"status":"online"}}"#,
    ].map { Array($0.utf8) }

    static let alphabet: [UInt8] = Array(#"{}[]":,\/ut0123456789-+.eEfalsnr "#.utf8)
        + [0x09, 0x0D, 0x0A, 0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xA9, 0xE0, 0xED, 0xA0, 0xF0, 0x9F, 0xF4, 0x90, 0xFF]

    static func mutate(_ line: [UInt8], _ random: inout Generator) -> [UInt8] {
        var bytes = line
        for _ in 0..<(1 + random.below(4)) {
            let at = random.below(bytes.count + 1)
            switch random.below(4) {
            case 0 where !bytes.isEmpty: bytes.remove(at: min(at, bytes.count - 1))
            case 1: bytes.insert(alphabet[random.below(alphabet.count)], at: at)
            case 2 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = alphabet[random.below(alphabet.count)]
            default: bytes.removeSubrange(at...)
            }
        }
        return bytes
    }

    @Test func damagedLinesNeverCrashAndDecodeTheSameWithAFreshOrAReusedDecoder() {
        var random = Generator(state: 20_240_601)
        var reused = EventDecoder()
        var counts = (events: 0, malformed: 0)
        for _ in 0..<20_000 {
            let line = Self.mutate(Self.seeds[random.below(Self.seeds.count)], &random)
            let again = decode(line, with: &reused)
            let fresh = decode(line)
            #expect(again == fresh, "line: \(render(line))")
            switch fresh {
            case .event: counts.events += 1
            case .malformed(let reason):
                counts.malformed += 1
                #expect((0...line.count + 1).contains(reason.column), "\(reason) for \(render(line))")
                #expect(reason.kind != .other)
            case .blank: break
            }
        }
        // The damage must leave both outcomes common, or the test tests little.
        #expect(counts.events > 1000 && counts.malformed > 1000)
    }
}
