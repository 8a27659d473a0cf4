#!/usr/bin/env python3
"""Writes the generated guest inputs (re-running it reproduces them byte for byte).

block.json: a synthetic input for the block-validator guests, shaped like the
witness a stateless Ethereum block validator (reth's) receives: a block header, its
transactions, the accounts and storage they touch, and the state-trie nodes and contract
codes of the witness. Pseudo-random from a fixed seed. A few strings carry escapes and
non-ASCII text to exercise the JSON parsers.

cat-input.bin: stdin for the cat guests: text lines, every byte value, CR/NUL bytes and no
final newline.

The tree/ directory (for the ls guests) is written by hand."""
import json
import random

rng = random.Random(20240607)


def hexbytes(n):
    return "0x" + bytes(rng.getrandbits(8) for _ in range(n)).hex()


def qty(bits):
    return hex(rng.getrandbits(bits))


addresses = [hexbytes(20) for _ in range(160)]

accounts = []
for addr in addresses:
    storage = {}
    for _ in range(rng.choice([0, 0, 0, 1, 2, 5])):
        storage[hexbytes(32)] = qty(rng.choice([8, 64, 256]))
    accounts.append({
        "address": addr,
        "nonce": rng.randrange(0, 5000),
        # balances up to 2^250 wei so that their sum needs more than 256 bits of headroom
        "balance": qty(rng.choice([60, 80, 128, 250])),
        "codeHash": hexbytes(32),
        "storage": storage,
    })

transactions = []
for i in range(300):
    tx_type = rng.choice([0, 2, 2, 2, 1])
    tx = {
        "type": tx_type,
        "chainId": 1,
        "nonce": rng.randrange(0, 5000),
        "from": rng.choice(addresses),
        "to": rng.choice(addresses) if rng.random() > 0.1 else None,
        "value": qty(rng.choice([0, 40, 70, 100])) if rng.random() > 0.3 else "0x0",
        "gas": rng.choice([21000, 50000, 120000, 300000]),
        "input": hexbytes(rng.choice([0, 4, 36, 68, 132, 400])),
    }
    if tx_type == 2:
        tx["maxFeePerGas"] = qty(36)
        tx["maxPriorityFeePerGas"] = qty(30)
    else:
        tx["gasPrice"] = qty(36)
    if tx_type in (1, 2) and rng.random() < 0.3:
        tx["accessList"] = [
            {"address": rng.choice(addresses), "storageKeys": [hexbytes(32) for _ in range(rng.randrange(0, 3))]}
            for _ in range(rng.randrange(1, 3))
        ]
    tx["signature"] = {"r": hexbytes(32), "s": hexbytes(32), "yParity": rng.random() < 0.5, "v": 27 + (i % 2)}
    transactions.append(tx)

header = {
    "number": 19876543,
    "hash": hexbytes(32),
    "parentHash": hexbytes(32),
    "stateRoot": hexbytes(32),
    "transactionsRoot": hexbytes(32),
    "receiptsRoot": hexbytes(32),
    "miner": rng.choice(addresses),
    "timestamp": 1717171717,
    "gasLimit": 30000000,
    "gasUsed": 29876543,
    "baseFeePerGas": qty(34),
    "difficulty": 0,
    "extraData": "reth/v1.0.0 \"stateless\"\tline\nnext \\ slash caf\u00e9 \u20ac",
    "logsBloom": hexbytes(256),
}

witness = {
    "state": [hexbytes(rng.choice([32, 67, 104, 200, 532])) for _ in range(300)],
    "codes": [hexbytes(rng.randrange(100, 2000)) for _ in range(12)],
    "headers": [hexbytes(508) for _ in range(8)],
}

doc = {
    "chainId": 1,
    "block": {"header": header, "transactions": transactions},
    "accounts": accounts,
    "witness": witness,
    "meta": {
        "generator": "gen-block.py",
        "note": "snowman \u2603, emoji \U0001F600, control \u0001, quote \" end",
        "ratio": "@RATIO@",
        "negative": -42,
        "exponent": "@EXPONENT@",
        "huge": "@HUGE@",
        "flags": [True, False, None],
        "empty": {},
        "nothing": [],
    },
}

# ensure_ascii: non-ASCII goes out as \uXXXX escapes (surrogate pairs for the emoji).
text = json.dumps(doc, indent=1, ensure_ascii=True)
# Python would normalise these number spellings; the parsers must keep the lexemes as written.
for placeholder, lexeme in [("@RATIO@", "1.5e-3"), ("@EXPONENT@", "6.02214076E+23"), ("@HUGE@", "-1E400")]:
    text = text.replace('"%s"' % placeholder, lexeme)
with open("block.json", "w") as f:
    f.write(text + "\n")

rng = random.Random(7)
out = bytearray()
for i in range(300):
    out += f"{i:05d} The cat program copies stdin to stdout, byte for byte.\n".encode()
out += bytes(range(256)) * 4
out += b"\r\n\x00\x00tail without newline \xff\xfe"
out += bytes(rng.getrandbits(8) for _ in range(2000))
with open("cat-input.bin", "wb") as f:
    f.write(out)
