#!/usr/bin/env python3
"""Standalone verifier of Shanzhi's transparency log (docs/transparency.md).

Needs only Python 3's standard library, an export of the log's leaves
(`shanzhi audit export-log --out FILE`), the log's public key (a C2SP vkey,
from `GET /api/v1/log/key` or the operator) and a signed checkpoint
(`GET /api/v1/log/checkpoint`, a witness, or the checkpoint directory).
Shares no code with Shanzhi: it re-implements RFC 9162 tree hashing, the
leaf encoding, C2SP checkpoints and signed notes, and Ed25519 (RFC 8032).

    scripts/tlog-verify.py --export log.jsonl --key 'origin+id+base64' --checkpoint cp.txt [--matter ID]

Exit status 0: the checkpoint is signed by the key, and the exported leaves
hash to its root (and every leaf's bytes to its hash). 1: they do not (what
failed is printed). 2: bad input.
"""

import argparse
import base64
import hashlib
import json
import sys

# --- Ed25519 verification (RFC 8032 §5.1.7, the reference algorithm) -------

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x = (a[1] - a[0]) * (b[1] - b[0]) % P
    y = (a[1] + a[0]) * (b[1] + b[0]) % P
    c = 2 * a[3] * b[3] * D % P
    d = 2 * a[2] * b[2] % P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f, g * h, f * g, e * h)


def _mul(s, point):
    acc = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            acc = _add(acc, point)
        point = _add(point, point)
        s >>= 1
    return acc


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 % P == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
G = (_GX, _GY, 1, _GX * _GY % P)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % Q
    return _equal(_mul(s, G), _add(r, _mul(h, a)))


# --- C2SP signed notes and checkpoints --------------------------------------


def parse_vkey(text):
    """`name+hexid+base64(0x01 || key)` -> (name, id bytes, public key)."""
    name, key_id, b64 = text.strip().split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key")
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if expected.hex() != key_id:
        raise ValueError("the key id does not match the key")
    return name, expected, raw[1:]


def verify_note(note, vkey):
    """The checkpoint body if `note` carries a valid signature by `vkey`."""
    name, key_id, public = vkey
    body, sep, sigs = note.rpartition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise ValueError("not a signed note")
    body += "\n"
    for line in sigs.splitlines():
        if not line.startswith("\u2014 "):
            raise ValueError("a signature line starts with an em dash")
        who, b64 = line[2:].split(" ", 1)
        raw = base64.b64decode(b64, validate=True)
        if who == name and raw[:4] == key_id:
            if ed25519_verify(public, body.encode(), raw[4:]):
                return body
            raise ValueError("the signature by %s does not verify" % name)
    raise ValueError("no signature by %s" % name)


def parse_checkpoint(body):
    lines = body[:-1].split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    if len(root) != 32 or str(size) != lines[1]:
        raise ValueError("malformed checkpoint")
    return origin, size, root, lines[3:]


# --- RFC 9162 tree hashing and the leaf encoding ----------------------------

KINDS = {1: "matter_event", 2: "audit", 3: "segment_start", 4: "ranking"}


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The right edge of the tree: append leaves, read the root (MTH)."""

    def __init__(self):
        self.size, self.hashes = 0, []

    def push(self, h):
        i = self.size
        while i & 1:
            h = node_hash(self.hashes.pop(), h)
            i >>= 1
        self.hashes.append(h)
        self.size += 1

    def root(self):
        if not self.hashes:
            return hashlib.sha256(b"").digest()
        acc = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            acc = node_hash(h, acc)
        return acc


def decode_leaf(data):
    """version 1 | kind | u16 key length | key | i64 seq | 32-byte digest."""
    if len(data) < 4 or data[0] != 1 or data[1] not in KINDS:
        raise ValueError("unknown leaf encoding")
    n = int.from_bytes(data[2:4], "big")
    if len(data) != 4 + n + 8 + 32:
        raise ValueError("wrong leaf length")
    key = data[4 : 4 + n].decode()
    seq = int.from_bytes(data[4 + n : 12 + n], "big", signed=True)
    return KINDS[data[1]], key, seq, data[12 + n :]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--export", required=True, help="shanzhi audit export-log output (JSON lines)")
    ap.add_argument("--key", required=True, help="the log's public key (vkey), or a file holding it")
    ap.add_argument("--checkpoint", required=True, help="a signed checkpoint file")
    ap.add_argument("--matter", help="list this matter's entries in the log")
    args = ap.parse_args()
    try:
        key_text = open(args.key).read() if "+" not in args.key else args.key
        vkey = parse_vkey(key_text.strip().splitlines()[0])
        note = open(args.checkpoint, encoding="utf-8").read()
    except (OSError, ValueError) as e:
        print("bad input: %s" % e, file=sys.stderr)
        return 2
    problems = []
    try:
        origin, size, root, _ = parse_checkpoint(verify_note(note, vkey))
        print("checkpoint: %s, %d leaves, root %s, signature valid" % (origin, size, root.hex()))
    except ValueError as e:
        print("FAIL checkpoint: %s" % e)
        return 1
    tree, roots_at, mine = Frontier(), {}, []
    with open(args.export, encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("format") != "shanzhi-tlog-export/1":
            print("bad input: not a Shanzhi log export", file=sys.stderr)
            return 2
        for line in f:
            leaf = json.loads(line)
            if leaf["index"] != tree.size:
                problems.append("leaf %d missing from the export" % tree.size)
                break
            h = bytes.fromhex(leaf["leaf_hash"])
            if leaf.get("data"):
                data = base64.b64decode(leaf["data"])
                kind, key, seq, _ = decode_leaf(data)
                if leaf_hash(data) != h:
                    problems.append("leaf %d: its bytes do not hash to its hash (record changed)" % leaf["index"])
                if (kind, key, seq) != (leaf["kind"], leaf["key"], leaf["seq"]):
                    problems.append("leaf %d: its bytes name another record" % leaf["index"])
            if args.matter and leaf["key"] == args.matter:
                mine.append((leaf["index"], leaf["seq"]))
            tree.push(h)
            if tree.size == size:
                roots_at[size] = tree.root()
    if tree.size < size:
        problems.append("the export has %d leaves, fewer than the checkpoint's %d" % (tree.size, size))
    elif roots_at.get(size) != root:
        problems.append("the first %d leaves do not hash to the checkpoint's root: the log was rewritten" % size)
    if tree.root().hex() != header.get("root"):
        problems.append("the export's leaves do not hash to the root its header states")
    for index, seq in mine:
        state = "in the checkpoint" if index < size else "after the checkpoint"
        print("matter %s entry %d: log entry %d (%s)" % (args.matter, seq, index + 1, state))
    for p in problems:
        print("FAIL %s" % p)
    if problems:
        return 1
    print("OK: %d leaves; the first %d are the ones the checkpoint signed" % (tree.size, size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
