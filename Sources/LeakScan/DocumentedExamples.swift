/// Values that providers print in their own documentation and that are copied into READMEs,
/// tutorials and tests by the thousand. They grant nothing; reporting them is noise.
enum DocumentedExamples {
    /// Whole values or distinctive parts of them (a JWT's signature).
    static let values: [[UInt8]] = [
        // AWS, "Managing access keys" and every AWS CLI guide.
        "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        // jwt.io's example token (HS256, "John Doe"): its signature.
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        // Google Maps JavaScript API samples.
        "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
        // Mailgun's API reference.
        "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",
        // Stripe's API reference, test mode.
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_BQokikJOvBiI2HlWgH4olfQ2", "pk_test_TYooMQauvdEDq54NiTphI7jx",
    ].map { Array($0.utf8) }

    static func contains(_ value: UnsafeRawBufferPointer) -> Bool {
        values.contains { example in
            example.count <= value.count && example.withUnsafeBytes { ByteSearch.firstIndex(of: $0, in: value) != nil }
        }
    }
}
