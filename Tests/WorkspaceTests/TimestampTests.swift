import Foundation
import Testing
import Workspace

@Suite("Timestamps written into files")
struct TimestampTests {
    @Test func knownMomentsAreWrittenAsISO8601InUTC() {
        #expect(Timestamp.format(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(secondsSinceEpoch: 1_000_000_000) == "2001-09-09T01:46:40Z")
        #expect(Timestamp.format(secondsSinceEpoch: 4_102_444_799) == "2099-12-31T23:59:59Z")
    }

    @Test func nowReadsBackAsTheCurrentTime() throws {
        let parsed = try #require(ISO8601DateFormatter().date(from: Timestamp.now()))
        #expect(abs(parsed.timeIntervalSinceNow) < 5)
    }
}
