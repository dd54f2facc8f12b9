"""The worker wire format: plain data round trips, handles by id, malformed frames refused."""

from __future__ import annotations

import os
import random
import struct
from fractions import Fraction

import pytest

from envknit.isolation import wire


def refuse(obj):
    raise TypeError(f"not plain: {obj!r}")


@pytest.mark.parametrize("value", [
    None, True, False, 0, -(2**63), 2**63 - 1, 2**63, -(2**63) - 1, 10**100, 0.1, -0.0, float("inf"),
    1j, "", "ünïcödé 😀", "\ud800", b"", bytes(range(256)), [], (), {}, [1, (2, [3, {"x": (None,)}])],
    {1: "a", "b": 2, (1, 2): [3], None: False, 2.5: b"x"},
])
def test_plain_values_round_trip_exactly(value):
    back = wire.decode(wire.encode(value, refuse), refuse)
    assert back == value or (value != value)
    assert type(back) is type(value)


def test_subclasses_of_plain_types_become_handles_even_inside_containers():
    """A subclass instance is not its plain value (Markup escapes, an IntEnum has a name): it
    goes to the ``other`` callback, at any depth, never flattened."""
    import collections
    import enum

    class Label(str):
        pass

    class Color(enum.IntEnum):
        RED = 1

    Point = collections.namedtuple("Point", "x y")
    subclassed = [Label("a"), type("B", (bytes,), {})(b"b"), Color.RED, type("F", (float,), {})(1.5),
                  type("C", (complex,), {})(1j), type("L", (list,), {})([1]), type("D", (dict,), {})(k=1),
                  Point(1, 2), bytearray(b"x"), type("S", (set,), {})({1}), type("Z", (frozenset,), {})({2})]
    kept = []

    def keep(obj):
        kept.append(obj)
        return wire.Handle(len(kept), type(obj).__name__)

    back = wire.decode(wire.encode([True, subclassed, {"k": (Label("in a tuple"),)}], keep),
                       lambda hid, name: ("handle", kept[hid - 1]))
    assert back[0] is True  # bool is exactly bool
    assert back[1] == [("handle", v) for v in subclassed]
    assert all(h[1] is v for h, v in zip(back[1], subclassed))
    assert back[2]["k"][0][1] == "in a tuple" and type(back[2]["k"][0][1]) is Label
    with pytest.raises(TypeError):
        wire.encode(Label("refused"), refuse)


def test_non_plain_values_become_handles_via_the_callback():
    kept = {}

    def keep(obj):
        kept[id(obj)] = obj
        return wire.Handle(id(obj), type(obj).__name__)

    thing, frac = object(), Fraction(1, 3)
    data = wire.encode({"a": [thing, frac, set()]}, keep)
    back = wire.decode(data, lambda hid, name: ("handle", kept[hid], name))
    assert back == {"a": [("handle", thing, "object"), ("handle", frac, "Fraction"), ("handle", set(), "set")]}
    with pytest.raises(TypeError):
        wire.encode([object()], refuse)


def test_containers_nested_beyond_the_limit_become_handles():
    deep: list = []
    cur = deep
    for _ in range(wire.MAX_DEPTH + 10):
        cur.append([])
        cur = cur[0]
    data = wire.encode(deep, lambda obj: wire.Handle(7, "list"))
    back = wire.decode(data, lambda hid, name: f"handle {hid}")
    depth, cur = 0, back
    while isinstance(cur, list):
        cur, depth = cur[0], depth + 1
    assert cur == "handle 7" and depth == wire.MAX_DEPTH


@pytest.mark.parametrize("frame", [
    b"", b"Z", b"i\x00\x00", b"s\x00\x00\x00\x05abc", b"l\xff\xff\xff\xff", b"d\x00\x00\x00\x01i" + b"\x00" * 8,
    b"d\x00\x00\x00\x01l\x00\x00\x00\x00N", b"s\x00\x00\x00\x02\xff\xfe", b"NN", b"h" + b"\x00" * 8 + b"N",
    b"l\x00\x00\x00\x01" * 200 + b"N",
])
def test_malformed_frames_are_refused(frame):
    with pytest.raises(wire.WireError):
        wire.decode(frame, lambda hid, name: None)


def test_random_bytes_never_raise_anything_but_wire_error():
    rng = random.Random(99)
    valid = wire.encode({"k": [1, "two", b"3", (4.0, None)]}, refuse)
    for _ in range(3000):
        data = bytearray(valid if rng.random() < 0.5 else os.urandom(rng.randrange(1, 40)))
        for _ in range(rng.randrange(1, 4)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            wire.decode(bytes(data), lambda hid, name: hid)
        except wire.WireError:
            pass


def test_frames_over_a_pipe_and_timeouts():
    r, w = os.pipe()
    try:
        reader = wire.FrameReader(r)
        big = wire.encode(["x" * 300_000, list(range(1000))], refuse)
        small = wire.encode(("ok", 1), refuse)
        wire.send(w, small)
        assert wire.decode(reader.read(timeout=5), refuse) == ("ok", 1)
        with pytest.raises(TimeoutError):
            reader.read(timeout=0.05)
        import threading

        t = threading.Thread(target=wire.send, args=(w, big))
        t.start()
        assert wire.decode(reader.read(timeout=10), refuse)[1][-1] == 999
        t.join()
        os.write(w, struct.pack(">I", 0xFFFFFFFF))
        with pytest.raises(wire.WireError):
            reader.read(timeout=5)
    finally:
        os.close(w)
        os.close(r)


def test_end_of_input_is_eof_error():
    r, w = os.pipe()
    os.close(w)
    try:
        with pytest.raises(EOFError):
            wire.FrameReader(r).read(timeout=5)
    finally:
        os.close(r)
