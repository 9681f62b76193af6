"""The knowledge base: PMO roles, titles, courses and ways to train.

Everything the assistant states comes from the YAML files in ``bot/knowledge``.
They are read by one explicit function, :func:`load_knowledge_base`, into
pydantic (v1) models that forbid unknown keys, so a typo in a file fails at load
with ``file [field] message`` instead of surfacing as a wrong answer later.
Nothing is read at import time.

Over 300 lines on purpose: the typed models of the four YAML files and their cross-file
checks belong together (one schema).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Type

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
    audience_short: str
    length: Optional[str] = None
    length_verified: bool = False
    prerequisites: str
    certification: str
    exam: str
    aliases: List[str] = []
    notes: Optional[str] = None
    next: List[str] = []
    levels: List[int] = []  # the PMO levels the facts say it suits (P3O Foundation: all; Practitioner: managers up)


class CourseFamily(_Model):
    """Courses that belong together ("the Essentials courses", "P3O")."""

    id: str
    name: str
    summary: str
    courses: List[str]
    aliases: List[str] = []


class LevelRecommendation(_Model):
    level: int
    main: str
    next: List[str]
    free_ebook: bool = False


class CoursesFile(_Model):
    courses: List[Course]
    families: List[CourseFamily] = []
    acronyms: Dict[str, str] = {}
    recommendations: List[LevelRecommendation]


class Certification(_Model):
    """A certification PMO Learning does not run (PRINCE2, PMP...)."""

    id: str
    name: str
    aliases: List[str]
    body: str
    about: str
    for_pmo: str
    related: List[str] = []


class AdjacentRole(_Model):
    """A job next to the PMO world (project manager, business analyst)."""

    id: str
    name: str
    titles: List[str]
    abbreviations: List[str] = []  # matched in capitals only ("a PM", not "2pm")
    about: str
    pmo_link: str
    entry_level: int


class DeclinedTopic(_Model):
    id: str
    words: List[str]
    what: str


class Technique(_Model):
    """PMO jargon ("what is a RAID log?"): which role does that work, by one of its duties."""

    id: str
    role: str
    duty: int
    terms: List[str]


class EntryRequirement(_Model):
    level: int
    text: str


class BeyondFile(_Model):
    certifications: List[Certification]
    unknown_certification_words: List[str]
    adjacent_roles: List[AdjacentRole]
    specialist_roles: List[str]
    career_changer_words: List[str]
    declined_topics: List[DeclinedTopic]
    entry_requirements: List[EntryRequirement]
    techniques: List[Technique] = []


class NamedItem(_Model):
    name: str
    description: str
    kind: Optional[str] = None
    aliases: List[str] = []
    described_by: List[str] = []  # PMO types: phrases that describe one without naming it


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
    families: List[CourseFamily] = []
    acronyms: Dict[str, str] = {}
    recommendations: List[LevelRecommendation]
    certifications: List[Certification] = []
    unknown_certification_words: List[str] = []
    adjacent_roles: List[AdjacentRole] = []
    specialist_roles: List[str] = []
    career_changer_words: List[str] = []
    declined_topics: List[DeclinedTopic] = []
    entry_requirements: List[EntryRequirement] = []
    techniques: List[Technique] = []
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

    def pmo_type(self, name: str) -> Optional[NamedItem]:
        return next((kind for kind in self.pmo_types if kind.name == name), None)

    def family_named(self, name: str) -> Optional[CourseFamily]:
        lowered = name.strip().lower()
        return next((f for f in self.families if lowered in (f.id, f.name.lower())), None)

    def certification(self, cert_id: str) -> Optional[Certification]:
        return next((cert for cert in self.certifications if cert.id == cert_id), None)

    def adjacent_role(self, title: str) -> Optional[AdjacentRole]:
        """The adjacent role one of whose titles is ``title`` (any case), or None."""
        lowered = " ".join(title.lower().split())
        for role in self.adjacent_roles:
            if lowered == role.id or lowered in (t.lower() for t in role.titles):
                return role
        return None

    def is_specialist_role(self, title: str) -> bool:
        return " ".join(title.lower().split()) in {t.lower() for t in self.specialist_roles}

    def declined_topic(self, topic_id: str) -> Optional[DeclinedTopic]:
        return next((topic for topic in self.declined_topics if topic.id == topic_id), None)

    def technique_in(self, text: str) -> Optional[Tuple[Technique, str]]:
        """The PMO technique a message names ("what's a RAID log?") and the words used, if any."""
        lowered = f" {' '.join(''.join(c if c.isalnum() else ' ' for c in text.lower()).split())} "
        for technique in self.techniques:
            for term in sorted(technique.terms, key=len, reverse=True):
                if f" {term} " in lowered:
                    return technique, term
        return None

    def entry_requirement(self, level: int) -> str:
        for req in self.entry_requirements:
            if req.level == level:
                return req.text
        raise KeyError(level)

    def next_courses(self, course: Course) -> List[Course]:
        """What usually comes after ``course``: its own list, else its level's next steps."""
        ids = course.next
        if not ids and course.level is not None:
            ids = [c for c in self.recommendation_for(course.level).next if c != course.id]
        return [self.course(c) for c in ids]

    def recommendation_for(self, level: int) -> LevelRecommendation:
        for rec in self.recommendations:
            if rec.level == level:
                return rec
        raise KeyError(level)


