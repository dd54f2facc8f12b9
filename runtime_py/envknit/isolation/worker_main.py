"""The worker process behind ``envknit.worker()``: imports one module and serves requests on two pipes.

``workers.py`` starts it as ``python -I -S worker_main.py <read fd> <write fd>``: isolated mode and
no ``site``, so no PYTHONPATH, user or site-packages folder is visible, and the only third-party
code it can import is on the paths the first frame names (the requested version's folder and the
folders of the dependencies locked beside it), which come after the standard library.  It does not import the ``envknit`` package; it
loads ``wire.py`` from its own folder.

Requests are tuples ``(op, released_ids, ...)``; ``released_ids`` are handles the caller no longer
holds.  Object 0 is the module.  Every answer is ``("ok", value)`` or ``("err", details)``, where
values that are not plain data stay here and travel as handles.
"""

import importlib
import importlib.util
import operator
import os
import sys
import traceback


_HERE = os.path.dirname(os.path.abspath(__file__))


def _load_wire():
    path = os.path.join(_HERE, "wire.py")
    spec = importlib.util.spec_from_file_location("_envknit_wire", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plain_str(text: str) -> str:
    """``text`` as an exact str: a subclass would travel as a handle, and the caller's ``__str__``
    and ``__repr__`` must return a real str."""
    return str.__str__(text)


_OPS = {
    "getitem": operator.getitem, "setitem": operator.setitem, "delitem": operator.delitem,
    "contains": operator.contains, "len": len, "iter": iter, "next": next,
    "repr": lambda obj: _plain_str(repr(obj)), "str": lambda obj: _plain_str(str(obj)),
    "bool": bool, "int": int, "float": float, "index": operator.index, "hash": hash,
    "delattr": delattr, "neg": operator.neg, "pos": operator.pos, "abs": abs, "invert": operator.invert,
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": pow, "matmul": operator.matmul,
    "and": operator.and_, "or": operator.or_, "xor": operator.xor, "lshift": operator.lshift,
    "rshift": operator.rshift, "eq": operator.eq, "ne": operator.ne, "lt": operator.lt,
    "le": operator.le, "gt": operator.gt, "ge": operator.ge, "divmod": divmod,
}


class Server:
    """The object table and the request loop."""

    def __init__(self, rfd: int, wfd: int, wire):
        self.wire = wire
        self.reader = wire.FrameReader(rfd)
        self.wfd = wfd
        self.objects: dict = {}
        self.next_id = 1

    def handle_of(self, obj):
        hid = self.next_id
        self.next_id += 1
        self.objects[hid] = obj
        t = type(obj)
        return self.wire.Handle(hid, f"{t.__module__}.{t.__qualname__}")

    def resolve(self, hid: int, _type_name: str):
        try:
            return self.objects[hid]
        except KeyError:
            raise LookupError(f"remote object #{hid} is no longer held by the worker") from None

    def reply(self, kind: str, value) -> None:
        try:
            payload = self.wire.encode((kind, value), self.handle_of)
        except Exception as e:  # e.g. an object whose numbers conversion fails
            payload = self.wire.encode(("err", self.describe(e)), self.handle_of)
        self.wire.send(self.wfd, payload)

    def describe(self, exc: BaseException) -> dict:
        t = type(exc)
        base = next(c for c in t.__mro__ if c.__module__ == "builtins")
        args = exc.args
        try:
            self.wire.encode(args, _refuse)
        except Exception:
            args = (str(exc),)
        try:
            message = _plain_str(str(exc))
        except Exception:
            message = f"<{t.__name__}>"
        return {
            "type": t.__qualname__,
            "module": t.__module__,
            "base": base.__name__,
            "args": args,
            "message": message,
            "traceback": "".join(traceback.format_exception(t, exc, exc.__traceback__)),
        }

    def dispatch(self, request: tuple):
        op, released = request[0], request[1]
        for hid in released:
            if hid:
                self.objects.pop(hid, None)
        if op == "g":
            return getattr(self.resolve(request[2], ""), request[3])
        if op == "c":
            return self.resolve(request[2], "")(*request[3], **request[4])
        if op == "o":
            return _OPS[request[2]](*request[3])
        if op == "s":
            setattr(self.resolve(request[2], ""), request[3], request[4])
            return None
        if op == "r":
            return None
        raise ValueError(f"unknown request {op!r}")

    def serve(self) -> int:
        try:
            config = self.wire.decode(self.reader.read(), self.resolve)
            # the standard library first, as in a virtual environment (a backport such as enum34
            # never shadows it), then the package's folders; not this file's folder
            here = os.path.realpath(_HERE)
            sys.path[:] = [p for p in sys.path if os.path.realpath(p) != here] + list(config["paths"])
            self.objects[0] = importlib.import_module(config["module"])
        except BaseException as e:  # the caller re-raises it as an ImportError
            self.reply("err", self.describe(e))
            return 1
        self.reply("ok", None)
        while True:
            try:
                frame = self.reader.read()
            except EOFError:
                return 0
            try:
                result = self.dispatch(self.wire.decode(frame, self.resolve))
            except BaseException as e:  # noqa: BLE001 - every failure goes back to the caller
                self.reply("err", self.describe(e))
                continue
            self.reply("ok", result)


def _refuse(obj):
    raise TypeError("not plain data")


def main(argv: list) -> int:
    rfd, wfd = int(argv[1]), int(argv[2])
    return Server(rfd, wfd, _load_wire()).serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
