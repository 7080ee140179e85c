#!/usr/bin/env python3
"""Open one journey sealed value, written from docs/FORMAT.md alone.

An independent check of the format: Python 3 standard library plus libsodium (libsodium.so.23)
through ctypes. It reads the canonical form of the files that journey writes (docs/FORMAT.md §1)
and refuses anything else.

    python3 docs/open-sealed.py --workspace DIR --key-file FILE NAME
    python3 docs/open-sealed.py --workspace DIR --key-file FILE --env ENV NAME   (FORMAT.md §9)

writes the value's bytes, exactly, to standard output. Errors go to standard error, name the
secret and never hold the value; the exit code is then 2.
"""

import argparse
import base64
import ctypes
import ctypes.util
import os
import re
import stat
import sys

FORMAT_TAG = "journey-sealed/v1"
ENVIRONMENT_FORMAT_TAG = "journey-sealed/v2"
ENVIRONMENT_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
PUBLIC_PREFIX = "journey-pk1-"
PRIVATE_PREFIX = b"JOURNEY-SECRET-KEY-1-"
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")
WORKSPACE_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
KEY_ID_PATTERN = re.compile(r"[0-9a-f]{16}")
PADDING_BLOCK = 256
KEY_BYTES = 32
NONCE_BYTES = 24
TAG_BYTES = 16
SEAL_BYTES = 48
WRAP_BYTES = KEY_BYTES + SEAL_BYTES
BASE64_URLSAFE_NO_PADDING = 7  # sodium_base64_VARIANT_URLSAFE_NO_PADDING
KEY_FILE_LIMIT = 4096


class OpenError(Exception):
    """A failure to open, with a message fit for the user (never holding the value)."""


# ---------------------------------------------------------------------------------------------
# libsodium through ctypes


def load_sodium():
    """Loads libsodium.so.23 (or whatever libsodium the system offers) and runs sodium_init."""
    path = "libsodium.so.23"
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        found = ctypes.util.find_library("sodium")
        if not found:
            raise OpenError("cannot load libsodium (libsodium.so.23); install libsodium23")
        lib = ctypes.CDLL(found)
    c_buf, c_size, c_ull = ctypes.c_char_p, ctypes.c_size_t, ctypes.c_ulonglong
    signatures = {
        "sodium_init": [],
        "crypto_generichash": [c_buf, c_size, c_buf, c_ull, c_buf, c_size],
        "crypto_scalarmult_base": [c_buf, c_buf],
        "crypto_box_seal_open": [c_buf, c_buf, c_ull, c_buf, c_buf],
        "crypto_aead_xchacha20poly1305_ietf_decrypt": [
            c_buf, ctypes.POINTER(c_ull), c_buf, c_buf, c_ull, c_buf, c_ull, c_buf, c_buf,
        ],
        "sodium_unpad": [ctypes.POINTER(c_size), c_buf, c_size, c_size],
        "sodium_base642bin": [
            c_buf, c_size, c_buf, c_size, c_buf, ctypes.POINTER(c_size), ctypes.c_void_p, ctypes.c_int,
        ],
    }
    for name, argtypes in signatures.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = ctypes.c_int
    lib.sodium_memzero.argtypes = [ctypes.c_void_p, c_size]
    lib.sodium_memzero.restype = None
    if lib.sodium_init() < 0:
        raise OpenError("libsodium failed to initialise (sodium_init)")
    return lib


def wipe(sodium, buffer):
    """Zeroes a ctypes buffer that held key material or plaintext (sodium_memzero)."""
    sodium.sodium_memzero(ctypes.addressof(buffer), ctypes.sizeof(buffer))


# ---------------------------------------------------------------------------------------------
# The canonical YAML subset (FORMAT.md §1): top-level `key: value` lines, one block list of
# mappings (`  - key: value` then `    key: value`), comments, plain/double/single-quoted scalars.


def parse_scalar(text, where):
    text = text.strip()
    if text.startswith('"'):
        return parse_double_quoted(text, where)
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'"):
            raise OpenError(f"{where}: unterminated single-quoted string")
        return text[1:-1].replace("''", "'")
    if " #" in text:
        text = text.split(" #", 1)[0].rstrip()
    if text[:1] in ("[", "{", "&", "*", "!", "|", ">", "%", "@", "`"):
        raise OpenError(f"{where}: not in the canonical form journey writes (flow, anchor, tag or block scalar)")
    return text


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/", "0": "\0", "b": "\b",
           "f": "\f", "e": "\x1b", "a": "\x07", "v": "\x0b", " ": " "}


