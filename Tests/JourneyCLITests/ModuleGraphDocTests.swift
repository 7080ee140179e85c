import Foundation
import TestSupport
import Testing

@Suite("The module graph in the README and docs/ARCHITECTURE.md is Package.swift's")
struct ModuleGraphDocTests {
    /// Target → dependencies, read from Package.swift's `.target(name:dependencies:)` entries.
    static func packageGraph() throws -> [String: Set<String>] {
        let text = try String(contentsOfFile: PackagePaths.root + "/Package.swift", encoding: .utf8)
        let target = try Regex(#"\.target\(\s*name:\s*"(\w+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        let name = try Regex(#"(?:^|[\s\[,])"(\w+)"|\.product\(name:\s*"(\w+)""#)
        var graph: [String: Set<String>] = [:]
        for match in text.matches(of: target) {
            let dependencies = match.output[2].substring.map { list in
                Set(list.matches(of: name).compactMap { ($0.output[1].substring ?? $0.output[2].substring).map(String.init) })
            }
            graph[String(match.output[1].substring!)] = dependencies ?? []
        }
        graph["TestSupport"] = nil  // tests only
        return graph
    }

    @Test func architectureTableMatchesPackageSwift() throws {
        let graph = try Self.packageGraph()
        #expect(graph.count >= 9)
        let doc = try String(contentsOfFile: PackagePaths.root + "/docs/ARCHITECTURE.md", encoding: .utf8)
        var documented: [String: Set<String>] = [:]
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let target = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let dependencies = cells[1] == "—" ? [] : cells[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            documented[target] = Set(dependencies)
        }
        for (target, dependencies) in graph {
            #expect(documented[target] == dependencies, "docs/ARCHITECTURE.md: \(target)")
        }
    }

    @Test func readmeArrowsMatchPackageSwift() throws {
        let graph = try Self.packageGraph()
        let readme = try String(contentsOfFile: PackagePaths.root + "/README.md", encoding: .utf8)
        // Each "  Name   text → A, B" entry, possibly over several lines, up to the next entry.
        let block = try #require(readme.range(of: "Sources/ ").map { readme[$0.lowerBound...] }?.components(separatedBy: "\nTests/").first)
        var current: String?
        var text: [String: String] = [:]
        for line in block.split(separator: "\n").dropFirst() {
            if line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first {
                current = String(name).trimmingCharacters(in: CharacterSet(charactersIn: ","))
            }
            if let current { text[current, default: ""] += " " + line }
        }
        for (target, dependencies) in graph where !dependencies.isEmpty && target != "JourneyCLI" {
            let entry = try #require(text[target], "README's Development section lists \(target)")
            let arrow = try #require(entry.range(of: "→"), "README gives \(target)'s dependencies")
            let listed = Set(entry[arrow.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(listed == dependencies, "README: \(target)")
        }
    }
}
