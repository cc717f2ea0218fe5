"""docs/privacy/inventory.md lists every field of every model of the project's apps, and of the
third-party models the platform keeps personal information in: a new field is not done until the
inventory says what it is for, who sees it and how long it is kept."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from privacy.retention import RULES

INVENTORY = Path(settings.BASE_DIR) / "docs" / "privacy" / "inventory.md"
PROJECT_APPS = (
    "common",
    "accounts",
    "notifications",
    "territories",
    "candidates",
    "referrals",
    "activities",
    "counselling",
    "my_file",
    "stats",
    "privacy",
    "devtools",
)
THIRD_PARTY_MODELS = ("account.EmailAddress", "usersessions.UserSession", "mfa.Authenticator", "admin.LogEntry")
HEADING = re.compile(r"^### (?P<label>\w+\.\w+)\s*$")
ROW = re.compile(r"^\|\s*`(?P<field>\w+)`\s*\|(?P<cells>.*)\|\s*$")
ANCHOR = re.compile(r'<a id="r-(?P<code>\w+)"></a>')
LINK = re.compile(r"\]\(#r-(?P<code>\w+)\)")


def documented(text: str) -> dict[str, dict[str, list[str]]]:
    """{"app.Model": {"field": [personal, purpose, who sees, retention]}} from the tables under
    each `### app.Model` heading."""
    models: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in text.splitlines():
        if heading := HEADING.match(line):
            current = models.setdefault(heading["label"], {})
        elif line.startswith("## "):
            current = None
        elif current is not None and (row := ROW.match(line)):
            current[row["field"]] = [cell.strip() for cell in row["cells"].split("|")]
    return models


def fields_of(model) -> list[str]:
    """The model's own columns and many-to-many relations (not the reverse relations)."""
    return [field.name for field in (*model._meta.concrete_fields, *model._meta.local_many_to_many)]


def models_to_list() -> dict[str, list[str]]:
    found = {
        model._meta.label: fields_of(model)
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and not model._meta.proxy
    }
    found.update({label: fields_of(apps.get_model(label)) for label in THIRD_PARTY_MODELS})
    return found


def inventory_problems(text: str) -> list[str]:
    listed = documented(text)
    problems = []
    for label, fields in models_to_list().items():
        if label not in listed:
            problems.append(f"{label}: the model is not in the inventory")
            continue
        problems += [f"{label}.{name}: not in the inventory" for name in fields if name not in listed[label]]
        problems += [f"{label}.{name}: listed but no longer a field" for name in listed[label] if name not in fields]
    problems += [f"{label}: listed but no longer a model" for label in listed if label not in models_to_list()]
    return problems


def test_every_field_of_every_model_is_in_the_inventory():
    problems = inventory_problems(INVENTORY.read_text())
    assert not problems, "docs/privacy/inventory.md is out of date:\n" + "\n".join(problems)


def test_each_row_says_whether_it_is_personal_its_purpose_who_sees_it_and_its_retention():
    text = INVENTORY.read_text()
    anchors = set(ANCHOR.findall(text))
    for label, fields in documented(text).items():
        for name, cells in fields.items():
            assert len(cells) == 4, f"{label}.{name}: expected 4 cells after the field, got {cells}"
            personal, purpose, who, retention = cells
            assert personal in ("yes", "no", "link"), f"{label}.{name}: personal is {personal!r}"
            assert purpose and who, f"{label}.{name}: purpose or who sees it is empty"
            codes = LINK.findall(retention)
            assert codes, f"{label}.{name}: the retention links to no rule"
            assert set(codes) <= anchors, f"{label}.{name}: links to an unknown rule {set(codes) - anchors}"


def test_every_retention_rule_of_the_platform_has_its_anchor():
    anchors = set(ANCHOR.findall(INVENTORY.read_text()))
    assert {rule.code for rule in RULES} <= anchors


def test_a_new_field_or_a_removed_one_is_named():
    """The check itself: a model with a field that the inventory does not list, and an inventory
    row for a field that is gone, are each named as model.field."""
    text = INVENTORY.read_text()
    without_phone = re.sub(r"^\| `phone` \|.*\n", "", text.split("### candidates.Candidate", 1)[1], count=1, flags=re.M)
    text_missing = text.split("### candidates.Candidate", 1)[0] + "### candidates.Candidate" + without_phone
    text_extra = text.replace(
        "| `anonymized_at` |", "| `shoe_size` | yes | none | nobody | [facts](#r-facts) |\n| `anonymized_at` |", 1
    )
    text_no_model = re.sub(r"### referrals\.FollowUp\n", "### referrals.Gone\n", text)

    assert inventory_problems(text_missing) == ["candidates.Candidate.phone: not in the inventory"]
    assert inventory_problems(text_extra) == ["candidates.Candidate.shoe_size: listed but no longer a field"]
    assert "referrals.FollowUp: the model is not in the inventory" in inventory_problems(text_no_model)
    assert "referrals.Gone: listed but no longer a model" in inventory_problems(text_no_model)