def parse_double_quoted(text, where):
    out, index = [], 1
    while index < len(text):
        char = text[index]
        if char == '"':
            rest = text[index + 1:].strip()
            if rest and not rest.startswith("#"):
                raise OpenError(f"{where}: unexpected text after a quoted string")
            return "".join(out)
        if char == "\\":
            code = text[index + 1:index + 2]
            if code in ESCAPES:
                out.append(ESCAPES[code])
                index += 2
                continue
            digits = {"x": 2, "u": 4, "U": 8}.get(code)
            hexdigits = text[index + 2:index + 2 + (digits or 0)]
            if digits is None or not re.fullmatch(r"[0-9a-fA-F]+", hexdigits or "") or len(hexdigits) != digits:
                raise OpenError(f"{where}: invalid escape in a quoted string")
            out.append(chr(int(hexdigits, 16)))
            index += 2 + digits
            continue
        out.append(char)
        index += 1
    raise OpenError(f"{where}: unterminated double-quoted string")


LINE = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[A-Za-z0-9_-]+):(?:[ ]+(?P<value>.*))?$")


def parse_document(text, path):
    """Parses the canonical subset into a dict of strings, lists of dicts and dicts."""
    document, container, entry = {}, None, None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        where = f"{path}:{number}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = LINE.match(line)
        if not match:
            raise OpenError(f"{where}: expected 'key: value' in the canonical form journey writes")
        indent, dash, key, value = len(match["indent"]), match["dash"], match["key"], match["value"]
        if indent == 0 and not dash:
            container, entry = None, None
            if key in document:
                raise OpenError(f"{where}: duplicate key '{key}'")
            if value is None:
                container = key  # a block list or mapping follows
                document[key] = None
            elif value.strip() == "[]":
                document[key] = []
            else:
                document[key] = parse_scalar(value, where)
            continue
        if container is None:
            raise OpenError(f"{where}: unexpected indentation; expected the canonical form journey writes")
        held = document[container]
        if dash and indent == 2 and isinstance(held, (list, type(None))):
            if held is None:
                held = document[container] = []
            entry = {}
            held.append(entry)
        elif not dash and indent == 4 and entry is not None:
            pass
        elif not dash and indent == 2 and isinstance(held, (dict, type(None))):
            if held is None:
                held = document[container] = {}
            entry = held
        else:
            raise OpenError(f"{where}: unexpected indentation; expected the canonical form journey writes")
        if key in entry:
            raise OpenError(f"{where}: duplicate key '{key}'")
        # `  staging: {}` under `environments:` (FORMAT.md §9) is the one flow mapping written.
        entry[key] = {} if (value or "").strip() == "{}" else parse_scalar(value or "", where)
    return document


