#if canImport(Glibc)
import Glibc
#endif
import SitesumStore

/// stderr for people: warnings and errors always, notices and progress when
/// wanted. Progress goes only to a terminal, never into logs or CI output.
final class Console {
    /// Notices (resumed from…, cleared…) and statistics are suppressed by `--quiet`.
    let quiet: Bool
    /// True when stderr is a terminal that can take a progress line.
    let showsProgress: Bool
    private var progressShown = false
    private var lastProgress: ContinuousClock.Instant
    private let clock = ContinuousClock()

    init(quiet: Bool) {
        self.quiet = quiet
        let environment = ProcessEnvironment.self
        showsProgress = !quiet && isatty(2) == 1
            && environment.value("CI").map(\.isEmpty) ?? true
            && environment.value("TERM") != "dumb"
        lastProgress = clock.now
    }

    /// `sitesum: warning: …`
    func warning(_ message: String) { write("sitesum: warning: \(message)\n") }
    /// `sitesum: error: …`
    func error(_ message: String) { write("sitesum: error: \(message)\n") }
    /// `sitesum: …`, unless quiet.
    func notice(_ message: String) {
        if !quiet { write("sitesum: \(message)\n") }
    }

    /// Redraws the progress line at most four times a second.
    /// `total`: the input's size, or nil when it has none (a pipe).
    func progress(done: UInt64, total: UInt64?, bytesPerSecond: Double) {
        guard showsProgress else { return }
        let now = clock.now
        guard now - lastProgress >= .milliseconds(250) else { return }
        lastProgress = now
        write("\r\u{1B}[Ksitesum: " + Format.progress(done: done, total: total, bytesPerSecond: bytesPerSecond))
        progressShown = true
    }

    /// Removes the progress line before other output.
    func clearProgress() {
        if progressShown {
            write("\r\u{1B}[K")
            progressShown = false
        }
    }

    func write(_ text: String) {
        if progressShown && !text.hasPrefix("\r") { clearProgress() }
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            // Nothing useful can be done when stderr itself fails.
            try? FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer(buffer))
        }
    }
}

/// Reads environment variables without Foundation.
enum ProcessEnvironment {
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// Number formatting without Foundation.
enum Format {
    /// `value` with `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled.truncatingRemainder(dividingBy: scale))
        var text = (value < 0 && scaled > 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }

    /// The progress line's text: the share of the input read, the speed and
    /// the time left (`42.0%  812.3 MB/s  ETA 0:03`); for an input of no
    /// known size (`total` nil: a pipe, a terminal), the bytes read and the
    /// speed (`1523.4 MB read  812.3 MB/s`).
    static func progress(done: UInt64, total: UInt64?, bytesPerSecond: Double) -> String {
        let speed = "\(fixed(bytesPerSecond / 1e6, 1)) MB/s"
        guard let total else { return "\(fixed(Double(done) / 1e6, 1)) MB read  \(speed)" }
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        var text = "\(fixed(percent, 1))%  \(speed)"
        if bytesPerSecond > 0, total > done {
            text += "  ETA \(duration(Double(total - done) / bytesPerSecond))"
        }
        return text
    }

    /// `1:05` or `1:02:03`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }
}
