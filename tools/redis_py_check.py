"""Check a running Larder server with redis-py, a real Redis client library.

Usage: python3 tools/redis_py_check.py --port PORT

Exercises RESP2 and RESP3 connections, pipelining and the vector-set
commands through execute_command. Exits 0 and prints "ok" when every
check passes; otherwise prints the failed check and exits 1.
"""
import argparse
import json
import struct
import sys

import redis


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", default="pycheck")
    arguments = parser.parse_args()

    resp2 = redis.Redis(host="127.0.0.1", port=arguments.port, protocol=2)
    check(resp2.ping() is True, "PING over RESP2")
    key = arguments.key

    pipe = resp2.pipeline(transaction=False)
    for index in range(50):
        vector = [1.0, float(index + 1), 0.5]
        pipe.execute_command("VADD", key, "FP32", struct.pack("<3f", *vector), f"e{index}",
                             "SETATTR", json.dumps({"n": index}))
    results = pipe.execute()
    check(results == [1] * 50, f"pipelined VADD replies {results[:5]}...")
    check(resp2.execute_command("VCARD", key) == 50, "VCARD after pipelined VADD")

    flat = resp2.execute_command("VSIM", key, "ELE", "e0", "WITHSCORES", "COUNT", "3")
    check(len(flat) == 6 and flat[0] == b"e0", f"RESP2 WITHSCORES shape {flat}")
    check(abs(float(flat[1]) - 1.0) < 1e-5, f"self similarity {flat[1]}")

    filtered = resp2.execute_command("VSIM", key, "ELE", "e0", "COUNT", "50", "FILTER", ".n >= 45")
    check(sorted(filtered) == sorted(f"e{i}".encode() for i in range(45, 50)), f"FILTER result {filtered}")

    try:
        resp2.execute_command("VADD", key, "VALUES", "2", "1", "0", "bad")
        check(False, "a wrong dimension was accepted")
    except redis.ResponseError as error:
        check("dimension mismatch" in str(error), f"wrong dimension error {error}")

    resp3 = redis.Redis(host="127.0.0.1", port=arguments.port, protocol=3)
    mapped = resp3.execute_command("VSIM", key, "ELE", "e0", "WITHSCORES", "COUNT", "2")
    check(isinstance(mapped, dict) and len(mapped) == 2, f"RESP3 WITHSCORES map {mapped}")
    check(abs(mapped[b"e0"] - 1.0) < 1e-5, f"RESP3 score {mapped}")
    both = resp3.execute_command("VSIM", key, "ELE", "e3", "WITHSCORES", "WITHATTRIBS", "COUNT", "1")
    check(both[b"e3"][1] == b'{"n": 3}', f"RESP3 WITHATTRIBS {both}")

    check(resp2.execute_command("DEL", key) == 1, "DEL of the test key")
    print("ok")


if __name__ == "__main__":
    main()
