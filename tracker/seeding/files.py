"""Reading the seed data files: plain CSV and TOML, one file per concern."""

import csv
import tomllib
from datetime import date
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parents[2] / "seed"


def read_csv(name: str, seed_dir: Path = SEED_DIR) -> list[dict[str, str]]:
    with (seed_dir / name).open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def read_toml(name: str, seed_dir: Path = SEED_DIR) -> dict:
    with (seed_dir / name).open("rb") as handle:
        return tomllib.load(handle)


def as_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def as_month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def as_bool(text: str) -> bool:
    return text.strip().lower() in {"yes", "true", "1"}


def as_float(text: str) -> float | None:
    return float(text) if text not in ("", None) else None
