"""The wire format between a caller and its worker process.

A frame is a 4-byte big-endian length followed by one value in a small tagged encoding:

====  ======================================  ====  ===================================
tag   value                                   tag   value
====  ======================================  ====  ===================================
N     None                                    s     str: u32 length + UTF-8
T F   True, False                             b     bytes: u32 length + bytes
i     int: 8-byte signed                      l t   list, tuple: u32 count + items
I     big int: u32 length + signed bytes      d     dict: u32 count + key, value pairs
f     float: IEEE double                      h     handle: 8-byte id + str type name
c     complex: two doubles
====  ======================================  ====  ===================================

Only values whose type is exactly one of these cross by value.  Anything else, instances of their
subclasses included, is turned into a :class:`Handle` by the ``other`` callback the sender passes
(the worker keeps the object and sends its id; the caller refuses): a subclass carries behaviour
its plain value lacks (``markupsafe.Markup("<i>") + "<x>"`` escapes, a plain str does not), so
flattening it would silently change what the program does.  Decoding never runs code: it builds
only the types above, and the receiver maps each handle id with its ``make_handle`` callback.
Malformed input raises :class:`WireError`.

This file imports only the standard library, because the worker process loads it by path.
"""

from __future__ import annotations

import os
import select
import struct
import time

__all__ = ["Handle", "WireError", "encode", "decode", "send", "FrameReader", "MAX_FRAME", "MAX_DEPTH"]

MAX_FRAME = 0x7FFFFFFF
MAX_DEPTH = 100

_U32 = struct.Struct(">I")
_I64 = struct.Struct(">q")
_F64 = struct.Struct(">d")
_C128 = struct.Struct(">dd")
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1


class WireError(ValueError):
    """A frame that does not decode, or a value that cannot be encoded."""


class Handle:
    """A reference to an object that stays in the worker: its id and its type's qualified name."""

    __slots__ = ("id", "type_name")

    def __init__(self, id: int, type_name: str = ""):
        self.id = id
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"Handle({self.id}, {self.type_name!r})"


