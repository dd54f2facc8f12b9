"""``envknit run`` for an environment with islands: this folder is on ``PYTHONPATH`` (after the
runtime) so Python imports this file at start-up, before the script.  It routes the islands of
``$ENVKNIT_ISLANDS`` (``envknit.isolation.islands``, loaded alone as ``_envknit_islands``, as a
view does), then runs the ``sitecustomize`` it hides, if any (the distribution's)."""


def _boot() -> None:
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    spec = os.environ.get("ENVKNIT_ISLANDS")
    if spec and "_envknit_islands" not in sys.modules:
        try:
            from importlib.util import module_from_spec, spec_from_file_location

            source = os.path.join(os.path.dirname(here), "islands.py")
            found = spec_from_file_location("_envknit_islands", source)
            module = module_from_spec(found)
            sys.modules["_envknit_islands"] = module
            found.loader.exec_module(module)
            module.boot_file(spec)
        except Exception as error:  # noqa: BLE001 - start-up must go on; say why routing is off
            sys.modules.pop("_envknit_islands", None)
            print(f"envknit: the islands of this environment are not routed: {error}", file=sys.stderr)
    # The sitecustomize this one hides (one later on sys.path).
    from importlib.machinery import PathFinder

    paths = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    found = PathFinder.find_spec("sitecustomize", paths)
    if found is not None and found.origin and os.path.abspath(found.origin) != os.path.abspath(__file__):
        from importlib.util import module_from_spec

        module = module_from_spec(found)
        sys.modules["sitecustomize"] = module
        found.loader.exec_module(module)


_boot()
del _boot
