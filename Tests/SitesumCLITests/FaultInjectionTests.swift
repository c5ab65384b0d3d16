#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SitesumStore
import Testing
@testable import SitesumCLI

@Suite struct FaultInjectionTests {
    func parse(_ variables: [String: String]) throws(Failure) -> FaultInjection {
        try FaultInjection(lookup: { variables[$0] })
    }

    @Test func nothingSetMeansNothingInjected() throws {
        let faults = try parse([:])
        #expect(!faults.isActive && faults.crash == nil && faults.fault == nil && faults.sabotage == nil)
    }

    @Test func crashPointsParseWithAndWithoutOccurrence() throws {
        #expect(try parse(["SITESUM_CRASHPOINT": "segment-torn"]).crash == .init(point: .segmentTorn, occurrence: 1))
        #expect(try parse(["SITESUM_CRASHPOINT": "checkpoint-done:12"]).crash == .init(point: .checkpointDone, occurrence: 12))
    }

    @Test func faultsParseWithTheirErrno() throws {
        let fault = try #require(try parse(["SITESUM_FAULT": "ENOSPC@manifest-written:3"]).fault)
        #expect(fault.errno == Errno(rawValue: ENOSPC) && fault.point == .manifestWritten && fault.occurrence == 3)
        #expect(try parse(["SITESUM_FAULT": "EACCES@cache-open"]).fault?.errno == Errno(rawValue: EACCES))
    }

    @Test(arguments: [
        ["SITESUM_CRASHPOINT": "nowhere"], ["SITESUM_CRASHPOINT": "segment-torn:0"], ["SITESUM_CRASHPOINT": "segment-torn:x"],
        ["SITESUM_FAULT": "segment-written"], ["SITESUM_FAULT": "ENOPE@segment-written"],
        ["SITESUM_FAULT": "EIO@checkpoint-done"], ["SITESUM_SABOTAGE": "everything"],
    ])
    func badValuesAreUsageErrorsNamingTheVariable(_ variables: [String: String]) {
        #expect {
            _ = try parse(variables)
        } throws: { error in
            guard let failure = error as? Failure else { return false }
            return failure.exitCode == .usage && failure.message.contains(variables.keys.first!)
        }
    }

    @Test func everyCommitStepReachesAtLeastOnePointAndEveryPointIsReachable() {
        let reached = CommitStep.allCases.flatMap(CrashPoint.reached(at:))
        #expect(Set(reached).count == reached.count)
        #expect(Set(reached).union([.cacheOpen, .checkpointDone]) == Set(CrashPoint.allCases))
    }

    @Test func theListingNamesEveryPointFirstOnItsLine() {
        let names = CrashPoint.listing.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        #expect(names == CrashPoint.allCases.map(\.rawValue))
    }

    @Test func aFaultFailsFromItsOccurrenceOnAndATornPointHalvesTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("torn-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 100)))
        let faults = try parse(["SITESUM_FAULT": "ENOSPC@segment-torn:2"])
        try faults.reach(CommitStep.segmentWritten, path: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 100)
        for expectedSize in [50, 25] {
            #expect(throws: SystemError(operation: "write", path: path, errno: Errno(rawValue: ENOSPC))) {
                try faults.reach(CommitStep.segmentWritten, path: path)
            }
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == expectedSize)
        }
        // Other points pass untouched.
        try faults.reach(CommitStep.manifestWritten, path: path)
    }
}
