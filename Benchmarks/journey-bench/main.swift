// Opening 1,000 sealed values as one run would (read file, parse, unwrap, decrypt), against the
// bare libsodium primitives the construction uses, measured in the same process.
import Clibsodium
import Foundation
import Sealing
import Workspace

let count = 1_000
let rounds = 5

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func best(_ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<rounds { fastest = min(fastest, try seconds(body)) }
    return fastest
}

// A scratch workspace with `count` sealed secrets for one recipient.
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("journey-bench-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: folder) }
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
let workspace = try Workspace.create(at: folder, name: "bench")
let key = PrivateKey.generate()
try workspace.addRecipient(name: "runner", key: key.publicKey)
let names = try (0..<count).map { try SecretName(String(format: "secret-%04d", $0)) }
for name in names {
    try workspace.addSecret(name, value: SecretBytes(copying: Array("value of \(name) 0123456789abcdef".utf8)), description: "bench")
}

// journey: the whole open path per value.
let journeyTime = try best {
    for name in names { _ = try workspace.openSecret(name, with: key) }
}

// Bare primitives on the same sealed values, already decoded in memory.
let files = try names.map { try workspace.readSealed($0) }
var publicKey = key.publicKey.bytes
let bareTime = best {
    var dataKey = [UInt8](repeating: 0, count: 32)
    var padded = [UInt8](repeating: 0, count: 4096)
    for file in files {
        let wrap = file.sealed.wraps[0].wrappedKey
        key.secret.withUnsafeBytes { secret in
            _ = crypto_box_seal_open(&dataKey, wrap, UInt64(wrap.count), &publicKey, secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        let ad = file.context(workspaceID: workspace.config.id).associatedData
        var length: UInt64 = 0
        _ = crypto_aead_xchacha20poly1305_ietf_decrypt(
            &padded, &length, nil, file.sealed.ciphertext, UInt64(file.sealed.ciphertext.count), ad, UInt64(ad.count),
            file.sealed.nonce, dataKey)
        var unpadded = 0
        _ = sodium_unpad(&unpadded, &padded, Int(length), 256)
    }
}

// One X25519 per value is the floor: crypto_scalarmult alone.
let scalarTime = best {
    var out = [UInt8](repeating: 0, count: 32)
    key.secret.withUnsafeBytes { secret in
        for _ in 0..<count { _ = crypto_scalarmult(&out, secret.baseAddress!.assumingMemoryBound(to: UInt8.self), publicKey) }
    }
}

func row(_ label: String, _ total: Double) -> String {
    let padded = label.padding(toLength: 44, withPad: " ", startingAt: 0)
    return "\(padded) \(String(format: "%8.2f ms total  %7.1f µs/value", total * 1e3, total * 1e6 / Double(count)))"
}
print("open \(count) sealed values (best of \(rounds) rounds)")
print(row("journey open path (read+parse+unwrap+decrypt)", journeyTime))
let readOnly = try best { for name in names { _ = try workspace.readSealed(name) } }
print(row("  of which read + parse the sealed file", readOnly))
print(row("bare primitives (seal_open+aead+unpad)", bareTime))
print(row("floor: one crypto_scalarmult per value", scalarTime))
print(String(format: "ratio journey / bare primitives: %.2fx (target ≤ 1.5x)", journeyTime / bareTime))
