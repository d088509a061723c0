"""How well (and how fast) messages are understood: `.venv/bin/python bench/bench_understanding.py`.

Runs the labelled corpus (tests/bot/corpus/messages.jsonl, 308 messages in informal Indonesian,
Banjar and English) through bot/engine/understanding.py and prints intent accuracy, slot
precision and recall (overall and per slot), then messages understood per second.
Add --mistakes to list every disagreement with the labels.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from areas.index import AreaIndex
from areas.outside import outside_index
from areas.reference import read_service_areas
from bot.engine.understanding import understand
from tests.bot.corpus.scoring import read_corpus, score


def main(show_mistakes: bool = False, seconds: float = 2.0) -> None:
    index = AreaIndex.from_records(read_service_areas())
    outside_index()  # built once per process; not part of the rate
    result = score(index)
    print(f"messages                {result.messages}")
    print(f"intent accuracy         {result.intent_accuracy:.1%}")
    print(f"slot precision          {result.precision():.1%}")
    print(f"slot recall             {result.recall():.1%}")
    for slot in result.slots():
        found = result.found[slot] + result.missed[slot]
        print(
            f"  {slot:<20}  precision {result.precision(slot):6.1%}"
            f"  recall {result.recall(slot):6.1%}  ({found} labelled)"
        )
    print(f"English read as English {result.english_right}/{result.english}")
    print(f"other read as English   {result.read_as_english - result.english_right}")
    print(f"upset agreed            {result.upset_right}/{result.messages}")
    if show_mistakes:
        print("\n".join(result.mistakes) or "no mistakes")
    texts = [row["text"] for row in read_corpus()]
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            understand(text, areas=index)
        done += len(texts)
    print(f"understood              {done / (time.perf_counter() - start):,.0f} messages/s")


if __name__ == "__main__":
    main(show_mistakes="--mistakes" in sys.argv)
