#!/usr/bin/python3
"""Keeps --help, the man pages and README.md in step with the code.

--help is generated from the code's own tables (verbs, config keys, backends
and their keys, environment variables), so it stands for the code.  Each name
it lists must be documented in the right man page, each name a man page
documents must be one the code knows, and README.md must mention every verb,
backend and environment variable.

Usage: docs-test.py ROUTER SOURCE_DIR
"""
import re
import subprocess
import sys

HEADINGS = {
    "Docker credential-helper verbs": "verbs",
    "Other callers' protocols": "verbs",
    "Operator verbs": "verbs",
    "Top-level keys": "top",
    "[[route]] keys": "route",
    "Backends and their route keys": "backends",
    "Environment": "env",
}


def help_names(router):
    out = subprocess.run([router, "--help"], capture_output=True, text=True, check=True).stdout
    names = {k: set() for k in ("verbs", "top", "route", "backends", "env")}
    backend_keys = {}
    section = backend = None
    for line in out.splitlines():
        head = line.rstrip(":")
        if not line.startswith(" "):
            section = next((v for k, v in HEADINGS.items() if head.startswith(k)), None)
            continue
        if section is None or not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        word = line.split()[0]
        if section == "backends":
            if indent == 2:
                backend = word
                names["backends"].add(word)
                backend_keys[word] = set()
            elif indent == 4:
                backend_keys[backend].add(word)
        elif indent == (4 if section in ("top", "route") else 2):
            names[section].add(word)
    return names, backend_keys


def scd_sections(path):
    """Term names (bold words starting a line) per '# ' and '## ' heading."""
    terms, head, sub, in_code = {}, None, None, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if line.startswith("# "):
            head, sub = line[2:].strip(), None
            continue
        if line.startswith("## "):
            sub = line[3:].strip()
            terms.setdefault((head, sub), [])
            continue
        if line.startswith("*"):
            found = re.findall(r"\*([^*\s]+)\*", line)
            if found:
                terms.setdefault((head, sub), []).append(
                    [t.replace("\\_", "_").replace("\\*", "*") for t in found])
    return terms


def main():
    router, src = sys.argv[1], sys.argv[2]
    names, backend_keys = help_names(router)
    man1 = scd_sections(f"{src}/man/docker-credential-router.1.scd")
    man5 = scd_sections(f"{src}/man/docker-credential-router.toml.5.scd")
    readme = open(f"{src}/README.md", encoding="utf-8").read()
    passed = failed = 0

    def expect(what, code, doc):
        nonlocal passed, failed
        missing, unknown = sorted(code - doc), sorted(doc - code)
        if missing or unknown:
            failed += 1
            print(f"FAIL {what}: undocumented {missing}, documented but unknown {unknown}")
        else:
            passed += 1
            print(f"ok {what}: {len(code)} names")

    def firsts(terms):
        return {t[0] for t in terms}

    verb_terms = set()
    for (head, _), terms in man1.items():
        if head == "PERSONALITIES AND VERBS":
            verb_terms |= firsts(terms)
    expect("verbs in docker-credential-router(1)", names["verbs"], verb_terms)
    env_terms = set()
    for t in man1.get(("ENVIRONMENT", None), []):
        env_terms |= set(t)
    expect("environment in docker-credential-router(1)", names["env"], env_terms)
    expect("top-level keys in docker-credential-router.toml(5)", names["top"],
           firsts(man5.get(("TOP-LEVEL KEYS", None), [])))
    expect("route keys in docker-credential-router.toml(5)", names["route"],
           firsts(man5.get(("ROUTE KEYS", None), [])))
    documented = {sub for (head, sub) in man5 if head == "BACKENDS" and sub}
    expect("backends in docker-credential-router.toml(5)", names["backends"], documented)
    for backend, keys in sorted(backend_keys.items()):
        expect(f"keys of backend {backend} in docker-credential-router.toml(5)", keys,
               firsts(man5.get(("BACKENDS", backend), [])))
    every = names["verbs"] | names["backends"] | names["env"] | names["top"] | names["route"]
    for keys in backend_keys.values():
        every |= keys
    absent = {n for n in every if n not in readme}
    expect("names mentioned in README.md", every, every - absent)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