def _read(path: Path) -> Dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeBaseError(f"{path} [-] cannot be read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path} [-] is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{path} [-] must hold a mapping at the top")
    return data


def _parse(path: Path, model: Type[_Model]) -> _Model:
    try:
        return model.parse_obj(_read(path))
    except ValidationError as exc:
        lines = [f"{path} [{'.'.join(str(part) for part in err['loc'])}] {err['msg']}" for err in exc.errors()]
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
    for index, course in enumerate(kb.courses):
        for course_id in course.next:
            if course_id not in course_ids:
                problems.append(f"{directory / 'courses.yml'} [courses.{index}.next] unknown course {course_id!r}")
    for index, family in enumerate(kb.families):
        for course_id in family.courses:
            if course_id not in course_ids:
                problems.append(f"{directory / 'courses.yml'} [families.{index}] unknown course {course_id!r}")
    for index, cert in enumerate(kb.certifications):
        for course_id in cert.related:
            if course_id not in course_ids:
                problems.append(f"{directory / 'beyond.yml'} [certifications.{index}] unknown course {course_id!r}")
    if kb.entry_requirements and sorted(r.level for r in kb.entry_requirements) != [1, 2, 3, 4]:
        problems.append(f"{directory / 'beyond.yml'} [entry_requirements] levels must be 1, 2, 3 and 4")
    by_name = {role.name: role for role in kb.roles}
    for index, technique in enumerate(kb.techniques):
        role = by_name.get(technique.role)
        if role is None:
            problems.append(f"{directory / 'beyond.yml'} [techniques.{index}.role] unknown role {technique.role!r}")
        elif not 0 <= technique.duty < len(role.duties):
            problems.append(
                f"{directory / 'beyond.yml'} [techniques.{index}.duty] {technique.role} has no duty "
                f"{technique.duty} (0 to {len(role.duties) - 1})"
            )
    pmo_titles = {t.lower() for role in kb.roles for t in [role.name, *role.titles]}
    for title in [*kb.specialist_roles, *(t for a in kb.adjacent_roles for t in a.titles)]:
        if title.lower() in pmo_titles:
            problems.append(f"{directory / 'beyond.yml'} [-] {title!r} is also a PMO role title")
    for index, rec in enumerate(kb.recommendations):
        for course_id in [rec.main, *rec.next]:
            if course_id not in course_ids:
                problems.append(f"{directory / 'courses.yml'} [recommendations.{index}] unknown course {course_id!r}")
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
    """Read and validate the four knowledge-base files in ``directory``."""
    directory = Path(directory)
    roles = _parse(directory / "roles.yml", RolesFile)
    courses = _parse(directory / "courses.yml", CoursesFile)
    training = _parse(directory / "training.yml", TrainingFile)
    beyond = _parse(directory / "beyond.yml", BeyondFile)
    kb = KnowledgeBase(**roles.dict(), **courses.dict(), **training.dict(), **beyond.dict())
    _check_references(kb, directory)
    return kb


@lru_cache(maxsize=1)
def default_knowledge_base() -> KnowledgeBase:
    """The bundled knowledge base, read once on first use."""
    return load_knowledge_base(KNOWLEDGE_DIR)
