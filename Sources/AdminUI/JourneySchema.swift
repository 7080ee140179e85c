import Foundation
import Workspace

/// `journey schema`: a JSON Schema (draft-07, what YAML language servers read) of the journey
/// format, whose `{ secret: NAME }` lists the workspace's secret names with their descriptions,
/// so an editor completes and checks references: the picker outside the browser.
package enum JourneySchema {
    /// A secret as the schema lists it.
    struct Secret: Equatable {
        var name: String
        var description: String
    }

    /// The schema of `workspace` (nil: outside one, the name's form only), read from disk.
    package static func text(for workspace: Workspace?) throws -> String {
        guard let workspace else { return try text(secrets: []) }
        let stores = try workspace.everyEnvironment().map { store in
            try store.secretNames().map { name in (name: name, result: Result { () throws(WorkspaceError) in try store.readSealed(name) }) }
        }
        return try text(secrets: secrets(in: stores))
    }

    /// Every environment's names, in the order of `stores` (a journey names a secret once for
    /// all of them); the description and version shown are the first environment's that holds it.
    static func secrets(in stores: [[(name: SecretName, result: Result<SealedFile, WorkspaceError>)]]) -> [Secret] {
        var seen = Set<String>()
        var list: [Secret] = []
        for store in stores {
            for (name, result) in store where seen.insert(name.rawValue).inserted {
                let description = (try? result.get()).map { "\($0.description.isEmpty ? name.rawValue : $0.description) (version \($0.version))" }
                list.append(Secret(name: name.rawValue, description: description ?? name.rawValue))
            }
        }
        return list.sorted { $0.name < $1.name }
    }

    /// The schema whose secret references list `secrets`. Only the names change between
    /// answers: the rest is serialised once, and the names are written into it.
    static func text(secrets: [Secret]) throws -> String {
        var definition: String
        if secrets.isEmpty {
            definition = "{\n      \"description\" : \"A secret name: add one with 'journey secret add NAME'\",\n"
            definition += "      \"pattern\" : \"^[a-z0-9][a-z0-9._-]{0,127}$\",\n      \"type\" : \"string\"\n    }"
        } else {
            definition = "{\n      \"description\" : \"A secret of this workspace, by name (never its value)\",\n      \"oneOf\" : [\n"
            definition += secrets.map { "        { \"const\" : \(JSONText.string($0.name)), \"description\" : \(JSONText.string($0.description)) }" }
                .joined(separator: ",\n")
            definition += "\n      ],\n      \"type\" : \"string\"\n    }"
        }
        return try template.get().replacingOccurrences(of: "\"" + placeholder + "\"", with: definition)
    }

    /// Stands where the secret names go in `template`.
    private static let placeholder = "journey-schema-secret-names"

    /// The schema with `placeholder` for the definition of a secret name.
    private static let template = Result { () throws -> String in
        let value: [String: Any] = [
            "description": "A literal, { secret: NAME } or { env: VAR }",
            "anyOf": [
                ["type": ["string", "number", "boolean"]],
                ["$ref": "#/definitions/secretReference"],
                ["$ref": "#/definitions/envReference"],
            ],
        ]
        let valueMap: [String: Any] = ["type": "object", "additionalProperties": ["$ref": "#/definitions/value"]]
        let duration: [String: Any] = [
            "type": ["string", "number"], "pattern": "^[0-9.]+(ms|s|m|h)?$", "description": "Seconds, or with a unit: 500ms, 30s, 2m, 1h",
        ]
        let schema: [String: Any] = [
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$id": "journey-schema",
            "title": "journey",
            "description": "A journey: automated steps that name credentials, never hold them (DESIGN §3)",
            "type": "object",
            "required": ["steps"],
            "additionalProperties": false,
            "properties": [
                "name": ["type": "string"],
                "description": ["type": "string"],
                "values": ["$ref": "#/definitions/valueMap", "description": "The Values panel"],
                "steps": ["type": "array", "minItems": 1, "items": ["$ref": "#/definitions/step"]],
            ],
            "definitions": [
                "secretName": placeholder,
                "secretReference": [
                    "type": "object", "required": ["secret"], "additionalProperties": false,
                    "properties": ["secret": ["$ref": "#/definitions/secretName"]],
                ],
                "envReference": [
                    "type": "object", "required": ["env"], "additionalProperties": false,
                    "properties": ["env": ["type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"]],
                ],
                "value": value,
                "valueMap": valueMap,
                "duration": duration,
                "step": [
                    "type": "object", "required": ["name"], "additionalProperties": false,
                    "oneOf": [["required": ["run"]], ["required": ["http"]]],
                    "properties": [
                        "name": ["type": "string"],
                        "run": ["type": "string", "description": "A command for /bin/sh -c; secrets go through env, never here"],
                        "env": ["$ref": "#/definitions/valueMap"],
                        "timeout": ["$ref": "#/definitions/duration"],
                        "http": [
                            "type": "object", "required": ["url"], "additionalProperties": false,
                            "properties": [
                                "method": ["enum": HTTPStep.methods.sorted()],
                                "url": ["$ref": "#/definitions/value"],
                                "headers": ["$ref": "#/definitions/valueMap"],
                                "body": ["$ref": "#/definitions/value"],
                                "timeout": ["$ref": "#/definitions/duration"],
                                "expect": [
                                    "type": "object", "additionalProperties": false,
                                    "properties": [
                                        "status": ["anyOf": [["type": "integer"], ["type": "array", "items": ["type": "integer"]]]],
                                        "body-contains": ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]]],
                                    ],
                                ],
                            ],
                        ],
                    ],
                ],
            ],
        ]
        let data = try JSONSerialization.data(withJSONObject: schema, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
