"""The knowledge base: PMO roles, titles, courses and ways to train.

Everything the assistant states comes from the YAML files in ``bot/knowledge``.
They are read by one explicit function, :func:`load_knowledge_base`, into
pydantic (v1) models that forbid unknown keys, so a typo in a file fails at load
with ``file [field] message`` instead of surfacing as a wrong answer later.
Nothing is read at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

KNOWLEDGE_DIR = Path(__file__).parent / "knowledge"
ROLE_NAMES = ("PMO Administrator", "PMO Analyst", "PMO Manager", "PMO Director")


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is missing, unreadable or invalid."""


class _Model(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Role(_Model):
    name: str
    level: int
    level_label: str
    summary: str
    duties: List[str]
    works_in: str
    strengths: str
    notes: Optional[str] = None
    titles: List[str]
    short_names: List[str] = []

    @validator("name")
    def _canonical(cls, value: str) -> str:
        if value not in ROLE_NAMES:
            raise ValueError(f"must be one of {', '.join(ROLE_NAMES)}")
        return value


class RolesFile(_Model):
    roles: List[Role]
    not_pmo_roles: List[str]
    career_path: List[str]


class Course(_Model):
    id: str
    name: str
    level: Optional[int] = None
    audience: str
    length: Optional[str] = None
    length_verified: bool = False
    prerequisites: str
    certification: str
    exam: str
    aliases: List[str] = []
    notes: Optional[str] = None


class LevelRecommendation(_Model):
    level: int
    main: str
    next: List[str]
    free_ebook: bool = False


class CoursesFile(_Model):
    courses: List[Course]
    recommendations: List[LevelRecommendation]


class NamedItem(_Model):
    name: str
    description: str
    kind: Optional[str] = None


class Contact(_Model):
    website: str
    courses_page: str
    how: str


class TrainingFile(_Model):
    ways_to_train: List[NamedItem]
    pmo_types: List[NamedItem]
    free_resources: List[NamedItem]
    contact: Contact


class KnowledgeBase(_Model):
    roles: List[Role]
    not_pmo_roles: List[str]
    career_path: List[str]
    courses: List[Course]
    recommendations: List[LevelRecommendation]
    ways_to_train: List[NamedItem]
    pmo_types: List[NamedItem]
    free_resources: List[NamedItem]
    contact: Contact

    def role(self, name: str) -> Role:
        """The role with this canonical name (KeyError when there is none)."""
        for role in self.roles:
            if role.name == name:
                return role
        raise KeyError(name)

    def role_at_level(self, level: int) -> Role:
        for role in self.roles:
            if role.level == level:
                return role
        raise KeyError(level)

    def course(self, course_id: str) -> Course:
        for course in self.courses:
            if course.id == course_id:
                return course
        raise KeyError(course_id)

    def course_named(self, name: str) -> Optional[Course]:
        lowered = name.strip().lower()
        for course in self.courses:
            if course.name.lower() == lowered or course.id == lowered:
                return course
        return None

    def recommendation_for(self, level: int) -> LevelRecommendation:
        for rec in self.recommendations:
            if rec.level == level:
                return rec
        raise KeyError(level)

    @property
    def titles_by_role(self) -> Dict[str, List[str]]:
        return {role.name: [role.name, *role.titles] for role in self.roles}


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeBaseError(f"{path} [-] cannot be read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path} [-] is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{path} [-] must hold a mapping at the top")
    return data


def _parse(path: Path, model: type) -> _Model:
    try:
        return model.parse_obj(_read(path))
    except ValidationError as exc:
        lines = [
            f"{path} [{'.'.join(str(part) for part in err['loc'])}] {err['msg']}"
            for err in exc.errors()
        ]
        raise KnowledgeBaseError("\n".join(lines)) from exc


def _check_references(kb: KnowledgeBase, directory: Path) -> None:
    """Cross-file checks pydantic cannot do field by field."""
    problems: List[str] = []
    names = [role.name for role in kb.roles]
    if sorted(names) != sorted(ROLE_NAMES):
        problems.append(f"{directory / 'roles.yml'} [roles] must define exactly {', '.join(ROLE_NAMES)}")
    if sorted(role.level for role in kb.roles) != [1, 2, 3, 4]:
        problems.append(f"{directory / 'roles.yml'} [roles.level] levels must be 1, 2, 3 and 4")
    for index, name in enumerate(kb.career_path):
        if name not in names:
            problems.append(f"{directory / 'roles.yml'} [career_path.{index}] unknown role {name!r}")
    course_ids = {course.id for course in kb.courses}
    for index, rec in enumerate(kb.recommendations):
        for course_id in [rec.main, *rec.next]:
            if course_id not in course_ids:
                problems.append(
                    f"{directory / 'courses.yml'} [recommendations.{index}] unknown course {course_id!r}"
                )
    seen: Dict[str, str] = {}
    for role in kb.roles:
        for title in [role.name, *role.titles, *role.short_names]:
            key = title.lower()
            if key in seen and seen[key] != role.name:
                problems.append(
                    f"{directory / 'roles.yml'} [roles.titles] {title!r} is listed for both "
                    f"{seen[key]} and {role.name}"
                )
            seen[key] = role.name
    if problems:
        raise KnowledgeBaseError("\n".join(problems))


def load_knowledge_base(directory: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Read and validate the three knowledge-base files in ``directory``."""
    directory = Path(directory)
    roles = _parse(directory / "roles.yml", RolesFile)
    courses = _parse(directory / "courses.yml", CoursesFile)
    training = _parse(directory / "training.yml", TrainingFile)
    kb = KnowledgeBase(**roles.dict(), **courses.dict(), **training.dict())
    _check_references(kb, directory)
    return kb


@lru_cache(maxsize=1)
def default_knowledge_base() -> KnowledgeBase:
    """The bundled knowledge base, read once on first use."""
    return load_knowledge_base(KNOWLEDGE_DIR)
