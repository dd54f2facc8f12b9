"""Names and versions as PEP 503 and PEP 440 compare them, without the ``packaging`` library.

Only what the runtime needs: normalised distribution names, a comparison key under which
``"6.0"`` equals ``"6.0.0"`` and ``"1.0rc1"`` equals ``"1.0-rc.1"``, and the name at the start of
a requirement string from a lock (``"charset-normalizer<4,>=2"`` -> ``charset-normalizer``).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_VERSION = re.compile(
    r"""^\s*v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?:[-_.]?(?P<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_ALIASES = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}


def normalize_name(name: str) -> str:
    """PEP 503 normalisation: ``PyYAML`` -> ``pyyaml``, ``Foo_Bar.baz`` -> ``foo-bar-baz``."""
    return _SEPARATORS.sub("-", name).lower()


def requirement_name(requirement: str) -> str | None:
    """The normalised distribution name a PEP 508 requirement starts with, or None."""
    m = _REQUIREMENT_NAME.match(requirement)
    return normalize_name(m.group(1)) if m else None


def version_key(version: str) -> tuple:
    """A key equal for versions PEP 440 considers equal; unparsable versions compare as text."""
    text = str(version).strip()
    m = _VERSION.match(text)
    if m is None:
        return ("?", text.lower())
    release = [int(p) for p in m.group("release").split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    pre = None
    if m.group("pre_l"):
        label = m.group("pre_l").lower()
        pre = (_PRE_ALIASES.get(label, label), int(m.group("pre_n") or 0))
    post = None
    if m.group("post_n1") or m.group("post_l"):
        post = int(m.group("post_n1") or m.group("post_n2") or 0)
    dev = int(m.group("dev_n") or 0) if m.group("dev_l") else None
    local = tuple(_SEPARATORS.split(m.group("local").lower())) if m.group("local") else None
    return (int(m.group("epoch") or 0), tuple(release), pre, post, dev, local)


def same_version(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same PEP 440 version."""
    return version_key(a) == version_key(b)


_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
#: Longest name or version accepted: each becomes a folder name in the store.
MAX_FIELD_LENGTH = 255


def is_valid_name(name: str) -> bool:
    """True for a PEP 508 project name (``PyYAML``, ``zope.interface``): never a path."""
    return len(name) <= MAX_FIELD_LENGTH and _NAME.match(name) is not None


def is_valid_version(version: str) -> bool:
    """True for a PEP 440 version, normalised or not, without surrounding space: never a path."""
    return (len(version) <= MAX_FIELD_LENGTH and version == version.strip()
            and _VERSION.match(version) is not None)
