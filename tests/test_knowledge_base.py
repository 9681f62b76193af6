from pathlib import Path

import pytest
import yaml

from bot.knowledge_base import KNOWLEDGE_DIR, ROLE_NAMES, KnowledgeBaseError, load_knowledge_base


def copy_kb(tmp_path: Path) -> Path:
    for source in KNOWLEDGE_DIR.glob("*.yml"):
        (tmp_path / source.name).write_text(source.read_text())
    return tmp_path


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_bundled_knowledge_base_loads(kb):
    assert [r.name for r in sorted(kb.roles, key=lambda r: r.level)] == list(ROLE_NAMES)
    assert [r.level for r in sorted(kb.roles, key=lambda r: r.level)] == [1, 2, 3, 4]
    assert {rec.level for rec in kb.recommendations} == {1, 2, 3, 4}
    assert kb.career_path == list(ROLE_NAMES)


def test_titles_from_the_facts_are_present(kb):
    assert "Controls and Reporting Co-ordinator" in kb.role("PMO Analyst").titles
    assert "Project Support Officer" in kb.role("PMO Administrator").titles
    assert "PMO Lead" in kb.role("PMO Manager").titles
    assert "Head of PMO" in kb.role("PMO Director").titles


def test_no_prices_in_the_knowledge_base():
    # words.yml lists "£" and "discount" as words visitors type to ask about a price (the price
    # attribute's phrases, which the test below checks): everywhere else they would be a price.
    words = KNOWLEDGE_DIR / "words.yml"
    text = "".join(p.read_text() for p in KNOWLEDGE_DIR.glob("*.yml") if p != words)
    assert "£" not in text and "$" not in text and "discount" not in text.lower()
    lists = yaml.safe_load(words.read_text())
    del lists["attribute_phrases"]["price"]
    text = yaml.safe_dump(lists, allow_unicode=True)
    assert "£" not in text and "$" not in text and "discount" not in text.lower()


def test_unknown_key_is_reported_with_file_and_field(tmp_path):
    directory = copy_kb(tmp_path)
    edit(directory / "roles.yml", lambda d: d["roles"][0].update(salary="lots"))
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(directory)
    assert f"{directory / 'roles.yml'} [roles.0.salary] extra fields not permitted" in str(err.value)


def test_missing_field_is_reported(tmp_path):
    directory = copy_kb(tmp_path)
    edit(directory / "courses.yml", lambda d: d["courses"][1].pop("prerequisites"))
    with pytest.raises(KnowledgeBaseError, match=r"courses.yml \[courses.1.prerequisites\] field required"):
        load_knowledge_base(directory)


def test_unknown_course_in_recommendation_is_reported(tmp_path):
    directory = copy_kb(tmp_path)
    edit(directory / "courses.yml", lambda d: d["recommendations"][0].update(main="basket_weaving"))
    with pytest.raises(KnowledgeBaseError, match=r"\[recommendations.0\] unknown course 'basket_weaving'"):
        load_knowledge_base(directory)


def test_title_listed_for_two_roles_is_reported(tmp_path):
    directory = copy_kb(tmp_path)
    edit(directory / "roles.yml", lambda d: d["roles"][3]["titles"].append("PMO Lead"))
    with pytest.raises(KnowledgeBaseError, match="'PMO Lead' is listed for both PMO Manager and PMO Director"):
        load_knowledge_base(directory)


def test_role_name_must_be_canonical(tmp_path):
    directory = copy_kb(tmp_path)
    edit(directory / "roles.yml", lambda d: d["roles"][0].update(name="Chief Tea Maker"))
    with pytest.raises(KnowledgeBaseError, match=r"\[roles.0.name\] must be one of"):
        load_knowledge_base(directory)


def test_invalid_yaml_and_missing_file(tmp_path):
    directory = copy_kb(tmp_path)
    (directory / "training.yml").write_text("ways_to_train: [unclosed\n")
    with pytest.raises(KnowledgeBaseError, match=r"training.yml \[-\] is not valid YAML"):
        load_knowledge_base(directory)
    (directory / "training.yml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"training.yml \[-\] cannot be read"):
        load_knowledge_base(directory)
