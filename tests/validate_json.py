#!/usr/bin/python3
"""Validate memslope JSON output against the published schema.

usage: validate_json.py SCHEMA FILE|- [--ndjson]

Without --ndjson FILE holds one JSON document; with it, every line must be a
complete JSON document that validates (a blank line, or a last line without
its newline, is an error). Prints one line per error, "FILE:LINE: PATH: why",
and exits 1 on any error, 0 when all is valid, 2 on bad usage, 77 (skip) when
the jsonschema module is not available.
"""
import json
import os
import sys

MAX_ERRORS = 200


def import_jsonschema():
    try:
        import jsonschema  # noqa: F401
        return jsonschema
    except ImportError:
        pass
    # Debian's python3-jsonschema lives in /usr/bin/python3's site-packages;
    # a pyenv python3 first on PATH does not see it. Retry there, once.
    sys_py = "/usr/bin/python3"
    if (os.environ.get("MEMSLOPE_VALIDATE_REEXEC") != "1" and os.path.exists(sys_py)
            and os.path.realpath(sys.executable) != os.path.realpath(sys_py)):
        os.environ["MEMSLOPE_VALIDATE_REEXEC"] = "1"
        sys.stdout.flush()
        os.execv(sys_py, [sys_py, os.path.abspath(__file__)] + sys.argv[1:])
    print("SKIP: python module jsonschema not found (Debian: apt-get install python3-jsonschema)")
    sys.exit(77)


def json_path(path):
    out = "$"
    for p in path:
        out += "[%d]" % p if isinstance(p, int) else ".%s" % p
    return out


def main(argv):
    args = [a for a in argv if a != "--ndjson"]
    ndjson = len(args) != len(argv)
    if len(args) != 2:
        print("usage: validate_json.py SCHEMA FILE|- [--ndjson]", file=sys.stderr)
        return 2
    schema_file, data_file = args
    jsonschema = import_jsonschema()
    from jsonschema import Draft202012Validator, FormatChecker

    try:
        with open(schema_file, encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print("%s: bad schema: %s" % (schema_file, str(e).splitlines()[0]))
        return 1
    validator = Draft202012Validator(schema, format_checker=FormatChecker())

    name = "<stdin>" if data_file == "-" else data_file
    try:
        if data_file == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(data_file, "rb") as f:
                raw = f.read()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        print("%s: cannot read: %s" % (name, e))
        return 1

    errors = []

    def check(doc_text, lineno):
        try:
            doc = json.loads(doc_text)
        except ValueError as e:
            line = lineno + getattr(e, "lineno", 1) - 1
            errors.append("%s:%d: $: not JSON: %s" % (name, line, getattr(e, "msg", e)))
            return
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
            errors.append("%s:%d: %s: %s" % (name, lineno, json_path(err.absolute_path), err.message))

    if ndjson:
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        elif lines:
            errors.append("%s:%d: $: partial line (no newline at end)" % (name, len(lines)))
        if not lines:
            errors.append("%s:0: $: no lines" % name)
        for i, line in enumerate(lines, 1):
            if line.strip() == "":
                errors.append("%s:%d: $: blank line" % (name, i))
            else:
                check(line, i)
    else:
        check(text, 1)

    for e in errors[:MAX_ERRORS]:
        print(e)
    if len(errors) > MAX_ERRORS:
        print("%s: ... and %d more errors" % (name, len(errors) - MAX_ERRORS))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
