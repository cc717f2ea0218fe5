"""common.templatetags.extends_kept: `{% extends %}` finds the root layout's blocks once, and every
form of inheritance writes what Django's writes."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError, engines
from django.template.base import Node

from common.templatetags.extends_kept import BlocksKeptNodeList, KeptExtendsNode

SOURCES = {
    "base.html": (
        "<title>{% block title %}Base{% endblock %}</title>"
        "{% if show %}<nav>{% block nav %}menu{% endblock %}</nav>{% endif %}"
        "{% for item in items %}{% block item %}[{{ item }}]{% endblock %}{% endfor %}"
        "<main>{% block content %}{% endblock %}</main>"
    ),
    "section.html": (
        '{% extends "base.html" %}{% block title %}Section · {{ block.super }}{% endblock %}'
        "{% block content %}<section>{% block body %}section{% endblock %}</section>{% endblock %}"
    ),
    "page.html": (
        '{% extends "section.html" %}{% block body %}page, {{ block.super }}{% endblock %}'
        "{% block nav %}{{ block.super }} +{% endblock %}"
    ),
    "direct.html": '{% extends "base.html" %}{% block item %}<{{ item }}>{% endblock %}',
    "by_variable.html": "{% extends parent %}{% block content %}by a variable{% endblock %}",
}


def _engine(*builtins):
    """With the cached loader, as the site runs: a parent compiled once, its blocks kept with it."""
    loaders = [("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", SOURCES)])]
    return Engine(loaders=loaders, builtins=list(builtins))


DJANGOS = _engine()
OURS = _engine("common.templatetags.extends_kept")


@pytest.mark.parametrize("name", ["section.html", "page.html", "direct.html", "by_variable.html"])
@pytest.mark.parametrize("show", [True, False])
def test_every_level_of_inheritance_writes_what_djangos_writes(name, show):
    for _ in range(3):  # the first rendering keeps the blocks, the others read them
        values = {"show": show, "items": ["a", "b"], "parent": "section.html"}
        expected = DJANGOS.get_template(name).render(Context(values))
        assert OURS.get_template(name).render(Context(values)) == expected
    assert "Section · Base" in expected or name == "direct.html"


def test_the_root_layout_is_walked_once_for_its_blocks(monkeypatch):
    engine = _engine("common.templatetags.extends_kept")
    walks = []
    django_walk = Node.get_nodes_by_type

    def counted(node, nodetype):
        walks.append(type(node).__name__)
        return django_walk(node, nodetype)

    monkeypatch.setattr(Node, "get_nodes_by_type", counted)
    page = engine.get_template("page.html")
    page.render(Context({"show": True, "items": [1]}))
    first = len(walks)
    for _ in range(3):
        page.render(Context({"show": True, "items": [1]}))

    assert first > 0  # the first rendering walked base.html's tree
    assert len(walks) == first  # the next ones did not
    assert type(engine.get_template("base.html").nodelist) is BlocksKeptNodeList


def test_each_caller_gets_a_list_of_its_own():
    base = OURS.get_template("base.html")
    OURS.get_template("direct.html").render(Context({"items": []}))
    from django.template.loader_tags import BlockNode

    found = base.nodelist.get_nodes_by_type(BlockNode)
    found.clear()

    assert [node.name for node in base.nodelist.get_nodes_by_type(BlockNode)] == ["title", "nav", "item", "content"]


def test_django_s_checks_of_the_tag_still_hold():
    with pytest.raises(TemplateSyntaxError, match="takes one argument"):
        OURS.from_string("{% extends %}")
    with pytest.raises(TemplateSyntaxError, match="more than once"):
        OURS.from_string('{% extends "base.html" %}{% extends "base.html" %}')
    with pytest.raises(TemplateSyntaxError, match="Invalid template name"):
        OURS.from_string("{% extends parent %}").render(Context({"parent": ""}))


def test_the_project_s_templates_get_this_extends():
    template = engines["django"].get_template("errors/404.html")

    assert isinstance(template.template.nodelist[0], KeptExtendsNode)