def _enc(v: object, out: bytearray, other, depth: int) -> None:
    t = type(v)
    if v is None:
        out += b"N"
    elif t is bool:
        out += b"T" if v else b"F"
    elif t is int:
        if _I64_MIN <= v <= _I64_MAX:
            out += b"i"
            out += _I64.pack(v)
        else:
            raw = v.to_bytes((v.bit_length() + 8) // 8, "big", signed=True)
            out += b"I"
            out += _U32.pack(len(raw))
            out += raw
    elif t is float:
        out += b"f"
        out += _F64.pack(v)
    elif t is str:
        raw = v.encode("utf-8", "surrogatepass")
        out += b"s"
        out += _U32.pack(len(raw))
        out += raw
    elif t is bytes:
        out += b"b"
        out += _U32.pack(len(v))
        out += v
    elif t is list or t is tuple or t is dict:
        if depth >= MAX_DEPTH:
            _enc(other(v), out, other, depth)
            return
        if t is dict:
            out += b"d"
            out += _U32.pack(len(v))
            for k, item in v.items():
                _enc(k, out, other, depth + 1)
                _enc(item, out, other, depth + 1)
        else:
            out += b"l" if t is list else b"t"
            out += _U32.pack(len(v))
            for item in v:
                _enc(item, out, other, depth + 1)
    elif t is Handle:
        out += b"h"
        out += _I64.pack(v.id)
        _enc(v.type_name, out, other, depth)
    elif t is complex:
        out += b"c"
        out += _C128.pack(v.real, v.imag)
    else:
        handle = other(v)
        if type(handle) is not Handle:
            raise WireError(f"cannot encode {t.__name__}")
        _enc(handle, out, other, depth)


def encode(value: object, other) -> bytes:
    """Encode ``value``; ``other(obj)`` must return a Handle for a non-plain ``obj`` or raise."""
    out = bytearray()
    _enc(value, out, other, 0)
    return bytes(out)


def _dec(b: memoryview, pos: int, make_handle, depth: int) -> tuple[object, int]:
    tag = b[pos]
    pos += 1
    if tag == 0x4E:  # N
        return None, pos
    if tag == 0x54:  # T
        return True, pos
    if tag == 0x46:  # F
        return False, pos
    if tag == 0x69:  # i
        return _I64.unpack_from(b, pos)[0], pos + 8
    if tag == 0x66:  # f
        return _F64.unpack_from(b, pos)[0], pos + 8
    if tag == 0x63:  # c
        re_, im = _C128.unpack_from(b, pos)
        return complex(re_, im), pos + 16
    if tag in (0x73, 0x62, 0x49):  # s b I
        n = _U32.unpack_from(b, pos)[0]
        pos += 4
        if pos + n > len(b):
            raise WireError("truncated frame")
        raw = bytes(b[pos:pos + n])
        if tag == 0x73:
            return raw.decode("utf-8", "surrogatepass"), pos + n
        if tag == 0x62:
            return raw, pos + n
        return int.from_bytes(raw, "big", signed=True), pos + n
    if tag in (0x6C, 0x74, 0x64):  # l t d
        if depth >= MAX_DEPTH:
            raise WireError("nested too deeply")
        n = _U32.unpack_from(b, pos)[0]
        pos += 4
        if n * (2 if tag == 0x64 else 1) > len(b) - pos:
            raise WireError("truncated frame")
        if tag == 0x64:
            d = {}
            for _ in range(n):
                k, pos = _dec(b, pos, make_handle, depth + 1)
                v, pos = _dec(b, pos, make_handle, depth + 1)
                try:
                    d[k] = v
                except TypeError:
                    raise WireError("unhashable dict key") from None
            return d, pos
        items = []
        for _ in range(n):
            v, pos = _dec(b, pos, make_handle, depth + 1)
            items.append(v)
        return (items if tag == 0x6C else tuple(items)), pos
    if tag == 0x68:  # h
        hid = _I64.unpack_from(b, pos)[0]
        type_name, pos = _dec(b, pos + 8, make_handle, depth + 1)
        if type(type_name) is not str:
            raise WireError("bad handle")
        return make_handle(hid, type_name), pos
    raise WireError(f"unknown tag {tag:#x}")


def decode(data: bytes, make_handle) -> object:
    """Decode one value; ``make_handle(id, type_name)`` gives the object a handle stands for."""
    view = memoryview(data)
    try:
        value, pos = _dec(view, 0, make_handle, 0)
    except (struct.error, IndexError, UnicodeDecodeError, OverflowError) as e:
        raise WireError(f"malformed frame: {e}") from None
    if pos != len(view):
        raise WireError("trailing bytes after the value")
    return value


def send(fd: int, payload: bytes) -> None:
    """Write one frame to ``fd`` (blocking)."""
    if len(payload) > MAX_FRAME:
        raise WireError(f"a frame of {len(payload)} bytes is too large")
    view = memoryview(_U32.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


class FrameReader:
    """Reads frames from a pipe, with an optional timeout per frame."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buf = bytearray()
        self._poll = None
        if hasattr(select, "poll"):
            self._poll = select.poll()
            self._poll.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

    def read(self, timeout: float | None = None) -> bytes:
        """The next frame's payload.  Raises TimeoutError, or EOFError when the writer is gone."""
        deadline = None if timeout is None else time.monotonic() + timeout
        need = 4
        while True:
            if len(self.buf) >= 4:
                n = _U32.unpack_from(self.buf)[0]
                if n > MAX_FRAME:
                    raise WireError(f"frame length {n} is too large")
                need = 4 + n
                if len(self.buf) >= need:
                    frame = bytes(self.buf[4:need])
                    del self.buf[:need]
                    return frame
            if deadline is not None and not self._wait(deadline - time.monotonic()):
                raise TimeoutError("no answer in time")
            chunk = os.read(self.fd, max(65536, need - len(self.buf)))
            if not chunk:
                raise EOFError("the other end of the pipe is closed")
            self.buf += chunk

    def _wait(self, remaining: float) -> bool:
        if remaining <= 0:
            return False
        if self._poll is not None:
            return bool(self._poll.poll(max(1, int(remaining * 1000 + 0.999))))
        return bool(select.select([self.fd], [], [], remaining)[0])
