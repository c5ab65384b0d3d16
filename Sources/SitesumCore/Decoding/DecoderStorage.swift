/// The memory an `EventDecoder` keeps from line to line, so that decoding
/// never allocates per line: scratch bytes for strings whose escapes had to be
/// decoded, and the spill area of the nesting stack used to skip deep values.
///
/// Both only grow, and only when a line needs more than any line before it.
final class DecoderStorage {
    private(set) var scratch: UnsafeMutableRawPointer
    private(set) var scratchCapacity: Int
    private(set) var deepStack: UnsafeMutablePointer<UInt64>
    private(set) var deepStackWords: Int

    init() {
        scratchCapacity = 1024
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
        deepStackWords = 16
        deepStack = .allocate(capacity: deepStackWords)
    }

    deinit {
        scratch.deallocate()
        deepStack.deallocate()
    }

    /// Makes room for `byteCount` scratch bytes. The old contents are dropped:
    /// this is only called before anything of the current line is in scratch,
    /// and views from earlier lines are documented to die with the next line.
    func reserveScratch(_ byteCount: Int) {
        guard byteCount > scratchCapacity else { return }
        var capacity = scratchCapacity
        while capacity < byteCount { capacity *= 2 }
        scratch.deallocate()
        scratch = .allocate(byteCount: capacity, alignment: 16)
        scratchCapacity = capacity
    }

    /// Makes room for `words` words of nesting bits, keeping the bits already
    /// pushed (the stack is in use while it grows).
    func growDeepStack(toAtLeast words: Int) {
        guard words > deepStackWords else { return }
        var capacity = deepStackWords
        while capacity < words { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        grown.update(from: deepStack, count: deepStackWords)
        deepStack.deallocate()
        deepStack = grown
        deepStackWords = capacity
    }
}
