"""Django's `{% extends %}`, with the root layout's blocks found once.

On every rendering, Django's ExtendsNode walks the whole tree of the template at the root of the
inheritance (base.html: every tag, every `if` and `for` in it, to any depth) to find its
`{% block %}` nodes: 1.2 % of the web's CPU over the working day (py-spy, issue 17), for an answer
that cannot change. A compiled template never changes once parsed, so this node lets the root's
list of nodes keep what it found (`BlocksKeptNodeList`), for as long as the template lives (the
cached loader keeps it for the life of the process; a template edited in development is compiled
again, with a new list).

The settings load this library among the engine's builtins (TEMPLATES' `builtins`), after
Django's, so its `extends` is the one every template gets, the packages' included. Everything else
is Django's: the tag's syntax and checks, finding the parent, the blocks and `block.super`."""

from django import template
from django.template.base import NodeList
from django.template.loader_tags import ExtendsNode, do_extends

register = template.Library()


class BlocksKeptNodeList(NodeList):
    """A compiled template's own list of nodes, which keeps what get_nodes_by_type finds."""

    def get_nodes_by_type(self, nodetype):
        kept = self.__dict__.setdefault("_kept_by_type", {})
        if nodetype not in kept:
            kept[nodetype] = super().get_nodes_by_type(nodetype)
        return list(kept[nodetype])  # a list of its own to each caller, as Django's


class KeptExtendsNode(ExtendsNode):
    def get_parent(self, context):
        parent = super().get_parent(context)
        if type(parent.nodelist) is NodeList:  # once per compiled parent
            parent.nodelist.__class__ = BlocksKeptNodeList
        return parent


@register.tag("extends")
def extends(parser, token):
    node = do_extends(parser, token)
    node.__class__ = KeptExtendsNode
    return node