def read_text(path, secret):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise OpenError(f"cannot open secret '{secret}': {path} does not exist")
    except OSError as error:
        raise OpenError(f"cannot open secret '{secret}': cannot read {path}: {error.strerror}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise OpenError(f"cannot open secret '{secret}': {path} is not UTF-8 text")


# ---------------------------------------------------------------------------------------------
# Keys (FORMAT.md §3)


def load_private_key(sodium, path):
    """Returns (secret key buffer, public key bytes); refuses a key file group or others can read."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as error:
        raise OpenError(f"cannot read key file {path}: {error.strerror}")
    try:
        mode = stat.S_IMODE(os.fstat(descriptor).st_mode)
        if mode & 0o077:
            raise OpenError(
                f"refusing to read private key {path}: its mode {mode:o} lets group or others read it; "
                f"fix with: chmod 600 {path}")
        contents = ctypes.create_string_buffer(KEY_FILE_LIMIT)
        whole = memoryview(contents).cast("B")
        length = 0
        while length < KEY_FILE_LIMIT:
            count = os.readv(descriptor, [whole[length:]])
            if count == 0:
                break
            length += count
        whole.release()
    finally:
        os.close(descriptor)
    view = memoryview(contents).cast("B")[:length]
    start, end = 0, length
    while start < end and view[start] in b" \t\r\n":
        start += 1
    while end > start and view[end - 1] in b" \t\r\n":
        end -= 1
    body_start = start + len(PRIVATE_PREFIX)
    secret = ctypes.create_string_buffer(KEY_BYTES)
    decoded = ctypes.c_size_t(0)
    well_formed = (
        bytes(view[start:body_start]) == PRIVATE_PREFIX
        and sodium.sodium_base642bin(
            secret, KEY_BYTES, ctypes.cast(ctypes.addressof(contents) + body_start, ctypes.c_char_p),
            end - body_start, None, ctypes.byref(decoded), None, BASE64_URLSAFE_NO_PADDING) == 0
        and decoded.value == KEY_BYTES)
    view.release()
    wipe(sodium, contents)
    if not well_formed:
        wipe(sodium, secret)
        raise OpenError(f"{path} is not a journey private key file: expected one line starting with "
                        f"'{PRIVATE_PREFIX.decode()}'")
    public = ctypes.create_string_buffer(KEY_BYTES)
    if sodium.crypto_scalarmult_base(public, secret) != 0:
        wipe(sodium, secret)
        raise OpenError(f"{path} is not a usable private key")
    return secret, public.raw


def key_id(sodium, public_key):
    """The first 8 bytes of BLAKE2b-256 of the 32-byte public key, as hex (crypto_generichash)."""
    digest = ctypes.create_string_buffer(32)
    sodium.crypto_generichash(digest, 32, public_key, len(public_key), None, 0)
    return digest.raw[:8].hex()


# ---------------------------------------------------------------------------------------------
# Opening (FORMAT.md §6)


def associated_data(workspace_id, name, version, environment=None):
    """Version 1 (environment None): tag, workspace id, name, version. Version 2 (§9): tag,
    workspace id, environment, name, version."""
    fields = ((FORMAT_TAG, workspace_id, name, str(version)) if environment is None
              else (ENVIRONMENT_FORMAT_TAG, workspace_id, environment, name, str(version)))
    out = b""
    for field in fields:
        encoded = field.encode("utf-8")
        out += len(encoded).to_bytes(4, "big") + encoded
    return out


def decode_base64(text, field, where):
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise OpenError(f"{where}: '{field}' is not standard base64")


def open_sealed(sodium, workspace, name, key_file, environment=None):
    """Returns (buffer, length) holding the value; the caller wipes the buffer."""
    # Step 1.
    if not NAME_PATTERN.fullmatch(name):
        raise OpenError(f"invalid secret name '{name}': expected [a-z0-9][a-z0-9._-]{{0,127}}")
    # Step 2.
    config_path = os.path.join(workspace, "workspace.yaml")
    config = parse_document(read_text(config_path, name), config_path)
    unknown = set(config) - {"id", "name", "settings", "environments"}
    if unknown:
        raise OpenError(f"{config_path}: unknown key '{sorted(unknown)[0]}'")
    # §9: a workspace listing environments is opened only with one of them chosen; the folder
    # and the associated data follow the chosen one, never the file.
    environments = config.get("environments") or {}
    if not isinstance(environments, dict) or any(
            not ENVIRONMENT_PATTERN.fullmatch(env) or body != {} for env, body in environments.items()):
        raise OpenError(f"{config_path}: expected 'environments' to map environment names to {{}}")
    if environment is None and environments:
        raise OpenError(f"the workspace has environments ({', '.join(sorted(environments))}); choose one with --env")
    if environment is not None and environment not in environments:
        raise OpenError(f"no environment named '{environment}' in {config_path}")
    workspace_id = config.get("id")
    if not isinstance(workspace_id, str) or not WORKSPACE_ID_PATTERN.fullmatch(workspace_id):
        raise OpenError(f"{config_path}: expected 'id' to be 32 lowercase hex digits")
    # Steps 3 to 7.
    folder = os.path.join(workspace, "secrets") if environment is None else os.path.join(workspace, "secrets", environment)
    path = os.path.join(folder, name + ".sealed")
    prefix = f"cannot open secret '{name}' ({path})"
    try:
        sealed = parse_document(read_text(path, name), path)
    except OpenError as error:
        raise OpenError(f"{prefix}: {error}")
    unknown = set(sealed) - {"format", "name", "environment", "description", "version", "updated", "recipients", "nonce",
                             "ciphertext"}
    if unknown:
        raise OpenError(f"{prefix}: unknown key '{sorted(unknown)[0]}'")
    for required in ("format", "name", "version", "recipients", "nonce", "ciphertext"):
        if required not in sealed:
            raise OpenError(f"{prefix}: missing '{required}'")
    for field in ("format", "name", "version", "nonce", "ciphertext"):
        if not isinstance(sealed[field], str):
            raise OpenError(f"{prefix}: expected '{field}' to be a string")
    expected_format = FORMAT_TAG if environment is None else ENVIRONMENT_FORMAT_TAG
    if sealed["format"] != expected_format:
        raise OpenError(f"{prefix}: format '{sealed['format']}' here; expected '{expected_format}'")
    if environment is None and "environment" in sealed:
        raise OpenError(f"{prefix}: a '{FORMAT_TAG}' file has no 'environment'")
    if environment is not None and sealed.get("environment") != environment:
        raise OpenError(f"{prefix}: the file was sealed for environment '{sealed.get('environment')}', "
                        f"not '{environment}'; sealed files cannot move between environments")
    if sealed["name"] != name:
        raise OpenError(f"{prefix}: the file holds another secret; sealed files cannot be renamed")
    if not re.fullmatch(r"[1-9][0-9]*", sealed["version"]) or int(sealed["version"]) >= 2**63 - 1:
        raise OpenError(f"{prefix}: expected 'version' to be a whole number >= 1 in canonical decimal")
    version = int(sealed["version"])
    recipients = sealed["recipients"]
    if not isinstance(recipients, list) or not recipients:
        raise OpenError(f"{prefix}: expected a non-empty 'recipients' list")
    for entry in recipients:
        if not isinstance(entry, dict):
            raise OpenError(f"{prefix}: each recipient must be a mapping")
        unknown = set(entry) - {"key-id", "name", "wrapped-key"}
        if unknown or "key-id" not in entry or "wrapped-key" not in entry:
            raise OpenError(f"{prefix}: each recipient needs exactly key-id, wrapped-key and an optional name")
        if not KEY_ID_PATTERN.fullmatch(entry["key-id"]):
            raise OpenError(f"{prefix}: expected 'key-id' to be 16 lowercase hex digits")
        entry["wrapped-key"] = decode_base64(entry["wrapped-key"], "wrapped-key", prefix)
    nonce = decode_base64(sealed["nonce"], "nonce", prefix)
    ciphertext = decode_base64(sealed["ciphertext"], "ciphertext", prefix)

    # Step 8.
    secret, public = load_private_key(sodium, key_file)
    try:
        own_id = key_id(sodium, public)
        # Step 9.
        wrap = next((entry for entry in recipients if entry["key-id"] == own_id), None)
        if wrap is None:
            ids = ", ".join(entry["key-id"] for entry in recipients)
            raise OpenError(f"{prefix}: key {own_id} is not a recipient; it can be opened by key ids: {ids}")
        # Step 10.
        wrapped = wrap["wrapped-key"]
        data_key = ctypes.create_string_buffer(KEY_BYTES)
        try:
            if len(wrapped) != WRAP_BYTES or sodium.crypto_box_seal_open(
                    data_key, wrapped, len(wrapped), public, secret) != 0:
                raise OpenError(f"{prefix}: the data key wrapped for key {own_id} did not open (the file is damaged)")
            # Step 11.
            if (len(nonce) != NONCE_BYTES or len(ciphertext) < TAG_BYTES + PADDING_BLOCK
                    or (len(ciphertext) - TAG_BYTES) % PADDING_BLOCK != 0):
                raise OpenError(f"{prefix}: the sealed value did not verify")
            # Steps 12 and 13.
            ad = associated_data(workspace_id, name, version, environment)
            padded = ctypes.create_string_buffer(len(ciphertext) - TAG_BYTES)
            padded_length = ctypes.c_ulonglong(0)
            if sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                    padded, ctypes.byref(padded_length), None, ciphertext, len(ciphertext),
                    ad, len(ad), nonce, data_key) != 0:
                wipe(sodium, padded)
                raise OpenError(f"{prefix}: the sealed value did not verify: the file was altered, renamed, "
                                f"copied from another workspace or environment, or its version edited")
        finally:
            wipe(sodium, data_key)
    finally:
        wipe(sodium, secret)
    # Step 14.
    length = ctypes.c_size_t(0)
    if sodium.sodium_unpad(ctypes.byref(length), padded, padded_length.value, PADDING_BLOCK) != 0 or length.value == 0:
        wipe(sodium, padded)
        raise OpenError(f"{prefix}: the sealed value has invalid padding (the file is damaged)")
    return padded, length.value


def write_all(descriptor, view):
    while len(view):
        written = os.write(descriptor, view)
        view = view[written:]


def main(arguments):
    parser = argparse.ArgumentParser(
        description="Open one journey sealed value (docs/FORMAT.md) and write it to standard output.")
    parser.add_argument("--workspace", required=True, metavar="DIR", help="the workspace folder (holds workspace.yaml)")
    parser.add_argument("--key-file", required=True, metavar="FILE", help="a private key file, mode 0600")
    parser.add_argument("--env", metavar="ENV", help="the environment (FORMAT.md §9); required when workspace.yaml lists any")
    parser.add_argument("name", metavar="NAME", help="the secret name")
    options = parser.parse_args(arguments)
    try:
        sodium = load_sodium()
        value, length = open_sealed(sodium, options.workspace, options.name, options.key_file, options.env)
    except OpenError as error:
        sys.stderr.write(f"open-sealed: error: {error}\n")
        return 2
    try:
        view = memoryview(value).cast("B")[:length]
        write_all(sys.stdout.fileno(), view)
        view.release()
    finally:
        wipe(sodium, value)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
