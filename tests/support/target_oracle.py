"""Checks a multi-target resolution target by target with Python's `packaging` (the oracle of
tests/support/target_oracle.ts): markers, specifiers, Requires-Python and wheel tags are judged by
`packaging`, never by envknit's own code.

Reads one JSON object from stdin:

  requirements: [str]                    the root requirements (PEP 508, markers allowed)
  requires_python: str | null            the project's own Requires-Python
  index: {name: {version: {requires_dist: [str], requires_python: str | null,
                           wheels: [file name] | absent}}}
  targets: [{env: {marker variable: str}, python: "3.12" | "3.12.4",
             platforms: [platform tag, most specific first] | absent}]
  solutions: [[{name, version, extras}]] | absent     one solution per target, or
  entries: [{name, version, marker, dependencies, extras, wheels: [file] | absent}] | absent
                                                      merged lock entries (chosen by marker)

(or a list of such objects) and writes {"problems": [str]} (or a list of them): empty when, for every target, the packages that apply there
(a solution, or the entries whose marker holds in the target's environment) are a solution:
one version per name, every root requirement that applies satisfied, every applicable
Requires-Dist of every package satisfied (with the extras requested of it on that target, which
the oracle works out from the requirements themselves), every Requires-Python (the whole
specifier) holding for the target's Python, every package needed by something (no strays), a
wheel whose tags the target supports (when its platforms are given: the tags are
`packaging.tags`' for CPython X.Y on those platforms), and each entry's `dependencies`,
their markers evaluated in the target's environment, exactly the Requires-Dist that apply there.
"""

import json
import sys

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version


def applies(marker, env, extra=""):
    if marker is None:
        return True
    return marker.evaluate({**env, "extra": extra})


def applicable(requires_dist, env, extras):
    """Requires-Dist that apply in env with the requested extras (as pip computes them)."""
    out = []
    for text in requires_dist:
        r = Requirement(text)
        if applies(r.marker, env) or any(applies(r.marker, env, x) for x in extras):
            out.append(r)
    return out


def key_of(r):
    """A requirement without its marker, comparable: (name, extras, specifier)."""
    return (canonicalize_name(r.name), tuple(sorted(canonicalize_name(x) for x in r.extras)),
            str(SpecifierSet(str(r.specifier))))


def target_tags(target):
    """The tags CPython X.Y supports on the target's platforms, as packaging lists them."""
    major, minor = Version(target["python"]).release[:2]
    platforms = target["platforms"]
    tags = list(cpython_tags((major, minor), platforms=platforms))
    tags += list(compatible_tags((major, minor), f"cp{major}{minor}", platforms))
    return {str(t) for t in tags}


def check_target(i, data, target, chosen, entries):
    problems = []
    where = f"target {i + 1} (Python {target['python']}, {target['env']['sys_platform']})"
    env = dict(target["env"])
    release = ".".join(str(n) for n in Version(target["python"]).release[:3])
    index = {canonicalize_name(k): v for k, v in data["index"].items()}
    by_name = {}
    for p in chosen:
        name = canonicalize_name(p["name"])
        if name in by_name:
            problems.append(f"{where}: two versions of {name}: {by_name[name]['version']} and "
                            f"{p['version']}")
        by_name[name] = p
    needed = set()
    rp = data.get("requires_python")
    if rp and not SpecifierSet(rp).contains(release, prereleases=True):
        problems.append(f"{where}: the project requires Python {rp}")
    roots = [r for r in map(Requirement, data["requirements"]) if applies(r.marker, env)]

    # The extras requested of each package on this target: from the root requirements and the
    # applicable requirements of the packages, which depend on the extras requested (a fixed
    # point).
    extras = {name: set() for name in by_name}
    deps = {}
    while True:
        for name, p in by_name.items():
            meta = index.get(name, {}).get(p["version"])
            deps[name] = applicable(meta.get("requires_dist", []), env, sorted(extras[name])) \
                if meta else []
        wanted = {name: set() for name in by_name}
        for r in roots + [r for ds in deps.values() for r in ds]:
            name = canonicalize_name(r.name)
            if name in wanted:
                wanted[name] |= {canonicalize_name(x) for x in r.extras}
        if wanted == extras:
            break
        extras = wanted

    def satisfied(r, why):
        name = canonicalize_name(r.name)
        needed.add(name)
        p = by_name.get(name)
        if p is None:
            problems.append(f"{where}: {why} requires {r} but {name} is not there")
            return
        if not r.specifier.contains(p["version"], prereleases=True):
            problems.append(f"{where}: {why} requires {r} but {name} is {p['version']}")

    for r in roots:
        satisfied(r, "the root")
    for name, p in by_name.items():
        meta = index.get(name, {}).get(p["version"])
        if meta is None:
            problems.append(f"{where}: {name} {p['version']} is not in the index")
            continue
        if meta.get("requires_python") and not SpecifierSet(meta["requires_python"]).contains(
                release, prereleases=True):
            problems.append(f"{where}: {name} {p['version']} requires Python "
                            f"{meta['requires_python']}, the target is {release}")
        for r in deps[name]:
            satisfied(r, f"{name} {p['version']}")
        if target.get("platforms") is not None and meta.get("wheels") is not None:
            supported = target_tags(target)
            files = p.get("wheels", meta["wheels"])
            if not any(str(t) in supported for f in files for t in parse_wheel_filename(f)[3]):
                problems.append(f"{where}: no wheel of {name} {p['version']} fits ({files})")
        entry = entries.get((name, p["version"])) if entries is not None else None
        if entry is not None:
            listed = set()
            for text in entry.get("dependencies", []):
                d = Requirement(text)
                if "extra" in str(d.marker or ""):
                    problems.append(f"{where}: {name} {p['version']} lists {text} with an extra")
                if applies(d.marker, env):
                    listed.add(key_of(d))
            wanted = {key_of(r) for r in deps[name]}
            if listed != wanted:
                problems.append(f"{where}: {name} {p['version']} lists the dependencies "
                                f"{sorted(listed)} here, but {sorted(wanted)} apply")
            if not extras[name] <= {canonicalize_name(x) for x in entry.get("extras", [])}:
                problems.append(f"{where}: {name} {p['version']} does not list the extras "
                                f"{sorted(extras[name])} requested here")
    strays = sorted(set(by_name) - needed)
    if strays:
        problems.append(f"{where}: nothing requires {strays}")
    return problems


def check(data):
    problems = []
    entries = None
    if data.get("entries") is not None:
        entries = {(canonicalize_name(e["name"]), e["version"]): e for e in data["entries"]}
    for i, target in enumerate(data["targets"]):
        if data.get("entries") is not None:
            chosen = [e for e in data["entries"]
                      if e.get("marker") is None or applies(Marker(e["marker"]), target["env"])]
        else:
            chosen = data["solutions"][i]
        problems.extend(check_target(i, data, target, chosen, entries))
    return problems


def main():
    data = json.load(sys.stdin)
    if isinstance(data, list):
        json.dump([{"problems": check(case)} for case in data], sys.stdout)
    else:
        json.dump({"problems": check(data)}, sys.stdout)


if __name__ == "__main__":
    main()
