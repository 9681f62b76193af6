"""Questions beyond the catalogue: answered on topic, never confidently wrong.

Reads the held-out set ``tests/nlu/beyond_catalogue.yml`` (written apart from
data/): questions labelled with what a correct answer is *about* (its kind:
"certification:PMP", "decline:salary", "background:project_manager"...), a list
of job titles that are not PMO roles, and off-topic questions that mention a
PMO role. Each message goes through the trained model's NLU, then through the
same decision code the actions run (:func:`bot.dialogue.respond`, with the job
the rules give the predicted intent), from a fresh conversation.

- *on topic*: the first reply's kind is the labelled kind;
- *confidently wrong*: a reply that describes a PMO role, compares roles or
  recommends a course above level 1 when the question was about something else
  (a certification, another job, a declined topic).

    python -m benchmarks.beyond [MODEL] [--json PATH]
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot.jobs import JOB_OF_INTENT

ROOT = Path(__file__).resolve().parent.parent
BEYOND_SET = ROOT / "tests" / "nlu" / "beyond_catalogue.yml"
# The phrasings a non-PMO job title is tried in.
TITLE_TEMPLATES = ("what does a {title} do?", "is {title} a pmo role", "i'm a {title}, which course is right for me?")
# Kinds that say the same thing as the label (see answers.career_change: a career
# changer who asks which course gets the level 1 recommendation with the reason).
SAME_AS = {
    "background:career_changer": {"recommendation:1"},
    "recommendation:1": {"background:career_changer"},
    "entry_requirements": {"career:1"},
}


def load(path: Path = BEYOND_SET) -> Dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def job_for(intent: str) -> Optional[str]:
    """The job the rules answer ``intent`` with (bot/jobs.py), or None for a response or the enquiry form."""
    return JOB_OF_INTENT.get(intent)


def answer_kind(parsed: Dict[str, Any]) -> str:
    """The kind of the first reply the assistant gives to one parsed message, from a fresh conversation."""
    from bot.dialogue import Context, Turn, respond
    from bot.knowledge_base import default_knowledge_base

    intent = (parsed.get("intent") or {}).get("name") or ""
    job = job_for(intent)
    if job is None:
        return f"intent:{intent}"
    turn = Turn(intent, tuple(parsed.get("entities") or ()), parsed.get("text") or "")
    outcome = respond(default_knowledge_base(), job, turn, Context())
    return outcome.replies[0].kind if outcome.replies else f"intent:{intent}"


def on_topic(expected: str, got: str) -> bool:
    if got == expected or got in SAME_AS.get(expected, set()):
        return True
    if expected.startswith("decline:") and got == "decline:other":
        return True  # a plain "I can't advise on that" is the answer the issue asks for
    return expected == "adjacent_role" and got.startswith("adjacent_role:")


def confidently_wrong(expected: str, got: str) -> bool:
    """A PMO-role answer (describe, compare, a level 2-4 course) to a question about something else."""
    pmo_answer = got.startswith(("role:", "compare:", "career:")) or got in (
        "recommendation:2",
        "recommendation:3",
        "recommendation:4",
    )
    about_pmo_roles = expected.startswith(("role:", "recommendation:", "course:", "entry_requirements"))
    return pmo_answer and not about_pmo_roles


async def _parse_all(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    return [await agent.parse_message(text) for text in texts]


def evaluate(model_path: str, path: Path = BEYOND_SET) -> Dict[str, Any]:
    from rasa.core.agent import Agent

    data = load(path)
    questions: List[Tuple[str, str]] = [(q["text"], q["kind"]) for q in data["questions"]]
    off_topic: List[Tuple[str, str]] = [(q["text"], q["kind"]) for q in data["off_topic_with_role"]]
    titles = [
        (t.format(title=title.lower()), "not_a_pmo_role") for title in data["non_pmo_titles"] for t in TITLE_TEMPLATES
    ]
    everything = questions + off_topic + titles
    agent = Agent.load(model_path)
    parsed = asyncio.run(_parse_all(agent, [text for text, _ in everything]))
    rows = [
        {"text": text, "expected": expected, "got": answer_kind(p), "intent": (p.get("intent") or {}).get("name")}
        for (text, expected), p in zip(everything, parsed)
    ]
    for row in rows:
        row["on_topic"] = row["expected"] != "not_a_pmo_role" and on_topic(row["expected"], row["got"])
        row["confidently_wrong"] = confidently_wrong(row["expected"], row["got"])
    asked = rows[: len(questions)]
    declined = rows[len(questions) : len(questions) + len(off_topic)]
    title_rows = rows[len(questions) + len(off_topic) :]
    return {
        "questions": len(asked),
        "on_topic": sum(r["on_topic"] for r in asked) / len(asked),
        "off_topic_with_role": len(declined),
        "off_topic_declined": sum(r["on_topic"] for r in declined) / len(declined),
        "non_pmo_titles": len(data["non_pmo_titles"]),
        "title_messages": len(title_rows),
        "confidently_wrong": [r for r in rows if r["confidently_wrong"]],
        "missed": [r for r in asked + declined if not r["on_topic"]],
    }


def main(argv: Optional[List[str]] = None) -> int:
    from benchmarks.understanding import evaluate_from_command_line

    result = evaluate_from_command_line(__doc__.splitlines()[0], evaluate, argv)
    for row in result["missed"]:
        print(f"missed   {row['expected']:32s} got {row['got']:32s} ({row['intent']}) {row['text']}")
    for row in result["confidently_wrong"]:
        print(f"WRONG    {row['expected']:32s} got {row['got']:32s} ({row['intent']}) {row['text']}")
    print(
        f"on topic {result['on_topic']:.3f} of {result['questions']} questions; off-topic declined "
        f"{result['off_topic_declined']:.3f} of {result['off_topic_with_role']}; confidently wrong "
        f"{len(result['confidently_wrong'])} (incl. {result['title_messages']} messages about "
        f"{result['non_pmo_titles']} non-PMO titles)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
