"""Print pip constraints that hold every runtime dependency at its declared lower bound.

CI's second job installs the package with these constraints on the lowest Python the
project declares, so a lower bound that no longer works turns CI red instead of breaking
a user who happens to have that version installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the lowest job installs tomli first
    import tomli as tomllib

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)")
_LOWER = re.compile(r">=\s*([0-9][^,;\s]*)")


def main() -> int:
    """Write ``name==lower`` for each runtime dependency that declares a ``>=`` bound."""
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        name = _NAME.match(requirement)
        lower = _LOWER.search(requirement.split(";", 1)[0])
        if name is None or lower is None:
            print(f"no lower bound in {requirement!r}", file=sys.stderr)
            return 1
        print(f"{name.group(1)}=={lower.group(1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
