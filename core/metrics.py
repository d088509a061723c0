"""What this process counts as it works, for Prometheus (`/metrics`, assembled in bot.metrics).

Only events a process sees itself live here: how long each send took, how many conversation
turns it ran, how many customers asked for a person. Every process of the service counts its
own (Prometheus scrapes each and sums). What the whole service holds (the outbox per channel
and status, the intake backlog, who holds which lease) is not counted at all: bot.metrics
reads it from the database at scrape time, so it stays true across processes and restarts.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SEND_SECONDS = Histogram(
    "kabar_air_send_seconds",
    "Time a provider took to answer one outbound message, by channel and outcome",
    ["channel", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
CONVERSATION_TURNS = Counter(
    "kabar_air_conversation_turns",
    "Customer messages the conversation engine answered (duplicates left out), by channel",
    ["channel"],
)
ESCALATIONS = Counter(
    "kabar_air_escalations",
    "Customers handed to a person (person: asked for staff) and complaints escalated to staff"
    " (complaint_warning: near target, complaint_breach: past it), by kind",
    ["kind"],
)
