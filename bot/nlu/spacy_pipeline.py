"""Build and save the project's own spaCy pipeline.

No pretrained English model is installable here, so the assistant ships a
pipeline made from ``spacy.blank("en")`` plus an entity ruler whose patterns
come from the knowledge base. ``bot.nlu.components.KnowledgeBaseSpacyNLP``
builds it when the model is trained and stores it in the model, so training
needs no separate build step. ``python -m bot.nlu.spacy_pipeline [OUTPUT_DIR]``
writes it to a directory, to look at it or use it outside Rasa.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, List, Optional

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler

from bot.knowledge_base import KnowledgeBase, default_knowledge_base
from bot.nlu.patterns import all_patterns

DEFAULT_OUTPUT = Path("build") / "spacy_pmo"


def build_pipeline(kb: Optional[KnowledgeBase] = None) -> Language:
    nlp = spacy.blank("en")
    # A full stop after a name ending in a capital ("My manager suggested P3O.", "... about MoP.") is its own
    # token: spaCy's English rules keep it on the word, as in "U.S.", and the name is then never matched.
    suffixes = [*list(nlp.Defaults.suffixes or []), r"(?<=[A-Za-z0-9][A-Z])\.$"]
    tokenizer: Any = nlp.tokenizer
    tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    ruler = nlp.add_pipe(
        "entity_ruler",
        config={"phrase_matcher_attr": "LOWER", "validate": True, "overwrite_ents": True},
    )
    assert isinstance(ruler, EntityRuler)
    ruler.add_patterns(all_patterns(kb or default_knowledge_base()))
    nlp.meta["name"] = "pmo_learning"
    nlp.meta["description"] = "PMO Learning Assistant: role titles, courses and experience cues"
    return nlp


def save_pipeline(output: Path = DEFAULT_OUTPUT, kb: Optional[KnowledgeBase] = None) -> Path:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    build_pipeline(kb).to_disk(output)
    return output


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = save_pipeline(Path(args[0]) if args else DEFAULT_OUTPUT)
    print(f"spaCy pipeline written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
