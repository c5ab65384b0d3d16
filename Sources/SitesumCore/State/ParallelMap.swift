import Dispatch

/// `(0..<count).map(body)` with the calls spread over every core.
///
/// For the summary's sweep, which only reads the state: every call reads
/// shared, unchanging data and writes only its own result slot. Swift cannot
/// see that the state is not changed meanwhile, hence the unchecked box; the
/// caller promises it (the state is not touched by anything else during the
/// summary).
func parallelMap<Result>(_ count: Int, _ body: (Int) -> Result) -> [Result] {
    withoutActuallyEscaping(body) { body in
        let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let shared = UncheckedShare(body: body, results: results)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            shared.results[index] = shared.body(index)
        }
        return results.map { $0! }
    }
}

/// The closure and result slots of one `parallelMap`.
private struct UncheckedShare<Result>: @unchecked Sendable {
    let body: (Int) -> Result
    let results: UnsafeMutableBufferPointer<Result?>
}
