import Foundation
import SitesumCore
import Testing

/// The samples in input_data/ and their expected summaries in output_data/
/// agree with both the engine and the reference model.
@Suite struct ShippedSampleTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var samples: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("input_data").path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    @Test func thereIsASampleOfAtLeastTwentyThousandLines() throws {
        let sizes = try Self.samples.map { name in
            try Data(contentsOf: Self.root.appendingPathComponent("input_data/\(name)")).filter { $0 == 10 }.count
        }
        #expect(sizes.contains { $0 >= 20_000 })
    }

    @Test(arguments: samples)
    func expectedOutputMatches(_ name: String) throws {
        let input = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent("input_data/\(name)")))
        let expected = try String(
            contentsOf: Self.root.appendingPathComponent("output_data/\(name.replacingOccurrences(of: ".jsonl", with: ".expected"))"),
            encoding: .utf8)
        #expect(InMemoryRun.summary(of: input) == expected)
        #expect(ReferenceModel.summary(of: input) == expected)
        let state = InMemoryRun.state(of: input)
        #expect(state.tally.duplicates > 0 && state.tally.malformed > 0, "a sample should show duplicates and malformed lines")
    }
}
