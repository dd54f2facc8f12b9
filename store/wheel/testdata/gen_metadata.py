"""Regenerates metadata_cases.json: what packaging.metadata.parse_email answers for real METADATA
files and generated email-format documents, for the differential test in ../metadata_test.ts.
Run once by hand; the tests only read the JSON:

    python3 store/wheel/testdata/gen_metadata.py [/opt/pypi/files]

- "sample" cases: the METADATA of a spread of wheels from the local mirror (skipping those whose
  fields alone exceed 8 kB), with the body cut to its first lines so the file stays small;
- "generated" cases: documents built from a fixed random seed that exercise the email format:
  field names in any case, repeated fields, continuation lines (space or tab), CRLF / CR / LF,
  non-ASCII text, empty values, a missing blank line before the body, mbox "From " lines, lines
  starting with ":", whitespace-only lines, no final line break, a Description field and a body.

Each case stores the input bytes (base64) and parse_email's two dicts (raw, unparsed).
"""

import base64
import json
import os
import random
import subprocess
import sys
import zipfile

import packaging
from packaging.metadata import parse_email

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = 24
GENERATED = 160
BODY_LINES = 8

FIELDS = [
    "Metadata-Version", "Name", "Version", "Summary", "Description", "Description-Content-Type",
    "Keywords", "Home-page", "Author", "Author-email", "Maintainer", "License",
    "License-Expression", "License-File", "Classifier", "Requires-Dist", "Requires-Python",
    "Requires-External", "Project-URL", "Provides-Extra", "Provides-Dist", "Obsoletes-Dist",
    "Dynamic", "Platform", "Supported-Platform", "Download-URL", "Import-Name", "X-Custom",
    "Unknown-Field",
]
WORDS = ["numpy", ">=1.0", "extra == 'test'", "python_version < \"3.11\"", "héllo", "日本語",
         "a, b", "https://example.org", "Docs, https://docs.example.org", "", "  spaced  ",
         "=?utf-8?q?encoded?=", "x:y", "tab\there", "ünïcödé 🐍"]


def sample_cases(folder):
    names = sorted(n for n in os.listdir(folder) if n.endswith(".whl"))
    step = max(1, len(names) // SAMPLES)
    cases = []
    for name in names[::step]:
        if len(cases) == SAMPLES:
            break
        with zipfile.ZipFile(os.path.join(folder, name)) as z:
            member = next(m for m in z.namelist()
                          if m.endswith(".dist-info/METADATA") and m.count("/") == 1)
            data = z.read(member)
        head, sep, body = data.partition(b"\n\n")
        if len(head) > 8000:
            continue  # a long description in a field: too big for a test fixture
        if sep:
            data = head + sep + b"\n".join(body.split(b"\n")[:BODY_LINES])
        cases.append(("sample " + name, data))
    return cases


def generated_case(rng, index):
    newline = rng.choice(["\n", "\n", "\r\n", "\r"])
    lines = []
    if rng.random() < 0.05:
        lines.append("From someone@example.org Mon Jan  1 00:00:00 2024")
    core = [("Metadata-Version", rng.choice(["2.1", "2.4", "1.0"])), ("Name", "pkg-%d" % index),
            ("Version", "1.%d" % index)]
    # Now and then a core field twice, to exercise repeated single-use fields.
    names = FIELDS if rng.random() < 0.1 else FIELDS[3:]
    extra = [(rng.choice(names), rng.choice(WORDS)) for _ in range(rng.randint(0, 12))]
    fields = core + extra
    rng.shuffle(fields)
    for name, value in fields:
        case = rng.random()
        if case < 0.15:
            name = name.lower()
        elif case < 0.2:
            name = name.upper()
        sep = rng.choice([": ", ":", ":  ", ":\t"])
        lines.append(name + sep + value)
        folds = rng.choice([0, 0, 0, 1, 2]) if (name, value) not in core or rng.random() < 0.1 else 0
        for _ in range(folds):
            lines.append(rng.choice([" ", "\t", "        |"]) + rng.choice(WORDS))
        if rng.random() < 0.03:
            lines.append(": no name")
        if rng.random() < 0.03:
            lines.append("   ")
        if rng.random() < 0.02:
            lines.append("From the middle")
    body = None
    roll = rng.random()
    if roll < 0.4:
        body = newline.join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
        lines.append("")
        lines.append(body)
    elif roll < 0.5:
        lines.append("not a field line")
        lines.append(rng.choice(WORDS))
    elif roll < 0.55:
        lines.append("")
    text = newline.join(lines)
    if rng.random() < 0.7:
        text += newline
    return ("generated %d" % index, text.encode("utf-8"))


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/opt/pypi/files"
    rng = random.Random(20260523)
    cases = sample_cases(folder) + [generated_case(rng, i) for i in range(GENERATED)]
    out = []
    for label, data in cases:
        raw, unparsed = parse_email(data)
        out.append({"label": label, "input": base64.b64encode(data).decode("ascii"),
                    "raw": raw, "unparsed": unparsed})
    path = os.path.join(HERE, "metadata_cases.json")
    with open(path, "w") as f:
        json.dump({"generator": "store/wheel/testdata/gen_metadata.py",
                   "packaging": packaging.__version__, "cases": out}, f, sort_keys=True)
    subprocess.run(["deno", "fmt", "-q", path], check=True)
    print(len(out), "cases")


if __name__ == "__main__":
    main()
