"""A deterministic synthetic corpus of N meetings in the seeds' format.

Text comes from the seeds' own paragraphs, so sizes and wording are like real minutes.
It varies bodies, dates over 2007-2026 (several meetings a day when N is large), case
numbers that recur across meetings, closed items, items with a postponement before their
decision, agendas beside minutes, tables and lists.

    python bench/corpus.py --meetings 10000 --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.loaders import parse_minutes, read_document  # noqa: E402
from api.loaders.dates import WEEKDAYS  # noqa: E402

# Whose minutes the corpus is: `referat ingest --organization` (they name none).
ORGANIZATION = "Høje-Taastrup Kommune"
BODIES = (
    "Direktionen",
    "Byrådet",
    "Økonomiudvalget",
    "Udvalget for Teknik og Miljø",
    "Børne- og Skoleudvalget",
    "Social- og Sundhedsudvalget",
)
MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip
PEOPLE = (
    "Lars Holte", "Jørgen Lerhard", "Per Aalbæk Nielsen", "Charlotte Markussen",
    "Anya Krogh Manghezi", "Rasmus Vanggaard Knudsen", "Jakob Lyng Lind",
    "Kathrine Seier Skastrup", "Michael Ziegler", "Trine Lund", "Hans-Jørgen Ørsted",
    "Sofie Bach Nielsen", "Peter Aagaard", "Lone Kjær", "Ib Holm", "Åse Østergård",
    "Mette Frederiksen Bøgh", "Søren Æbelø",
)  # fmt: skip
PLACES = ("Mødelokale B105", "Medborgerhuset", "Byrådssalen", "Mødelokale 1.14")
TIMES = ("09:00", "13:00", "16:30")
FIRST_DAY = dt.date(2007, 1, 2)
DAYS = (dt.date(2026, 12, 31) - FIRST_DAY).days
DECISIONS = (
    "Godkendt.",
    "Direktionen godkender indstillingen.",
    "Taget til efterretning.",
    "Sagen blev drøftet.",
    "Sagen skal drøftes i chefforum inden der træffes beslutning.",
    "Indstillingen blev ikke godkendt.",
    "Udskudt.",
)


class Pool:
    """Paragraphs, titles and attachment names taken from the seeds."""

    def __init__(self, seeds: Path) -> None:
        self.paragraphs: list[str] = []
        self.titles: list[str] = []
        self.attachments: list[str] = []
        for path in sorted(seeds.glob("*.txt")):
            minutes = parse_minutes(read_document(path), source=path.name)
            for item in minutes.items:
                if item.is_closed:
                    continue
                self.titles.append(item.title)
                self.attachments += [
                    a.title + (f".{a.file_extension}" if a.file_extension else "")
                    for a in item.attachments
                ]
                for section in item.sections:
                    self.paragraphs += [p for p in section.text.split("\n\n") if p.strip()]


def meetings(count: int, seed: int = 2007) -> Iterator[tuple[str, str]]:
    """(file name, text) for each meeting, the same for the same count and seed."""
    pool = Pool(ROOT / "seeds")
    rng = random.Random(seed)
    cases = [f"{rng.randint(7, 26):02d}/{rng.randint(1, 30000)}" for _ in range(max(count, 50))]
    per_body = -(-count // len(BODIES))
    # Spread every body's meetings over the years; share a day (at another hour) only
    # when there are more meetings than days.
    per_day = 1 if per_body <= DAYS else len(TIMES)
    days_used = -(-per_body // per_day)
    for n in range(count):
        body = BODIES[n % len(BODIES)]
        k = n // len(BODIES)  # this body's k-th meeting
        day = FIRST_DAY + dt.timedelta(days=(k // per_day) * DAYS // days_used)
        time = TIMES[k % per_day] if per_day > 1 else "10:00"
        kind = "DAGSORDEN" if n % 10 == 9 else "REFERAT"
        yield f"{n:06d}.txt", _meeting(rng, pool, cases, body=body, day=day, time=time, kind=kind)


def _meeting(
    rng: random.Random,
    pool: Pool,
    cases: list[str],
    *,
    body: str,
    day: dt.date,
    time: str,
    kind: str,
) -> str:
    date = day.strftime("%d-%m-%Y")
    people = rng.sample(PEOPLE, rng.randint(3, 7))
    lines = [
        "",
        f"{kind} {body} d. {date}",
        "",
        f"Mødedato {WEEKDAYS[day.weekday()].capitalize()} d. {day.day:02d}. "
        f"{MONTHS[day.month - 1]} {day.year} kl. {time}",
        "",
        f"Mødested {rng.choice(PLACES)}",
        "",
        "Mødedeltagere " + ", ".join(people[:-1]) + f", {people[-1]} (sekretær)",
        "",
    ]
    items = rng.randint(4, 12)
    titles = [("Lukket" if rng.random() < 0.1 else rng.choice(pool.titles)) for _ in range(items)]
    lines += ["Indholdsfortegnelse", ""]
    lines += [f"{title}.....\t{3 + 2 * i}" for i, title in enumerate(titles)]
    for number, title in enumerate(titles, start=1):
        # Cases recur: a few are very busy, most come back now and then.
        case = cases[int(rng.paretovariate(1.2)) % len(cases)]
        lines += ["", f"Punkt {number}: {title}", "", case, ""]
        if title == "Lukket":
            continue
        for heading in ("Baggrund", "Indstilling", "Sagsfremstilling", "Økonomi"):
            if heading == "Økonomi" and rng.random() < 0.5:
                continue
            lines += [heading, ""]
            paragraphs = rng.randint(1, 4) if heading != "Sagsfremstilling" else rng.randint(3, 14)
            for _ in range(paragraphs):
                lines += [rng.choice(pool.paragraphs), ""]
        if kind == "REFERAT":
            if rng.random() < 0.15:  # postponed once, decided now
                earlier = (day - dt.timedelta(days=14)).strftime("%d-%m-%Y")
                lines += [f"Beslutning {body} den {earlier}", "", "Udskudt.", ""]
            lines += [f"Beslutning {body} den {date}", "", rng.choice(DECISIONS), ""]
        if rng.random() < 0.6:
            lines += ["Bilag", ""]
            for _ in range(rng.randint(1, 3)):
                lines += [rng.choice(pool.attachments or ["Notat.pdf"]), ""]
    return "\n".join(lines) + "\n"


def write_corpus(count: int, out: Path, seed: int = 2007) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in meetings(count, seed):
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def write_large_document(size: int, out: Path, seed: int = 2007) -> Path:
    """One meeting of nearly ``size`` bytes: the items of the corpus' meetings, numbered
    on, under one header (the largest document ingest accepts, for its memory)."""
    texts = (text for _, text in meetings(max(size // 20_000, 50), seed))
    first = next(texts)
    header = first.partition("\nPunkt 1:")[0].split("Indholdsfortegnelse")[0] + "\n"
    parts = [header]
    written = len(header.encode())
    for text in itertools.chain([first], texts):
        for item in text.split("\nPunkt ")[1:]:
            piece = f"\nPunkt {len(parts)}:" + item.split(":", 1)[1] + "\n"
            written += len(piece.encode())
            if written > size:
                out.write_text("".join(parts), encoding="utf-8")
                return out
            parts.append(piece)
    out.write_text("".join(parts), encoding="utf-8")
    return out


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--meetings", type=int, default=1000)
    options.add_argument("--seed", type=int, default=2007)
    options.add_argument("--out", type=Path, required=True)
    args = options.parse_args()
    paths = write_corpus(args.meetings, args.out, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"corpus: {len(paths)} meetings, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
