"""The validation baseline: parse every YAML file in a folder with libyaml, nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def main(folder: str) -> int:
    for path in sorted(Path(folder).rglob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
