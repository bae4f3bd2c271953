"""Deterministic filler prose for generated exercises.

Benchmarks need text of a realistic length and variety (YAML folding,
Markdown lists, punctuation), not meaning; every phrase here is made up.
"""

from __future__ import annotations

import random

ACTORS = (
    "the liaison cell",
    "the duty officer at the operations centre",
    "a regional governor",
    "the coastguard watch",
    "an allied defence attaché",
    "the foreign ministry spokesperson",
    "the logistics coordinator",
    "a field hospital commander",
    "the harbour master",
    "the cyber emergency team",
    "a parliamentary committee chair",
    "the humanitarian country team",
)
ACTIONS = (
    "asks for an update on",
    "reports a sudden change in",
    "questions the legal basis for",
    "offers additional support with",
    "warns of delays affecting",
    "requests an urgent meeting about",
    "publishes an unverified claim about",
    "confirms the first figures for",
    "proposes a joint assessment of",
    "objects to the handling of",
)
TOPICS = (
    "the northern supply corridor",
    "fuel stocks at the regional airfield",
    "the evacuation of foreign nationals",
    "overflight permissions for relief aircraft",
    "a damaged undersea cable",
    "rumours about troop movements near the border",
    "the shelter capacity in the river valley",
    "access for convoys through the mountain pass",
    "the status of detained fishermen",
    "interoperability of partner radio networks",
    "public messaging on the ceasefire line",
    "the release of satellite imagery to partners",
)
CONSEQUENCES = (
    "and expects an answer within the hour",
    "while local media are already reporting it",
    "which may affect the next coordination meeting",
    "and copies the request to two partner capitals",
    "although the figures have not been verified",
    "so the question reaches ministers by the evening",
    "before the next press briefing",
    "and hints that the offer is time-limited",
)
QUESTIONS = (
    "Who owns this decision, and who must be informed before it is taken?",
    "What can be shared with partners, and at what classification?",
    "Which public line do we take, and who speaks first?",
    "What are the legal limits on the options in front of us?",
    "How will we know if the situation escalates further?",
    "Which partner needs to hear about this from us directly?",
    "What would make us change course in the next six hours?",
    "What resources are committed, and what remains in reserve?",
)


def sentence(rng: random.Random) -> str:
    text = (
        f"{rng.choice(ACTORS)} {rng.choice(ACTIONS)} {rng.choice(TOPICS)} "
        f"{rng.choice(CONSEQUENCES)}."
    )
    return text[0].upper() + text[1:]


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def markdown_body(rng: random.Random, paragraphs: int) -> str:
    """A few paragraphs and a short bullet list, as an inject body is written."""
    parts = [paragraph(rng, rng.randint(2, 4)) for _ in range(paragraphs)]
    bullets = "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 4)))
    return "\n\n".join([*parts, bullets]) + "\n"


def questions(rng: random.Random, count: int) -> list[str]:
    return rng.sample(QUESTIONS, count)


def title(rng: random.Random) -> str:
    topic = rng.choice(TOPICS)
    return topic[0].upper() + topic[1:]
