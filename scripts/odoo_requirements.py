"""Print Odoo's requirements with their Python 3.12 pins, for any Python >= 3.11.

Odoo 18's pins for Python 3.11 are old source distributions that no longer build;
its 3.12 pins install from wheels and run on 3.11. Packages only a few addons
need (LDAP needs C headers) are left out; see EXCLUDED.
"""

import re
import sys

EXCLUDED = {"python-ldap", "pypiwin32", "rl-renderpm"}
TARGET = (3, 12)


def _version(text):
    return tuple(int(part) for part in text.split("."))


def _marker_holds(marker):
    """Evaluate the simple markers Odoo uses: python_version and sys_platform."""
    if not marker:
        return True
    for clause in marker.split(" and "):
        clause = clause.strip()
        match = re.fullmatch(r"(python_version|sys_platform)\s*(==|!=|<=|>=|<|>)\s*'([^']*)'", clause)
        if not match:
            raise SystemExit(f"odoo_requirements: unsupported marker {clause!r}")
        name, op, value = match.groups()
        left, right = (TARGET, _version(value)) if name == "python_version" else (sys.platform, value)
        holds = {
            "==": left == right,
            "!=": left != right,
            "<=": left <= right,
            ">=": left >= right,
            "<": left < right,
            ">": left > right,
        }[op]
        if not holds:
            return False
    return True


def main(path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            requirement = line.split("#", 1)[0].strip()
            if not requirement:
                continue
            spec, _, marker = requirement.partition(";")
            name = re.split(r"[=<>! ]", spec.strip(), maxsplit=1)[0].lower()
            if name in EXCLUDED or not _marker_holds(marker.strip()):
                continue
            print(spec.strip().replace(" ", ""))


if __name__ == "__main__":
    main(sys.argv[1])
