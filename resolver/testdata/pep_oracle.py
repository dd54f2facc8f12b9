"""What Python's `packaging` answers for the cases of resolver/pep_differential_test.ts.

Reads one JSON object from stdin and writes one JSON object to stdout:

  versions:     [str]                      -> [{ok: normal form, pre: bool} | {error}]
  sort:         [str] (valid versions)     -> the same strings, sorted (stable)
  (and)                                    -> sort_equal: [bool], sort[i] == sort[i + 1]
  specifiers:   [{spec, versions: [str]}]  -> [{error} | {ok: str(SpecifierSet), pre: bool,
                                               yes: [bool], default: [bool], no: [bool],
                                               respelled: bool}]
                yes/default/no: contains(v, prereleases=True / None / False)
  requirements: [str]                      -> [{error} | {url: bool, name, extras, specifier,
                                               marker, normalized}]
  markers:      [{marker, env, extra}]     -> [{error} | {ok: str, value: bool | null,
                                               eval_error: str | null, packaging_str: str}]
  names:        [str]                      -> [{ok} | {error}]

Three documented differences between envknit and packaging are applied here, so the test can
compare everything else exactly:

* `~=V` in packaging derives its prefix from the text as written, so odd spellings change its
  meaning (`~=1.0.c1` keeps `1.0.*`, `~=1.0rc1` keeps `1.*`; `~=v1.0` matches nothing). envknit
  uses the normal form. For such specifiers the answers come from the same specifier respelled
  in normal form, and `respelled` is true.
* packaging prints a doubly parenthesized group inside a larger marker without parentheses
  (`((a or b)) and c` -> `a or b and c`, a different marker) and always quotes values with `"`
  (garbling a value that holds one). `ok` comes from packaging's own formatter with those two
  things fixed; `packaging_str` is packaging's output, for counting.
* packaging normalizes the names compared with `extra` (PEP 685) only at the top level of a
  marker, so `(extra == "Foo_Bar")` never matches the extra `foo-bar`; envknit normalizes them
  at every level. Here packaging's own normalization is applied at every level too.
"""

import json
import sys

from packaging.markers import Marker, Value, Variable, _normalize_extras
from packaging.requirements import Requirement
from packaging.specifiers import Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version


def err(e):
    return {"error": f"{type(e).__name__}: {e}"[:200]}


def version_case(text):
    try:
        v = Version(text)
    except Exception as e:
        return err(e)
    return {"ok": str(v), "pre": v.is_prerelease}


def split(version):
    """packaging.specifiers._version_split: the components `~=` takes its prefix from."""
    from packaging.specifiers import _version_split, _is_not_suffix
    import itertools

    return list(itertools.takewhile(_is_not_suffix, _version_split(version)))[:-1]


def respell(spec_set):
    """The set with every `~=` written in normal form, and whether that changed its prefix."""
    specs, changed = [], False
    for s in spec_set:
        if s.operator == "~=":
            normal = str(Version(s.version))
            if split(normal) != split(s.version):
                changed = True
            specs.append(Specifier("~=" + normal))
        else:
            specs.append(s)
    return SpecifierSet(specs), changed


def specifier_case(case):
    try:
        ss = SpecifierSet(case["spec"])
        # Specifier() accepts a few texts its own Version() then refuses (it fails later, on use).
        for s in ss:
            if s.operator != "===":
                Version(s.version[:-2] if s.version.endswith(".*") else s.version)
        normal = str(ss)
        pre = bool(ss.prereleases)
        target, respelled = respell(ss)
        yes = [target.contains(v, prereleases=True) for v in case["versions"]]
        default = [target.contains(v) for v in case["versions"]]
        no = [target.contains(v, prereleases=False) for v in case["versions"]]
    except Exception as e:
        return err(e)
    return {"ok": normal, "pre": pre, "yes": yes, "default": default, "no": no,
            "respelled": respelled}


def serialize_value(node):
    if isinstance(node, Variable):
        return node.value
    text = node.value
    if '"' in text and "'" not in text:
        return f"'{text}'"
    return f'"{text}"'


def format_marker(marker, first=True):
    """packaging.markers._format_marker with the two fixes described above."""
    if isinstance(marker, list) and len(marker) == 1 and isinstance(marker[0], (list, tuple)):
        if isinstance(marker[0], list):
            return format_marker(marker[0], first)
        return format_marker(marker[0])
    if isinstance(marker, list):
        inner = " ".join(format_marker(m, first=False) for m in marker)
        return inner if first else "(" + inner + ")"
    if isinstance(marker, tuple):
        return " ".join(serialize_value(m) if isinstance(m, (Variable, Value)) else str(m)
                        for m in marker)
    return marker


def normalize_extras(markers):
    """packaging.markers._normalize_extra_values, applied inside parentheses as well."""
    return [normalize_extras(m) if isinstance(m, list) else _normalize_extras(m) for m in markers]


def marker_str(marker):
    return format_marker(marker._markers)


def requirement_case(text):
    try:
        r = Requirement(text)
        if r.marker is not None:
            r.marker._markers = normalize_extras(r.marker._markers)
        for s in r.specifier:
            if s.operator != "===":
                Version(s.version[:-2] if s.version.endswith(".*") else s.version)
    except Exception as e:
        return err(e)
    name = canonicalize_name(r.name)
    extras = sorted({canonicalize_name(e) for e in r.extras})
    specifier = str(r.specifier)
    marker = marker_str(r.marker) if r.marker is not None else None
    normalized = name + (f"[{','.join(extras)}]" if extras else "") + specifier
    if marker is not None:
        normalized += f"; {marker}"
    return {"url": r.url is not None, "name": name, "extras": extras, "specifier": specifier,
            "marker": marker, "normalized": normalized}


def marker_case(case):
    try:
        m = Marker(case["marker"])
    except Exception as e:
        return err(e)
    packaging_str = str(m)
    m._markers = normalize_extras(m._markers)
    out = {"ok": marker_str(m), "packaging_str": packaging_str, "value": None, "eval_error": None}
    env = dict(case["env"])
    env["extra"] = case["extra"]
    try:
        out["value"] = m.evaluate(env)
    except Exception as e:
        out["eval_error"] = f"{type(e).__name__}: {e}"[:200]
    return out


def name_case(text):
    try:
        return {"ok": canonicalize_name(text, validate=True)}
    except Exception as e:
        return err(e)


def main():
    request = json.load(sys.stdin)
    ordered = sorted(request.get("sort", []), key=Version)
    answer = {
        "packaging": __import__("packaging").__version__,
        "versions": [version_case(v) for v in request.get("versions", [])],
        "sort": ordered,
        "sort_equal": [Version(a) == Version(b) for a, b in zip(ordered, ordered[1:])],
        "specifiers": [specifier_case(c) for c in request.get("specifiers", [])],
        "requirements": [requirement_case(r) for r in request.get("requirements", [])],
        "markers": [marker_case(c) for c in request.get("markers", [])],
        "names": [name_case(n) for n in request.get("names", [])],
    }
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
